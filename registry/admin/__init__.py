"""The DPO's admin area: lists, detail pages and forms for every kind, the audit log, users."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import views  # noqa: E402,F401  (registers the routes on bp)
