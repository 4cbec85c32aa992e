"""Export, import and seeding: the registry as one JSON document.

An export lists every kind in EXPORT_ORDER, objects ordered by key, without versions,
so exporting, importing into an empty store and exporting again gives the same text.
"""

import json

from ..domain.errors import ValidationError
from ..domain.model import EXPORT_ORDER
from ..resources import resource_dir
from .. import clock
from . import changes, publication
from .notice import is_listed as publisher_is_listed
from .objects import build

FORMAT = "registry-export"
FORMAT_VERSION = 1


def _quiet(items, _label="", _total=None):
    """No progress shown (``progress`` is e.g. ``registry.progress.on_terminal`` from the CLI)."""
    return items


def export_registry(store, progress=None):
    """The whole registry (not users or audit records) as a JSON-ready dict."""
    return {"format": FORMAT, "version": FORMAT_VERSION,
            "objects": {kind: [obj.to_dict() for obj in store.list(kind)]
                        for kind in (progress or _quiet)(EXPORT_ORDER, "exporting", len(EXPORT_ORDER))}}


def dumps(document):
    """The canonical text of an export document."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def parse_document(document, source="document", progress=None):
    """Validate an export-format document; returns [(kind, object)] in import order.

    Raises ValidationError naming the place (``objects.engagement[3].importer``).
    """
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValidationError(f"{source}: not a registry export (\"format\" must be {FORMAT!r})", field="format")
    if document.get("version") != FORMAT_VERSION:
        raise ValidationError(f"{source}: unsupported export version {document.get('version')!r}", field="version")
    objects = document.get("objects")
    if not isinstance(objects, dict):
        raise ValidationError(f"{source}: \"objects\" must be an object of kind lists", field="objects")
    unknown = sorted(set(objects) - set(EXPORT_ORDER))
    if unknown:
        raise ValidationError(f"{source}: unknown kind(s) {', '.join(unknown)}", field="objects")
    out, seen = [], set()
    for kind in EXPORT_ORDER:
        items = objects.get(kind, [])
        if not isinstance(items, list):
            raise ValidationError(f"{source}: objects.{kind} must be a list", field=f"objects.{kind}")
        for index, data in enumerate((progress or _quiet)(items, f"checking {kind}", len(items))):
            where = f"objects.{kind}[{index}]"
            try:
                obj = build(kind, data)
            except ValidationError as exc:
                raise ValidationError(f"{source}: {where}: {exc.message}",
                                      field=f"{where}.{exc.field}" if exc.field else where) from None
            if (kind, obj.key) in seen:
                raise ValidationError(f"{source}: {where}: duplicate key {obj.key!r}", field=f"{where}.key")
            seen.add((kind, obj.key))
            out.append((kind, obj))
    return out


def import_registry(store, actor, document, progress=None):
    """Create every object of ``document`` in one transaction; returns the count.

    Fails (changing nothing) on a malformed document, a dangling reference, or a key
    that already exists.
    """
    objects = parse_document(document, progress=progress)
    return store.import_objects([obj for _kind, obj in objects], actor)


def seed_documents(include_demo=True):
    """The seed files' documents, merged: [(kind, object)] with identical duplicates dropped."""
    merged = {}
    for path in sorted(resource_dir("seed").glob("*.json")):
        if not include_demo and path.name.startswith("9"):
            continue
        for kind, obj in parse_document(json.loads(path.read_text(encoding="utf-8")), path.name):
            previous = merged.get((kind, obj.key))
            if previous is not None and previous.to_dict() != obj.to_dict():
                raise ValidationError(f"{path.name}: {kind} {obj.key!r} differs from an earlier seed file")
            merged[(kind, obj.key)] = obj
    return [(kind, obj) for kind in EXPORT_ORDER for (k, _), obj in merged.items() if k == kind]


def seed(store, actor="seed", include_demo=True):
    """Add the seed objects that are missing; existing objects are left as they are.

    Idempotent: a second run adds nothing. Returns the number of objects added.
    """
    missing = [obj for kind, obj in seed_documents(include_demo) if store.find(kind, obj.key) is None]
    return store.import_objects(missing + _first_lists(store, missing), actor)


def _first_lists(store, objects):
    """For each publisher whose listed engagements arrive with ``objects`` and which has no
    public history yet, the entry stating its first list as of today: the seed records what
    the policies say now, not when each vendor was engaged."""
    organisations = {o.key: o for o in objects if o.KIND == "organisation"}
    listed = {}
    for obj in objects:
        if obj.KIND == "engagement":
            publisher = organisations.get(obj.exporter) or store.find("organisation", obj.exporter)
            if publisher is not None and publisher.publisher and publisher_is_listed(obj, publisher):
                listed.setdefault(publisher.key, (publisher, []))[1].append(obj)
    today = clock.today_iso()
    return [changes.new_entry(publisher, "", "initial-list",
                              f"First list of {publisher.name} recorded in this registry: "
                              f"{len(engagements)} service provider(s) as of {today}",
                              "", today, announced=today, notice_applies=False)
            for publisher, engagements in listed.values()
            if not store.list("change", filters={"publisher": publisher.key}, limit=1)]
