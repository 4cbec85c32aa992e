"""The notice promise: when a change to a public list may take effect, and until when to object.

One rule for every way in (admin form, API, import, CSV sync): a write that makes a
sub-processor appear on a publisher's list, or changes a listed one materially, is a
planned change. It is announced on the day it first appears, customers may object
until ``objection_deadline`` (the announcement plus the publisher's notice period,
that day included), and it takes effect on ``earliest_start`` (the day after) at the
earliest. An admin may let a change start early by recording an early-start reason
(kept and audited, never published). A publisher's first list is the one exception
(``publication.record_initial_list``). Every date any output shows comes from
``window``, so the page, the feeds, the mails and the admin form agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .. import clock
from ..domain.errors import ValidationError
from ..domain.model import Engagement, Organisation

LISTED_STATUSES = ("planned", "active")


@dataclass(frozen=True)
class NoticeWindow:
    """The dates of one announced change.

    ``deadline`` is the last day to object (None when the publisher promised no notice
    period); ``earliest_start`` the first day the change may take effect.
    """

    announced: str
    deadline: str | None
    earliest_start: str


def window(announced_date: str, notice_days: int | None) -> NoticeWindow:
    """The notice window of a change announced on ``announced_date`` (ISO) by a publisher
    with ``notice_days`` (None: no period promised, so no objection period either)."""
    announced = date.fromisoformat(announced_date)
    if notice_days is None:
        return NoticeWindow(announced.isoformat(), None, announced.isoformat())
    deadline = announced + timedelta(days=notice_days)
    return NoticeWindow(announced.isoformat(), deadline.isoformat(), (deadline + timedelta(days=1)).isoformat())


def objection_deadline(announced_date: str, notice_days: int | None) -> str | None:
    """The last day (inclusive) to object to a change announced on ``announced_date``."""
    return window(announced_date, notice_days).deadline


def earliest_start(announced_date: str, notice_days: int | None) -> str:
    """The first day a change announced on ``announced_date`` may take effect."""
    return window(announced_date, notice_days).earliest_start


def objections_open(deadline: str | None, on: str | None = None) -> bool:
    """Whether objections are still accepted on ``on`` (default today) for ``deadline``."""
    return deadline is not None and (on or clock.today_iso()) <= deadline


def is_listed(engagement: Engagement | None, publisher: Organisation | None) -> bool:
    """Whether ``engagement`` appears on ``publisher``'s public page."""
    return bool(engagement and publisher and publisher.publisher and publisher.key == engagement.exporter
                and engagement.public and engagement.status in LISTED_STATUSES)


def changes_early_start(before: Engagement | None, reason: str | None) -> bool:
    """Whether writing ``reason`` would record or change the early-start reason of ``before``.

    Only an admin may do that (the admin form and the API check the role).
    """
    return (reason or "") != (before.early_start_reason if before else "")


def starts_early(before: Engagement | None, after: Engagement) -> bool:
    """Whether ``after`` may skip the notice period: an early-start reason recorded with this
    write, or one recorded while the change was planned and is now taking effect."""
    if not after.early_start_reason.strip():
        return False
    return changes_early_start(before, after.early_start_reason) or (before is not None
                                                                      and before.status == "planned")


def material_differences(before: Engagement, after: Engagement) -> dict[str, list[str]]:
    """What ``after`` adds to ``before`` that customers must be told of in advance:
    {"stores": [...], "accesses": [...], "categories": [...], "purposes": [...], "role": [new role]}."""
    out = {"stores": sorted(set(after.store_countries) - set(before.store_countries)),
           "accesses": sorted(set(after.access_countries) - set(before.access_countries)),
           "categories": sorted(set(after.categories) - set(before.categories)),
           "purposes": sorted(set(after.purposes) - set(before.purposes)),
           "role": [after.importer_role] if after.importer_role != before.importer_role else []}
    return {k: v for k, v in out.items() if v}


def same_listing(before: Engagement | None, after: Engagement | None, publisher: Organisation | None) -> bool:
    """Whether ``before`` and ``after`` are the same line of ``publisher``'s list (same vendor)."""
    return bool(before and after and is_listed(before, publisher) and is_listed(after, publisher)
                and before.importer == after.importer)


def check_engagement(store, engagement: Engagement, before: Engagement | None = None) -> None:
    """Enforce the notice rule on ``engagement`` about to replace ``before``; may set its
    announced_date. Raises ValidationError naming the date that is wrong and why.

    Call it inside the unit of work, reading through ``uow.store``, so that the check and
    the write are one transaction.
    """
    check_listed(store.find("organisation", engagement.exporter), engagement, before)


def check_listed(publisher: Organisation | None, engagement: Engagement, before: Engagement | None = None) -> None:
    """``check_engagement`` with the exporter already at hand (an import reads it from its document)."""
    if publisher is None or not is_listed(engagement, publisher):
        return
    today = clock.today_iso()
    previous = before if before is not None and same_listing(before, engagement, publisher) else None
    _keep_announcement(engagement, previous, today)
    early = starts_early(before, engagement)
    if engagement.status == "planned":
        _check_planned(engagement, publisher, today, early,
                       previous is not None and not material_differences(previous, engagement))
    elif not early:
        _check_in_force(engagement, previous, publisher, today)


def _check_in_force(engagement: Engagement, previous: Engagement | None, publisher: Organisation,
                    today: str) -> None:
    """ValidationError when a listed engagement that is not planned (and has no early-start reason)
    takes effect before its notice: joining the list directly, or a plan turned active before the
    notice period of its announcement ends. ``previous``: the same listing before the write."""
    if previous is None:
        start = earliest_start(today, publisher.notice_days)
        if start > today:  # with no notice period promised, a change may start the day it is listed
            raise ValidationError(
                "a sub-processor joins a public list as a planned change: set the status to planned with the "
                f"date it takes effect, {start} or later ({_period(publisher)}), unless an admin records a reason "
                "for the early start", field="status")
    elif previous.status == "planned":
        win = window(engagement.announced_date or today, publisher.notice_days)
        if today < win.earliest_start:
            raise ValidationError(
                f"{_objections_until(win)}: the engagement can become active on {win.earliest_start} at the "
                "earliest, unless an admin records a reason for the early start", field="status")


def _keep_announcement(engagement: Engagement, before: Engagement | None, today: str) -> None:
    """A change is announced the day it first appears; an announcement cannot be taken back."""
    if before is not None and before.announced_date:
        if not engagement.announced_date:
            engagement.announced_date = before.announced_date
        elif engagement.announced_date < before.announced_date:
            raise ValidationError(f"this engagement was announced on {before.announced_date}; the announcement "
                                  "date cannot move earlier", field="announced_date")
    elif engagement.status == "planned":
        engagement.announced_date = today  # nobody could have read it on another day


def _check_planned(engagement: Engagement, publisher: Organisation, today: str, early: bool,
                   unchanged: bool) -> None:
    effective, announced = engagement.effective_date, engagement.announced_date or today
    if not effective:
        raise ValidationError("a planned engagement needs the date it takes effect", field="effective_date")
    if effective < announced:
        raise ValidationError(f"the effective date {effective} is before the announcement on "
                              f"{announced}: a change takes effect after it is announced",
                              field="effective_date")
    if effective < today:
        raise ValidationError(f"the effective date {effective} is in the past: a planned change takes effect "
                              f"today ({today}) or later", field="effective_date")
    if early:
        return
    # a material change to a planned engagement is announced again today
    win = window(announced if unchanged else today, publisher.notice_days)
    if effective < win.earliest_start:
        raise ValidationError(f"{_objections_until(win)}: the engagement can take effect on {win.earliest_start} "
                              "at the earliest, unless an admin records a reason for the early start",
                              field="effective_date")


def _objections_until(win: NoticeWindow) -> str:
    if win.deadline is None:
        return f"announced on {win.announced}"
    return f"customers may object until {win.deadline}"


def _period(publisher: Organisation) -> str:
    if publisher.notice_days is None:
        return "no notice period is set"
    return f"{publisher.notice_days} days' notice"


def needs_announcing(publisher: Organisation, engagement: Engagement) -> bool:
    """Whether ``publisher`` still has to announce the planned ``engagement`` (for what-if).

    False when it is already on the publisher's own list with an announcement date: that
    announcement is the notice. True for a planned engagement anywhere else.
    """
    if engagement.status != "planned":
        return False
    return not (is_listed(engagement, publisher) and engagement.announced_date)
