"""The legal caveats a finding carries, as short labels a DPO sees next to it.

The knowledge base writes caveats into a rule's ``note`` (``registry/transfers/regimes``):
"unverified" where a fact was not confirmed against the source, "pending" where a
court case or an appeal could change the answer. A finding may also say so itself
with ``unverified`` / ``pending`` keys (later versions of the assessment).
"""

import re

_MARKERS = (("unverified", re.compile(r"\bunverified\b", re.I)),
            ("pending case", re.compile(r"\b(pending|appeal)\b", re.I)))


def caveats(finding: dict) -> list[str]:
    """The caveat labels of ``finding`` (a finding dict): e.g. ["unverified", "pending case"]."""
    text = " ".join(str(finding.get(k) or "") for k in ("note", "notes"))
    labels = [label for label, pattern in _MARKERS if pattern.search(text)]
    if finding.get("unverified") and "unverified" not in labels:
        labels.append("unverified")
    if finding.get("pending") and "pending case" not in labels:
        labels.append("pending case")
    return labels


def notes(finding: dict) -> list[str]:
    """The finding's caveat texts (``note``, or a list under ``notes``)."""
    out = [finding["note"]] if finding.get("note") else []
    extra = finding.get("notes") or []
    out += [extra] if isinstance(extra, str) else list(extra)
    return [n for n in out if n]
