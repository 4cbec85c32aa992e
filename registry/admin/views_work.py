"""The DPO's day: the dashboard, and triage of findings (owner, due date, accepted risk)."""

import csv
import io
from collections.abc import Mapping
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import clock
from ..auth import role_required
from ..db import get_store
from ..domain.errors import Conflict, ValidationError
from ..domain.findings import STATUS_ORDER
from ..domain.model import TRIAGE_STATES, Engagement, Triage
from ..services import objects
from ..services.gaps import GAP_STATUSES, check_filters
from ..services.notice import objection_deadline
from ..services.objections import recent as recent_objections
from ..store.base import Store
from . import bp, search
from .forms import TriageForm
from .names import names_for
from .survey_cache import findings as survey_findings
from .survey_cache import counts as survey_counts
from .survey_cache import rows as survey_rows
from .views import KIND_UI, audit_names, page_window

TRIAGE_PER_PAGE = 20
CLOSED_STATES = ("accepted-risk", "resolved")


@bp.route("/")
@role_required("viewer")
def dashboard():
    """The DPO's overview: counts, findings, work to triage or overdue, planned engagements with
    their objection deadlines, open objections and recent changes."""
    store = get_store()
    today = clock.today_iso()
    counts = {slug: store.count(ui["kind"]) for slug, ui in KIND_UI.items()}
    state = survey_findings(store)
    rows = survey_rows(state)
    triage = {t.key: t for t in store.list("triage")}
    by_status, findings = survey_counts(rows)
    untriaged, overdue = _first_work(rows, triage, today)
    planned, planned_total = store.page("engagement", filters={"status": "planned"}, sort="effective_date", limit=15)
    objections = recent_objections(store, limit=10, statuses=("open",))
    recent, _total = store.audit_page(limit=12)
    names = _dashboard_names(store, planned, [r.key for r in untriaged] + [t.key for t in overdue], objections)
    deadlines = _objection_deadlines(store, planned)
    return render_template("admin/dashboard.html", counts=counts, kinds=KIND_UI, by_status=by_status,
                           findings=findings, statuses=GAP_STATUSES, untriaged=untriaged, overdue=overdue,
                           open_rows=len(rows), triaged=sum(1 for r in rows if r.key in triage),
                           planned=planned, planned_total=planned_total, deadlines=deadlines,
                           objections=objections, recent=recent, names=names, today=today,
                           recent_names=audit_names(store, recent), survey_state=state)


def _first_work(rows: list, triage: dict[str, Triage], today: str) -> tuple[list, list[Triage]]:
    """The first ten survey rows nobody has triaged, and the ten triage records longest overdue."""
    untriaged = [row for row in rows if row.key not in triage][:10]
    overdue = sorted((t for t in triage.values() if _is_overdue(t, today)), key=lambda t: t.due_date or "")[:10]
    return untriaged, overdue


def _is_overdue(record: Triage, today: str) -> bool:
    """Whether a triage record is still open past its due date."""
    return bool(record.state not in CLOSED_STATES and record.due_date and record.due_date < today)


def _dashboard_names(store: Any, planned: list[Engagement], engagement_keys: list[str],
                     objections: list[tuple]) -> dict[str, dict[str, str]]:
    """The display names the dashboard needs: the planned engagements, the engagements listed by key,
    and the engagements objected to with their exporters."""
    names = names_for(store, planned, extra={"engagement": engagement_keys
                                             + [o.engagement for o, _e, _c in objections]})
    names.setdefault("organisation", {}).update(
        {o.key: o.label for o in store.find_many("organisation", {e.exporter for _o, e, _c in objections if e})})
    return names


def _objection_deadlines(store: Any, planned: list[Engagement]) -> dict[str, str | None]:
    """{engagement key: last day to object} for the announced planned engagements of publishers."""
    publishers = {o.key: o for o in store.find_many("organisation", {e.exporter for e in planned})}
    return {e.key: objection_deadline(e.announced_date, publishers[e.exporter].notice_days)
            for e in planned if e.announced_date and e.exporter in publishers
            and publishers[e.exporter].publisher}


Problem = tuple[str | None, str]  # (the field at fault, if any; the message)


def _resolve_organisations(store: Store, raw: dict, problems: list[Problem]) -> None:
    """Replace the organisations typed by name in ``raw`` by their keys; a name that matches no
    single organisation becomes a problem and no filter."""
    for name in ("organisation", "publisher"):
        if raw.get(name):
            key, _candidates = search.resolve_organisation(store, raw[name])
            if key:
                raw[name] = key
            else:
                problems.append((name, f"{name}: no single organisation is called {raw[name]!r}"))
                raw[name] = None


def _resolve_category(store: Store, raw: dict) -> None:
    """Replace a category typed by name in ``raw`` by its key when the name points at one category
    (or one category and those below it); otherwise leave it for ``check_filters`` to refuse."""
    if raw.get("category") and store.find("category", raw["category"]) is None:
        keys = search.categories_named(store, raw["category"])
        raw["category"] = keys[0] if len(keys) >= 1 and all(k.startswith(keys[0]) for k in keys) else raw["category"]


def _triage_filters(store: Store, args: Mapping[str, str]) -> tuple[dict, str, list[Problem]]:
    """(filters for Survey.rows, triage state, problems): organisations typed by name resolved."""
    raw: dict = dict(args)
    problems: list[Problem] = []
    _resolve_organisations(store, raw, problems)
    _resolve_category(store, raw)
    try:
        filters = check_filters(store, raw)
    except ValidationError as exc:
        problems.append((exc.field, exc.message))
        filters = {}
    state = raw.get("state") or ""
    if state and state not in TRIAGE_STATES + ("untriaged", "overdue"):
        problems.append(("state", f"state must be one of {', '.join(TRIAGE_STATES)}, untriaged or overdue"))
        state = ""
    return filters, state, problems


def _in_state(rows: list, triage: dict[str, Triage], state: str) -> list:
    """The survey rows whose triage is in ``state`` (a triage state, "untriaged" or "overdue"; "": all)."""
    if not state:
        return rows
    if state == "untriaged":
        return [r for r in rows if r.key not in triage]
    today = clock.today_iso()
    return [r for r in rows if r.key in triage and _triage_in(triage[r.key], state, today)]


def _triage_in(record: Triage, state: str, today: str) -> bool:
    """Whether a triage record is in ``state``, a triage state or "overdue"."""
    return _is_overdue(record, today) if state == "overdue" else record.state == state


def _triaged_rows(store: Store, args: Mapping[str, str]) -> tuple[list, dict[str, Triage], list[Problem], Any]:
    """(survey rows matching the filters and triage state in ``args``, triage records by engagement key,
    problems with ``args``, the survey state); no rows when there are problems."""
    filters, state, problems = _triage_filters(store, args)
    found = survey_findings(store)
    rows = survey_rows(found, **filters) if not problems else []
    triage = {t.key: t for t in store.list("triage")}
    return _in_state(rows, triage, state), triage, problems, found


@bp.route("/triage")
@role_required("viewer")
def triage():
    store = get_store()
    rows, triage_records, problems, found = _triaged_rows(store, request.args)
    page = request.args.get("page", 1, type=int) or 1
    page, pages, first, last = page_window(len(rows), page, TRIAGE_PER_PAGE)
    shown = rows[first - 1:last] if rows else []
    names = names_for(store, [r.engagement for r in shown])
    from ..transfers.knowledge import load_knowledge_base
    return render_template("admin/triage.html", rows=shown, total=len(rows), page=page, pages=pages, first=first,
                           last=last, triage=triage_records, names=names,
                           problems=[message for _field, message in problems],
                           args=request.args.to_dict(), statuses=GAP_STATUSES, states=TRIAGE_STATES,
                           regimes=sorted(load_knowledge_base().ids), today=clock.today_iso(),
                           severity=STATUS_ORDER, survey_state=found), 400 if problems else 200


CSV_COLUMNS = ("engagement", "exporter", "importer", "worst", "status", "regime", "rule", "missing", "caveat",
               "triage_state", "owner", "due_date", "reason", "explanation", "citation")


def _cell(value):
    """A CSV cell a spreadsheet will not run as a formula (as services.gaps writes them)."""
    text = str(value if value is not None else "")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.route("/triage.csv")
@role_required("viewer")
def triage_csv():
    """The filtered triage list as CSV: one line per engagement and finding, with its triage."""
    store = get_store()
    rows, triage_records, problems, found = _triaged_rows(store, request.args)
    if not found.current:
        problems.append((None, "the findings are still being computed; try again in a minute"))
    if problems:
        raise _problems_error(problems)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerows(_csv_lines(row, triage_records.get(row.key)))
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=triage.csv"})


def _problems_error(problems: list[Problem]) -> ValidationError:
    """One ValidationError for all ``problems``, naming the first field at fault."""
    fields = [name for name, _message in problems if name]
    errors: dict[str, list[str]] = {}
    for name, message in problems:
        if name:
            errors.setdefault(name, []).append(message)
    return ValidationError("; ".join(message for _name, message in problems),
                           field=fields[0] if fields else None, errors=errors)


def _csv_lines(row: Any, record: Triage | None) -> list[list[str]]:
    """The CSV lines of one survey row: one per finding, each with the engagement's triage."""
    triage_cells = (record.state, record.owner, record.due_date or "", record.reason) if record \
        else ("untriaged", "", "", "")
    lines = []
    for group in row.findings:
        f = group.finding
        lines.append([_cell(v) for v in (
            row.key, row.engagement.exporter, row.engagement.importer, row.status, f["status"], f["regime"],
            f.get("rule", ""), " ".join(f.get("missing") or []), f.get("note", ""),
            *triage_cells, f.get("explanation", ""), f.get("citation", ""))])
    return lines


def _saved(store: Store, key: str, existing: Triage | None, form: TriageForm) -> bool:
    """Create or update the triage of engagement ``key`` from a valid ``form``; False, with the
    service's errors on the form, when the service refuses."""
    data = form.to_data()
    data.update(key=key, engagement=key)
    try:
        if existing is None:
            objects.create(store, current_user.username, "triage", data)
        else:
            objects.update(store, current_user.username, "triage", key, data, int(form.version.data or 0))
    except (ValidationError, Conflict) as exc:
        from .views import _apply_errors
        _apply_errors(form, exc)
        return False
    return True


def _back_url() -> str:
    """Where to go after saving: the admin page named by ``back``, else the triage list."""
    back = request.args.get("back") or ""
    return back if back.startswith("/admin/") else url_for("admin.triage")


@bp.route("/triage/<key>", methods=["GET", "POST"])
@role_required("editor")
def triage_edit(key):
    """Set the owner, due date and state of one engagement's findings (audited like every write)."""
    store = get_store()
    engagement = store.get("engagement", key)
    existing = store.find("triage", key)
    form = TriageForm.for_object(existing) if existing and request.method == "GET" else TriageForm()
    if form.validate_on_submit() and _saved(store, key, existing, form):
        flash("Triage saved.")
        return redirect(_back_url())
    found = survey_findings(store)
    findings = found.survey.findings(key) if found.survey else []
    names = names_for(store, [engagement])
    return render_template("admin/triage_edit.html", form=form, engagement=engagement, existing=existing,
                           findings=findings, names=names,
                           history=store.audit_log(kind="triage", key=key, limit=20)), \
        400 if form.errors or form.form_errors else 200
