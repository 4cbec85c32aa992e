"""WTForms classes for the admin area. They check shape; services check meaning."""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, HiddenField, IntegerField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..domain.countries import country_choices
from ..domain.model import (CATEGORY_FLAGS, ENGAGEMENT_STATUSES, IMPORTER_ROLES, LEGAL_BASES,
                            SUBJECT_KINDS)
from ..domain.records import ROLES

SLUG = Regexp(r"^[a-z0-9][a-z0-9-]*$", message="Use lower-case letters, digits and hyphens.")
CATEGORY_KEY = Regexp(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$",
                      message="Use dot-separated parts of lower-case letters, digits and hyphens.")


class TokenListField(StringField):
    """A list typed as words separated by commas, spaces or new lines."""

    def _value(self):
        return ", ".join(self.data or [])

    def process_formdata(self, valuelist):
        text = valuelist[0] if valuelist else ""
        self.data = [t for t in text.replace(",", " ").split() if t]


class CountryListField(TokenListField):
    """Country codes; the shape is two letters, the service checks they are assigned."""

    def pre_validate(self, form):
        bad = [t for t in self.data or [] if len(t) != 2 or not t.isalpha()]
        if bad:
            raise ValidationError(f"Not two-letter country codes: {', '.join(bad)}")
        self.data = [t.upper() for t in self.data or []]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SafeguardsField(TextAreaField):
    """One safeguard per line: ``code | document link | signing date | note``."""

    def _value(self):
        lines = []
        for s in self.data or []:
            parts = [s.get("code", ""), s.get("document", ""), s.get("signed_on", ""), s.get("note", "")]
            while parts and not parts[-1]:
                parts.pop()
            lines.append(" | ".join(parts))
        return "\n".join(lines)

    def process_formdata(self, valuelist):
        self.data = []
        for line in (valuelist[0] if valuelist else "").splitlines():
            parts = [p.strip() for p in line.split("|")]
            if not parts[0]:
                continue
            entry = dict(zip(("code", "document", "signed_on", "note"), parts))
            self.data.append({k: v for k, v in entry.items() if v})

    def pre_validate(self, form):
        for entry in self.data or []:
            if len(entry) > 4 or " " in entry["code"]:
                raise ValidationError("Each line: code | document link | signing date (YYYY-MM-DD) | note")


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
        data["parent"] = data.get("parent") or ""
        data["country"] = data.get("country") or ""
        return cls(data=data)

    def to_data(self):
        """The fields as a dict for the service layer (dates as ISO strings)."""
        out = {}
        for name, field in self._fields.items():
            if name in ("csrf_token", "version"):
                continue
            value = field.data
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            if isinstance(field, SelectField) and value == "":
                value = None
            elif isinstance(field, TokenListField | SafeguardsField) and value is None:
                value = []
            elif isinstance(field, StringField) and value is None:
                value = ""  # a field left out of the post means empty, as in a browser
            out[name] = value
        return out


class OrganisationForm(ObjectForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    legal_name = StringField("Legal name", validators=[Length(max=300)])
    country = SelectField("Country of establishment", choices=[], default="")
    website = StringField("Website", validators=[Optional(), URL(require_tld=False), Length(max=300)])
    parent = SelectField("Parent organisation", choices=[], default="")
    certifications = TokenListField("Certifications", description="e.g. dpf-eu, dpf-uk, iso27001, soc2")
    publisher = BooleanField("Publishes a sub-processor page")
    notice_days = IntegerField("Notice period (days)", default=30, validators=[NumberRange(0, 365)])
    description = TextAreaField("Description", validators=[Length(max=4000)])

    def set_choices(self, store):
        self.country.choices = [("", "Unknown")] + country_choices()
        self.parent.choices = [("", "None")] + [(o.key, o.name) for o in store.list("organisation")
                                                 if o.key != self.key.data]


class SubjectGroupForm(ObjectForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=list(SUBJECT_KINDS))
    residence = CountryListField("Countries of residence", description="two-letter codes, e.g. DE, FR")
    citizenship = CountryListField("Countries of citizenship")
    individuals = IntegerField("Individuals per year (approx.)", validators=[Optional(), NumberRange(0)],
                               description="leave empty if unknown; volume thresholds (PIPL, 28 CFR 202) read it")
    description = TextAreaField("Description", validators=[Length(max=4000)])


class CategoryForm(ObjectForm):
    key = StringField("Key", validators=[DataRequired(), Length(max=200), CATEGORY_KEY],
                      description="dotted: account.contact.email (the parent must exist)")
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    flags = MultiCheckboxField("Flags", choices=list(CATEGORY_FLAGS))
    description = TextAreaField("Description", validators=[Length(max=4000)])


class PurposeForm(ObjectForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    legal_basis = SelectField("Legal basis", choices=list(LEGAL_BASES))
    description = TextAreaField("Description", validators=[Length(max=4000)])


def _choices(store, kind):
    return [(o.key, o.label if o.label == o.key else f"{o.label} ({o.key})") for o in store.list(kind)]


class CollectionForm(ObjectForm):
    organisation = SelectField("Collecting organisation", choices=[], validators=[DataRequired()])
    subject_group = SelectField("Data subjects", choices=[], validators=[DataRequired()])
    categories = SelectMultipleField("Categories", choices=[], validators=[DataRequired()])
    purposes = SelectMultipleField("Purposes", choices=[])
    description = TextAreaField("Description", validators=[Length(max=4000)])

    def set_choices(self, store):
        self.organisation.choices = _choices(store, "organisation")
        self.subject_group.choices = _choices(store, "subject_group")
        self.categories.choices = _choices(store, "category")
        self.purposes.choices = _choices(store, "purpose")


class EngagementForm(ObjectForm):
    exporter = SelectField("Organisation engaging (exporter)", choices=[], validators=[DataRequired()])
    importer = SelectField("Vendor engaged (importer)", choices=[], validators=[DataRequired()])
    service = StringField("Service", validators=[Length(max=300)])
    purposes = SelectMultipleField("Purposes", choices=[])
    importer_role = SelectField("Vendor's role", choices=list(IMPORTER_ROLES))
    categories = SelectMultipleField("Data categories received", choices=[])
    subject_groups = SelectMultipleField("Data subjects concerned", choices=[],
                                         description="none selected: all the exporter's subjects")
    store_countries = CountryListField("Stores data in", description="two-letter codes; empty if not known")
    access_countries = CountryListField("Accesses data from (support, operations)")
    safeguards = SafeguardsField("Safeguards in place",
                                 description="one per line: code | document link | signing date | note")
    status = SelectField("Status", choices=list(ENGAGEMENT_STATUSES))
    effective_date = optional_date("Takes effect on")
    end_date = optional_date("Ended on")
    announced_date = optional_date("Announced on")
    public = BooleanField("Listed on the public sub-processor page")
    retention = StringField("Retention", validators=[Length(max=500)])
    internal_notes = TextAreaField("Internal notes (never public)", validators=[Length(max=8000)])
    early_start_reason = StringField("Reason to start before the notice period ends (admins only)",
                                     validators=[Length(max=500)])

    def set_choices(self, store):
        orgs = _choices(store, "organisation")
        self.exporter.choices = orgs
        self.importer.choices = orgs
        self.purposes.choices = _choices(store, "purpose")
        self.categories.choices = _choices(store, "category")
        self.subject_groups.choices = _choices(store, "subject_group")


class DeleteForm(FlaskForm):
    version = HiddenField()


class UserForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(min=2, max=64)])
    password = StringField("Password", validators=[DataRequired(), Length(min=10, max=256)])
    role = SelectField("Role", choices=list(ROLES))
