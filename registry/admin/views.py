"""Admin views. One generic set of views serves every kind, configured by KIND_UI."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth import role_required
from ..db import get_store
from ..domain.errors import Conflict, NotFound, Referenced, ValidationError
from ..domain.model import CATEGORY_FLAGS, ENGAGEMENT_STATUSES
from ..services import objects, publication
from ..services.gaps import findings_by_engagement
from ..services.users import create_user
from . import bp
from .forms import (CategoryForm, CollectionForm, DeleteForm, EngagementForm, OrganisationForm, PurposeForm,
                    SubjectGroupForm, UserForm)

KIND_UI = {
    "organisations": {"kind": "organisation", "form": OrganisationForm, "title": "Organisations",
                      "filters": {"country": None, "publisher": ("yes", "no")}},
    "subject-groups": {"kind": "subject_group", "form": SubjectGroupForm, "title": "Data subject groups",
                       "filters": {}},
    "categories": {"kind": "category", "form": CategoryForm, "title": "Data categories",
                   "filters": {"flags": CATEGORY_FLAGS}},
    "purposes": {"kind": "purpose", "form": PurposeForm, "title": "Purposes", "filters": {}},
    "collections": {"kind": "collection", "form": CollectionForm, "title": "Collections",
                    "filters": {"organisation": None}},
    "engagements": {"kind": "engagement", "form": EngagementForm, "title": "Engagements",
                    "filters": {"status": ENGAGEMENT_STATUSES, "exporter": None, "importer": None,
                                "categories": None, "public": ("yes", "no")}},
}
SLUG_OF = {ui["kind"]: slug for slug, ui in KIND_UI.items()}


def _ui(slug):
    if slug not in KIND_UI:
        abort(404)
    return KIND_UI[slug]


def _filters(ui):
    out = {}
    for name in ui["filters"]:
        value = request.args.get(name, "").strip()
        if value:
            out[name] = {"yes": True, "no": False}.get(value, value) if ui["filters"][name] == ("yes", "no") \
                else (value.upper() if name == "country" else value)
    return out


def _apply_errors(form, exc):
    """Show a domain error next to its field, or above the form."""
    field = getattr(form, (exc.field or "").split(".")[0], None) if getattr(exc, "field", None) else None
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors) + [exc.message]
    else:
        form.form_errors.append(exc.message)


@bp.route("/")
@role_required("viewer")
def dashboard():
    store = get_store()
    counts = {slug: store.count(ui["kind"]) for slug, ui in KIND_UI.items()}
    return render_template("admin/dashboard.html", counts=counts, kinds=KIND_UI,
                           recent=store.audit_log(limit=10))


@bp.route("/<slug>/")
@role_required("viewer")
def list_objects(slug):
    ui = _ui(slug)
    query = request.args.get("q", "").strip()
    items = get_store().list(ui["kind"], query=query, filters=_filters(ui))
    return render_template("admin/list.html", slug=slug, ui=ui, items=items, q=query,
                           active_filters=request.args)


def _form_page(slug, ui, form, obj=None, status=200):
    return render_template("admin/form.html", slug=slug, ui=ui, form=form, obj=obj), status


def _check_early_start(form, before):
    """Only an admin may record (or change) a reason to start before the notice ends."""
    field = getattr(form, "early_start_reason", None)
    if field is None or current_user.can("admin"):
        return True
    if publication.changes_early_start(before, field.data):
        field.errors = list(field.errors) + ["Only an admin can record an early-start reason."]
        return False
    return True


@bp.route("/<slug>/new", methods=["GET", "POST"])
@role_required("editor")
def create(slug):
    ui = _ui(slug)
    store = get_store()
    form = ui["form"]()
    if hasattr(form, "set_choices"):
        form.set_choices(store)
    if form.validate_on_submit() and _check_early_start(form, None):
        try:
            obj = objects.create(store, current_user.username, ui["kind"], form.to_data())
        except (ValidationError, Conflict) as exc:
            _apply_errors(form, exc)
            return _form_page(slug, ui, form, status=exc.status)
        flash(f"Created {obj.label}.")
        return redirect(url_for("admin.show", slug=slug, key=obj.key))
    return _form_page(slug, ui, form, status=400 if form.errors else 200)


@bp.route("/<slug>/<path:key>")
@role_required("viewer")
def show(slug, key):
    ui = _ui(slug)
    store = get_store()
    obj = store.get(ui["kind"], key)
    context = {"slug": slug, "ui": ui, "obj": obj, "delete_form": DeleteForm(version=obj.version),
               "referrers": store.referrers(ui["kind"], key), "slug_of": SLUG_OF,
               "history": store.audit_log(kind=ui["kind"], key=key, limit=20)}
    if ui["kind"] == "organisation":
        context["inbound"], context["outbound"], context["collections"] = objects.flows_of(store, key)
        context["findings"] = findings_by_engagement(store, engagements=context["inbound"] + context["outbound"])
    if ui["kind"] == "engagement":
        context["objections"] = store.list("objection", filters={"engagement": key})
        context["findings"] = findings_by_engagement(store, engagements=[obj]).get(key, [])
    return render_template(f"admin/show_{ui['kind']}.html" if ui["kind"] in ("organisation", "engagement")
                           else "admin/show.html", **context)


@bp.route("/<slug>/<path:key>/edit", methods=["GET", "POST"])
@role_required("editor")
def edit(slug, key):
    ui = _ui(slug)
    store = get_store()
    before = store.get(ui["kind"], key)
    form = ui["form"].for_object(before) if request.method == "GET" else ui["form"]()
    form.key.data = key
    form.key.render_kw = {"readonly": True}  # the key names the object; it cannot change
    if hasattr(form, "set_choices"):
        form.set_choices(store)
    if form.validate_on_submit() and _check_early_start(form, before):
        data = before.to_dict()
        data.update(form.to_data())
        try:
            version = int(form.version.data)
        except (TypeError, ValueError):
            form.form_errors.append("The form lost its version number; reload the page.")
            return _form_page(slug, ui, form, before, 400)
        try:
            obj = objects.update(store, current_user.username, ui["kind"], key, data, version)
        except (ValidationError, Conflict) as exc:
            _apply_errors(form, exc)
            return _form_page(slug, ui, form, before, exc.status)
        flash(f"Saved {obj.label}.")
        return redirect(url_for("admin.show", slug=slug, key=key))
    return _form_page(slug, ui, form, before, 400 if form.errors else 200)


@bp.route("/<slug>/<path:key>/delete", methods=["POST"])
@role_required("editor")
def delete(slug, key):
    ui = _ui(slug)
    form = DeleteForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        version = int(form.version.data) if form.version.data else None
        objects.delete(get_store(), current_user.username, ui["kind"], key, version)
    except (Referenced, Conflict, NotFound) as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.show", slug=slug, key=key)) if not isinstance(exc, NotFound) \
            else redirect(url_for("admin.list_objects", slug=slug))
    flash(f"Deleted {key}.")
    return redirect(url_for("admin.list_objects", slug=slug))


@bp.route("/audit")
@role_required("viewer")
def audit():
    page = max(request.args.get("page", 1, type=int), 1)
    records = get_store().audit_log(kind=request.args.get("kind") or None, key=request.args.get("key") or None,
                                    actor=request.args.get("actor") or None, limit=50, offset=(page - 1) * 50)
    return render_template("admin/audit.html", records=records, page=page, slug_of=SLUG_OF)


@bp.route("/users", methods=["GET", "POST"])
@role_required("admin")
def users():
    store = get_store()
    form = UserForm()
    if form.validate_on_submit():
        try:
            create_user(store, form.username.data, form.password.data, form.role.data,
                        actor=current_user.username)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            flash(f"Created user {form.username.data}.")
            return redirect(url_for("admin.users"))
    return render_template("admin/users.html", form=form, users=store.list_users()), 400 if form.errors else 200
