"""Graph questions: where does this data go, and what is missing across the registry."""

from flask import Blueprint

bp = Blueprint("graph", __name__, url_prefix="/graph")

from . import views  # noqa: E402,F401  (registers the routes on bp)
