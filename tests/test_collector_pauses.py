"""``without_collector_pauses``: the collector held off inside, what was made promoted unscanned after."""

import gc

import pytest

from registry.services.flows import without_collector_pauses


class _Made:
    """A container the collector tracks."""


@pytest.fixture(autouse=True)
def _collector_restored():
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    (gc.enable if enabled else gc.disable)()


def _generation_of(obj) -> int | None:
    return next((g for g in range(3) if any(o is obj for o in gc.get_objects(generation=g))), None)


def test_objects_made_inside_go_to_the_oldest_generation_and_the_collector_runs_again():
    gc.enable()
    with without_collector_pauses():
        assert not gc.isenabled()
        made = _Made()
        assert _generation_of(made) == 0
    assert gc.isenabled()
    assert _generation_of(made) == 2
    assert gc.get_freeze_count() == 0  # promoted, not frozen: a full collection still reaches it


def test_a_cycle_made_inside_is_still_collected_by_a_full_collection():
    gc.enable()
    with without_collector_pauses():
        cycle = _Made()
        cycle.me = cycle
    del cycle
    assert gc.collect() >= 1


def test_objects_someone_else_froze_stay_frozen():
    gc.enable()
    gc.freeze()
    frozen = gc.get_freeze_count()
    with without_collector_pauses():
        made = _Made()
    assert gc.get_freeze_count() == frozen
    assert gc.isenabled()
    assert _generation_of(made) in (0, 1)  # not promoted


def test_a_collector_switched_off_elsewhere_stays_off():
    gc.disable()
    with without_collector_pauses():
        made = _Made()
    assert not gc.isenabled()
    assert _generation_of(made) == 0
