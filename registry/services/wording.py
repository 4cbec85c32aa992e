"""Codes in words for public outputs: safeguards, transfer bases and regimes.

Every public format (page, JSON, CSV, Atom, policy text, mail) shows a safeguard code
through ``safeguard_words`` and a regime through ``regime_name``; machine formats keep
the code beside the words.
"""

from __future__ import annotations

from functools import lru_cache

from ..domain.codes import meaning

BASIS_WORDS = {
    "adequacy": "adequacy decision",
    "mechanism": "appropriate safeguards",
    "exemption": "an exemption",
    "no-transfer": "no transfer",
    "unknown-location": "unknown: the locations are not recorded",
    "missing-fact": "unknown: a fact is not recorded",
}


# Where the vocabulary's meaning speaks to the registry's users rather than the public.
PUBLIC_WORDS = {"dpf": "EU-U.S. Data Privacy Framework certification"}


def safeguard_words(code: str) -> str:
    """``code`` (e.g. ``scc:2``) in words, from the one vocabulary (``domain.codes``); an unknown
    code is shown as it is."""
    return PUBLIC_WORDS.get(code) or meaning(code) or code


def basis_words(basis: str) -> str:
    """A finding's basis in words."""
    return BASIS_WORDS.get(basis, basis.replace("-", " "))


@lru_cache(maxsize=1)
def _regime_names() -> dict[str, str]:
    from ..transfers.knowledge import load_knowledge_base
    return {r.id: r.name for r in load_knowledge_base().regimes}


def regime_name(regime_id: str) -> str:
    """The regime's name (``eu-gdpr`` as the EU GDPR's full name)."""
    return _regime_names().get(regime_id, regime_id)
