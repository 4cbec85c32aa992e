"""Sign-in for the admin area (Flask-Login sessions) and role checks.

The API also accepts HTTP Basic credentials, so scripts need no cookie and no CSRF token.
"""

import functools

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from .db import get_store
from .domain.errors import Forbidden
from .services.users import authenticate

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to see the registry."


class SessionUser:
    """Flask-Login's view of a User."""

    def __init__(self, user):
        self.user = user
        self.username = user.username
        self.role = user.role
        self.is_authenticated = True
        self.is_active = True
        self.is_anonymous = False

    def get_id(self):
        return self.username

    def can(self, role):
        return self.user.can(role)


@login_manager.user_loader
def load_user(username):
    user = get_store().get_user(username)
    return SessionUser(user) if user else None


@login_manager.request_loader
def load_user_from_basic_auth(req):
    """API clients may send HTTP Basic credentials instead of a session cookie."""
    if not req.path.startswith("/api/") or not req.authorization or req.authorization.type != "basic":
        return None
    user = authenticate(get_store(), req.authorization.username, req.authorization.password)
    return SessionUser(user) if user else None


@login_manager.unauthorized_handler
def unauthorized():
    from .errors import error_response, wants_json
    if wants_json():
        return error_response(401, "sign-in needed: send HTTP Basic credentials")
    flash(login_manager.login_message)
    return redirect(url_for("auth.login", next=request.full_path))


def role_required(role):
    """Decorator: the signed-in user needs at least ``role`` (viewer, editor, admin)."""
    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.can(role):
                raise Forbidden(f"this needs the {role} role; you are signed in as a {current_user.role}")
            return view(*args, **kwargs)
        return wrapped
    return decorator


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])


def _safe_next(target):
    # Only same-site paths: an open redirect would let a phishing link borrow our login.
    return target if target and target.startswith("/") and not target.startswith("//") else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(get_store(), form.username.data, form.password.data)
        if user is None:
            form.password.errors.append("Unknown username or wrong password.")
        else:
            login_user(SessionUser(user))
            return redirect(_safe_next(request.args.get("next")) or url_for("admin.dashboard"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("Signed out.")
    return redirect(url_for("auth.login"))


def init_app(app):
    login_manager.init_app(app)
    app.register_blueprint(bp)
