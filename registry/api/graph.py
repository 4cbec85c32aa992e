"""Graph questions and one-hop assessment as JSON."""

from flask import request

from ..db import get_store
from ..domain.errors import ValidationError
from ..services.assessment import assess_json
from ..services.gaps import registry_gaps
from ..services.paths import what_if, where_does_it_go
from . import api_role, bp, json_body


@bp.post("/assess")
def assess():
    """Assess one hop (no registry data is read, so no sign-in is needed)."""
    return assess_json(json_body())


@bp.get("/paths")
@api_role("viewer")
def paths():
    category = request.args.get("category")
    if not category:
        raise ValidationError("category is required", field="category")
    depth = request.args.get("depth", 6, type=int)
    if not 1 <= depth <= 10:
        raise ValidationError("depth must be 1 to 10", field="depth")
    args = dict(category=category, on=_date_arg("on"), subject_groups=request.args.getlist("subject_group") or None,
                start=request.args.get("organisation") or None, max_depth=depth)
    if request.args.get("planned") in ("1", "true", "yes"):
        answer, new, publishers = what_if(get_store(), **args)
        body = answer.to_dict()
        body["what_if"] = {"new_findings": [{"engagement": h.engagement.key, **f} for h, f in new],
                           "publishers_to_announce": publishers}
        return body
    return where_does_it_go(get_store(), **args).to_dict()


@bp.get("/gaps")
@api_role("viewer")
def gaps():
    rows = registry_gaps(get_store(), on=_date_arg("on"), include_planned=request.args.get("planned") == "1")
    return {"items": [{"engagement": g.engagement, "exporter": g.exporter, "importer": g.importer, **g.finding}
                      for g in rows]}


def _date_arg(name):
    from datetime import date
    value = request.args.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValidationError(f"{name} must be a date as YYYY-MM-DD", field=name) from None
