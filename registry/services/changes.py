"""Change entries: the dated history of a publisher's public list.

Every write that changes what a list shows becomes one entry per change, with its own
announcement date (``date``), the date it takes effect and, while customers may still
object, the objection deadline (from ``notice.window``, the one source of those dates).
Adding a sub-processor, a new category, storage or access country, purpose or role of
a listed one, and removing one, are all entries. Editing a planned change's date moves
its announcement entry instead of adding another, so the history never shows two
effective dates for one change.
"""

from __future__ import annotations

import itertools
import secrets

from .. import clock
from ..domain.countries import country_name
from ..domain.model import ChangeEntry, Engagement, Organisation
from . import notice

ACTION_LABELS = {"added": "Added", "removed": "Removed", "new-location": "New location",
                 "new-categories": "New data categories", "new-purposes": "New purposes",
                 "new-role": "New role", "announced": "Announced", "updated": "Updated",
                 "initial-list": "First published list"}
# How each action is reported to the handlers (events.ListChanged.kind).
EVENT_KIND = {"added": "listed", "announced": "listed", "initial-list": "listed", "removed": "removed"}


def action_label(action: str) -> str:
    """The words for a change action."""
    return ACTION_LABELS.get(action, action.replace("-", " ").capitalize())


_sequence = itertools.count()


def change_key() -> str:
    """A new change key that sorts by creation time (within one second, by creation in this process)."""
    return f"chg-{clock.now():%Y%m%d-%H%M%S}-{next(_sequence) % 1_000_000:06d}-{secrets.token_hex(3)}"


def new_entry(publisher: Organisation, engagement_key: str, action: str, summary: str, vendor: str,
              effective: str | None, announced: str | None = None, notice_applies: bool = True) -> ChangeEntry:
    """A change entry announced on ``announced`` (default today) taking effect on ``effective``."""
    announced = announced or clock.today_iso()
    deadline = notice.objection_deadline(announced, publisher.notice_days) if notice_applies else None
    return ChangeEntry(key=change_key(), publisher=publisher.key, date=announced, action=action,
                       engagement=engagement_key, vendor=vendor, summary=summary, effective_date=effective,
                       objection_deadline=deadline).validate()


class Names:
    """Display names for the keys an engagement names, looked up in one batch per kind."""

    def __init__(self, store, engagements: list[Engagement]):
        from .public_view import lookup
        self.vendors = lookup(store, "organisation", [e.importer for e in engagements])
        self.categories = lookup(store, "category", [c for e in engagements for c in e.categories])
        self.purposes = lookup(store, "purpose", [p for e in engagements for p in e.purposes])

    def vendor(self, key: str) -> str:
        return self.vendors[key].name if key in self.vendors else key

    def category(self, key: str) -> str:
        return self.categories[key].name if key in self.categories else key

    def purpose(self, key: str) -> str:
        return self.purposes[key].name if key in self.purposes else key


def entries_for(store, before: Engagement | None, after: Engagement | None) -> tuple[list, list]:
    """(new entries, moved entries) that the write from ``before`` to ``after`` puts on public lists.

    Reads through ``store`` (the unit of work's, so inside its transaction). Moved entries
    are existing announcement entries whose effective date follows an edited plan.
    """
    eng = after or before
    if eng is None or eng.KIND != "engagement":
        return [], []
    old_pub, new_pub = _publishers_of(store, before, after)
    names = Names(store, [e for e in (before, after) if e is not None])
    if before is not None and after is not None and new_pub is not None \
            and notice.same_listing(before, after, new_pub):
        return _continuing(store, new_pub, before, after, names)
    return _left_and_joined(before, after, old_pub, new_pub, names), []


def _publishers_of(store, before: Engagement | None,
                   after: Engagement | None) -> tuple[Organisation | None, Organisation | None]:
    """The exporters of ``before`` and ``after`` (None for a missing engagement or exporter)."""
    publishers = _publishers(store, before, after)
    old_pub = publishers.get(before.exporter) if before is not None else None
    new_pub = publishers.get(after.exporter) if after is not None else None
    return old_pub, new_pub


def _left_and_joined(before: Engagement | None, after: Engagement | None, old_pub: Organisation | None,
                     new_pub: Organisation | None, names: Names) -> list[ChangeEntry]:
    """The entries of a write that does not keep one listing: ``before`` leaving its publisher's
    list (when it was listed), then ``after`` joining its publisher's (when it is listed)."""
    added: list[ChangeEntry] = []
    if before is not None and old_pub is not None and notice.is_listed(before, old_pub):
        added.append(_removal(old_pub, before, after, names))
    if after is not None and new_pub is not None and notice.is_listed(after, new_pub):
        added.append(_appearance(new_pub, before, after, names))
    return added


def _publishers(store, *engagements) -> dict[str, Organisation]:
    from .public_view import lookup
    return lookup(store, "organisation", [e.exporter for e in engagements if e is not None])


def _appearance(publisher: Organisation, before: Engagement | None, after: Engagement, names: Names) -> ChangeEntry:
    return appearance(publisher, after, names.vendor(after.importer))


def appearance(publisher: Organisation, after: Engagement, vendor: str) -> ChangeEntry:
    """The entry for ``after`` joining ``publisher``'s list (checked by the notice rule first)."""
    if after.status == "planned":
        return new_entry(publisher, after.key, "announced",
                         f"{vendor} is planned as a sub-processor from {after.effective_date}", vendor,
                         after.effective_date, announced=after.announced_date)
    # only with an early-start reason (notice.check_engagement): it takes effect now
    return new_entry(publisher, after.key, "added", f"{vendor} added as a sub-processor", vendor,
                     clock.today_iso(), notice_applies=False)


def _removal(publisher: Organisation, before: Engagement, after: Engagement | None, names: Names) -> ChangeEntry:
    vendor = names.vendor(before.importer)
    today = clock.today_iso()
    ends = after.end_date if after is not None and after.status == "ended" and after.end_date else today
    what = "is no longer planned" if before.status == "planned" else "is no longer a sub-processor"
    summary = f"{vendor} {what}" + (f" from {ends}" if ends != today else "")
    return new_entry(publisher, before.key, "removed", summary, vendor, ends, notice_applies=False)


def _continuing(store, publisher: Organisation, before: Engagement, after: Engagement,
                names: Names) -> tuple[list, list]:
    today = clock.today_iso()
    vendor = names.vendor(after.importer)
    added, moved = [], []
    early = notice.starts_early(before, after)
    if before.status == "planned" and after.status == "active":
        added.append(new_entry(publisher, after.key, "added", f"{vendor} is now a sub-processor", vendor,
                               today, notice_applies=False))
        moved = _fulfil_announcement(store, publisher, after)
    elif after.status == "planned" and after.effective_date != before.effective_date:
        moved = _move_announcement(store, publisher, after, vendor)
        if not moved:
            added.append(new_entry(publisher, after.key, "updated",
                                   f"{vendor} is now planned from {after.effective_date}", vendor,
                                   after.effective_date))
    if after.status == "planned":
        effective = after.effective_date
    else:
        effective = today if early else notice.earliest_start(today, publisher.notice_days)
    for action, summary in _material_summaries(vendor, before, after, names):
        added.append(new_entry(publisher, after.key, action, summary, vendor, effective, notice_applies=not early))
    return added, moved


def _move_announcement(store, publisher: Organisation, after: Engagement, vendor: str) -> list[ChangeEntry]:
    """The pending announcement entries of ``after``, moved to its new effective date."""
    pending = _pending_announcements(store, publisher, after)
    for entry in pending:
        entry.effective_date = after.effective_date
        entry.summary = f"{vendor} is planned as a sub-processor from {after.effective_date}"
    return pending


def _fulfil_announcement(store, publisher: Organisation, after: Engagement) -> list[ChangeEntry]:
    """The pending announcement entries of ``after``, which took effect today (early or on time)."""
    today = clock.today_iso()
    pending = _pending_announcements(store, publisher, after)
    for entry in pending:
        entry.effective_date = today
    return pending


def _pending_announcements(store, publisher: Organisation, after: Engagement) -> list[ChangeEntry]:
    return [c for c in store.list("change", filters={"publisher": publisher.key, "engagement": after.key})
            if c.action in ("announced", "updated") and c.effective_date and c.effective_date > clock.today_iso()]


def _material_summaries(vendor: str, before: Engagement, after: Engagement, names: Names) -> list[tuple[str, str]]:
    diff = notice.material_differences(before, after)
    out = []
    if "stores" in diff or "accesses" in diff:
        parts = []
        if diff.get("stores"):
            parts.append("stores data in " + _countries(diff["stores"]))
        if diff.get("accesses"):
            parts.append("accesses data from " + _countries(diff["accesses"]))
        out.append(("new-location", f"{vendor} now {' and '.join(parts)}"))
    if "categories" in diff:
        out.append(("new-categories", f"{vendor} now receives {', '.join(names.category(c) for c in diff['categories'])}"))
    if "purposes" in diff:
        out.append(("new-purposes", f"{vendor} now processes data for {', '.join(names.purpose(p) for p in diff['purposes'])}"))
    if "role" in diff:
        out.append(("new-role", f"{vendor} now acts as {ROLE_WORDS.get(after.importer_role, after.importer_role)} "
                                f"(was {ROLE_WORDS.get(before.importer_role, before.importer_role)})"))
    return out


ROLE_WORDS = {"processor": "a processor", "sub-processor": "a sub-processor", "controller": "an independent controller",
              "joint-controller": "a joint controller"}


def _countries(codes: list[str]) -> str:
    return ", ".join(country_name(c) for c in codes)


def pending(entries: list[ChangeEntry], on: str | None = None) -> list[ChangeEntry]:
    """The entries not yet in effect on ``on`` (default today), oldest first."""
    on = on or clock.today_iso()
    return sorted((c for c in entries if c.effective_date and c.effective_date > on and c.action != "removed"),
                  key=lambda c: (c.date, c.key))


def open_for_objection(entries: list[ChangeEntry], on: str | None = None) -> list[ChangeEntry]:
    """The entries customers may still object to on ``on`` (default today)."""
    return [c for c in pending(entries, on) if notice.objections_open(c.objection_deadline, on)]
