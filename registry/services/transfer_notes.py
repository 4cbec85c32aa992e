"""What the public is told about transfers: the path assessment's answer, in words.

For each listed engagement, one note per regime from the assessment's transfer finding
(``gaps.findings_by_engagement``): not a transfer, a transfer on a basis (adequacy,
safeguards in place, an exemption), or unknown because a location is not recorded.
Nothing is called a transfer that the assessment calls no transfer, and nothing is
computed here against the publisher's own country.
"""

from __future__ import annotations

from dataclasses import dataclass

from .wording import basis_words, regime_name, safeguard_words

UNKNOWN_BASES = ("unknown-location", "missing-fact")


@dataclass(frozen=True)
class TransferNote:
    """One regime's answer for one engagement: ``kind`` is transfer, no-transfer or unknown."""

    regime: str
    kind: str
    basis: str
    in_place: tuple = ()

    @property
    def regime_name(self) -> str:
        return regime_name(self.regime)

    @property
    def safeguards(self) -> tuple:
        return tuple(safeguard_words(code) for code in self.in_place)

    @property
    def sentence(self) -> str:
        """The note as one sentence for pages, policy text and mails."""
        name = self.regime_name
        if self.kind == "no-transfer":
            return f"Not a transfer under the {name}."
        if self.kind == "unknown":
            return f"Whether this is a transfer under the {name} is unknown: a location is not recorded."
        if self.basis == "adequacy":
            return f"A transfer under the {name}, on the basis of an adequacy decision."
        if self.basis == "mechanism":
            if not self.safeguards:
                return f"A transfer under the {name}; none of the safeguards recorded covers it."
            return f"A transfer under the {name}, relying on: {'; '.join(self.safeguards)}."
        return f"A transfer under the {name}, on the basis of {basis_words(self.basis)}."

    def to_dict(self) -> dict:
        return {"regime": self.regime, "regime_name": self.regime_name, "kind": self.kind, "basis": self.basis,
                "basis_words": basis_words(self.basis),
                "safeguards": [{"code": c, "name": safeguard_words(c)} for c in self.in_place]}


def note_of(finding: dict) -> TransferNote:
    """The note for one transfer finding (a finding dict with ``rule`` == "transfer")."""
    basis = finding.get("basis") or ""
    if basis == "no-transfer":
        kind = "no-transfer"
    elif basis in UNKNOWN_BASES or finding.get("status") == "unknown":
        kind = "unknown"
    else:
        kind = "transfer"
    return TransferNote(regime=finding["regime"], kind=kind, basis=basis,
                        in_place=tuple(finding.get("in_place") or ()))


def transfer_notes(store, engagements: list) -> dict[str, tuple[TransferNote, ...]]:
    """{engagement key: notes, by regime} for ``engagements`` (listed ones, planned included)."""
    if not engagements:
        return {}
    from .gaps import findings_by_engagement
    found = findings_by_engagement(store, include_planned=True, engagements=engagements)
    out = {}
    for key, findings in found.items():
        notes = {f["regime"]: note_of(f) for f in findings if f.get("rule", "transfer") == "transfer"}
        out[key] = tuple(notes[r] for r in sorted(notes))
    return out
