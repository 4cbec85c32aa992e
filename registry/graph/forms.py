"""The question forms. They are GET forms: asking changes nothing, so they need no CSRF token."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, NumberRange, Optional
from wtforms.widgets import HiddenInput

from ..services.paths import MAX_DEPTH_BOUND, MAX_LIMIT


class WhereForm(FlaskForm):
    class Meta:
        csrf = False

    category = SelectField("Data category", validators=[DataRequired()], choices=[])
    subject_groups = SelectMultipleField("Data subjects (any when none chosen)", choices=[])
    organisation = StringField("Starting from (organisation key; every collection when empty)")
    on = DateField("As of", validators=[Optional()], format="%Y-%m-%d")
    planned = BooleanField("Include planned engagements (what if)")
    depth = IntegerField("Up to hops (no bound when empty)", validators=[Optional(), NumberRange(1, MAX_DEPTH_BOUND)])
    examples = BooleanField("Show an example path for each hop")
    limit = IntegerField("Hops per page", default=25, validators=[Optional(), NumberRange(1, MAX_LIMIT)])
    offset = IntegerField(widget=HiddenInput(), default=0, validators=[Optional(), NumberRange(0)])

    def set_choices(self, store):
        self.category.choices = [(c.key, f"{c.key} — {c.name}") for c in store.list("category")]
        self.subject_groups.choices = [(g.key, g.name) for g in store.list("subject_group")]


class GapsForm(FlaskForm):
    class Meta:
        csrf = False

    on = DateField("As of", validators=[Optional()], format="%Y-%m-%d")
    planned = BooleanField("Include planned engagements")
    status = SelectField("Status", choices=[("", "any"), ("violation", "violation"), ("action", "action"),
                                            ("unknown", "unknown")], default="")
    regime = SelectField("Regime", choices=[], default="")
    organisation = StringField("Organisation (exporter or importer key)")
    publisher = SelectField("Behind the list of", choices=[], default="")
    category = SelectField("Data category", choices=[], default="")
    limit = IntegerField("Engagements per page", default=25, validators=[Optional(), NumberRange(1, MAX_LIMIT)])
    offset = IntegerField(widget=HiddenInput(), default=0, validators=[Optional(), NumberRange(0)])

    def set_choices(self, store, regimes):
        self.regime.choices = [("", "any")] + [(r, r) for r in regimes] + [("unknown", "unknown facts")]
        self.publisher.choices = [("", "any")] + [(o.key, o.name) for o in
                                                  store.list("organisation", filters={"publisher": True})]
        self.category.choices = [("", "any")] + [(c.key, f"{c.key} — {c.name}") for c in store.list("category")]
