"""The public forms. Plain WTForms (not Flask-WTF): they must not touch the session.

They check shape; the services check meaning. The ``form_token`` field carries the
signed token from ``guard.issue_token``.
"""

from wtforms import EmailField, Form, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional


class PublicForm(Form):
    form_token = HiddenField()


class SubscribeForm(PublicForm):
    email = EmailField("Email address", validators=[DataRequired(message="Enter your email address."),
                                                    Length(max=254), Email(message="Enter a valid email address.")])


class ObjectionForm(PublicForm):
    ref = HiddenField()
    name = StringField("Your name", validators=[DataRequired(message="Enter your name."), Length(max=200)])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)],
                               description="the customer you object for, if any")
    contact = EmailField("Your email address", validators=[DataRequired(message="Enter your email address."),
                                                           Length(max=254),
                                                           Email(message="Enter a valid email address.")],
                         description="we send a link to confirm the objection, then a receipt")
    reason = TextAreaField("Reason for the objection",
                           validators=[DataRequired(message="Say why you object."), Length(max=4000)])
