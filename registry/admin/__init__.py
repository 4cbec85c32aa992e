"""The DPO's admin area: lists, detail pages and forms for every kind, the audit log, users,
the day's dashboard, triage of findings and pictures of the registry."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.app_template_filter("caveats")
def _caveats(finding):
    from .caveats import caveats
    return caveats(finding)


@bp.app_template_filter("caveat_notes")
def _caveat_notes(finding):
    from .caveats import notes
    return notes(finding)


@bp.app_template_filter("code_meaning")
def _code_meaning(code):
    from ..domain.codes import meaning
    return meaning(code) or ""


@bp.app_template_filter("a")
def _article(noun):
    from ..domain.words import a
    return a(noun)


@bp.context_processor
def _admin_context():
    from .views import SLUG_OF
    return {"slug_of": SLUG_OF}


from . import views, views_pictures, views_users, views_work  # noqa: E402,F401  (register the routes on bp)
