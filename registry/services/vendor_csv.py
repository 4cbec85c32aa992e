"""The vendor-list CSV format: reading a file into checked rows, and writing rows back.

Knows nothing of the store: names of categories, subject groups and organisations are
resolved by ``services.vendors``. Every cell that cannot be read becomes a ``Problem``
naming the row (the header is row 1, as a spreadsheet counts) and the column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from ..domain.codes import check_code
from ..domain.errors import ValidationError
from ..domain.places import country_of, parse_country, parse_place, region_of

# The columns, in the order an export writes them. ``key`` (the vendor's organisation key)
# is optional on input; an export writes it so that a round trip finds the same vendor.
COLUMNS = ("key", "name", "legal_name", "country", "website", "service", "purpose", "locations",
           "access_locations", "categories", "subjects", "safeguards", "role", "affiliate", "since",
           "public", "notes")
# Header spellings seen in published lists, folded as ``_fold_header`` does.
HEADER_ALIASES = {"vendor": "name", "subprocessor": "name", "sub_processor": "name", "entity": "legal_name",
                  "legal_entity": "legal_name", "location": "locations", "purposes": "purpose",
                  "category": "categories", "data_categories": "categories", "subject": "subjects",
                  "safeguard": "safeguards", "access_location": "access_locations", "note": "notes"}
ROLES = {"processor": "processor", "sub-processor": "sub-processor", "subprocessor": "sub-processor",
         "sub processor": "sub-processor", "controller": "controller", "independent controller": "controller",
         "joint controller": "joint-controller", "joint-controller": "joint-controller"}
YES = ("yes", "y", "true", "1", "x")
NO = ("no", "n", "false", "0", "")
_LIST_SPLIT = re.compile(r"\s*[;,\n]\s*")
_PLACE_SPLIT = re.compile(r"(\s*(?:[;,/&\n]|\band\b)\s*)", re.I)
_PARENS = re.compile(r"\(([^)]*)\)")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Problem:
    """One thing in the file that was not understood."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = ", ".join(part for part in (f"row {self.row}" if self.row else "",
                                            f"column {self.column}" if self.column else "") if part)
        return f"{where}: {self.message}" if where else self.message


@dataclass
class VendorRow:
    """One vendor as the file states it; names (categories, subjects, purposes) not yet resolved."""

    row: int
    name: str
    key: str = ""
    legal_name: str = ""
    country: str | None = None
    website: str = ""
    service: str = ""
    purposes: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    access_locations: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    safeguards: list[str] = field(default_factory=list)
    role: str = "processor"
    affiliate: bool = False
    since: str | None = None
    public: bool = True
    notes: str = ""
    columns: frozenset[str] = frozenset(COLUMNS)  # the columns the file has: the others say nothing


def decode(data: bytes) -> tuple[str | None, list[Problem]]:
    """The text of an uploaded file; a Problem when it is not UTF-8 (a byte-order mark is allowed)."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        return None, [Problem(None, None, f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at position "
                                          f"{exc.start}); save it as \"CSV UTF-8\"")]


def _fold_header(cell: str) -> str:
    folded = re.sub(r"[\s\-]+", "_", cell.strip().lower())
    return HEADER_ALIASES.get(folded, folded)


def _dialect(text: str) -> str:
    """The delimiter: spreadsheets in many locales write ';' or a tab instead of ','."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return max((",", ";", "\t"), key=first.count)


def read_rows(text: str) -> tuple[list[VendorRow], list[Problem]]:
    """Parse the text of a vendor CSV into rows, and every problem found on the way."""
    records = [(i + 1, r) for i, r in enumerate(csv.reader(io.StringIO(text), delimiter=_dialect(text)))]
    records = [(n, r) for n, r in records if any(cell.strip() for cell in r)]
    if not records:
        return [], [Problem(None, None, "the file is empty: the first row must name the columns")]
    header_row, header = records[0]
    names = [_fold_header(cell) for cell in header]
    problems = _header_problems(header_row, header, names)
    if problems:
        return [], problems
    rows = []
    for number, record in records[1:]:
        row, found = _record(number, record, names)
        problems.extend(found)
        if row is not None:
            rows.append(row)
    return rows, problems


def _header_problems(header_row: int, header: list[str], names: list[str]) -> list[Problem]:
    """What is wrong with the header row (``names``: its cells folded); none of the columns
    known means it is no header at all."""
    if not set(names) & set(COLUMNS):
        return [Problem(header_row, None, "no header row: the first row must name the columns "
                                          f"({', '.join(COLUMNS[1:])})")]
    problems = []
    for index, name in enumerate(names):
        if name not in COLUMNS:
            problems.append(Problem(header_row, header[index].strip() or f"#{index + 1}",
                                    f"unknown column; the columns are {', '.join(COLUMNS)}"))
        elif names.index(name) != index:
            problems.append(Problem(header_row, name, "the column appears twice"))
    if "name" not in names:
        problems.append(Problem(header_row, "name", "the required column name is missing"))
    return problems


def _record(number: int, record: list[str], names: list[str]) -> tuple[VendorRow | None, list[Problem]]:
    """One line of the file read under the header ``names``: a row, or None, with its problems."""
    if len(record) > len(names) and any(cell.strip() for cell in record[len(names):]):
        return None, [Problem(number, None, f"{len(record)} cells but the header names {len(names)} columns")]
    cells = {name: _restored(record[i].strip() if i < len(record) else "") for i, name in enumerate(names)}
    return _row(number, cells)


def _row(number: int, cells: dict[str, str]) -> tuple[VendorRow | None, list[Problem]]:
    problems: list[Problem] = []

    def cell(column, parse, default=None):
        value = cells.get(column, "")
        try:
            return parse(value)
        except ValidationError as exc:
            problems.append(Problem(number, column, exc.message))
            return default

    if not cells.get("name"):
        return None, [Problem(number, "name", "a vendor needs a name")]
    row = VendorRow(
        row=number, name=cells["name"], key=cells.get("key", ""), legal_name=cells.get("legal_name", ""),
        country=cell("country", lambda v: parse_country(v, "country") if v else None),
        website=cell("website", _website, ""), service=cells.get("service", ""),
        purposes=[p for p in re.split(r"\s*;\s*", cells.get("purpose", "")) if p],
        locations=cell("locations", parse_places, []),
        access_locations=cell("access_locations", parse_places, []),
        categories=split_list(cells.get("categories", "")), subjects=split_list(cells.get("subjects", "")),
        safeguards=cell("safeguards", _safeguards, []),
        role=cell("role", _role, "processor"), affiliate=cell("affiliate", _yes_no(False), False),
        since=cell("since", _date), public=cell("public", _yes_no(True), True), notes=cells.get("notes", ""),
        columns=frozenset(cells))
    return row, problems


def split_list(value: str) -> list[str]:
    """The items of a list cell, separated by ';' or ',' (or line breaks), without repeats."""
    return list(dict.fromkeys(item for item in _LIST_SPLIT.split(value.strip()) if item))


def parse_places(value: str) -> list[str]:
    """Places in a free-text cell: "USA; EU", "Germany (Frankfurt), Ireland", "Korea, Republic of".

    Pieces are split on ';', ',', '/', '&' and 'and'; adjacent pieces are joined again when
    only together they name a place ("Korea, Republic of"); a parenthesis is read when the
    text outside it is not a place. Raises ValidationError naming every piece not understood.
    """
    parts = _PLACE_SPLIT.split(value.strip())  # pieces at even positions, their separators between
    pieces = parts[::2]
    out: list[str] = []
    errors: list[str] = []
    i = 0
    while i < len(pieces):
        if not pieces[i]:
            i += 1
            continue
        for width in (3, 2, 1):
            if i + width > len(pieces):
                continue
            place = _one_place("".join(parts[2 * i:2 * (i + width) - 1]))
            if place:
                out.append(place)
                i += width
                break
        else:
            try:
                parse_place(pieces[i], "locations")  # fails, with close matches
            except ValidationError as exc:
                errors.append(exc.message)
            i += 1
    if errors:
        raise ValidationError("; ".join(errors))
    return list(dict.fromkeys(out))


def _one_place(text: str) -> str | None:
    for candidate in (text, _PARENS.sub("", text).strip(), *_PARENS.findall(text)):
        place = region_of(candidate) or country_of(candidate)  # no close matches: only the error needs them
        if place:
            return place
    return None


def _safeguards(value: str) -> list[str]:
    codes, errors = [], []
    for item in split_list(value):
        try:
            codes.append(check_code(item, "safeguards"))
        except ValidationError as exc:
            errors.append(exc.message)
    if errors:
        raise ValidationError("; ".join(errors))
    return list(dict.fromkeys(codes))


def _website(value: str) -> str:
    if value and "://" not in value and not value.lower().startswith("mailto:"):
        value = "https://" + value  # lists write "stripe.com"
    return value


def _role(value: str) -> str:
    if not value:
        return "processor"
    role = ROLES.get(re.sub(r"\s+", " ", value.strip().lower()))
    if role is None:
        raise ValidationError(f"{value!r} is not a role; use processor, sub-processor or controller")
    return role


def _yes_no(default: bool):
    def parse(value: str) -> bool:
        folded = value.strip().lower()
        if not folded:
            return default
        if folded in YES:
            return True
        if folded in NO:
            return False
        raise ValidationError(f"{value!r} is neither yes nor no")
    return parse


def _date(value: str) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValidationError(f"{value!r} is not a date as YYYY-MM-DD") from None


def write_rows(rows: list[dict[str, str]]) -> str:
    """CSV text with a header of ``COLUMNS`` and one line per row dict (lists already joined).

    A cell that a spreadsheet would run as a formula (it starts with = + - @) is written with
    a leading apostrophe, which ``read_rows`` removes again, so the round trip stays lossless.
    """
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: _defused(v) for k, v in row.items()} for row in rows)
    return out.getvalue()


def _defused(value: str) -> str:
    return "'" + value if (value[:1] and value[:1] in _FORMULA) or _escaped(value) else value


def _restored(value: str) -> str:
    return value[1:] if _escaped(value) else value


def _escaped(value: str) -> bool:
    return value[:1] == "'" and value[1:2] != "" and value[1:2] in ("'", *_FORMULA)


def yes_no(value: bool) -> str:
    """How a flag is written in the file."""
    return "yes" if value else "no"
