"""A publisher's list as JSON, CSV and Atom, and the generated policy text.

All of them are built from ``publication.public_listing`` and nothing else. Atom
entry ids are ``tag:`` URIs made from the host, the entry's date and its key, so
they stay the same however often the feed is fetched.
"""

import csv
import io
from datetime import datetime, timezone
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator
from flask import current_app, render_template, request

from ..db import get_store
from ..domain.countries import country_name
from ..services import policy_text, publication
from . import bp
from .cache import rendered_once
from . import external_url as _external

CSV_COLUMNS = ("status", "vendor", "legal_entity", "vendor_country", "role", "service", "purposes",
               "data_categories", "stored_in", "accessed_from", "safeguards", "effective_date",
               "objection_deadline", "transfers")


def _place(code):
    """A country by name with its ISO code, for machine formats."""
    return f"{country_name(code)} ({code})"


def _listing(org):
    return publication.public_listing(get_store(), org)


def tag_authority():
    """The host the tag: ids are minted under (PUBLIC_BASE_URL's, else the request's)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    host = urlsplit(base).hostname if base else request.host.rsplit(":", 1)[0]
    return (host or "localhost").lower()


def entry_id(publisher_key, change):
    return f"tag:{tag_authority()},{change.date}:subprocessors/{publisher_key}/{change.key}"


def _json(data, status=200):
    body = current_app.json.dumps(data, indent=2, ensure_ascii=False)
    response = current_app.response_class(body + "\n", status=status, mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/<org>/subprocessors.json")
@rendered_once()
def as_json(org):
    listing = _listing(org)
    data = listing.to_dict()
    data["links"] = {"html": _external("public.page", org=org), "csv": _external("public.as_csv", org=org),
                     "atom": _external("public.as_atom", org=org),
                     "policy": _external("public.policy_html", org=org)}
    return _json(data)


def _cell(value):
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "; ".join(value) if isinstance(value, (list, tuple)) else ("" if value is None else str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.get("/<org>/subprocessors.csv")
@rendered_once()
def as_csv(org):
    listing = _listing(org)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in listing.engagements:
        writer.writerow([_cell(v) for v in (
            e.status, e.vendor, e.vendor_legal_name, _place(e.vendor_country) if e.vendor_country else "",
            e.role, e.service, e.purposes, e.categories, [_place(c) for c in e.store_countries],
            [_place(c) for c in e.access_countries], [f"{s.words} ({s.code})" for s in e.safeguards],
            e.effective_date, e.objection_deadline, [t.sentence for t in e.transfers])])
    response = current_app.response_class(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'inline; filename="{listing.key}-subprocessors.csv"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _moment(iso_date):
    return datetime.fromisoformat(iso_date).replace(tzinfo=timezone.utc)


def describe(change):
    """One change in plain sentences."""
    details = [change.summary.rstrip(".") + "." if change.summary else change.action_label + "."]
    if change.effective_date:
        details.append(f"Takes effect on {change.effective_date}.")
    if change.objection_deadline:
        details.append(f"Objections may be made until {change.objection_deadline}.")
    return " ".join(details)


@bp.get("/<org>/subprocessors.atom")
@rendered_once()
def as_atom(org):
    listing = _listing(org)
    page_url = _external("public.page", org=org)
    feed = FeedGenerator()
    feed.id(f"tag:{tag_authority()},2025:subprocessors/{listing.key}")
    feed.title(f"{listing.name}: sub-processor changes")
    notice = f", with {listing.notice_days} days' notice before a change takes effect" \
        if listing.notice_days is not None else ""
    feed.subtitle(f"Changes to the sub-processors of {listing.name}{notice}.")
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.link(href=_external("public.as_atom", org=org), rel="self", type="application/atom+xml")
    feed.author({"name": listing.name})
    feed.language("en")
    feed.updated(_moment(listing.changes[0].date if listing.changes else listing.last_updated or "2025-01-01"))
    for change in listing.changes:
        entry = feed.add_entry(order="append")
        entry.id(entry_id(listing.key, change))
        entry.title(f"{change.action_label}: {change.vendor}" if change.vendor else change.action_label)
        entry.updated(_moment(change.date))
        entry.published(_moment(change.date))
        entry.content(describe(change), type="text")
        entry.link(href=f"{page_url}#{change.key}", rel="alternate", type="text/html")
        entry.category(term=change.action, label=change.action_label)
    response = current_app.response_class(feed.atom_str(pretty=True), mimetype="application/atom+xml")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/<org>/policy.md")
@rendered_once()
def policy_md(org):
    listing = _listing(org)
    text = policy_text.policy_markdown(listing, _external("public.page", org=org))
    return current_app.response_class(text, mimetype="text/markdown")


@bp.get("/<org>/policy.html")
@rendered_once()
def policy_html(org):
    listing = _listing(org)
    fragment = policy_text.policy_html(listing, _external("public.page", org=org))
    return render_template("public/policy.html", listing=listing, fragment=fragment)
