"""The DPO's day: the dashboard, and triage of findings (owner, due date, accepted risk)."""

import csv
import io
from collections import Counter

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import clock
from ..auth import role_required
from ..db import get_store
from ..domain.errors import Conflict, ValidationError
from ..domain.findings import STATUS_ORDER
from ..domain.model import TRIAGE_STATES
from ..services import objects
from ..services.gaps import GAP_STATUSES, check_filters
from ..services.notice import objection_deadline
from ..services.objections import recent as recent_objections
from . import bp, search
from .forms import TriageForm
from .names import names_for
from .survey_cache import findings as survey_findings
from .survey_cache import rows as survey_rows
from .views import KIND_UI, audit_names, page_window

TRIAGE_PER_PAGE = 20
CLOSED_STATES = ("accepted-risk", "resolved")


@bp.route("/")
@role_required("viewer")
def dashboard():
    store = get_store()
    today = clock.today_iso()
    counts = {slug: store.count(ui["kind"]) for slug, ui in KIND_UI.items()}
    state = survey_findings(store)
    rows = survey_rows(state)
    triage = {t.key: t for t in store.list("triage")}
    by_status = Counter(row.status for row in rows)
    findings = Counter(g.status for row in rows for g in row.findings)
    untriaged = [row for row in rows if row.key not in triage][:10]
    overdue = sorted((t for t in triage.values() if t.state not in CLOSED_STATES and t.due_date
                      and t.due_date < today), key=lambda t: t.due_date)[:10]
    planned, planned_total = store.page("engagement", filters={"status": "planned"}, sort="effective_date", limit=15)
    objections = recent_objections(store, limit=10, statuses=("open",))
    recent, _total = store.audit_page(limit=12)
    names = names_for(store, planned, extra={"engagement": [r.key for r in untriaged] + [t.key for t in overdue]
                                             + [o.engagement for o, _e, _c in objections]})
    names.setdefault("organisation", {}).update(
        {o.key: o.label for o in store.find_many("organisation", {e.exporter for _o, e, _c in objections if e})})
    publishers = {o.key: o for o in store.find_many("organisation", {e.exporter for e in planned})}
    deadlines = {e.key: objection_deadline(e.announced_date, publishers[e.exporter].notice_days)
                 for e in planned if e.announced_date and e.exporter in publishers
                 and publishers[e.exporter].publisher}
    return render_template("admin/dashboard.html", counts=counts, kinds=KIND_UI, by_status=by_status,
                           findings=findings, statuses=GAP_STATUSES, untriaged=untriaged, overdue=overdue,
                           open_rows=len(rows), triaged=sum(1 for r in rows if r.key in triage),
                           planned=planned, planned_total=planned_total, deadlines=deadlines,
                           objections=objections, recent=recent, names=names, today=today,
                           recent_names=audit_names(store, recent), survey_state=state)


def _triage_filters(store, args):
    """(filters for Survey.rows, triage state, problems): organisations typed by name resolved."""
    raw, problems = dict(args), []
    for name in ("organisation", "publisher"):
        if raw.get(name):
            key, candidates = search.resolve_organisation(store, raw[name])
            if key:
                raw[name] = key
            else:
                problems.append(f"{name}: no single organisation is called {raw[name]!r}")
                raw[name] = None
    if raw.get("category") and store.find("category", raw["category"]) is None:
        keys = search.categories_named(store, raw["category"])
        raw["category"] = keys[0] if len(keys) >= 1 and all(k.startswith(keys[0]) for k in keys) else raw["category"]
    try:
        filters = check_filters(store, raw)
    except ValidationError as exc:
        problems.append(exc.message)
        filters = {}
    state = raw.get("state") or ""
    if state and state not in TRIAGE_STATES + ("untriaged", "overdue"):
        problems.append(f"state must be one of {', '.join(TRIAGE_STATES)}, untriaged or overdue")
        state = ""
    return filters, state, problems


def _triaged_rows(store, args):
    filters, state, problems = _triage_filters(store, args)
    found = survey_findings(store)
    rows = survey_rows(found, **filters) if not problems else []
    triage = {t.key: t for t in store.list("triage")}
    today = clock.today_iso()
    if state == "untriaged":
        rows = [r for r in rows if r.key not in triage]
    elif state == "overdue":
        rows = [r for r in rows if r.key in triage and triage[r.key].state not in CLOSED_STATES
                and triage[r.key].due_date and triage[r.key].due_date < today]
    elif state:
        rows = [r for r in rows if r.key in triage and triage[r.key].state == state]
    return rows, triage, problems, found


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
                           last=last, triage=triage_records, names=names, problems=problems,
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
        problems.append("the findings are still being computed; try again in a minute")
    if problems:
        return {"error": "; ".join(problems), "status": 400}, 400
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        t = triage_records.get(row.key)
        for group in row.findings:
            f = group.finding
            writer.writerow([_cell(v) for v in (
                row.key, row.engagement.exporter, row.engagement.importer, row.status, f["status"], f["regime"],
                f.get("rule", ""), " ".join(f.get("missing") or []), f.get("note", ""),
                t.state if t else "untriaged", t.owner if t else "", (t.due_date or "") if t else "",
                t.reason if t else "", f.get("explanation", ""), f.get("citation", ""))])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=triage.csv"})


@bp.route("/triage/<key>", methods=["GET", "POST"])
@role_required("editor")
def triage_edit(key):
    """Set the owner, due date and state of one engagement's findings (audited like every write)."""
    store = get_store()
    engagement = store.get("engagement", key)
    existing = store.find("triage", key)
    form = TriageForm.for_object(existing) if existing and request.method == "GET" else TriageForm()
    if form.validate_on_submit():
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
        else:
            flash("Triage saved.")
            return redirect(request.args.get("back") if (request.args.get("back") or "").startswith("/admin/")
                            else url_for("admin.triage"))
    found = survey_findings(store)
    findings = found.survey.findings(key) if found.survey else []
    names = names_for(store, [engagement])
    return render_template("admin/triage_edit.html", form=form, engagement=engagement, existing=existing,
                           findings=findings, names=names,
                           history=store.audit_log(kind="triage", key=key, limit=20)), \
        400 if form.errors or form.form_errors else 200
