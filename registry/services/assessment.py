"""One-hop assessment for the CLI and the API: JSON in, JSON out."""

from datetime import date

from ..transfers.assess import assess_hop
from ..transfers.knowledge import load_knowledge_base
from ..transfers.request import parse_hop_request


def assess_json(data):
    """Assess the hop described by ``data`` (see README); ValidationError names a bad field."""
    return assess_hop(parse_hop_request(data, date.today()), load_knowledge_base()).to_dict()
