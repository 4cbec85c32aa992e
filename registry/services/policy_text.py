"""A "Sub-processors and international transfers" section for a publisher's privacy policy.

Generated from the public listing only (``publication.public_listing``), so it states
nothing the public page does not. Markdown first; HTML through the Markdown library.
Every value from the registry is escaped for both Markdown and HTML, so a vendor name
cannot inject markup.
"""

import re

import markdown

from ..domain.countries import country_name

SAFEGUARD_LABELS = {
    "scc:1": "EU Standard Contractual Clauses, module 1 (controller to controller)",
    "scc:2": "EU Standard Contractual Clauses, module 2 (controller to processor)",
    "scc:3": "EU Standard Contractual Clauses, module 3 (processor to processor)",
    "scc:4": "EU Standard Contractual Clauses, module 4 (processor to controller)",
    "dpf": "EU-U.S. Data Privacy Framework certification",
    "uk-idta": "UK International Data Transfer Agreement",
    "uk-addendum": "UK Addendum to the EU Standard Contractual Clauses",
    "bcr": "Binding Corporate Rules",
    "tia": "transfer impact assessment",
    "tra": "transfer risk assessment",
    "ch-swiss-adaptations": "Swiss adaptations of the Standard Contractual Clauses",
    "local-primary-copy": "primary copy kept in the country of origin",
}
ROLE_WORDS = {"processor": "processor", "sub-processor": "sub-processor", "controller": "independent controller",
              "joint-controller": "joint controller"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|])")


def md(text):
    """``text`` safe inside a line of Markdown: inline markup characters backslash-escaped and
    angle brackets as entities (no raw HTML, no autolinks). Values never start a line, so
    block markers (``#``, ``-``, ``>``) need no escaping."""
    text = " ".join(str(text or "").split())
    return _MD_SPECIAL.sub(r"\\\1", text).replace("<", "&lt;").replace(">", "&gt;")


def safeguard_label(code):
    return SAFEGUARD_LABELS.get(code, code)


def _countries(codes):
    return ", ".join(country_name(c) for c in codes) or "not stated"


def _transfers(listing):
    """Lines (vendor, countries abroad, safeguard codes, planned date) for engagements whose
    vendor stores or accesses data outside the publisher's country; duplicates merged."""
    out = []
    for e in listing.engagements:
        abroad = sorted({c for c in e.store_countries + e.access_countries if c != listing.country})
        line = (e.vendor, tuple(abroad), tuple(e.safeguards), e.effective_date if e.status == "planned" else None)
        if abroad and line not in out:
            out.append(line)
    return out


def policy_markdown(listing, page_url=None):
    """The section as Markdown for ``listing`` (a PublicListing)."""
    who = md(listing.name) + (f" ({md(listing.legal_name)})" if listing.legal_name else "")
    out = ["## Sub-processors and international transfers", ""]
    current = [e for e in listing.engagements if e.status == "active"]
    out.append(f"{who} engages the service providers below to process personal data on its behalf. "
               f"This list was last updated on {md(listing.last_updated or 'a date not recorded')}.")
    if page_url:
        out.append(f"The current list is published at <{page_url}>, where you can subscribe to changes.")
    out += ["", f"We announce a new sub-processor at least {listing.notice_days} days before it starts "
                "processing personal data. Until the end of that period you may object to it.", ""]
    if current:
        out += ["| Provider | Service | Provider's country | Data stored in | Accessed from | Safeguards |",
                "| --- | --- | --- | --- | --- | --- |"]
        for e in current:
            vendor = md(e.vendor) + (f" ({md(e.vendor_legal_name)})" if e.vendor_legal_name else "")
            out.append(f"| {vendor} | {md(e.service or ROLE_WORDS.get(e.role, e.role))} | "
                       f"{md(country_name(e.vendor_country))} | {md(_countries(e.store_countries))} | "
                       f"{md(_countries(e.access_countries))} | "
                       f"{md(', '.join(safeguard_label(s) for s in e.safeguards) or 'none stated')} |")
    else:
        out.append("We currently engage no sub-processors.")
    if listing.planned:
        out += ["", "### Planned changes", ""]
        for e in listing.planned:
            out.append(f"- {md(e.vendor)}, {md(e.service or ROLE_WORDS.get(e.role, e.role))}: from "
                       f"{md(e.effective_date or 'a date to be announced')}; objections until "
                       f"{md(e.objection_deadline or 'the date it starts')}.")
    out += ["", "### International transfers", ""]
    transfers = _transfers(listing)
    if not transfers:
        out.append("None of the providers above stores or accesses personal data outside "
                   f"{md(country_name(listing.country))}, as far as this list records.")
    else:
        out.append(f"Some providers store or access personal data outside {md(country_name(listing.country))}. "
                   "Each such transfer relies on the safeguards listed:")
        out.append("")
        for vendor, places, codes, planned in transfers:
            safeguards = ", ".join(safeguard_label(s) for s in codes) or "no safeguard recorded"
            when = f" (planned from {md(planned)})" if planned else ""
            out.append(f"- {md(vendor)}{when}, {md(_countries(places))}: {md(safeguards)}.")
    return "\n".join(out) + "\n"


def policy_html(listing, page_url=None):
    """The section as an HTML fragment (Markdown rendered with tables)."""
    return markdown.markdown(policy_markdown(listing, page_url), extensions=["tables"], output_format="html")
