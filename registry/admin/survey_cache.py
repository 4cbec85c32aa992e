"""The registry's findings for the admin pages and the gaps dashboard, computed in the
background, once per version.

The survey (``services.gaps.survey``) reads and assesses the whole registry: at 10,000
engagements that takes far longer than a page may (at 50,000, longer than a server lets a
request run). Its answer depends only on the registry's content, the day and the question
(the date it is asked for, whether planned engagements count), so it is kept per question
(``KEPT_SURVEYS`` of them) under (store location, newest audit record of each kind it reads,
day). A page asks for it and waits at most ``ADMIN_SURVEY_WAIT`` seconds
(app config, default 0.8, or ``None`` when testing: wait until done): a newer survey is
computed in a background thread meanwhile, and the page shows the previous one, marked
with its age, or says that the findings are still being computed. ``ADMIN_SURVEY = False``
turns the survey off (pages then show no findings), for a server that cannot afford it.
The survey runs in a child process (``ADMIN_SURVEY_PROCESS``, on unless testing), so the
threads serving pages do not compete with it for the interpreter lock. The child stays for
``ADMIN_SURVEY_KEEP`` seconds after its last survey (default 600) and then exits: while it
stays, its flow index and assessment memo are warm, so the survey after an edit costs about
half the first one; once it exits, its memory is returned.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import threading
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from flask import current_app

from .. import clock
from ..db import get_store
from ..services.flows import without_collector_pauses
from ..services.flows_cache import cached
from ..services.gaps import survey

log = logging.getLogger(__name__)
_lock = threading.Lock()
_done: dict = {}  # (where, on, planned) -> Snapshot (the newest finished survey), oldest question first
_running: dict = {}  # (where, on, planned) -> (version, threading.Event)
KEPT_SURVEYS = 3  # questions whose newest survey is kept (hundreds of MB each at 50,000 engagements)
OTHER_SURVEYS = 2  # surveys of other questions than today's running at once: the rest are refused


@dataclass(frozen=True)
class Snapshot:
    """A finished survey, the registry version it describes, and when it finished."""

    version: tuple
    survey: object
    finished_at: str


@dataclass(frozen=True)
class Findings:
    """What a page can show: ``survey`` (None while none exists), and whether it is current."""

    survey: Any
    current: bool
    as_of: str | None
    busy: bool = False  # no survey of this version was started: too many other questions are running


# The kinds the findings are computed from; writing a triage record or a user changes nothing here.
SURVEYED_KINDS = ("organisation", "subject_group", "category", "purpose", "collection", "engagement")


def _version(store) -> tuple:
    # Every write appends an audit record with a higher id: the newest ids name the content.
    newest = [store.audit_log(kind=kind, limit=1) for kind in SURVEYED_KINDS]
    return tuple(records[0].id if records else 0 for records in newest) + (clock.today_iso(),)


def _where(store) -> str:
    return str(getattr(store, "path", None) or getattr(store, "database", None) or id(store))


# What a child process needs to open the same store (see _survey_in_process).
STORE_SETTINGS = ("STORE", "SQLITE_PATH", "NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE",
                  "SECRET_KEY")


_child_apps: dict = {}  # in the child: settings -> its app, made once


def _survey_in_process(settings: dict, on: str, planned: bool) -> bytes:
    """The survey as of ``on``, computed in a child process on the store ``settings`` name, pickled.

    Pickled here, and unpickled by ``_run_survey``, with the cycle collector held off: a
    survey is millions of small objects, and the collections their allocation triggers made
    the hand-over cost more than the survey (5,000 / 50,000: 22 s to pickle, 29 s to
    unpickle in the serving process, holding the interpreter lock; measured 2,000 / 10,000:
    2.7 and 3.5 s with the collector on, 0.6 and 0.4 s off).
    """
    from .. import create_app
    key = tuple(sorted(settings.items()))
    app = _child_apps.get(key)
    if app is None:
        app = _child_apps[key] = create_app(settings)
    with app.app_context():
        found = survey(get_store(), on=on, include_planned=planned)
    with without_collector_pauses():
        return pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL)


@dataclass
class _Worker:
    """A child process kept for surveys, and the timer that ends it when idle."""

    pool: ProcessPoolExecutor
    timer: threading.Timer | None = None


_workers: dict[tuple, _Worker] = {}  # settings -> its child


def _retire(key, worker) -> None:
    with _lock:
        if _workers.get(key) is worker:
            del _workers[key]
    worker.pool.shutdown(wait=False)


def _in_child(settings: dict, keep: float, on: str, planned: bool):
    """Run the survey in the child process kept for ``settings`` (started when there is none)."""
    key = tuple(sorted(settings.items()))
    with _lock:
        found = _workers.get(key)
        worker: _Worker = found if found is not None else _Worker(ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn")))
        _workers[key] = worker
        if worker.timer is not None:
            worker.timer.cancel()
    try:
        return worker.pool.submit(_survey_in_process, settings, on, planned).result()
    except BrokenProcessPool:  # the child died (killed for memory, say): the next survey starts a new one
        _retire(key, worker)
        raise
    finally:
        with _lock:
            if _workers.get(key) is worker:
                worker.timer = threading.Timer(keep, _retire, (key, worker))
                worker.timer.daemon = True
                worker.timer.start()


def _run_survey(app, on: str, planned: bool):
    """The survey as of ``on``: in a child process (so that the pages' threads do not wait for the
    interpreter lock while it runs), or in this thread when ADMIN_SURVEY_PROCESS is off
    (the default when testing, where the registry is small and the clock may be frozen)."""
    in_process = app.config.get("ADMIN_SURVEY_PROCESS")
    if not (not app.testing if in_process is None else in_process):
        with app.app_context():
            return survey(get_store(), on=on, include_planned=planned)
    settings = {k: app.config[k] for k in STORE_SETTINGS if app.config.get(k) is not None}
    keep = app.config.get("ADMIN_SURVEY_KEEP")
    data = _in_child(settings, float(600 if keep is None else keep), on, planned)
    with without_collector_pauses():
        return pickle.loads(data)  # noqa: S301 -- our own child's survey, never outside input


def _compute(app, question, version, event):
    try:
        found = _run_survey(app, question[1], question[2])
        with _lock:
            _done.pop(question, None)
            _done[question] = Snapshot(version, found, clock.now_iso())
            while len(_done) > KEPT_SURVEYS:
                del _done[next(iter(_done))]
    except Exception:  # a failed survey must not take the pages down; the next request tries again
        log.exception("the findings survey failed")
    finally:
        with _lock:
            if _running.get(question, (None,))[0] == version:
                del _running[question]
        event.set()


def findings(store, on: str | None = None, planned: bool = False) -> Findings:
    """The newest survey of ``store`` as of ``on`` (today when None), with planned engagements or
    not: current if it finishes within the configured wait, else the previous one or none."""
    if not current_app.config.get("ADMIN_SURVEY", True):
        return Findings(None, False, None)
    today = clock.today_iso()
    question, version = (_where(store), on or today, bool(planned)), _version(store)
    with _lock:
        snapshot = _done.get(question)
        if snapshot is not None and snapshot.version == version:
            return Findings(snapshot.survey, True, snapshot.finished_at)
        running = _running.get(question)
        if running is None and question[1:] != (today, False) and sum(
                1 for other in _running if other[0] == question[0] and other[1:] != (today, False)) >= OTHER_SURVEYS:
            # Today's survey (the workspace's) waits in the child behind at most OTHER_SURVEYS others.
            return Findings(snapshot.survey if snapshot else None, False,
                            snapshot.finished_at if snapshot else None, busy=True)
        if running is None or running[0] != version:
            event = threading.Event()
            _running[question] = (version, event)
            thread = threading.Thread(target=_compute, args=(current_app._get_current_object(), question, version,  # type: ignore[attr-defined]
                                                             event), daemon=True, name="findings-survey")
            thread.start()
        else:
            event = running[1]
    wait = current_app.config.get("ADMIN_SURVEY_WAIT")
    event.wait(wait if wait is not None else (None if current_app.testing else 0.8))
    with _lock:
        snapshot = _done.get(question)
    if snapshot is None:
        return Findings(None, False, None)
    return Findings(snapshot.survey, snapshot.version == version, snapshot.finished_at)


def gaps(store, on: str, planned: bool) -> Findings:
    """The survey behind the gaps dashboard and ``/api/v1/gaps``: ``findings(store, on, planned)``;
    on a server with ADMIN_SURVEY off, computed in the request instead (kept per registry version)."""
    if current_app.config.get("ADMIN_SURVEY", True):
        return findings(store, on, planned)
    return Findings(cached(store, ("gaps", on, planned), lambda: survey(store, on=on, include_planned=planned)),
                    True, None)


_rows: dict = {}  # (id of survey, filters) -> rows; cleared when a newer survey replaces the old one


def rows(found: Findings, **filters) -> list:
    """``found.survey.rows(**filters)``, kept for as long as that survey is the newest.

    Grouping 10,000 engagements' findings takes about a second; the dashboard and the
    triage pages ask the same few questions again and again.
    """
    if found.survey is None:
        return []
    key = (id(found.survey), tuple(sorted((k, v) for k, v in filters.items() if v)))
    with _lock:
        hit = _rows.get(key)
    if hit is not None and hit[0] is found.survey:
        return hit[1]
    result = found.survey.rows(**filters)
    with _lock:
        kept = [snapshot.survey for snapshot in _done.values()]
        for stale in [k for k, (survey, _r) in _rows.items() if not any(survey is s for s in kept)]:
            del _rows[stale]
        if len(_rows) > 64:
            _rows.clear()
        _rows[key] = (found.survey, result)
    return result


_counts: dict = {}  # id(rows) -> (rows, engagements by status, findings by status)


def counts(rows: list) -> tuple[Counter, Counter]:
    """(engagements by worst status, findings by status) of ``rows`` (a ``rows()`` list), kept
    with it: at 50,000 engagements counting half a million findings took most of a second."""
    with _lock:
        hit = _counts.get(id(rows))
    if hit is not None and hit[0] is rows:
        return hit[1], hit[2]
    by_status = Counter(row.status for row in rows)
    findings = Counter(g.status for row in rows for g in row.findings)
    with _lock:
        live = {id(kept) for _survey, kept in _rows.values()}
        for stale in [k for k in _counts if k not in live]:
            del _counts[stale]
        _counts[id(rows)] = (rows, by_status, findings)
    return by_status, findings


_graphs: dict = {}  # where -> (version, engagements in force, organisations)


def in_force(store, found: Findings | None = None) -> tuple[list, dict]:
    """(engagements in force today, {key: organisation}) of ``store``, read once per registry
    version: the pictures draw from them, and reading 10,000 engagements takes most of a second.
    The survey's own copy is used when it is current (``found``: what ``findings`` gave)."""
    found = found or findings(store)
    if found.survey is not None and found.current:
        return list(found.survey.engagements.values()), found.survey.organisations
    where, version = _where(store), _version(store)
    with _lock:
        hit = _graphs.get(where)
    if hit is not None and hit[0] == version:
        return hit[1], hit[2]
    today = clock.today_iso()
    engagements = [e for e in store.list("engagement") if e.in_force(today)]
    organisations = {o.key: o for o in store.list("organisation")}
    with _lock:
        _graphs[where] = (version, engagements, organisations)
    return engagements, organisations
