"""Registers the blueprints, CSRF protection and the template helpers."""

from flask import redirect, url_for
from flask_wtf.csrf import CSRFProtect

from .domain.countries import country_name

csrf = CSRFProtect()


def add_nav_link(app, endpoint, label):
    """Add a link to the admin navigation (blueprints of other areas call this)."""
    app.extensions.setdefault("registry.nav", []).append((endpoint, label))


def init_app(app):
    from . import admin, api, graph, public
    csrf.init_app(app)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(graph.bp)
    add_nav_link(app, "graph.where", "Where does it go?")
    add_nav_link(app, "graph.gaps", "Gaps")
    # The API authenticates writes with HTTP Basic credentials, never a cookie,
    # so a forged cross-site request has nothing to ride on.
    csrf.exempt(api.bp)
    # Public pages set no cookies, so their forms carry a signed, time-limited token instead.
    app.register_blueprint(public.bp)
    from .admin import objections as admin_objections
    app.register_blueprint(admin_objections.bp)
    csrf.exempt(public.bp)
    add_nav_link(app, "objections_admin.objections_list", "Objections")
    app.jinja_env.filters["country"] = country_name
    app.jinja_env.filters["reject_keys"] = lambda d, *keys: {k: v for k, v in d.items() if k not in keys}
    from . import security
    from .admin import tokens as admin_tokens
    security.init_app(app)  # CSP outside /p/, the safe_link and with_nonce filters
    app.register_blueprint(admin_tokens.bp)
    add_nav_link(app, "tokens.tokens", "API tokens")
    from .admin import vendors as admin_vendors
    app.register_blueprint(admin_vendors.bp)
    add_nav_link(app, "vendors_admin.vendors_page", "Vendor lists")

    @app.context_processor
    def navigation():
        return {"extra_nav_links": lambda: app.extensions.get("registry.nav", [])}

    @app.route("/")
    def index():
        return redirect(url_for("admin.dashboard"))
