"""``/api/v1/openapi.json``: the API described from the same schemas that check its input.

The component schemas come from ``domain.schemas`` (one per kind, generated from the
dataclasses), so the document, the checks and the stores cannot disagree.
"""

from functools import lru_cache

from ..domain.model import kind_class
from ..domain.schemas import json_schemas
from . import bp
from .openapi_graph import SCHEMAS as GRAPH_SCHEMAS
from .openapi_graph import graph_paths

ERROR = {"type": "object", "required": ["error", "status"],
         "properties": {"error": {"type": "string"}, "status": {"type": "integer"},
                        "field": {"type": "string"},
                        "errors": {"type": "object", "additionalProperties": {"type": "array",
                                                                              "items": {"type": "string"}}}}}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema, description):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses):
    words = {400: "bad input (the field is named)", 401: "credentials needed", 403: "role too low",
             404: "not found", 409: "stale version or key taken", 429: "too many failed sign-ins",
             503: "not ready yet (the findings are being computed) or the database is busy: retry after "
                  "the Retry-After header's seconds"}
    return {str(s): _json(_ref("Error"), words[s]) for s in statuses}


def _kind_paths(slug, name):
    key = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}
    version = {"name": "version", "in": "query", "required": True, "schema": {"type": "integer"}}
    listed = {"type": "object", "properties": {"items": {"type": "array", "items": _ref(name)},
                                               "count": {"type": "integer"}}}
    update = {"allOf": [_ref(name)], "required": ["version"],
              "description": "the object as read, changed; ``version`` is the one you read"}
    return {
        f"/api/v1/{slug}": {
            "get": {"summary": f"list {slug}", "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                    "responses": {"200": _json(listed, "the objects, ordered by key"), **_errors(400, 401)}},
            "post": {"summary": f"create one of {slug}", "requestBody": {"required": True, **_json(_ref(name), name)},
                     "responses": {"201": _json(_ref(name), "created, with its version"),
                                   **_errors(400, 401, 403, 409)}},
        },
        f"/api/v1/{slug}/{{key}}": {
            "parameters": [key],
            "get": {"summary": "one object", "responses": {"200": _json(_ref(name), "the object"), **_errors(401, 404)}},
            "put": {"summary": "replace it", "requestBody": {"required": True, **_json(update, name)},
                    "responses": {"200": _json(_ref(name), "replaced, with its new version"),
                                  **_errors(400, 401, 403, 404, 409)}},
            "delete": {"summary": "delete it", "parameters": [version],
                       "responses": {"204": {"description": "deleted"}, **_errors(400, 401, 403, 404, 409)}},
        },
    }


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    """The OpenAPI 3.1 document of the object API, export, audit, assessment and graph questions."""
    from ..admin.views import KIND_UI  # the API's collections are the admin area's

    classes = {slug: kind_class(ui["kind"]) for slug, ui in KIND_UI.items()}
    paths = {}
    for slug, cls in classes.items():
        paths.update(_kind_paths(slug, cls.__name__))
    any_object = {"type": "object"}
    paths["/api/v1/export"] = {"get": {"summary": "the whole registry (addresses of subscribers and objectors "
                                                  "for admins only)",
                                       "responses": {"200": _json(any_object, "an export document"), **_errors(401)}}}
    paths["/api/v1/audit"] = {"get": {"summary": "audit records, newest first",
                                      "responses": {"200": _json(any_object, "records"), **_errors(400, 401)}}}
    paths["/api/v1/assess"] = {"post": {"summary": "assess one hop (no sign-in)",
                                        "requestBody": {"required": True, **_json(any_object, "a hop")},
                                        "responses": {"200": _json(any_object, "findings"), **_errors(400)}}}
    paths.update(graph_paths(_json, _errors, _ref))
    schemas = json_schemas(sorted(set(classes.values()), key=lambda c: c.__name__))
    schemas.update(GRAPH_SCHEMAS)
    schemas["Error"] = ERROR
    return {
        "openapi": "3.1.0",
        "info": {"title": "Data-flow registry API", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas,
                       "securitySchemes": {"basic": {"type": "http", "scheme": "basic"},
                                           "token": {"type": "http", "scheme": "bearer",
                                                     "description": "an API token made in the admin area or "
                                                                    "with `registry tokens create`"}}},
        "security": [{"basic": []}, {"token": []}],
    }


@bp.get("/openapi.json")
def openapi():
    """The API's OpenAPI document (public: it holds no registry data)."""
    return openapi_document()
