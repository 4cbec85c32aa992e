"""Graph questions and one-hop assessment as JSON."""

from flask import Response, request

from ..admin import survey_cache
from ..db import get_store
from ..domain.errors import ValidationError
from ..services.assessment import assess_json
from ..errors import error_response
from ..services.gaps import check_filters, to_csv
from ..services.flows_cache import cached
from ..services.paths import check_date, check_page, what_if, where_does_it_go
from . import api_role, bp, json_body

_TRUE = ("1", "true", "yes", "y", "on")
SURVEY_RETRY_AFTER = 30  # seconds: a survey of 50,000 engagements takes about a minute


@bp.post("/assess")
def assess():
    """Assess one hop (no registry data is read, so no sign-in is needed)."""
    return assess_json(json_body())


@bp.get("/paths")
@api_role("viewer")
def paths():
    """Every hop context of a category, worst first, one page at a time (``limit``, ``offset``)."""
    category = request.args.get("category")
    if not category:
        raise ValidationError("category is required", field="category")
    limit, offset = check_page(request.args.get("limit", 50), request.args.get("offset", 0))
    args = dict(category=category, on=check_date(request.args.get("on")),  # today, named: the cache key
                subject_groups=request.args.getlist("subject_group") or None,
                start=request.args.get("organisation") or None, max_depth=request.args.get("depth") or None)
    examples = request.args.get("examples", "").lower() in _TRUE
    store = get_store()
    question = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in args.items()))
    if request.args.get("planned", "").lower() in _TRUE:
        answer, new, publishers = cached(store, ("what-if",) + question, lambda: what_if(store, **args))
        body = answer.to_dict(limit, offset, examples)
        body["what_if"] = {"new_findings": [{"engagement": h.engagement.key, "hop": h.key, **f} for h, f in new],
                           "publishers_to_announce": publishers}
        return body
    return cached(store, ("where",) + question, lambda: where_does_it_go(store, **args)).to_dict(
        limit, offset, examples)


@bp.get("/gaps")
@api_role("viewer")
def gaps():
    """Findings that need attention, grouped by engagement, filtered and paginated (or as CSV)."""
    limit, offset = check_page(request.args.get("limit", 100), request.args.get("offset", 0))
    store = get_store()
    filters = check_filters(store, request.args)
    on, planned = check_date(request.args.get("on")), request.args.get("planned", "").lower() in _TRUE
    state = survey_cache.gaps(store, on, planned)
    if state.survey is None:
        return error_response(503, "the server is computing the findings of other dates first; ask again shortly"
                              if state.busy else "the findings are being computed for the whole registry; "
                              "ask again shortly", retry_after=SURVEY_RETRY_AFTER)
    rows = survey_cache.rows(state, **filters)
    if request.args.get("format") == "csv":
        return Response(to_csv(rows), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=gaps.csv"})
    page = rows[offset:] if limit is None else rows[offset:offset + limit]
    return {"on": state.survey.on, "current": state.current, "as_of": state.as_of, "total": len(rows),
            "limit": limit, "offset": offset,
            "items": [{"engagement": r.key, "exporter": r.engagement.exporter, "importer": r.engagement.importer,
                       "status": r.status,
                       "findings": [dict(g.finding, contexts=g.contexts) for g in r.findings]} for r in page]}
