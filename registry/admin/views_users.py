"""Users of the admin area: the list, new users, one's own password, an admin's reset and disable."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth import role_required
from ..db import get_store
from ..domain.errors import NotFound, ValidationError
from ..services.users import authenticate, create_user, one_time_password, revoke_user_tokens
from . import bp
from .forms import PasswordForm, UserActionForm, UserForm
from .views import _apply_errors


@bp.route("/users", methods=["GET", "POST"])
@role_required("admin")
def users():
    store = get_store()
    form = UserForm()
    if form.validate_on_submit():
        try:
            create_user(store, form.username.data, form.password.data, form.role.data,
                        actor=current_user.username)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            flash(f"Created user {form.username.data}.")
            return redirect(url_for("admin.users"))
    return render_template("admin/users.html", form=form, users=store.list_users(),
                           action_form=UserActionForm()), 400 if form.errors else 200


@bp.route("/account/password", methods=["GET", "POST"])
@role_required("viewer")
def change_password():
    """Anyone signed in changes their own password, giving the current one."""
    store = get_store()
    form = PasswordForm()
    if form.validate_on_submit():
        me = authenticate(store, current_user.username, form.current.data)
        if me is None:
            form.current.errors.append("That is not your current password.")
        else:
            try:
                create_user(store, me.username, form.new.data, me.role, replace=True, actor=me.username)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                flash("Password changed. Sign in again with the new one.")
                return redirect(url_for("auth.login"))
    return render_template("admin/password.html", form=form), 400 if form.errors else 200


def _target(store, username):
    user = store.get_user(username)
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


@bp.route("/users/<username>/reset", methods=["POST"])
@role_required("admin")
def reset_password(username):
    """An admin sets a new one-time password for a user and sees it once; their sessions end."""
    store = get_store()
    if UserActionForm().validate_on_submit():
        user = _target(store, username)
        password = one_time_password()
        create_user(store, user.username, password, user.role, replace=True, actor=current_user.username)
        flash(f"New one-time password for {user.username}: {password} (shown once; pass it on privately).")
    return redirect(url_for("admin.users"))


@bp.route("/users/<username>/disable", methods=["POST"])
@role_required("admin")
def disable_user(username):
    """Lock a user out: a random password nobody learns, and their sessions end. A reset re-enables."""
    store = get_store()
    if UserActionForm().validate_on_submit():
        user = _target(store, username)
        if user.username == current_user.username:
            flash("You cannot disable your own account.", "error")
        else:
            create_user(store, user.username, one_time_password() + one_time_password(), user.role,
                        replace=True, actor=current_user.username)
            revoked = revoke_user_tokens(store, user.username, current_user.username)
            flash(f"Disabled {user.username}: they can no longer sign in until an admin resets their password"
                  + (f"; {revoked} API token(s) revoked." if revoked else "."))
    return redirect(url_for("admin.users"))
