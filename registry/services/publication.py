"""Publishing: what an engagement write does to public lists, inside its unit of work.

``check_engagement`` (the notice rule, ``notice``) runs before the write;
``record`` adds the change entries (``changes``) to the same unit of work and emits a
``ListChanged`` event per entry, which the app's handlers mail after commit.
``record_initial_list`` is the one way to publish a list without notice: a publisher's
first list, stated as such with its date. The public view is ``public_view``.
"""

from __future__ import annotations

from typing import Any, cast

from .. import clock
from ..domain.errors import Conflict, ValidationError
from ..domain.model import Engagement, Organisation
from . import changes, notice
from .events import ListChanged
from .notice import changes_early_start, check_engagement, earliest_start, is_listed, objection_deadline
from .public_view import find_publisher, listed_engagements, lookup, public_listing, public_ref

__all__ = ["changes_early_start", "check_engagement", "earliest_start", "find_publisher", "is_listed",
           "listed_engagements", "lookup", "objection_deadline", "public_listing", "public_ref", "record",
           "record_initial_list"]


def list_lock(publisher_key: str) -> str:
    """The lock every write that changes ``publisher_key``'s list takes, and every objection:
    an objection is checked against the list as it is when it is stored."""
    return f"public-list:{publisher_key}"


def record(store, uow, before, after) -> list:
    """Add to ``uow`` the change entries of an engagement write and emit one event each.

    ``before``/``after`` are the object before and after the write (None for a create or a
    delete); writes of other kinds add nothing. Returns the new entries.
    """
    for engagement in (before, after):
        if engagement is not None and engagement.KIND == "engagement":
            uow.lock(list_lock(engagement.exporter))
    added, moved = changes.entries_for(store, before, after)
    for entry in added:
        uow.add(entry)
        uow.emit(ListChanged(publisher=entry.publisher, engagement=entry.engagement,
                             kind=changes.EVENT_KIND.get(entry.action, "changed"), change=entry))
    for entry in moved:
        uow.update(entry, entry.version)
        uow.emit(ListChanged(publisher=entry.publisher, engagement=entry.engagement, kind="changed", change=entry))
    return added


def record_initial_list(store, actor: str, publisher_key: str, as_of: str, engagements: list[dict]) -> list:
    """Publish ``publisher_key``'s first list as of ``as_of`` (ISO date, not in the future),
    creating ``engagements`` (field dicts, exporter = the publisher) in one unit of work.

    The notice rule does not apply to these: the list is stated publicly as the first one,
    with its date. Refused (Conflict) once the publisher has any public history. Active
    engagements take effect no later than ``as_of``; planned ones are announced on
    ``as_of`` and follow the notice rule from that date. Returns the written engagements.
    """
    as_of = _initial_date(as_of)
    built = [_initial_engagement(publisher_key, as_of, data) for data in engagements]
    with store.unit_of_work(actor) as uow:
        publisher = find_publisher(uow.store, publisher_key)
        if uow.store.list("change", filters={"publisher": publisher.key}, limit=1) or \
                listed_engagements(uow.store, publisher):
            raise Conflict(f"{publisher.name} already has a public list: later changes need notice", field="as_of")
        vendors = lookup(uow.store, "organisation", [e.importer for e in built])
        for eng in built:
            _check_initial(publisher, eng, as_of)
            uow.add(eng)
            if eng.status == "planned" and eng.public:
                _announce_initial(uow, publisher, eng, vendors, as_of)
        entry = changes.new_entry(publisher, "", "initial-list",
                                  f"First published list of {publisher.name}: {len(built)} service provider(s) "
                                  f"as of {as_of}", "", as_of, announced=as_of, notice_applies=False)
        uow.add(entry)
        uow.emit(ListChanged(publisher=publisher.key, engagement="", kind="listed", change=entry))
        written = uow.commit()
    return [obj for obj in written if obj.KIND == "engagement"]


def _announce_initial(uow: Any, publisher: Organisation, eng: Engagement, vendors: dict, as_of: str) -> None:
    """Record, in ``uow``, the announcement of a public planned engagement of the first list."""
    vendor = vendors[eng.importer].name if eng.importer in vendors else eng.importer
    planned = changes.new_entry(publisher, eng.key, "announced", f"{vendor} is planned as a "
                                f"sub-processor from {eng.effective_date}", vendor, eng.effective_date,
                                announced=as_of)
    uow.add(planned)
    uow.emit(ListChanged(publisher=publisher.key, engagement=eng.key, kind="listed", change=planned))


def _initial_date(as_of: str) -> str:
    try:
        from datetime import date
        value = date.fromisoformat(as_of).isoformat()
    except (TypeError, ValueError):
        raise ValidationError("the date of the first list must be a date as YYYY-MM-DD", field="as_of") from None
    if value > clock.today_iso():
        raise ValidationError(f"the first list's date {value} is in the future: it is the date the list was "
                              "first published", field="as_of")
    return value


def _initial_engagement(publisher_key: str, as_of: str, data: dict) -> Engagement:
    from .objects import build
    eng = cast(Engagement, build("engagement", dict(data)))
    if eng.exporter != publisher_key:
        raise ValidationError(f"engagement {eng.key!r} is not {publisher_key}'s: its exporter is {eng.exporter}",
                              field="exporter")
    if eng.status == "planned" and eng.public:
        eng.announced_date = as_of
    return eng


def _check_initial(publisher, eng: Engagement, as_of: str) -> None:
    if eng.status == "active" and eng.effective_date and eng.effective_date > as_of:
        raise ValidationError(f"engagement {eng.key!r} takes effect on {eng.effective_date}, after the first "
                              f"list's date {as_of}: list it as planned", field="effective_date")
    if eng.status == "planned" and eng.public:
        start = notice.earliest_start(as_of, publisher.notice_days)
        if not eng.effective_date or eng.effective_date < start:
            raise ValidationError(f"planned engagement {eng.key!r} can take effect on {start} at the earliest "
                                  f"(announced with the first list on {as_of})", field="effective_date")


def imported_entries(store, objects: list[tuple[str, Any]]) -> list:
    """The notice rule for an import (``registry import``, a CSV sync): ChangeEntry objects to
    add with ``objects`` (the [(kind, object)] being imported), or ValidationError.

    A publisher whose change history comes with the document (a registry moving between
    stores) keeps it as it is. Otherwise each engagement that would appear on its list is a
    planned change announced today, checked and recorded as if created one by one: an
    active one is refused unless it carries an admin's early-start reason; a publisher's
    first list goes through ``record_initial_list`` instead.
    """
    with_history = {obj.publisher for kind, obj in objects if kind == "change"}
    engagements = [obj for kind, obj in objects if kind == "engagement"]
    organisations = _exporters(store, objects, engagements)
    entries = []
    for index, engagement in enumerate(engagements):
        publisher = organisations.get(engagement.exporter)
        if publisher is not None and publisher.key not in with_history and is_listed(engagement, publisher):
            entries.append(_imported_entry(store, organisations, publisher, engagement, index))
    return entries


def _exporters(store, objects: list[tuple[str, Any]], engagements: list[Engagement]) -> dict[str, Organisation]:
    """The organisations of the document by key, with the exporters of ``engagements`` that only
    the store holds."""
    in_document = {obj.key: obj for kind, obj in objects if kind == "organisation"}
    known = lookup(store, "organisation", [e.exporter for e in engagements if e.exporter not in in_document])
    return {**known, **in_document}


def _imported_entry(store, organisations: dict, publisher, engagement: Engagement, index: int):
    try:
        notice.check_listed(publisher, engagement)
    except ValidationError as exc:
        raise ValidationError(f"engagement {engagement.key!r}: {exc.message}",
                              field=f"objects.engagement[{index}].{exc.field}") from None
    vendor = organisations.get(engagement.importer) or store.find("organisation", engagement.importer)
    return changes.appearance(publisher, engagement, vendor.name if vendor else engagement.importer)
