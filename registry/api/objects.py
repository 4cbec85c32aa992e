"""CRUD over every kind, export, and the audit log, as JSON."""

from flask import abort, request
from flask_login import current_user

from ..admin.views import KIND_UI
from ..db import get_store
from ..domain.errors import Forbidden, ValidationError
from ..domain.schemas import INT64_MAX
from ..services import objects, publication
from ..services.exchange import export_registry
from . import api_role, bp, json_body


def _kind(slug):
    if slug not in KIND_UI:
        abort(404, f"no such collection {slug!r}; use one of {', '.join(KIND_UI)}")
    return KIND_UI[slug]["kind"]


def _version(value, field="version"):
    """The version a write was made against: a JSON integer, or digits in a query string."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= INT64_MAX:
        raise ValidationError("the version you edited is required (an integer), to detect conflicting edits",
                              field=field)
    return value


def _count_arg(name, default, most):
    """A whole-number query argument from 0 to ``most``; ValidationError naming it otherwise."""
    value = request.args.get(name)
    if value is None:
        return default
    if not (value.isascii() and value.isdigit()) or int(value) > most:
        raise ValidationError(f"{name} must be a whole number from 0 to {most}", field=name)
    return int(value)


def _guard_early_start(kind, data, before=None):
    """Only an admin may record (or change) a reason to start before the notice period ends."""
    if kind != "engagement" or current_user.can("admin"):
        return
    if publication.changes_early_start(before, data.get("early_start_reason")):
        raise Forbidden("only an admin can record an early-start reason")


@bp.get("/<slug>")
@api_role("viewer")
def list_objects(slug):
    kind = _kind(slug)
    filters = {k: v for k, v in request.args.items() if k not in ("q", "limit")}
    bad = [k for k in filters if k not in KIND_UI[slug]["filters"]]
    if bad:
        raise ValidationError(f"cannot filter {slug} by {', '.join(bad)}", field=bad[0])
    filters = {k: {"true": True, "false": False, "yes": True, "no": False}.get(v, v) for k, v in filters.items()}
    items = get_store().list(kind, query=request.args.get("q", ""), filters=filters,
                             limit=_count_arg("limit", None, 100_000))
    return {"items": [obj.to_dict(with_version=True) for obj in items], "count": len(items)}


@bp.get("/<slug>/<path:key>")
@api_role("viewer")
def get_object(slug, key):
    return get_store().get(_kind(slug), key).to_dict(with_version=True)


@bp.post("/<slug>")
@api_role("editor")
def create_object(slug):
    data = json_body()
    data.pop("version", None)
    _guard_early_start(_kind(slug), data)
    obj = objects.create(get_store(), current_user.username, _kind(slug), data)
    return obj.to_dict(with_version=True), 201


@bp.put("/<slug>/<path:key>")
@api_role("editor")
def update_object(slug, key):
    data = json_body()
    version = _version(data.pop("version", None))
    if data.get("key", key) != key:
        raise ValidationError("the key cannot change", field="key")
    _guard_early_start(_kind(slug), data, get_store().get(_kind(slug), key))
    obj = objects.update(get_store(), current_user.username, _kind(slug), key, data, version)
    return obj.to_dict(with_version=True)


@bp.delete("/<slug>/<path:key>")
@api_role("editor")
def delete_object(slug, key):
    objects.delete(get_store(), current_user.username, _kind(slug), key,
                   _version(request.args.get("version"), "version"))
    return "", 204


# Kinds that hold people's addresses (subscribers, objectors): only admins read them.
PERSONAL_KINDS = ("subscription", "objection")


@bp.get("/export")
@api_role("viewer")
def export():
    document = export_registry(get_store())
    if not current_user.can("admin"):
        for kind in PERSONAL_KINDS:
            document["objects"].pop(kind, None)
        document["withheld"] = list(PERSONAL_KINDS)
    return document


@bp.get("/audit")
@api_role("viewer")
def audit():
    records = get_store().audit_log(kind=request.args.get("kind"), key=request.args.get("key"),
                                    actor=request.args.get("actor"),
                                    limit=_count_arg("limit", 100, 1000),
                                    offset=_count_arg("offset", 0, 10_000_000))
    items = [dict(r.__dict__) for r in records]
    if not current_user.can("admin"):
        for item in items:
            if item["kind"] in PERSONAL_KINDS:
                item["before"] = item["after"] = None  # who subscribed or objected: admins only
    return {"items": items}
