"""The DPO's view of objections made on public pages: /admin/objections (viewer role)."""

from flask import render_template, request

from ..auth import role_required
from ..db import get_store
from ..services import objections, publication
from . import admin_bp


@admin_bp.get("/admin/objections")
@role_required("viewer")
def objections_list():
    store = get_store()
    publisher = request.args.get("publisher", "").strip()
    items = objections.recent(store)
    if publisher:
        items = [(o, e) for o, e in items if e is not None and e.exporter == publisher]
    deadlines = {}
    publishers = publication.lookup(store, "organisation", [e.exporter for _, e in items if e is not None])
    for _, e in items:
        org = publishers.get(e.exporter) if e is not None else None
        if e is not None and org is not None and e.announced_date:
            deadlines[e.key] = publication.objection_deadline(e.announced_date, org.notice_days)
    return render_template("admin/objections.html", items=items, publisher=publisher, deadlines=deadlines,
                           publishers=publishers)
