"""The DPO's objections: /admin/objections (viewer role to read, editor to change a status).

Objections are listed with the change they concern, its dates and their status
(unconfirmed, open, answered, withdrawn, upheld). Moving a status is a service call
(``objections.set_status``) in one unit of work; the objector is told by mail after commit.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField

from ..auth import role_required
from ..db import get_store
from ..domain.errors import Conflict, NotFound, ValidationError
from ..domain.model import OBJECTION_STATUSES
from ..services import objections
from ..services.public_view import lookup

bp = Blueprint("objections_admin", __name__, url_prefix="/admin/objections")


class StatusForm(FlaskForm):
    """Move one objection to another status."""

    status = SelectField("Status", choices=[(s, s) for s in objections.DPO_STATUSES])
    version = HiddenField()


@bp.get("")
@role_required("viewer")
def objections_list():
    store = get_store()
    publisher = request.args.get("publisher", "").strip()
    status = request.args.get("status", "").strip()
    items = objections.recent(store, statuses=(status,) if status in OBJECTION_STATUSES else OBJECTION_STATUSES)
    if publisher:
        items = [(o, e, c) for o, e, c in items if e is not None and e.exporter == publisher]
    publishers = lookup(store, "organisation", [e.exporter for _, e, _ in items if e is not None])
    forms = {o.key: StatusForm(status=o.status, version=o.version) for o, _, _ in items if o.status != "unconfirmed"}
    return render_template("admin/objections.html", items=items, publisher=publisher, status=status,
                           statuses=OBJECTION_STATUSES, publishers=publishers, forms=forms)


@bp.post("/<key>/status")
@role_required("editor")
def set_status(key):
    form = StatusForm()
    if form.validate_on_submit():
        try:
            objection = objections.set_status(get_store(), _username(), key, form.status.data,
                                              int(form.version.data or 0))
        except (ValidationError, Conflict, NotFound) as exc:
            flash(exc.message[:1].upper() + exc.message[1:], "error")
        else:
            flash(f"Objection {objection.key} is now {objection.status}.")
    else:
        flash("The form expired; try again.", "error")
    return redirect(url_for("objections_admin.objections_list"))


def _username() -> str:
    from flask_login import current_user
    return current_user.username
