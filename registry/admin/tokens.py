"""API tokens in the admin area (/admin/tokens): make one (shown once), list, revoke.

Everyone signed in manages their own tokens; an admin sees and may revoke everyone's.
A token acts with its owner's role.
"""

from flask import Blueprint, render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from ..auth import role_required
from ..db import get_store
from ..domain.errors import ValidationError
from ..services.users import TOKEN_NAME_MAX, create_token, revoke_token

bp = Blueprint("tokens", __name__, url_prefix="/admin/tokens")


class TokenForm(FlaskForm):
    name = StringField("What the token is for", validators=[DataRequired(), Length(max=TOKEN_NAME_MAX)],
                       description="e.g. nightly vendor sync")


class RevokeForm(FlaskForm):
    token_id = HiddenField(validators=[DataRequired()])


def _page(form, secret=None, status=200):
    owner = None if current_user.can("admin") else current_user.username
    tokens = get_store().list_tokens(owner)
    return render_template("admin/tokens.html", form=form, revoke=RevokeForm(), tokens=tokens,
                           secret=secret), status


@bp.get("/")
@role_required("viewer")
def tokens():
    return _page(TokenForm())


@bp.post("/")
@role_required("viewer")
def create():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        _token, secret = create_token(get_store(), current_user.username, form.name.data, current_user.username)
    except ValidationError as exc:
        form.name.errors.append(exc.message)
        return _page(form, status=400)
    return _page(TokenForm(formdata=None), secret=secret)


@bp.post("/revoke")
@role_required("viewer")
def revoke():
    form = RevokeForm()
    if not form.validate_on_submit():
        raise ValidationError("choose a token to revoke", field="token_id")
    owner = None if current_user.can("admin") else current_user.username
    token = revoke_token(get_store(), form.token_id.data, current_user.username, owner)
    form = TokenForm(formdata=None)
    from flask import flash
    flash(f"Token {token.name!r} of {token.username} revoked.")
    return _page(form)
