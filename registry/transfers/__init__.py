"""Transfer law as data, and the assessment of one hop of personal data under it.

Pure Python: no Flask, no database. ``load_knowledge_base`` reads the regime files lazily
(on first call, then cached); ``parse_hop_request`` checks a JSON hop; ``assess_hop`` turns
it into findings.
"""

from registry.transfers.assess import Finding, HopAssessment, assess_hop
from registry.transfers.knowledge import KnowledgeBase, KnowledgeBaseError, Regime, Region, load_knowledge_base
from registry.transfers.request import Exporter, HopRequest, Importer, Subjects, parse_hop_request

__all__ = [
    "Exporter", "Finding", "HopAssessment", "HopRequest", "Importer", "KnowledgeBase", "KnowledgeBaseError",
    "Regime", "Region", "Subjects", "assess_hop", "load_knowledge_base", "parse_hop_request",
]
