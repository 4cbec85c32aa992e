"""Pages for graph questions, and plotly.js served by the app itself."""

from functools import lru_cache
from typing import Any

from flask import Response, render_template, request, url_for

from ..admin import survey_cache
from ..auth import role_required
from ..charts import LEGEND, figure_html, flow_sankey
from ..db import get_store
from ..domain.errors import ValidationError
from ..services.gaps import check_filters, to_csv
from ..services.flows_cache import cached
from ..services.paths import check_date, what_if, where_does_it_go
from ..transfers.knowledge import load_knowledge_base
from . import bp
from .forms import GapsForm, WhereForm

# Contexts listed under each finding of the gaps dashboard; the rest are counted (the CSV has them
# all): with 50 each, a page of 100 engagements weighed 5.6 MB at 50,000 engagements.
CONTEXTS_SHOWN = 3


def _field_error(form, exc, default):
    """Put a domain error next to the form field it names (``default`` when it names none of them)."""
    name = {"subject_group": "subject_groups"}.get(exc.field, exc.field)
    field = form._fields.get(name) or form._fields[default]
    field.errors = list(field.errors) + [exc.message]


def _page_links(endpoint, total, limit, offset):
    """(previous URL, next URL) for a paginated page, keeping every other argument."""
    args = request.args.to_dict(flat=False)

    def at(new_offset):
        return url_for(endpoint, **dict(args, offset=[str(new_offset)], limit=[str(limit)]))

    previous = at(max(offset - limit, 0)) if offset > 0 else None
    following = at(offset + limit) if offset + limit < total else None
    return previous, following


@bp.route("/where")
@role_required("viewer")
def where():
    """Where a category's data goes (or would go, with the planned engagements), from the form's question."""
    store = get_store()
    form = WhereForm(request.args)
    form.set_choices(store)
    context = {"form": form, "legend": LEGEND}
    if request.args.get("category") and form.validate():
        args = _where_question(form)
        try:
            context.update(_where_answer(store, form, args))
        except ValidationError as exc:
            _field_error(form, exc, "category")
    elif not request.args.get("category") and request.args:
        form.validate()
        form.category.errors = list(form.category.errors) or ["choose a data category"]
    status = 400 if any(f.errors for f in form) else 200
    return render_template("graph/where.html", **context), status


def _where_question(form: WhereForm) -> dict[str, Any]:
    """The arguments of the path services for a valid ``form``; ValidationError for a bad date."""
    return dict(category=form.category.data, on=check_date(form.on.data),
                subject_groups=form.subject_groups.data or None, start=form.organisation.data or None,
                max_depth=form.depth.data or None)


def _where_answer(store: Any, form: WhereForm, args: dict[str, Any]) -> dict[str, Any]:
    """The page context answering the question ``args`` of ``form`` (cached per question);
    ValidationError from the services."""
    question = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in args.items()))
    context: dict[str, Any] = {}
    if form.planned.data:
        answer, new, publishers = cached(store, ("what-if",) + question, lambda: what_if(store, **args))
        context.update(new_findings=new, publishers=publishers)
    else:
        answer = cached(store, ("where",) + question, lambda: where_does_it_go(store, **args))
    return {**context, **_answer_page(answer, form)}


def _answer_page(answer: Any, form: WhereForm) -> dict[str, Any]:
    """The page of ``answer`` the form asks for, its example paths when asked, links and the Sankey picture."""
    limit, offset = form.limit.data or 25, form.offset.data or 0
    page = answer.page(limit, offset)
    context = dict(answer=answer, page=page, limit=limit, offset=offset,
                   examples={h.key: answer.example_path(h) for h in page} if form.examples.data else {},
                   pages=_page_links("graph.where", answer.total, limit, offset))
    if answer.total:
        figure, drawn, total = flow_sankey(answer)
        context.update(sankey=figure_html(figure, "sankey"), sankey_drawn=drawn, sankey_total=total)
    return context


@bp.route("/gaps")
@role_required("viewer")
def gaps():
    store = get_store()
    form = GapsForm(request.args)
    form.set_choices(store, load_knowledge_base().ids)
    context = {"form": form, "rows": [], "total": 0, "counts": {}}
    if form.validate():
        try:
            filters = check_filters(store, {name: getattr(form, name).data for name in
                                            ("status", "regime", "organisation", "publisher", "category")})
            on, planned = check_date(form.on.data), bool(form.planned.data)
        except ValidationError as exc:
            _field_error(form, exc, "on")
        else:
            state = survey_cache.gaps(store, on, planned)
            context["survey_state"] = state
            if state.survey is not None:
                rows = survey_cache.rows(state, **filters)
                if request.args.get("format") == "csv":
                    return Response(to_csv(rows), mimetype="text/csv",
                                    headers={"Content-Disposition": "attachment; filename=gaps.csv"})
                context.update(_gaps_page(state.survey, rows, form))
    status = 400 if any(f.errors for f in form) else 200
    return render_template("graph/gaps.html", **context), status


def _gaps_page(found: Any, rows: list, form: GapsForm) -> dict[str, Any]:
    """The page of gap ``rows`` the form asks for, with counts by status, the engagements the survey
    could not judge fully (no categories, no subject groups) and links."""
    limit, offset = form.limit.data or 25, form.offset.data or 0
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    uncategorised = sum(1 for e in found.engagements.values() if not e.categories)
    ungrouped = sum(1 for e in found.engagements.values() if not e.subject_groups)
    csv_args: dict[str, Any] = dict(request.args.to_dict(flat=False), format=["csv"])
    return dict(rows=rows[offset:offset + limit], total=len(rows), counts=counts, on=found.on,
                contexts_shown=CONTEXTS_SHOWN,
                uncategorised=uncategorised, ungrouped=ungrouped, offset=offset,
                csv_url=url_for("graph.gaps", **csv_args),
                pages=_page_links("graph.gaps", len(rows), limit, offset))


@lru_cache(maxsize=1)
def _plotly_js():
    from plotly.offline import get_plotlyjs
    return get_plotlyjs()


@bp.route("/assets/plotly.min.js")
def plotly_js():
    """plotly.js from the installed plotly package: pages never load scripts from elsewhere."""
    response = Response(_plotly_js(), mimetype="application/javascript")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
