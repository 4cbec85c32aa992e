"""A "Sub-processors and international transfers" section for a publisher's privacy policy.

Generated from the public listing only (``public_view.public_listing``), so it states
nothing the public page does not; transfers are the path assessment's answer
(``transfer_notes``), never a comparison with the publisher's own country. The notice
and objection sentences appear only when the publisher set a notice period. Markdown
first; HTML through the Markdown library. Every value from the registry is escaped for
both Markdown and HTML, so a vendor name cannot inject markup.
"""

from __future__ import annotations

import re

import markdown

from ..domain.countries import country_name
from .public_view import PublicEngagement, PublicListing

ROLE_WORDS = {"processor": "processor", "sub-processor": "sub-processor", "controller": "independent controller",
              "joint-controller": "joint controller"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|])")


def md(text: object) -> str:
    """``text`` safe inside a line of Markdown: inline markup characters backslash-escaped and
    angle brackets as entities (no raw HTML, no autolinks). Values never start a line, so
    block markers (``#``, ``-``, ``>``) need no escaping."""
    text = " ".join(str(text or "").split())
    return _MD_SPECIAL.sub(r"\\\1", text).replace("<", "&lt;").replace(">", "&gt;")


def _places(codes) -> str:
    return ", ".join(country_name(c) for c in codes) or "not recorded"


def _intro(listing: PublicListing, page_url: str | None) -> list[str]:
    who = md(listing.name) + (f" ({md(listing.legal_name)})" if listing.legal_name else "")
    out = [f"{who} engages the service providers below to process personal data on its behalf. "
           f"This list was last updated on {md(listing.last_updated or 'a date not recorded')}."]
    if page_url:
        out.append(f"The current list is published at <{page_url}>, where you can subscribe to changes.")
    if listing.notice_days is not None:
        out += ["", f"We announce a new sub-processor, and every material change of one, at least "
                    f"{listing.notice_days} days before it takes effect. Until the last day of that period you "
                    "may object to it."]
    return out + [""]


def _table(current: list[PublicEngagement]) -> list[str]:
    if not current:
        return ["We currently engage no sub-processors."]
    out = ["| Provider | Service | Provider's country | Data stored in | Accessed from | Safeguards |",
           "| --- | --- | --- | --- | --- | --- |"]
    for e in current:
        vendor = md(e.vendor) + (f" ({md(e.vendor_legal_name)})" if e.vendor_legal_name else "")
        country = country_name(e.vendor_country) if e.vendor_country else "not recorded"
        out.append(f"| {vendor} | {md(e.service or ROLE_WORDS.get(e.role, e.role))} | {md(country)} | "
                   f"{md(_places(e.store_countries))} | {md(_places(e.access_countries))} | "
                   f"{md('; '.join(s.words for s in e.safeguards) or 'none stated')} |")
    return out


def _planned(listing: PublicListing) -> list[str]:
    if not listing.planned:
        return []
    out = ["", "### Planned changes", ""]
    for e in listing.planned:
        for c in e.pending or ():
            deadline = f"; objections until {md(c.objection_deadline)}" if c.objection_deadline else ""
            out.append(f"- {md(c.summary)}: announced {md(c.date)}, takes effect {md(c.effective_date)}{deadline}.")
    return out


def _transfers(listing: PublicListing) -> list[str]:
    out = ["", "### International transfers", ""]
    lines = []
    for e in listing.engagements:
        where = f"data stored in: {_places(e.store_countries)}; accessed from: {_places(e.access_countries)}"
        notes = " ".join(t.sentence for t in e.transfers) or "No transfer rule known to the registry applies to it."
        when = f" (planned from {md(e.effective_date)})" if e.status == "planned" else ""
        lines.append(f"- {md(e.vendor)}{when}: {md(where)}. {md(notes)}")
    if not lines:
        return out + ["No provider is listed."]
    return out + ["For each provider: where it stores and accesses personal data, and whether that is a transfer "
                  "under each law that applies, with the basis it relies on.", ""] + lines


def policy_markdown(listing: PublicListing, page_url: str | None = None) -> str:
    """The section as Markdown for ``listing`` (a PublicListing)."""
    out = ["## Sub-processors and international transfers", ""]
    out += _intro(listing, page_url)
    out += _table(listing.current)
    out += _planned(listing)
    out += _transfers(listing)
    return "\n".join(out) + "\n"


def policy_html(listing: PublicListing, page_url: str | None = None) -> str:
    """The section as an HTML fragment (Markdown rendered with tables)."""
    return markdown.markdown(policy_markdown(listing, page_url), extensions=["tables"], output_format="html")
