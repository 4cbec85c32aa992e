"""Public sub-processor lists: what a write changes on a publisher's page, and notice rules.

An engagement is *listed* on its exporter's page when the exporter is a publisher,
the engagement is public and it is planned or active. Writes that change the list
add dated ChangeEntry objects in the same unit of work, so the history cannot
disagree with the list.
"""

import uuid
from datetime import date, timedelta

from ..domain.errors import ValidationError
from ..domain.model import ChangeEntry


def today():
    """The current date as an ISO string (a function so that tests can see one place)."""
    return date.today().isoformat()


def objection_deadline(announced_date, notice_days):
    """The last day on which a customer may object: ``notice_days`` after the announcement."""
    return (date.fromisoformat(announced_date) + timedelta(days=notice_days)).isoformat()


def earliest_start(announced_date, notice_days):
    """The first day a planned engagement may take effect: the day after the deadline."""
    return (date.fromisoformat(objection_deadline(announced_date, notice_days)) + timedelta(days=1)).isoformat()


def _notice_days(store, engagement):
    exporter = store.find("organisation", engagement.exporter)
    return exporter.notice_days if exporter else 30


def check_engagement(store, engagement, before=None):
    """Enforce the notice rules on an engagement about to be written; may set announced_date.

    A public planned engagement is announced today unless already announced; it needs an
    effective date no earlier than the end of the notice period, and it cannot become
    active before then, unless ``early_start_reason`` records why (an admin's decision).
    """
    if engagement.public and engagement.status == "planned" and not engagement.announced_date:
        engagement.announced_date = today()
    if not engagement.announced_date or engagement.early_start_reason.strip():
        return
    start = earliest_start(engagement.announced_date, _notice_days(store, engagement))
    if engagement.status == "planned":
        if not engagement.effective_date:
            raise ValidationError("a planned engagement needs the date it takes effect", field="effective_date")
        if engagement.effective_date < start:
            raise ValidationError(f"the notice period ends {start}: the engagement cannot take effect earlier "
                                  "unless an admin records a reason for the early start", field="effective_date")
    elif engagement.status == "active" and before is not None and before.status == "planned" and today() < start:
        raise ValidationError(f"the notice period runs until {start}: the engagement cannot become active "
                              "before then unless an admin records a reason for the early start", field="status")


def is_listed(engagement, publisher):
    """Whether ``engagement`` appears on ``publisher``'s public page."""
    return bool(engagement and publisher and publisher.publisher and engagement.public
                and engagement.status in ("planned", "active"))


def _entry(publisher, engagement, action, summary, vendor):
    entry = ChangeEntry(key=f"chg-{uuid.uuid4().hex[:20]}", publisher=publisher.key, date=today(),
                        action=action, engagement=engagement.key, vendor=vendor, summary=summary,
                        effective_date=engagement.effective_date)
    if action == "announced":
        entry.objection_deadline = objection_deadline(engagement.announced_date, publisher.notice_days)
    return entry.validate()


def changes(publisher, before, after, vendor_name):
    """The ChangeEntry objects that the move from ``before`` to ``after`` puts on the page."""
    was, now = is_listed(before, publisher), is_listed(after, publisher)
    eng = after or before
    if not was and not now:
        return []
    if not was:
        if after.status == "planned":
            return [_entry(publisher, after, "announced",
                           f"{vendor_name} is planned as a sub-processor from {after.effective_date}", vendor_name)]
        return [_entry(publisher, after, "added", f"{vendor_name} added as a sub-processor", vendor_name)]
    if not now:
        return [_entry(publisher, eng, "removed", f"{vendor_name} is no longer a sub-processor", vendor_name)]
    out = []
    if before.status == "planned" and after.status == "active":
        out.append(_entry(publisher, after, "added", f"{vendor_name} is now a sub-processor", vendor_name))
    if set(after.store_countries) - set(before.store_countries) or \
            set(after.access_countries) - set(before.access_countries):
        places = ", ".join(sorted(set(after.store_countries + after.access_countries)))
        out.append(_entry(publisher, after, "new-location", f"{vendor_name} now stores or accesses data in {places}",
                          vendor_name))
    if set(after.categories) - set(before.categories):
        added = ", ".join(sorted(set(after.categories) - set(before.categories)))
        out.append(_entry(publisher, after, "new-categories", f"{vendor_name} now receives {added}", vendor_name))
    return out


def record(store, uow, before, after):
    """Add to ``uow`` the public change entries for an engagement write (others are ignored)."""
    obj = after or before
    if obj is None or obj.KIND != "engagement":
        return []
    publisher = store.find("organisation", obj.exporter)
    vendor = store.find("organisation", obj.importer)
    entries = changes(publisher, before, after, vendor.name if vendor else obj.importer)
    for entry in entries:
        uow.add(entry)
    return entries
