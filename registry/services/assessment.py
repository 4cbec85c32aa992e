"""One-hop assessment for the CLI and the API: JSON in, JSON out."""

from typing import Any

from .. import clock
from ..transfers.assess import assess_hop
from ..transfers.knowledge import load_knowledge_base
from ..transfers.request import parse_hop_request


def assess_json(data: Any) -> dict:
    """Assess the hop described by ``data`` (see README); ValidationError names a bad field.

    Without ``on`` in ``data`` the hop is assessed as of today.
    """
    return assess_hop(parse_hop_request(data, clock.today()), load_knowledge_base()).to_dict()
