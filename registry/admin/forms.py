"""WTForms classes for the admin area. They check shape; services check meaning.

Pickers instead of typed keys: categories as a tree of checkboxes, places (countries
and regions) and purposes as filterable checkbox lists, safeguards and certifications
with what each code means, organisations typed by name (``resolve`` turns the name
into the key, or says which names match). All of it works without JavaScript.
"""

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, Field, FieldList, Form, FormField, HiddenField, IntegerField,
                     PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import (URL, DataRequired, EqualTo, Length, NumberRange, Optional, Regexp,
                                ValidationError)

from ..domain.codes import meanings
from ..domain.countries import country_choices
from ..domain.links import safe_link
from ..domain.model import (CATEGORY_FLAGS, ENGAGEMENT_STATUSES, IMPORTER_ROLES, LEGAL_BASES,
                            SUBJECT_KINDS)
from ..domain.places import region_choices
from ..domain.records import ROLES
from .search import resolve_organisation
from .widgets import CheckboxPicker, OrganisationInput

SLUG = Regexp(r"^[a-z0-9][a-z0-9-]*$", message="Use lower-case letters, digits and hyphens.")
CATEGORY_KEY = Regexp(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$",
                      message="Use dot-separated parts of lower-case letters, digits and hyphens.")
BLANK_SAFEGUARD_ROWS = 2


class PickerField(SelectMultipleField):
    """Checkboxes; values outside the choices are refused by WTForms' own pre_validate."""

    widget = CheckboxPicker()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.hints, self.depths, self.first = {}, {}, []


class PlacesField(PickerField):
    """Countries and regions (EU, EEA, Worldwide), regions first."""

    def set_places(self):
        self.choices = [(token, token) for token, _what in region_choices()] + country_choices()
        self.first = [token for token, _what in region_choices()]
        self.hints = {token: what for token, what in region_choices()}
        self.hints.update({code: code for code, _name in country_choices()})
        # keep a stored place the lists do not know, so that an edit does not drop it silently
        known = {value for value, _label in self.choices}
        self.choices += [(p, p) for p in self.data or [] if p not in known]


class OrganisationField(StringField):
    """An organisation typed by name or key; ``resolve`` sets ``data`` to the key."""

    widget = OrganisationInput()

    def resolve(self, store, required=True):
        """True when the text names exactly one organisation (data becomes its key)."""
        text = (self.data or "").strip()
        if not text:
            if required:
                self.errors = list(self.errors) + ["Name the organisation."]
                return False
            self.data = None
            return True
        key, candidates = resolve_organisation(store, text)
        if key:
            self.data = key
            return True
        self.errors = list(self.errors) + [
            (f"Several organisations match {text!r}: " + "; ".join(f"{o.name} ({o.key})" for o in candidates[:6])
             + ". Type the name in full or pick one.") if candidates
            else f"No organisation is called {text!r}."]
        return False

    def show_name(self, store):
        """Show a stored key as "Name (key)"."""
        if self.data:
            org = store.find("organisation", self.data)
            if org is not None and org.name != org.key:
                self.data = f"{org.name} ({org.key})"


def _evidence_link(form, field):
    if field.data and safe_link(field.data) is None or (field.data or "").lower().startswith("mailto:"):
        raise ValidationError("Evidence must be an http:// or https:// link to the document.")


class SafeguardForm(Form):
    """One safeguard in place: its code (with meaning), the evidence link, the signing date, a note."""

    code = SelectField("Safeguard", choices=[], validate_choice=False)
    document = StringField("Evidence link", validators=[Optional(), Length(max=500), _evidence_link])
    signed_on = DateField("Signed on", validators=[Optional()], format="%Y-%m-%d")
    note = StringField("Note", validators=[Length(max=500)])

    def validate_code(self, field):
        known = {value for value, _label in field.choices}
        if field.data and field.data not in known:
            raise ValidationError(f"{field.data!r} is not a known safeguard code.")


def safeguard_choices():
    return [("", "—")] + [(code, f"{code}: {meaning}") for code, meaning in meanings("safeguards").items()]


def optional_date(label):
    return DateField(label, validators=[Optional()], format="%Y-%m-%d")


class ObjectForm(FlaskForm):
    """Common: the key (fixed after creation) and the version the editor started from."""

    version = HiddenField()
    key = StringField("Key", validators=[DataRequired(), Length(max=80), SLUG])

    @classmethod
    def for_object(cls, obj):
        """A form filled from ``obj`` (ISO date strings become dates for DateFields)."""
        data = obj.to_dict(with_version=True)
        for name, field in cls.__dict__.items():
            if getattr(field, "field_class", None) is DateField and data.get(name):
                data[name] = date.fromisoformat(data[name])
        for entry in data.get("safeguards") or []:
            if entry.get("signed_on"):
                entry["signed_on"] = date.fromisoformat(entry["signed_on"])
        data["parent"] = data.get("parent") or ""
        data["country"] = data.get("country") or ""
        return cls(data=data)

    def to_data(self):
        """The fields as a dict for the service layer (dates as ISO strings)."""
        return {name: _service_value(field) for name, field in self._fields.items()
                if name not in ("csrf_token", "version")}

    def resolve(self, store):
        """Turn typed organisations into keys; False (with errors on the fields) if any is unclear."""
        ok = True
        for field in self:
            if isinstance(field, OrganisationField):
                ok = field.resolve(store, required=any(isinstance(v, DataRequired) for v in field.validators)) \
                    and ok
        return ok

    def show_names(self, store):
        for field in self:
            if isinstance(field, OrganisationField):
                field.show_name(store)


def _service_value(field: Field) -> Any:
    """A field's data as the service layer takes it: dates as ISO strings, lists as lists,
    no choice as None."""
    value = field.data
    if isinstance(field, FieldList):
        return _entries(value)
    if isinstance(field, SelectMultipleField):
        return list(value or [])
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(field, (SelectField, OrganisationField)) and not value:
        return None
    if isinstance(field, StringField) and value is None:
        return ""  # a field left out of the post means empty, as in a browser
    return value


def _entries(entries: list[dict]) -> list[dict]:
    """The entries of a list of sub-forms that name a code, without empty values, dates as ISO strings."""
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in entry.items() if v}
            for entry in entries if entry.get("code")]


def _category_picker(field, store):
    categories = store.list("category")
    field.choices = [(c.key, c.name) for c in categories]
    field.depths = {c.key: c.key.count(".") for c in categories}
    field.hints = {c.key: c.key + (f" · {', '.join(c.flags)}" if c.flags else "") for c in categories}


def _picker(field, store, kind):
    items = store.list(kind)
    field.choices = [(o.key, o.label) for o in items]
    field.hints = {o.key: o.key for o in items if o.label != o.key}


class OrganisationForm(ObjectForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    legal_name = StringField("Legal name", validators=[Length(max=300)])
    country = SelectField("Country of establishment", choices=[], default="")
    website = StringField("Website", validators=[Optional(), URL(require_tld=False), Length(max=300)])
    parent = OrganisationField("Parent organisation", description="the group it belongs to, if any")
    certifications = PickerField("Certifications", choices=[])
    publisher = BooleanField("Publishes a sub-processor page")
    notice_days = IntegerField("Notice period (days)", default=30, validators=[NumberRange(0, 365)])
    description = TextAreaField("Description", validators=[Length(max=4000)])

    def set_choices(self, store):
        self.country.choices = [("", "Unknown")] + country_choices()
        vocabulary = meanings("certifications")
        self.certifications.choices = [(c, c) for c in vocabulary] + \
            [(c, c) for c in self.certifications.data or [] if c not in vocabulary]
        self.certifications.hints = vocabulary
        if not self.is_submitted():
            self.show_names(store)


class SubjectGroupForm(ObjectForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=list(SUBJECT_KINDS))
    residence = PickerField("Countries of residence", choices=[])
    citizenship = PickerField("Countries of citizenship", choices=[],
                              description="leave empty if not known; localisation laws read it")
    individuals = IntegerField("Individuals per year (approx.)", validators=[Optional(), NumberRange(0)],
                               description="leave empty if unknown; volume thresholds (PIPL, 28 CFR 202) read it")
    description = TextAreaField("Description", validators=[Length(max=4000)])

    def set_choices(self, store):
        for field in (self.residence, self.citizenship):
            field.choices = country_choices() + [(c, c) for c in field.data or [] if len(c) != 2]
            field.hints = {code: code for code, _name in country_choices()}


class CategoryForm(ObjectForm):
    key = StringField("Key", validators=[DataRequired(), Length(max=200), CATEGORY_KEY],
                      description="dotted: account.contact.email (the parent must exist)")
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    flags = PickerField("Flags", choices=list(CATEGORY_FLAGS))
    description = TextAreaField("Description", validators=[Length(max=4000)])


class PurposeForm(ObjectForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    legal_basis = SelectField("Legal basis", choices=list(LEGAL_BASES))
    description = TextAreaField("Description", validators=[Length(max=4000)])


class CollectionForm(ObjectForm):
    organisation = OrganisationField("Collecting organisation", validators=[DataRequired()])
    subject_group = SelectField("Data subjects", choices=[], validators=[DataRequired()])
    role = SelectField("The organisation receives this data as", choices=[
        ("controller", "controller (for its own purposes)"),
        ("processor", "processor, on behalf of its customers (its vendors are sub-processors)")])
    categories = PickerField("Categories", choices=[], validators=[DataRequired()])
    purposes = PickerField("Purposes", choices=[])
    description = TextAreaField("Description", validators=[Length(max=4000)])

    def set_choices(self, store):
        self.subject_group.choices = [(g.key, f"{g.name} ({g.key})") for g in store.list("subject_group")]
        _category_picker(self.categories, store)
        _picker(self.purposes, store, "purpose")
        if not self.is_submitted():
            self.show_names(store)


class EngagementForm(ObjectForm):
    exporter = OrganisationField("Organisation engaging (exporter)", validators=[DataRequired()])
    importer = OrganisationField("Vendor engaged (importer)", validators=[DataRequired()])
    service = StringField("Service", validators=[Length(max=300)])
    purposes = PickerField("Purposes", choices=[])
    importer_role = SelectField("Vendor's role", choices=list(IMPORTER_ROLES))
    categories = PickerField("Data categories received", choices=[],
                             description="a category carries everything under it")
    subject_groups = PickerField("Data subjects concerned", choices=[],
                                 description="none ticked: all the exporter's subjects; the exporter's own first")
    store_countries = PlacesField("Stores data in", choices=[], description="none ticked: not known")
    access_countries = PlacesField("Accesses data from (support, operations)", choices=[])
    safeguards = FieldList(FormField(SafeguardForm), label="Safeguards in place", min_entries=0)
    status = SelectField("Status", choices=list(ENGAGEMENT_STATUSES))
    effective_date = optional_date("Takes effect on")
    end_date = optional_date("Ended on")
    announced_date = optional_date("Announced on")
    public = BooleanField("Listed on the public sub-processor page")
    retention = StringField("Retention", validators=[Length(max=500)])
    internal_notes = TextAreaField("Internal notes (never public)", validators=[Length(max=8000)])
    early_start_reason = StringField("Reason to start before the notice period ends (admins only)",
                                     validators=[Length(max=500)])

    def prefill(self, args):
        """A new engagement from a link: ?exporter=key&importer=key."""
        for name in ("exporter", "importer"):
            if args.get(name):
                getattr(self, name).data = args[name]

    def set_choices(self, store):
        _picker(self.purposes, store, "purpose")
        _category_picker(self.categories, store)
        _picker(self.subject_groups, store, "subject_group")
        exporter, _candidates = resolve_organisation(store, self.exporter.data or "")
        if exporter:
            own = {c.subject_group for c in store.list("collection", filters={"organisation": exporter})}
            self.subject_groups.first = sorted(own)
        for field in (self.store_countries, self.access_countries):
            field.set_places()
        self._set_safeguard_choices()
        if not self.is_submitted():
            self.show_names(store)

    def _set_safeguard_choices(self) -> None:
        """Blank safeguard rows on a fresh form; on every row the known codes, plus the row's own
        code when it is not among them (so that it stays as it is)."""
        choices = safeguard_choices()
        if not self.is_submitted():
            for _ in range(BLANK_SAFEGUARD_ROWS):
                self.safeguards.append_entry()
        for entry in self.safeguards.entries:
            code = entry.form.code.data
            entry.form.code.choices = choices + ([(code, code)] if code and code not in dict(choices) else [])


class DeleteForm(FlaskForm):
    # Required: without the version read, a delete would skip the conflict check.
    version = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9]{1,18}$")])


class UserActionForm(FlaskForm):
    """A button that changes a user (reset, disable): only the CSRF token."""


class UserForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(min=2, max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=10, max=256)])
    role = SelectField("Role", choices=list(ROLES))


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=256)])
    new = PasswordField("New password", validators=[DataRequired(), Length(min=10, max=256)])
    confirm = PasswordField("New password again", validators=[DataRequired(), EqualTo("new", "The two differ.")])


class TriageForm(FlaskForm):
    """Who handles an engagement's findings, by when, and in which state (a reason to accept a risk)."""

    version = HiddenField()
    owner = StringField("Owner", validators=[Length(max=120)], description="who handles it")
    due_date = optional_date("Due on")
    state = SelectField("State", choices=[("open", "open"), ("in-progress", "in progress"),
                                          ("accepted-risk", "accepted risk"), ("resolved", "resolved")])
    reason = TextAreaField("Reason", validators=[Length(max=4000)],
                           description="needed to accept a risk: why, and who decided")

    @classmethod
    def for_object(cls, obj):
        data = obj.to_dict(with_version=True)
        if data.get("due_date"):
            data["due_date"] = date.fromisoformat(data["due_date"])
        return cls(data=data)

    def to_data(self):
        return {"owner": self.owner.data or "", "state": self.state.data, "reason": self.reason.data or "",
                "due_date": self.due_date.data.isoformat() if self.due_date.data else None}
