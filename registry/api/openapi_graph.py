"""The OpenAPI description of the graph questions: ``/api/v1/paths`` and ``/api/v1/gaps``.

Kept next to ``openapi.py`` and written from the answers' ``to_dict`` shapes; a test
validates live answers against it (tests/test_api_graph_schema.py).
"""

from ..domain.findings import STATUS_ORDER
from ..services.paths import MAX_DEPTH_BOUND, MAX_LIMIT

STATUS = {"type": "string", "enum": sorted(STATUS_ORDER, key=lambda status: STATUS_ORDER[status])}
STRINGS = {"type": "array", "items": {"type": "string"}}
NULLABLE_STRING = {"type": ["string", "null"]}

FINDING = {"type": "object", "required": ["regime", "rule", "status", "basis", "citation", "explanation"],
           "properties": {"regime": {"type": "string"}, "rule": {"type": "string"}, "status": STATUS,
                          "basis": {"type": "string"}, "options": {"type": "array", "items": STRINGS},
                          "in_place": STRINGS, "missing": STRINGS, "citation": {"type": "string"},
                          "explanation": {"type": "string"}, "note": {"type": "string"}}}
CONTEXT = {"type": "object", "required": ["subject_group", "exporter_role", "regimes", "returning", "collected_in"],
           "properties": {"subject_group": {"type": "string"}, "exporter_role": {"type": "string"},
                          "regimes": STRINGS, "returning": {"type": "boolean"}, "collected_in": STRINGS,
                          "category": NULLABLE_STRING, "paths": {"type": "integer"}},
           "description": "the upstream context a hop is crossed in"}
HOP = {"type": "object",
       "required": ["id", "engagement", "exporter", "importer", "status", "context", "depth", "paths", "assessment"],
       "properties": {"id": {"type": "string"}, "engagement": {"type": "string"}, "exporter": {"type": "string"},
                      "importer": {"type": "string"}, "status": STATUS, "engagement_status": {"type": "string"},
                      "importer_role": {"type": "string"}, "importer_country": NULLABLE_STRING,
                      "store_countries": STRINGS, "access_countries": STRINGS, "safeguards": STRINGS,
                      "context": {"$ref": "#/components/schemas/HopContext"},
                      "depth": {"type": "integer", "minimum": 1,
                                "description": "shortest distance from a start, in hops"},
                      "paths": {"type": "integer", "description": "shortest routes from a start through it"},
                      "assessment": {"type": "object", "required": ["on", "status", "findings", "regimes"],
                                     "properties": {"on": {"type": "string", "format": "date"}, "status": STATUS,
                                                    "findings": {"type": "array",
                                                                 "items": {"$ref": "#/components/schemas/Finding"}},
                                                    "regimes": STRINGS}}}}
EXAMPLE = {"type": "object", "required": ["subject_group", "collection", "organisations", "engagements"],
           "properties": {"subject_group": {"type": "string"}, "collection": NULLABLE_STRING,
                          "organisations": STRINGS, "engagements": STRINGS}}
FLOW_ANSWER = {
    "type": "object",
    "required": ["category", "on", "status", "total", "limit", "offset", "complete", "cut", "starts", "hops"],
    "properties": {
        "category": {"type": "string"}, "on": {"type": "string", "format": "date"},
        "include_planned": {"type": "boolean"}, "start": NULLABLE_STRING,
        "max_depth": {"type": ["integer", "null"]}, "status": STATUS,
        "total": {"type": "integer", "description": "hop contexts in the whole answer, whatever the page"},
        "limit": {"type": ["integer", "null"]}, "offset": {"type": "integer"},
        "complete": {"type": "boolean", "description": "false only when a depth bound cut engagements"},
        "cut": {"type": "object", "properties": {"engagements": STRINGS, "count": {"type": "integer"}}},
        "starts": {"type": "array", "items": {"type": "object", "properties": {
            "organisation": {"type": "string"}, "subject_group": {"type": "string"}, "role": {"type": "string"},
            "regimes": STRINGS, "collection": NULLABLE_STRING}}},
        "hops": {"type": "array", "items": {"$ref": "#/components/schemas/Hop"}},
        "examples": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/ExamplePath"},
                     "description": "one shortest path per hop of the page, by hop id (with examples=true)"},
        "what_if": {"type": "object", "description": "with planned=true: findings the planned engagements add, "
                                                     "and the publishers that must still announce them"}}}
GAPS = {
    "type": "object", "required": ["on", "current", "as_of", "total", "limit", "offset", "items"],
    "properties": {
        "on": {"type": "string", "format": "date"},
        "current": {"type": "boolean", "description": "false: the registry changed since this survey; a newer "
                                                      "one is being computed"},
        "as_of": {"type": ["string", "null"], "description": "when this survey finished (UTC)"},
        "total": {"type": "integer"},
        "limit": {"type": ["integer", "null"]}, "offset": {"type": "integer"},
        "items": {"type": "array", "items": {"type": "object", "properties": {
            "engagement": {"type": "string"}, "exporter": {"type": "string"}, "importer": {"type": "string"},
            "status": STATUS,
            "findings": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/Finding"}, {
                "type": "object", "properties": {"contexts": {
                    "type": "array", "items": {"$ref": "#/components/schemas/HopContext"}}}}]}}}}}}}
SCHEMAS = {"Finding": FINDING, "HopContext": CONTEXT, "Hop": HOP, "ExamplePath": EXAMPLE, "FlowAnswer": FLOW_ANSWER,
           "Gaps": GAPS}


def _query(name, schema, description, required=False):
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


PAGE = [_query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}, "page size"),
        _query("offset", {"type": "integer", "minimum": 0}, "where the page starts")]
DATE = _query("on", {"type": "string", "format": "date"}, "the date the question is asked for (default today)")
TRUE = {"type": "string", "enum": ["1", "true", "yes", "on", "0", "false", "no", "off"]}


def graph_paths(json, errors, ref) -> dict:
    """The ``paths`` entries of the two graph questions (``json``/``errors``/``ref``: openapi.py's helpers)."""
    return {
        "/api/v1/paths": {"get": {
            "summary": "where a category of data goes: every hop context, worst first, one page at a time",
            "parameters": [
                _query("category", {"type": "string"}, "a data category key", required=True), DATE, *PAGE,
                _query("subject_group", STRINGS, "narrow to these subject groups (repeatable)"),
                _query("organisation", {"type": "string"}, "ask from this organisation, mid-chain"),
                _query("depth", {"type": "integer", "minimum": 1, "maximum": MAX_DEPTH_BOUND},
                       "a bound on hops from a start (default none; what it cuts is named)"),
                _query("examples", TRUE, "add one shortest example path per hop of the page"),
                _query("planned", TRUE, "include planned engagements and say what they would change")],
            "responses": {"200": json(ref("FlowAnswer"), "the page of the answer, with its total"),
                          **errors(400, 401)}}},
        "/api/v1/gaps": {"get": {
            "summary": "findings that need attention, grouped by engagement, with the contexts behind them",
            "parameters": [
                DATE, *PAGE, _query("status", STATUS, "keep findings of this status"),
                _query("regime", {"type": "string"}, "keep findings under this regime"),
                _query("organisation", {"type": "string"}, "engagements it exports or imports"),
                _query("publisher", {"type": "string"}, "engagements behind this publisher's list"),
                _query("category", {"type": "string"}, "findings caused by this category's flows"),
                _query("planned", TRUE, "include planned engagements"),
                _query("format", {"type": "string", "enum": ["json", "csv"]}, "csv: every row, as a file")],
            "responses": {"200": {"description": "the page of rows (JSON), or every row (CSV)",
                                  "content": {"application/json": {"schema": ref("Gaps")},
                                              "text/csv": {"schema": {"type": "string"}}}},
                          **errors(400, 401, 503)}}},
    }
