"""The question form. It is a GET form: asking changes nothing, so it needs no CSRF token."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, SelectMultipleField
from wtforms.validators import DataRequired, NumberRange, Optional


class WhereForm(FlaskForm):
    class Meta:
        csrf = False

    category = SelectField("Data category", validators=[DataRequired()], choices=[])
    subject_groups = SelectMultipleField("Data subjects (any when none chosen)", choices=[])
    organisation = SelectField("Starting from", choices=[], default="")
    on = DateField("As of", validators=[Optional()], format="%Y-%m-%d")
    planned = BooleanField("Include planned engagements (what if)")
    depth = IntegerField("Up to hops", default=6, validators=[Optional(), NumberRange(1, 10)])

    def set_choices(self, store):
        self.category.choices = [(c.key, f"{c.key} — {c.name}") for c in store.list("category")]
        self.subject_groups.choices = [(g.key, g.name) for g in store.list("subject_group")]
        self.organisation.choices = [("", "every collecting organisation")] + \
            [(o.key, o.name) for o in store.list("organisation")]
