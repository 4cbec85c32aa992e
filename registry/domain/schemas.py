"""One schema per kind, generated from the dataclasses in ``model`` (pydantic v2).

The dataclasses are the single list of fields: for every kind this module builds a
strict pydantic model from the dataclass's fields and type hints, so a field added
to a dataclass is checked, documented in the OpenAPI document and refused when
wrongly typed without a second list. What the schema adds to the plain hints:

- strings: no lone surrogates, no control characters (multi-line text fields, named in
  TEXT_FIELDS, may hold tabs and line breaks), at most MAX_LINE / MAX_TEXT characters;
- integers: strict (no bools, floats, NaN or digit strings) and within 64 bits, which is
  what both stores can hold;
- booleans: strict (``"false"`` is not a boolean);
- lists: at most MAX_ITEMS entries of the declared type; dict entries (TypedDicts in
  ``model``) accept only their declared keys.

Meaning (key patterns, known countries, choices, dates) stays in each dataclass's
``validate()``; shape is checked here, and ``validate()`` runs it first.
"""

import dataclasses
import re
import types
import typing
import unicodedata
from functools import lru_cache
from typing import Annotated, Any, NotRequired

from typing_extensions import TypedDict  # pydantic needs this TypedDict on Python < 3.12

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt, create_model)
from pydantic import ValidationError as SchemaError
from pydantic.json_schema import models_json_schema

from .errors import ValidationError

INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
MAX_LINE = 2_000
MAX_TEXT = 20_000
MAX_ITEMS = 1_000
# Free text where a line break is part of the value; every other string is one line.
TEXT_FIELDS = frozenset({"description", "internal_notes", "reason", "quote", "note", "summary",
                         "retention", "early_start_reason"})
# The characters text_problem refuses, found by one regular expression search instead of a
# Python loop over every character (an import checks millions): Unicode's categories Cc (the
# C0 and C1 controls and DEL) and Cs (surrogates); in free text, tabs and line breaks pass.
# tests/test_hostile_input.py checks these sets against unicodedata for every code point.
_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_REFUSED_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(value: str, multiline: bool = False) -> str | None:
    """Why ``value`` is not acceptable text (a sentence), or None when it is: the first
    surrogate (category Cs) or control character (Cc; line breaks and tabs allowed when
    ``multiline``) decides."""
    found = (_REFUSED_IN_TEXT if multiline else _REFUSED).search(value)
    if found is None:
        return None
    if unicodedata.category(found.group()) == "Cs":
        return "contains an unpaired surrogate (not valid Unicode text)"
    return "contains a control character" + ("" if multiline else " or line break")


def _text_check(multiline):
    refused = _REFUSED_IN_TEXT if multiline else _REFUSED

    def check(value):
        if refused.search(value) is not None:  # text_problem's test, without its call per string
            raise ValueError(text_problem(value, multiline))
        return value
    return check


def _string(name):
    multiline = name in TEXT_FIELDS
    return Annotated[str, Field(strict=True, max_length=MAX_TEXT if multiline else MAX_LINE),
                     AfterValidator(_text_check(multiline))]


Int64 = Annotated[StrictInt, Field(ge=INT64_MIN, le=INT64_MAX)]


def _is_typeddict(tp):
    return isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__annotations__") \
        and hasattr(tp, "__total__")


def _schema_type(tp, name):
    """The strict pydantic type for a dataclass hint ``tp`` of the field ``name``."""
    origin = typing.get_origin(tp)
    if tp is str:
        return _string(name)
    if tp is bool:
        return StrictBool
    if tp is int:
        return Int64
    if tp is type(None):
        return None
    if origin in (typing.Union, types.UnionType):
        return typing.Union[tuple(_schema_type(arg, name) for arg in typing.get_args(tp))]
    if origin is list:
        (item,) = typing.get_args(tp) or (None,)
        if item is None:
            raise TypeError(f"field {name!r}: say what the list holds (list[str], list[...])")
        return Annotated[list[_schema_type(item, name)], Field(max_length=MAX_ITEMS)]
    if _is_typeddict(tp):
        return _entry_model(tp)
    raise TypeError(f"field {name!r}: no schema for type {tp!r}")


@lru_cache(maxsize=None)
def _entry_model(typed_dict):
    """A TypedDict like ``typed_dict`` (same keys, same required ones) with the strict types."""
    hints = typing.get_type_hints(typed_dict)
    required = getattr(typed_dict, "__required_keys__", frozenset())
    spec = {key: (_schema_type(hint, key) if key in required else NotRequired[_schema_type(hint, key)])
            for key, hint in hints.items()}
    strict = TypedDict(typed_dict.__name__, spec, total=True)
    strict.__pydantic_config__ = ConfigDict(extra="forbid", strict=True)
    return strict


def _default(f):
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return Field(default_factory=f.default_factory)
    return ...


@lru_cache(maxsize=None)
def schema_for(cls) -> type[BaseModel]:
    """The pydantic model of dataclass ``cls`` (built once, from its fields and hints)."""
    hints = typing.get_type_hints(cls)
    spec: dict[str, Any] = {f.name: (_schema_type(hints[f.name], f.name), _default(f))
                            for f in dataclasses.fields(cls)}
    return create_model(cls.__name__, __config__=ConfigDict(extra="forbid", strict=True,
                                                            title=cls.__name__), **spec)


def _place(loc):
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _is_validator_step(part: int | str) -> bool:
    """Whether a part of a pydantic error location names a validator or a union member, not a field."""
    if not isinstance(part, str):
        return False
    # Union members show as their type's name ("str", "Safeguard"); fields are lower-case names.
    return part.startswith(("function-", "union[")) or part[:1].isupper() or part in ("str", "int", "bool", "none")


def _error(cls, exc):
    """The first pydantic error as a ValidationError naming the field; the rest in ``errors``."""
    errors = {}
    for item in exc.errors(include_url=False, include_input=False):
        loc = [p for p in item["loc"] if not _is_validator_step(p)] or [cls.KIND]
        place = _place(loc)
        message = "unknown field" if item["type"] == "extra_forbidden" else item["msg"]
        message = message.removeprefix("Value error, ")
        errors.setdefault(str(loc[0]), []).append(f"{place}: {message}")
    field = next(iter(errors))
    message = f"{cls.KIND.replace('_', ' ')}: {errors[field][0]}"
    return ValidationError(message, field=field, errors=errors)


def check_shape(cls, data: Any) -> None:
    """Raise ValidationError (naming the field) unless ``data`` fits the schema of ``cls``."""
    if not isinstance(data, dict):
        raise ValidationError(f"a {cls.KIND.replace('_', ' ')} must be a JSON object", field=cls.KIND)
    try:
        schema_for(cls).model_validate(data)
    except SchemaError as exc:
        raise _error(cls, exc) from None
    except RecursionError:
        raise ValidationError("the value is nested too deeply", field=cls.KIND) from None


def json_schemas(classes) -> dict:
    """JSON Schemas of ``classes`` for an OpenAPI document's ``components.schemas``."""
    _, document = models_json_schema([(schema_for(c), "validation") for c in classes],
                                     ref_template="#/components/schemas/{model}")
    return document.get("$defs", {})
