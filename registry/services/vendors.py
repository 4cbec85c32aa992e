"""A publisher's vendor list in and out: CSV import (first list or sync), dry run, export.

``plan_import`` reads a file and compares it with the registry without writing: every
problem (row, column, reason) or, when there is none, the plan: the organisations to add,
and the list's first state or its difference from the list in the registry (vendors
added, removed, changed). ``apply_import`` carries the plan out in one unit of work
through the normal services, so the publication rules (notice period, change entries,
subscribers told) apply exactly as to any other write: a first list goes through
``publication.record_initial_list`` (stated as the first list, with its date, and no
invented "added" history); later versions go through ``objects.create/update``.

Vendors are matched to organisations already in the registry by key, by website host,
then by name or legal name, so several publishers share one AWS. A shared vendor's
facts (legal name, country, website) are only filled in where the registry has none.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .. import clock
from ..domain.errors import NotFound, ValidationError
from ..domain.model import Engagement, Organisation
from ..store.base import Store
from . import notice, objects, publication
from .vendor_csv import Problem, VendorRow, decode, read_rows, write_rows, yes_no

# Fields of an engagement that the file states; a difference in any of them is a change.
ENGAGEMENT_FIELDS = ("service", "purposes", "importer_role", "categories", "subject_groups", "store_countries",
                     "access_countries", "safeguards", "public", "internal_notes", "effective_date")
SET_FIELDS = ("purposes", "categories", "subject_groups", "store_countries", "access_countries")
FIELD_COLUMNS = {"service": "service", "purposes": "purpose", "importer_role": "role", "categories": "categories",
                 "subject_groups": "subjects", "store_countries": "locations", "access_countries": "access_locations",
                 "safeguards": "safeguards", "public": "public", "internal_notes": "notes", "effective_date": "since",
                 "country": "country", "website": "website", "legal_name": "legal_name", "name": "name",
                 "key": "name", "parent": "affiliate"}


class ImportRefused(ValidationError):
    """The file was not understood; ``problems`` holds one Problem per thing not understood."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the file; nothing was written", field="file")
        self.problems = problems


@dataclass
class VendorChange:
    """What the import does to one vendor of the list."""

    action: str  # added, removed, changed, unchanged
    vendor: str  # the organisation key
    name: str
    row: int | None = None
    engagement: dict = field(default_factory=dict)  # the engagement's fields after the import
    before: Engagement | None = None
    differences: dict = field(default_factory=dict)  # column -> (before, after)

    def describe(self) -> str:
        """One line for the dry run."""
        if self.action == "added":
            eng = self.engagement
            when = f"planned from {eng['effective_date']}" if eng["status"] == "planned" else \
                f"since {eng['effective_date']}" if eng.get("effective_date") else "active"
            facts = "; ".join(f"{label} {_shown(eng.get(field))}" for label, field in (
                ("stores in", "store_countries"), ("accessed from", "access_countries"), ("receives", "categories"))
                if eng.get(field))
            return f"+ {self.name}: added ({when})" + (f": {facts}" if facts else "")
        if self.action == "removed":
            return f"- {self.name}: removed (ends {self.engagement['end_date']})"
        if self.action == "changed":
            parts = "; ".join(f"{column}: {_shown(old)} -> {_shown(new)}"
                              for column, (old, new) in self.differences.items())
            return f"~ {self.name}: {parts}"
        return f"= {self.name}: unchanged"


@dataclass
class ImportPlan:
    """The outcome of reading a file against the registry (nothing written yet)."""

    publisher: str
    publisher_name: str
    as_of: str
    initial: bool  # the publisher has no list yet: this file is its first list
    new_organisations: list[Organisation] = field(default_factory=list)
    organisation_updates: list[tuple[Organisation, dict]] = field(default_factory=list)  # (before, new fields)
    new_purposes: list[dict] = field(default_factory=list)
    vendors: list[VendorChange] = field(default_factory=list)
    make_publisher: bool = False
    taken_keys: set[str] = field(default_factory=set)  # engagement keys in use (ended ones too)
    kept_facts: list[str] = field(default_factory=list)  # where the file disagrees with a vendor's record

    def counts(self) -> dict[str, int]:
        """How many vendors each action touches."""
        out = {"added": 0, "removed": 0, "changed": 0, "unchanged": 0}
        for change in self.vendors:
            out[change.action] += 1
        return out

    def lines(self) -> list[str]:
        """The plan as readable lines (the dry run's output)."""
        head = (f"first list of {self.publisher_name} as of {self.as_of}: {len(self.vendors)} vendor(s)"
                if self.initial else f"changes to the list of {self.publisher_name}: " +
                ", ".join(f"{n} {action}" for action, n in self.counts().items()))
        out = [head]
        if self.make_publisher:
            out.append(f"* {self.publisher_name} becomes a publisher of a sub-processor list")
        out += [f"* new organisation {o.name} ({o.key})" for o in self.new_organisations]
        out += [f"* organisation {o.name}: fills in {', '.join(sorted(fields))}" for o, fields in
                self.organisation_updates]
        out += [f"* new purpose {p['name']} ({p['key']})" for p in self.new_purposes]
        out += [f"* {note}" for note in self.kept_facts]
        out += [c.describe() for c in self.vendors if self.initial or c.action != "unchanged"]
        return out


def _shown(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "(none)"
    if isinstance(value, bool):
        return yes_no(value)
    return str(value) if value not in (None, "") else "(none)"


def slug(text: str, limit: int = 80) -> str:
    """A key made from ``text``: lower-case ASCII letters, digits and hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")
    return out or "vendor"


def _host(url: str) -> str:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").strip()).casefold()


class _Registry:
    """What the import reads from the store, loaded once (no query per row)."""

    def __init__(self, store: Store) -> None:
        self.organisations = {o.key: o for o in store.list("organisation")}
        self.by_host: dict[str, list[str]] = {}
        self.by_name: dict[str, list[str]] = {}
        for org in self.organisations.values():
            if _host(org.website):
                self.by_host.setdefault(_host(org.website), []).append(org.key)
            for name in {_fold(org.name), _fold(org.legal_name)} - {""}:
                self.by_name.setdefault(name, []).append(org.key)
        self.categories = _names_index(store.list("category"))
        self.subjects = _names_index(store.list("subject_group"))
        self.purposes = _names_index(store.list("purpose"))

    def match(self, row: VendorRow) -> tuple[str | None, str | None]:
        """(organisation key, problem): the organisation ``row`` names, by key, website host or name."""
        if row.key:
            return (row.key, None) if row.key in self.organisations else \
                (None, f"no organisation has the key {row.key!r}")
        hosts = self.by_host.get(_host(row.website), []) if row.website else []
        named = self.by_name.get(_fold(row.name), []) + self.by_name.get(_fold(row.legal_name), [])
        for candidates in ([k for k in hosts if k in named], hosts, [slug(row.name)], named):
            candidates = [k for k in dict.fromkeys(candidates) if k in self.organisations]
            if len(candidates) == 1:
                return candidates[0], None
            if len(candidates) > 1:
                return None, (f"{row.name!r} matches several organisations ({', '.join(candidates)}); "
                              "add a key column naming the one meant")
        return None, None


def _names_index(objs) -> dict[str, str]:
    index: dict[str, str] = {}
    for obj in objs:
        index.setdefault(_fold(obj.name), obj.key)
    index.update({_fold(obj.key): obj.key for obj in objs})
    return index


def plan_import(store: Store, publisher_key: str, data: bytes, as_of: str | None = None) -> ImportPlan:
    """Read ``data`` (the file's bytes) against the registry; raises ImportRefused listing every
    problem, NotFound for an unknown publisher, ValidationError for a bad ``as_of``."""
    as_of = _as_of(as_of)
    publisher = store.find("organisation", publisher_key)
    if publisher is None:
        raise NotFound(f"no organisation with key {publisher_key!r}", field="publisher")
    text, problems = decode(data)
    rows, found = read_rows(text) if text is not None else ([], [])
    problems += found
    registry = _Registry(store)
    every = store.list("engagement", filters={"exporter": publisher.key})
    existing = [e for e in every if e.status != "ended"]
    initial = not existing and not store.list("change", filters={"publisher": publisher.key}, limit=1)
    plan = ImportPlan(publisher=publisher.key, publisher_name=publisher.name, as_of=as_of, initial=initial,
                      make_publisher=not publisher.publisher, taken_keys={e.key for e in every})
    wanted = _resolve_rows(rows, registry, publisher, plan, problems)
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    _plan_changes(plan, publisher, wanted, existing, registry)
    _check_writes(plan, problems)
    if problems:
        raise ImportRefused(problems)
    return plan


def _plan_changes(plan: ImportPlan, publisher: Organisation, wanted: dict, existing: list[Engagement],
                  registry: _Registry) -> None:
    """Into ``plan``: a change for each vendor the file lists (``wanted``), then the removal, as of
    the plan's date, of each current engagement (``existing``) whose vendor the file leaves out."""
    by_vendor = {e.importer: e for e in existing}
    for vendor, (row, fields) in wanted.items():
        before = by_vendor.pop(vendor, None)
        plan.vendors.append(_change(plan, publisher, vendor, row, fields, before, registry))
    for vendor, before in by_vendor.items():
        ended = dict(before.to_dict(), status="ended", end_date=max(plan.as_of, before.effective_date or plan.as_of))
        plan.vendors.append(VendorChange("removed", vendor, _label(registry, vendor, plan), engagement=ended,
                                         before=before))


def _as_of(as_of: str | None) -> str:
    if not as_of:
        return clock.today_iso()
    try:
        from datetime import date
        return date.fromisoformat(as_of).isoformat()
    except (TypeError, ValueError):
        raise ValidationError(f"{as_of!r} is not a date as YYYY-MM-DD", field="as_of") from None


def _label(registry: _Registry, key: str, plan: ImportPlan) -> str:
    org = registry.organisations.get(key) or next((o for o in plan.new_organisations if o.key == key), None)
    return org.name if org else key


def _resolve_rows(rows, registry: _Registry, publisher, plan: ImportPlan, problems: list) -> dict:
    """{vendor key: (row, engagement fields)}, new organisations and purposes into ``plan``."""
    wanted: dict[str, tuple[VendorRow, dict]] = {}
    new_keys: dict[str, VendorRow] = {}
    purposes_added: dict[str, str] = {}
    for row in rows:
        vendor, problem = registry.match(row)
        if problem:
            problems.append(Problem(row.row, "key" if row.key else "name", problem))
            continue
        if vendor is None:
            vendor = _new_organisation(row, registry, publisher, plan, new_keys)
        else:
            _fill_in(row, registry.organisations[vendor], publisher, plan)
        if vendor == publisher.key:
            problems.append(Problem(row.row, "name", f"{row.name!r} is the publisher itself"))
            continue
        if vendor in wanted:
            problems.append(Problem(row.row, "name", f"duplicate vendor: {row.name!r} is already on row "
                                                     f"{wanted[vendor][0].row}"))
            continue
        fields = {
            "importer": vendor, "service": row.service, "importer_role": row.role,
            "categories": _keys(row, "categories", row.categories, registry.categories, problems),
            "subject_groups": _keys(row, "subjects", row.subjects, registry.subjects, problems),
            "purposes": [_purpose(name, registry, plan, purposes_added) for name in row.purposes],
            "store_countries": row.locations, "access_countries": row.access_locations,
            "safeguards": row.safeguards, "public": row.public, "internal_notes": row.notes,
            "effective_date": row.since,
        }
        wanted[vendor] = (row, fields)
    return wanted


def _keys(row: VendorRow, column: str, names: list[str], index: dict[str, str], problems: list) -> list[str]:
    keys = []
    for name in names:
        key = index.get(_fold(name))
        if key is None:
            what = "data category" if column == "categories" else "data subject group"
            problems.append(Problem(row.row, column, f"{name!r} is not a known {what} (key or name)"))
        elif key not in keys:
            keys.append(key)
    return keys


def _purpose(name: str, registry: _Registry, plan: ImportPlan, added: dict[str, str]) -> str:
    key = registry.purposes.get(_fold(name)) or added.get(_fold(name))
    if key:
        return key
    key = slug(name)
    while key in registry.purposes.values() or key in added.values():
        key = slug(f"{key}-2")
    added[_fold(name)] = key
    plan.new_purposes.append({"key": key, "name": name, "legal_basis": "unknown"})
    return key


def _group_parent(publisher) -> str:
    return publisher.parent or publisher.key


def _new_organisation(row: VendorRow, registry: _Registry, publisher, plan: ImportPlan, new_keys: dict) -> str:
    key = slug(row.name)
    n = 2
    while key in registry.organisations or (key in new_keys and _fold(new_keys[key].name) != _fold(row.name)):
        key, n = slug(f"{slug(row.name, 76)}-{n}"), n + 1
    if key in new_keys:  # the same new vendor twice: reported as a duplicate by the caller
        return key
    new_keys[key] = row
    plan.new_organisations.append(Organisation(
        key=key, name=row.name, legal_name=row.legal_name, country=row.country, website=row.website,
        parent=_group_parent(publisher) if row.affiliate else None))
    return key


def _fill_in(row: VendorRow, org: Organisation, publisher, plan: ImportPlan) -> None:
    """Facts the file states that the registry lacks; a shared vendor's own facts are kept."""
    fields = {name: getattr(row, name) for name in ("legal_name", "country", "website")
              if getattr(row, name) and not getattr(org, name)}
    for name in ("legal_name", "country", "website"):
        stated, recorded = getattr(row, name), getattr(org, name)
        if _contradicts(name, stated, recorded):
            plan.kept_facts.append(f"{org.name}: the file says {name} {stated}; the registry keeps {recorded}")
    if row.affiliate and not org.parent and org.key != _group_parent(publisher):
        fields["parent"] = _group_parent(publisher)
    if fields and not any(o.key == org.key for o, _ in plan.organisation_updates):
        plan.organisation_updates.append((org, fields))


def _contradicts(name: str, stated, recorded) -> bool:
    """Whether the file states a fact the registry records otherwise (a website on the same host
    does not count)."""
    return bool(stated and recorded and stated != recorded
                and (name != "website" or _host(stated) != _host(recorded)))


def _change(plan: ImportPlan, publisher, vendor: str, row: VendorRow, fields: dict, before: Engagement | None,
            registry: _Registry) -> VendorChange:
    """What the file's ``row`` does to the publisher's engagement of ``vendor`` (``before``, None when
    there is none yet): adds it, changes the fields whose columns the file has, or leaves it as it is."""
    name = _label(registry, vendor, plan)
    if before is None:
        return VendorChange("added", vendor, name, row.row, _new_engagement(plan, publisher, vendor, fields))
    stated = {k for k in ENGAGEMENT_FIELDS if FIELD_COLUMNS[k] in row.columns}  # a missing column says nothing
    after = _updated(before, fields, stated)
    differences = _differences(before, after, fields, stated)
    if not differences:
        return VendorChange("unchanged", vendor, name, row.row, after, before)
    return VendorChange("changed", vendor, name, row.row, after, before, differences)


def _updated(before: Engagement, fields: dict, stated: set[str]) -> dict:
    """The engagement's fields with the ``stated`` ones from the file; a safeguard still in place
    keeps its evidence."""
    after = before.to_dict()
    kept = {s["code"]: s for s in before.safeguards if isinstance(s, dict)}
    after.update({k: v for k, v in fields.items() if k in stated and k != "safeguards"})
    if "safeguards" in stated:
        after["safeguards"] = [kept.get(code, {"code": code}) for code in fields["safeguards"]]
    return after


def _differences(before: Engagement, after: dict, fields: dict, stated: set[str]) -> dict[str, tuple]:
    """{column: (old, new)} for the ``stated`` fields that change (lists compared as sets)."""
    differences = {}
    for name in sorted(stated, key=ENGAGEMENT_FIELDS.index):
        old, new = getattr(before, name), after[name]
        if name == "safeguards":
            old, new = before.safeguard_codes, fields["safeguards"]
        same = set(old or []) == set(new or []) if name in SET_FIELDS or name == "safeguards" else old == new
        if not same:
            differences[FIELD_COLUMNS[name]] = (old, new)
    return differences


def _new_engagement(plan: ImportPlan, publisher, vendor: str, fields: dict) -> dict:
    """A new engagement's fields: on a first list as stated; later, planned after the notice period."""
    eng = dict(fields, key=_engagement_key(plan, publisher.key, vendor), exporter=publisher.key, status="active")
    if plan.initial:
        if eng["effective_date"] and eng["effective_date"] > plan.as_of:
            eng["status"] = "planned"
        return eng
    if eng["public"]:
        start = notice.earliest_start(clock.today_iso(), publisher.notice_days)
        eng["status"] = "planned"
        eng["effective_date"] = max(eng["effective_date"] or start, start)
    return eng


def _engagement_key(plan: ImportPlan, publisher: str, vendor: str) -> str:
    """A new key: a vendor removed and later added again gets a second engagement."""
    key, n = slug(f"{publisher}-{vendor}"), 2
    while key in plan.taken_keys:
        key, n = slug(f"{slug(f'{publisher}-{vendor}', 76)}-{n}"), n + 1
    plan.taken_keys.add(key)
    return key


def _check_writes(plan: ImportPlan, problems: list) -> None:
    """Build every object the plan writes, so a value the model refuses is a problem with its row."""
    for org in plan.new_organisations:
        row = next((c.row for c in plan.vendors if c.vendor == org.key), None)
        _try(problems, row, lambda: objects.build("organisation", org.to_dict()))
    for org, fields in plan.organisation_updates:
        _try(problems, None, lambda: objects.build("organisation", dict(org.to_dict(), **fields)))
    for change in plan.vendors:
        if change.action != "unchanged":
            _try(problems, change.row, lambda: objects.build("engagement", change.engagement))


def _try(problems: list, row: int | None, build) -> None:
    try:
        build()
    except ValidationError as exc:
        problems.append(problem_of(exc, row))


def problem_of(exc: ValidationError, row: int | None = None) -> Problem:
    """A Problem for a refusal: the CSV column of the field it names, or the option (``--as-of``)."""
    column = FIELD_COLUMNS.get(exc.field or "")
    if column is None and exc.field == "as_of":
        return Problem(row, None, f"--as-of: {exc.message}")
    return Problem(row, column, exc.message)


def apply_import(store: Store, actor: str, plan: ImportPlan) -> dict[str, int]:
    """Write ``plan`` in one unit of work through the services; returns the counts per action.

    A refused write (a notice rule, a conflict with a concurrent edit) raises and leaves the
    registry as it was.
    """
    with store.unit_of_work(actor) as uow:
        tx = uow.store
        if plan.make_publisher:
            publisher = tx.get("organisation", plan.publisher)
            objects.update(tx, actor, "organisation", publisher.key, dict(publisher.to_dict(), publisher=True),
                           publisher.version)
        for purpose in plan.new_purposes:
            objects.create(tx, actor, "purpose", purpose)
        for org in plan.new_organisations:
            objects.create(tx, actor, "organisation", org.to_dict())
        for org, fields in plan.organisation_updates:
            current = tx.get("organisation", org.key)
            objects.update(tx, actor, "organisation", org.key, dict(current.to_dict(), **fields), current.version)
        if plan.initial:
            publication.record_initial_list(tx, actor, plan.publisher, plan.as_of,
                                            [c.engagement for c in plan.vendors])
        else:
            for change in plan.vendors:
                try:
                    _write(tx, actor, change)
                except ValidationError as exc:  # the notice rule, say: name the row it refused
                    raise ImportRefused([problem_of(exc, change.row)]) from None
        uow.commit()
    return plan.counts()


def _write(store, actor: str, change: VendorChange) -> None:
    if change.action == "added":
        objects.create(store, actor, "engagement", change.engagement)
    elif change.action in ("changed", "removed") and change.before is not None:
        objects.update(store, actor, "engagement", change.before.key, change.engagement, change.before.version)


def import_vendors(store: Store, actor: str, publisher_key: str, data: bytes, as_of: str | None = None,
                   dry_run: bool = False) -> ImportPlan:
    """Plan and (unless ``dry_run``) apply a vendor CSV; raises ImportRefused with every problem."""
    plan = plan_import(store, publisher_key, data, as_of)
    if not dry_run:
        try:
            apply_import(store, actor, plan)
        except ValidationError as exc:  # a rule that reads the store refused one write
            if isinstance(exc, ImportRefused):
                raise
            raise ImportRefused([problem_of(exc)]) from None
    return plan


def _vendor_row(eng: Engagement, org: Organisation, purposes: dict, publisher: Organisation) -> dict[str, str]:
    """The CSV cells of one engagement of ``publisher`` with vendor ``org`` (``purposes`` by key, for names)."""
    group = {publisher.key, publisher.parent} - {None}
    return {
        "key": org.key, "name": org.name, "legal_name": org.legal_name, "country": org.country or "",
        "website": org.website, "service": eng.service,
        "purpose": "; ".join(purposes[p].name if p in purposes else p for p in eng.purposes),
        "locations": "; ".join(eng.store_countries), "access_locations": "; ".join(eng.access_countries),
        "categories": "; ".join(eng.categories), "subjects": "; ".join(eng.subject_groups),
        "safeguards": "; ".join(eng.safeguard_codes), "role": eng.importer_role,
        "affiliate": yes_no(org.parent in group or org.key == publisher.parent),
        "since": eng.effective_date or "", "public": yes_no(eng.public), "notes": eng.internal_notes}


def export_vendors(store: Store, publisher_key: str) -> str:
    """The publisher's current list (every engagement it exports that has not ended) as CSV."""
    publisher = store.get("organisation", publisher_key)
    engagements = [e for e in store.list("engagement", filters={"exporter": publisher.key}) if e.status != "ended"]
    vendors = publication.lookup(store, "organisation", [e.importer for e in engagements])
    purposes = publication.lookup(store, "purpose", [p for e in engagements for p in e.purposes])
    rows = [_vendor_row(eng, vendors.get(eng.importer) or Organisation(key=eng.importer, name=eng.importer),
                        purposes, publisher) for eng in engagements]
    rows.sort(key=lambda r: (r["name"].casefold(), r["key"]))
    return write_rows(rows)

