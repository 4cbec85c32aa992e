"""Vendor lists in the admin area (/admin/vendors): upload a CSV, see the preview, import it;
download a publisher's list in the same format.

Editors import (the preview writes nothing; the import re-reads the same text and applies
it in one unit of work); viewers may download.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..auth import role_required
from ..db import get_store
from ..domain.codes import meanings
from ..domain.errors import NotFound, ValidationError
from ..domain.places import region_choices
from ..services.vendors import ImportRefused, export_vendors, import_vendors, plan_import

bp = Blueprint("vendors_admin", __name__, url_prefix="/admin/vendors")
MAX_BYTES = 2 * 1024 * 1024
_DATE = Regexp(r"^\d{4}-\d{2}-\d{2}$", message="Use a date as YYYY-MM-DD.")


class UploadForm(FlaskForm):
    publisher = StringField("Publisher (organisation key)", validators=[DataRequired(), Length(max=80)],
                            description="The organisation whose vendor list this is.")
    as_of = StringField("Date of the list", validators=[Optional(), _DATE],
                        description="YYYY-MM-DD; a first list is recorded as of this date (default today).")
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")],
                     description="UTF-8, with a header row; see the README for the columns.")


class ConfirmForm(FlaskForm):
    publisher = HiddenField(validators=[DataRequired()])
    as_of = HiddenField(validators=[Optional(), _DATE])
    content = HiddenField(validators=[DataRequired(), Length(max=MAX_BYTES)])


class ExportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET that changes nothing

    publisher = StringField("Publisher (organisation key)", validators=[DataRequired(), Length(max=80)])


def _publishers(store):
    return store.list("organisation", filters={"publisher": True})


def _page(upload, status=200, plan=None, problems=(), confirm=None):
    store = get_store()
    return render_template("admin/vendors_import.html", upload=upload, plan=plan, problems=problems,
                           confirm=confirm, export=ExportForm(formdata=None), publishers=_publishers(store),
                           can_import=current_user.can("editor"), regions=region_choices(),
                           safeguards=meanings("safeguards")), status


@bp.get("/")
@role_required("viewer")
def vendors_page():
    return _page(UploadForm(formdata=None))


@bp.post("/preview")
@role_required("editor")
def preview():
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    data = form.file.data.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        form.file.errors.append(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
        return _page(form, 400)
    try:
        plan = plan_import(get_store(), form.publisher.data.strip(), data, form.as_of.data or None)
    except ImportRefused as exc:
        return _page(form, 400, problems=exc.problems)
    except (NotFound, ValidationError) as exc:
        field = form.as_of if exc.details.get("field") == "as_of" else form.publisher
        field.errors.append(exc.message)
        return _page(form, 400)
    confirm = ConfirmForm(formdata=None, publisher=plan.publisher, as_of=form.as_of.data or "",
                          content=data.decode("utf-8-sig"))
    return _page(form, plan=plan, confirm=confirm)


@bp.post("/import")
@role_required("editor")
def import_list():
    form = ConfirmForm()
    if not form.validate_on_submit():
        raise ValidationError("the preview expired or was altered: upload the file again", field="content")
    upload = UploadForm(formdata=None, publisher=form.publisher.data, as_of=form.as_of.data)
    try:
        plan = import_vendors(get_store(), current_user.username, form.publisher.data, form.content.data.encode(),
                              form.as_of.data or None)
    except ImportRefused as exc:
        return _page(upload, 400, problems=exc.problems)
    counts = plan.counts()
    flash(f"Imported the list of {plan.publisher_name}: " + ("first list, " if plan.initial else "") +
          ", ".join(f"{n} {action}" for action, n in counts.items()) + ".")
    return redirect(url_for("vendors_admin.vendors_page"))


@bp.get("/export")
@role_required("viewer")
def export_list():
    form = ExportForm(request.args)
    if not form.validate():
        raise ValidationError("name the publisher whose list to download", field="publisher")
    key = form.publisher.data.strip()
    text = export_vendors(get_store(), key)
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{key}-vendors.csv"'})
