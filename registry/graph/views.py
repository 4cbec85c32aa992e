"""Pages for graph questions, and plotly.js served by the app itself."""

from functools import lru_cache

from flask import Response, render_template, request

from ..auth import role_required
from ..charts import figure_html, flow_sankey
from ..db import get_store
from ..domain.errors import ValidationError
from ..services.gaps import registry_gaps
from ..services.paths import what_if, where_does_it_go
from . import bp
from .forms import WhereForm


@bp.route("/where")
@role_required("viewer")
def where():
    store = get_store()
    form = WhereForm(request.args)
    form.set_choices(store)
    context = {"form": form}
    if request.args.get("category") and form.validate():
        args = dict(category=form.category.data, on=form.on.data.isoformat() if form.on.data else None,
                    subject_groups=form.subject_groups.data or None, start=form.organisation.data or None,
                    max_depth=form.depth.data or 6)
        try:
            if form.planned.data:
                answer, new, publishers = what_if(store, **args)
                context.update(new_findings=new, publishers=publishers)
            else:
                answer = where_does_it_go(store, **args)
        except ValidationError as exc:
            getattr(form, exc.field, form.category).errors.append(exc.message)
        else:
            context["answer"] = answer
            context["sankey"] = figure_html(flow_sankey(answer), "sankey") if answer.paths else None
    return render_template("graph/where.html", **context), 400 if form.errors else 200


@bp.route("/gaps")
@role_required("viewer")
def gaps():
    on = request.args.get("on") or None
    planned = request.args.get("planned") == "1"
    rows = registry_gaps(get_store(), on=on, include_planned=planned)
    counts = {}
    for row in rows:
        counts[row.finding["status"]] = counts.get(row.finding["status"], 0) + 1
    return render_template("graph/gaps.html", rows=rows, counts=counts, on=on, planned=planned)


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
