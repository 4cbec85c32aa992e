"""Admin views for the registry's objects. One generic set of views serves every kind,
configured by KIND_UI; lists are paged, sorted and searched in the store."""

from collections.abc import Callable
from dataclasses import fields
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth import role_required
from ..db import get_store
from ..domain.errors import Conflict, NotFound, Referenced, ValidationError
from ..domain.model import CATEGORY_FLAGS, ENGAGEMENT_STATUSES
from ..domain.words import a
from ..services import objects, publication
from ..services.timeline import check_dates
from . import bp, search
from .forms import (CategoryForm, CollectionForm, DeleteForm, EngagementForm, OrganisationForm, PurposeForm,
                    SubjectGroupForm)
from .names import names_for
from .survey_cache import findings as survey_findings

PER_PAGE = 50

# Per kind: the form, the title, filters (None: typed; a tuple: choices) and the list's
# columns as (title, sort field or None, cell name for templates/admin/list.html).
KIND_UI = {
    "organisations": {"kind": "organisation", "form": OrganisationForm, "title": "Organisations",
                      "filters": {"country": None, "publisher": ("yes", "no")},
                      "columns": [("Name", "name", "label"), ("Country", "country", "country"),
                                  ("Parent", None, "parent"), ("Publisher", None, "publisher")]},
    "subject-groups": {"kind": "subject_group", "form": SubjectGroupForm, "title": "Data subject groups",
                       "filters": {},
                       "columns": [("Name", "name", "label"), ("Kind", "kind", "group_kind"),
                                   ("Live in", None, "residence")]},
    "categories": {"kind": "category", "form": CategoryForm, "title": "Data categories",
                   "filters": {"flags": CATEGORY_FLAGS},
                   "columns": [("Name", "name", "label"), ("Place in the hierarchy", "key", "hierarchy"),
                               ("Flags", None, "flags")]},
    "purposes": {"kind": "purpose", "form": PurposeForm, "title": "Purposes", "filters": {},
                 "columns": [("Name", "name", "label"), ("Legal basis", "legal_basis", "legal_basis")]},
    "collections": {"kind": "collection", "form": CollectionForm, "title": "Collections",
                    "filters": {"organisation": None},
                    "columns": [("Collected by", None, "organisation"), ("From", None, "subject_group"),
                                ("Categories", None, "categories")]},
    "engagements": {"kind": "engagement", "form": EngagementForm, "title": "Engagements",
                    "filters": {"status": ENGAGEMENT_STATUSES, "exporter": None, "importer": None,
                                "categories": None, "public": ("yes", "no")},
                    "columns": [("Organisation → vendor", None, "parties"), ("Service", "service", "service"),
                                ("Status", "status", "status"), ("Takes effect", "effective_date", "effective"),
                                ("Stores in", None, "stores"), ("Public", None, "public")]},
}
SLUG_OF = {ui["kind"]: slug for slug, ui in KIND_UI.items()}
# Filters naming an organisation accept its key or its name.
ORGANISATION_FILTERS = ("exporter", "importer", "organisation")


def _ui(slug):
    if slug not in KIND_UI:
        abort(404)
    return KIND_UI[slug]


def _filters(store, ui):
    """(filters for the store, problems to show): typed names resolved to keys."""
    out, problems = {}, []
    for name, choices in ui["filters"].items():
        value = request.args.get(name, "").strip()
        if not value:
            continue
        if choices == ("yes", "no"):
            key, problem = {"yes": True, "no": False}.get(value, value), None
        elif name == "country":
            key, problem = _country_filter(value)
        elif name in ORGANISATION_FILTERS:
            key, problem = _organisation_filter(store, name, value)
        elif name == "categories":
            key, problem = _category_filter(store, value)
        else:
            key, problem = value, None
        if problem:
            problems.append(problem)
        else:
            out[name] = key
    return out, problems


def _country_filter(value: str) -> tuple[str | None, str | None]:
    """(country code, None) for a typed country name or code, or (None, the problem)."""
    codes = search.countries_named(value)
    exact = [c for c in codes if c == value.upper()]
    if exact or len(codes) == 1:
        return (exact or codes)[0], None
    return None, f"country: {value!r} names " + ("no country" if not codes else
                                                   f"{len(codes)} countries; be more precise")


def _organisation_filter(store, name: str, value: str) -> tuple[str | None, str | None]:
    """(organisation key, None) for a typed organisation name or key, or (None, the problem with
    up to five candidates)."""
    key, candidates = search.resolve_organisation(store, value)
    if key:
        return key, None
    return None, (f"{name}: no single organisation is called {value!r}" +
                  (f" (did you mean {', '.join(o.name for o in candidates[:5])}?)" if candidates else ""))


def _category_filter(store, value: str) -> tuple[str | None, str | None]:
    """(category key, None) for a typed category name or key, or (None, the problem)."""
    keys = search.categories_named(store, value)
    if value in keys or len(keys) == 1:
        return (value if value in keys else keys[0]), None
    return None, f"categories: {value!r} names " + ("no category" if not keys else
                                                      f"{len(keys)} categories; pick one")


def _apply_errors(form, exc):
    """Show a domain error next to its field, or above the form."""
    field = getattr(form, (exc.field or "").split(".")[0], None) if getattr(exc, "field", None) else None
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors) + [exc.message]
    else:
        form.form_errors.append(exc.message)


def page_window(total, page, per_page=PER_PAGE):
    """(page, pages, first row number, last row number) for a 1-based ``page`` clamped to the total."""
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    first = (page - 1) * per_page
    return page, pages, (first + 1 if total else 0), min(first + per_page, total)


@bp.route("/<slug>/")
@role_required("viewer")
def list_objects(slug):
    ui = _ui(slug)
    store = get_store()
    query = request.args.get("q", "").strip()
    sort = request.args.get("sort", "name" if ui["kind"] not in ("category", "collection") else "key")
    descending = request.args.get("dir") == "desc"
    filters, problems = _filters(store, ui)
    page = request.args.get("page", 1, type=int) or 1
    try:
        items, total = store.page(ui["kind"], query=query, filters=filters,
                                  any_of=search.any_of(store, ui["kind"], query), sort=sort,
                                  descending=descending, limit=PER_PAGE, offset=(max(page, 1) - 1) * PER_PAGE)
    except ValidationError as exc:
        problems.append(exc.message)
        items, total = [], 0
    if problems:
        items, total = [], 0
    page, pages, first, last = page_window(total, page)
    names = names_for(store, items)
    return render_template("admin/list.html", slug=slug, ui=ui, items=items, q=query, total=total,
                           page=page, pages=pages, first=first, last=last, sort=sort, descending=descending,
                           names=names, problems=problems, active_filters=request.args,
                           args=request.args.to_dict()), 400 if problems else 200


@bp.route("/search")
@role_required("viewer")
def search_all():
    """One search box across kinds: a few hits of each, with the total and a link to the list."""
    store = get_store()
    query = request.args.get("q", "").strip()
    results = []
    if query:
        for slug, ui in KIND_UI.items():
            items, total = store.page(ui["kind"], query=query, any_of=search.any_of(store, ui["kind"], query),
                                      sort="name", limit=8)
            results.append((slug, ui, items, total))
    names = names_for(store, [o for _s, _u, items, _t in results for o in items])
    return render_template("admin/search.html", q=query, results=results, names=names)


@bp.route("/pick/organisations")
@role_required("viewer")
def pick_organisations():
    """Organisations whose key or name contains ``q``, as JSON for the form's picker (20 at most)."""
    store = get_store()
    items, total = store.page("organisation", query=request.args.get("q", "").strip(), sort="name", limit=20)
    return {"total": total, "items": [{"key": o.key, "name": o.name, "country": o.country} for o in items]}


def _form_page(slug, ui, form, obj=None, status=200):
    title = None
    if obj is not None:
        title = names_for(get_store(), [], extra={obj.KIND: [obj.key]}).get(obj.KIND, {}).get(obj.key)
    return render_template("admin/form.html", slug=slug, ui=ui, form=form, obj=obj,
                           title=title or (obj.label if obj else None)), status


def _check_early_start(form, before):
    """Only an admin may record (or change) a reason to start before the notice ends."""
    field = getattr(form, "early_start_reason", None)
    if field is None or current_user.can("admin"):
        return True
    if publication.changes_early_start(before, field.data):
        field.errors = list(field.errors) + ["Only an admin can record an early-start reason."]
        return False
    return True


def _check_timeline(kind, data):
    """Dates against status and today, before the write, so the message sits next to its field."""
    if kind == "engagement":
        check_dates(objects.build(kind, dict(data)))


def _prepare(form, store):
    if hasattr(form, "set_choices"):
        form.set_choices(store)


def _valid(form, store, before):
    """Shape (WTForms), then what the form resolves against the store (typed organisations)."""
    ok = form.validate_on_submit()
    if ok and hasattr(form, "resolve"):
        ok = form.resolve(store)
    return ok and _check_early_start(form, before)


@bp.route("/<slug>/new", methods=["GET", "POST"])
@role_required("editor")
def create(slug):
    ui = _ui(slug)
    store = get_store()
    form = ui["form"]()
    if request.method == "GET" and hasattr(form, "prefill"):
        form.prefill(request.args)
    _prepare(form, store)
    if _valid(form, store, None):
        try:
            _check_timeline(ui["kind"], form.to_data())
            obj = objects.create(store, current_user.username, ui["kind"], form.to_data())
        except (ValidationError, Conflict) as exc:
            _apply_errors(form, exc)
            return _form_page(slug, ui, form, status=exc.status)
        flash(f"Created {obj.label}.")
        return redirect(url_for("admin.show", slug=slug, key=obj.key))
    return _form_page(slug, ui, form, status=400 if form.errors or form.form_errors else 200)


@bp.route("/<slug>/<path:key>")
@role_required("viewer")
def show(slug, key):
    ui = _ui(slug)
    store = get_store()
    obj = store.get(ui["kind"], key)
    context = {"slug": slug, "ui": ui, "obj": obj, "delete_form": DeleteForm(version=obj.version),
               "referrers": store.referrers(ui["kind"], key), "slug_of": SLUG_OF,
               "history": store.audit_log(kind=ui["kind"], key=key, limit=20)}
    shown = [obj]
    if ui["kind"] in ("organisation", "engagement"):
        context["survey_state"] = state = survey_findings(store)
        known = state.survey.findings if state.survey else (lambda _key: [])
        extra = _organisation_context(store, key, known) if ui["kind"] == "organisation" \
            else _engagement_context(store, key, known)
        context.update(extra)
        shown += extra.get("inbound", []) + extra.get("outbound", []) + extra.get("collections", [])
    context["ref_fields"] = {f.name: f.metadata["ref"] for f in fields(obj) if f.metadata.get("ref")}
    context["names"] = names_for(store, shown, extra={k: [rk for rk_kind, rk, _f in context["referrers"]
                                                          if rk_kind == k] for k in SLUG_OF})
    template = f"admin/show_{ui['kind']}.html" if ui["kind"] in ("organisation", "engagement") else "admin/show.html"
    return render_template(template, **context)


def _organisation_context(store, key: str, known: Callable[[str], list]) -> dict[str, Any]:
    """An organisation's page: its inbound and outbound engagements with their findings, its collections."""
    inbound, outbound, collections = objects.flows_of(store, key)
    return {"inbound": inbound, "outbound": outbound, "collections": collections,
            "findings": {e.key: known(e.key) for e in inbound + outbound}}


def _engagement_context(store, key: str, known: Callable[[str], list]) -> dict[str, Any]:
    """An engagement's page: the objections to it, its findings and its triage."""
    return {"objections": store.list("objection", filters={"engagement": key}), "findings": known(key),
            "triage": store.find("triage", key)}


@bp.route("/<slug>/<path:key>/edit", methods=["GET", "POST"])
@role_required("editor")
def edit(slug, key):
    ui = _ui(slug)
    store = get_store()
    before = store.get(ui["kind"], key)
    form = ui["form"].for_object(before) if request.method == "GET" else ui["form"]()
    form.key.data = key
    form.key.render_kw = {"readonly": True}  # the key names the object; it cannot change
    _prepare(form, store)
    if _valid(form, store, before):
        data = before.to_dict()
        data.update(form.to_data())
        try:
            version = int(form.version.data)
        except (TypeError, ValueError):
            form.form_errors.append("The form lost its version number; reload the page.")
            return _form_page(slug, ui, form, before, 400)
        try:
            _check_timeline(ui["kind"], data)
            obj = objects.update(store, current_user.username, ui["kind"], key, data, version)
        except (ValidationError, Conflict) as exc:
            _apply_errors(form, exc)
            return _form_page(slug, ui, form, before, exc.status)
        flash(f"Saved {obj.label}.")
        return redirect(url_for("admin.show", slug=slug, key=key))
    return _form_page(slug, ui, form, before, 400 if form.errors or form.form_errors else 200)


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
    flash(f"Deleted {a(ui['kind'])} ({key}).")
    return redirect(url_for("admin.list_objects", slug=slug))


@bp.route("/audit")
@role_required("viewer")
def audit():
    store = get_store()
    page = request.args.get("page", 1, type=int) or 1
    query = request.args.get("q", "").strip()
    records, total = store.audit_page(kind=request.args.get("kind") or None, key=request.args.get("key") or None,
                                      actor=request.args.get("actor") or None, query=query,
                                      limit=PER_PAGE, offset=(max(page, 1) - 1) * PER_PAGE)
    page, pages, first, last = page_window(total, page)
    return render_template("admin/audit.html", records=records, total=total, page=page, pages=pages,
                           first=first, last=last, slug_of=SLUG_OF, names=audit_names(store, records),
                           args=request.args.to_dict())


def audit_names(store, records):
    """{kind: {key: label}} for the objects audit records name and the organisations of engagements."""
    extra = {}
    for r in records:
        extra.setdefault(r.kind, set()).add(r.key)
        for values in (r.before or {}, r.after or {}):
            for field in ("exporter", "importer", "organisation", "publisher"):
                if values.get(field):
                    extra.setdefault("organisation", set()).add(values[field])
    return names_for(store, [], extra={k: v for k, v in extra.items() if k in SLUG_OF or k == "organisation"})
