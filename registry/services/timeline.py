"""Dates that must agree with an engagement's status and with today (``clock``).

An active engagement has taken effect (unless an admin recorded an early start); nothing
was signed or announced in the future. An ended engagement may end later: that is an
announced removal, in force until its end date (``Engagement.in_force``). The admin forms call this before a write so that the
message appears next to the field; the service layer may call it for every writer.
"""

from __future__ import annotations

from .. import clock
from ..domain.errors import ValidationError


def check_dates(engagement, today: str | None = None) -> None:
    """ValidationError (naming the field) when a date contradicts the status or lies ahead."""
    today = today or clock.today_iso()
    # An early start (an admin's recorded reason) is active before its planned date on purpose;
    # an "ended" engagement with a later end date is an announced removal, in force until then.
    if engagement.status == "active" and engagement.effective_date and engagement.effective_date > today \
            and not (engagement.early_start_reason or "").strip():
        raise ValidationError(f"an active engagement has already taken effect: {engagement.effective_date} is "
                              "in the future (make it planned until then)", field="effective_date")
    if engagement.announced_date and engagement.announced_date > today:
        raise ValidationError(f"the announcement date {engagement.announced_date} is in the future",
                              field="announced_date")
    for safeguard in engagement.safeguards:
        if safeguard.get("signed_on") and safeguard["signed_on"] > today:
            raise ValidationError(f"{safeguard['code']} cannot have been signed on {safeguard['signed_on']}, "
                                  "which is in the future", field="safeguards")


def started_today(engagement, before) -> None:
    """A planned engagement that becomes active before its planned date takes effect today:
    the date it carries is when data starts to flow (``Engagement.in_force`` reads it)."""
    today = clock.today_iso()
    if engagement.status == "active" and before is not None and before.status == "planned" \
            and engagement.effective_date and engagement.effective_date > today:
        engagement.effective_date = today
