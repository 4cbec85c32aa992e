"""Sign-in for the admin area (Flask-Login sessions), API credentials and role checks.

Sessions carry the user's session key (``services.users``): signing out or changing the
password replaces it, which ends every session made with the old one. The API takes
credentials from the ``Authorization`` header only: HTTP Basic, or ``Bearer`` with an
API token (a hash lookup, no password hash per request). When such a header is sent the
session cookie is ignored, so a write is never authorised by a cookie.

Failed sign-ins (form and Basic) are counted per account and per client address in the
shared rate-limit counters (``public.guard``): past LOGIN_ACCOUNT_LIMIT failures for one
username or LOGIN_CLIENT_LIMIT from one address within LOGIN_WINDOW seconds, further
attempts answer 429 without checking the password.
"""

import functools
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import AnonymousUserMixin, LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from .db import get_store
from .domain.errors import Forbidden, RateLimited, StoreUnavailable
from .services.users import authenticate, new_session_key, session_key, session_valid, token_user
from .settings import DEFAULTS

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to see the registry."

LOGIN_LIMITS = ("LOGIN_ACCOUNT_LIMIT", "LOGIN_CLIENT_LIMIT", "LOGIN_WINDOW")


class SessionUser:
    """Flask-Login's view of a User; ``session_key`` is None for API credentials."""

    def __init__(self, user, session_key=None):
        self.user = user
        self.username = user.username
        self.role = user.role
        self.session_key = session_key
        self.is_authenticated = True
        self.is_active = True
        self.is_anonymous = False

    def get_id(self):
        return f"{self.username}:{self.session_key}"

    def can(self, role):
        return self.user.can(role)


@login_manager.user_loader
def load_user(user_id):
    """The session's user, if its session key is still the user's current one."""
    if request.path.startswith("/api/") and request.authorization:
        return None  # the header decides (see load_user_from_header)
    username, _, key = str(user_id).partition(":")
    try:
        store = get_store()
        if not session_valid(store, username, key):
            return None
        user = store.get_user(username)
    except StoreUnavailable:
        # Pages shown for this error (and anything else in this request) must not ask the
        # store again: each try would wait for the database's timeout once more.
        g._login_user = AnonymousUserMixin()
        raise
    return SessionUser(user, key) if user else None


@login_manager.request_loader
def load_user_from_header(req):
    """API clients send HTTP Basic credentials or ``Authorization: Bearer <token>``."""
    if not req.path.startswith("/api/") or not req.authorization:
        return None
    credentials = req.authorization
    store = get_store()
    if credentials.type == "bearer":
        user = token_user(store, credentials.token)
    elif credentials.type == "basic":
        user = checked_password(store, credentials.username or "", credentials.password or "")
    else:
        return None
    if user is None:
        return None
    g.api_credentials = True
    return SessionUser(user)


def _login_limits():
    return {name: int(current_app.config.get(name, DEFAULTS[name])) for name in LOGIN_LIMITS}


def checked_password(store, username, password):
    """``authenticate`` behind the failure throttle; RateLimited (429) once it is exceeded."""
    from .public.guard import over_limit  # public's admin views import this module
    limits = _login_limits()
    window = limits["LOGIN_WINDOW"]
    client = request.remote_addr or "unknown"
    account = username.strip().lower()[:100]
    for bucket, who, count, amount in (("login-account", account, limits["LOGIN_ACCOUNT_LIMIT"], 0),
                                       ("login-client", client, limits["LOGIN_CLIENT_LIMIT"], 0)):
        wait = over_limit(bucket, who, count - 1, window, amount)
        if wait:
            raise RateLimited(f"too many failed sign-ins; wait {wait} seconds and try again", retry_after=wait)
    user = authenticate(store, username, password)
    if user is None:
        over_limit("login-account", account, limits["LOGIN_ACCOUNT_LIMIT"], window)
        over_limit("login-client", client, limits["LOGIN_CLIENT_LIMIT"], window)
    return user


@login_manager.unauthorized_handler
def unauthorized():
    from .errors import error_response, wants_json
    if wants_json():
        return error_response(401, "sign-in needed: send HTTP Basic credentials or an API token "
                                   "(Authorization: Bearer ...)")
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


def safe_next(target):
    """``target`` if it is a path on this site, else None (no open redirect after sign-in)."""
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2000:
        return None
    # Browsers drop tabs and line breaks and read "\" as "/", so "/\t/evil.example" is "//evil.example".
    if any(ord(c) <= 0x20 or c in "\\\x7f" for c in target) or target.startswith("//"):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        store = get_store()
        try:
            user = checked_password(store, form.username.data, form.password.data)
        except RateLimited as exc:
            form.password.errors.append(exc.message[:1].upper() + exc.message[1:] + ".")
            status = 429
        else:
            if user is None:
                form.password.errors.append("Unknown username or wrong password.")
            else:
                login_user(SessionUser(user, session_key(store, user.username)))
                return redirect(safe_next(request.args.get("next")) or url_for("admin.dashboard"))
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated and current_user.session_key:
        new_session_key(get_store(), current_user.username)  # ends this session everywhere it was copied
    logout_user()
    flash("Signed out.")
    return redirect(url_for("auth.login"))


def init_app(app):
    login_manager.init_app(app)
    app.register_blueprint(bp)
