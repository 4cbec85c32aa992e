"""A unit of work that deadlocks is run again after a jittered pause, within a time budget."""

import time

import pytest

from registry.domain.errors import StoreBusy
from registry.store import base


def test_a_deadlocked_service_runs_again_until_it_goes_through():
    tries = []

    @base.retrying
    def service():
        tries.append(time.monotonic())
        if len(tries) < 5:
            raise StoreBusy("graph database busy; try again shortly")
        return "done"

    assert service() == "done"
    assert len(tries) == 5
    pauses = [b - a for a, b in zip(tries, tries[1:])]
    assert all(p >= base.BUSY_FIRST_PAUSE * 0.5 for p in pauses)


def test_a_service_that_stays_busy_gives_up_after_the_budget(monkeypatch):
    monkeypatch.setattr(base, "BUSY_BUDGET", 0.3)
    tries = []

    @base.retrying
    def service():
        tries.append(1)
        raise StoreBusy("graph database busy; try again shortly")

    started = time.monotonic()
    with pytest.raises(StoreBusy):
        service()
    assert 2 < len(tries) < 20
    assert time.monotonic() - started < 0.3 + base.BUSY_MAX_PAUSE


def test_other_errors_are_not_retried():
    tries = []

    @base.retrying
    def service():
        tries.append(1)
        raise ValueError("no")

    with pytest.raises(ValueError):
        service()
    assert tries == [1]
