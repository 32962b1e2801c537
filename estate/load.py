"""Reading the estate file: every problem at once, each with the file, line and key path.

estate = load_estate(Path("estate.toml"))       # raises EstateConfigError listing problems
estate, problems = check_estate_file(path)      # estate is None when there are problems

Every problem speaks the estate file's language, not pydantic's: `_message` translates each kind
of validation error a file can cause (the table `_WANTED` and the ones beside it), so that a
message names what the key should hold ("should be a list of site ids, not 'dc1'") and shows a
value as the file writes it (2026-03-15, never datetime.date(2026, 3, 15)). Anything that would
crash a reader instead (a file nested thousands deep, or of hundreds of megabytes) is one
located problem too.
"""

from __future__ import annotations

import codecs
import difflib
import math
import re
import tomllib
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from estate.locate import MAX_DEPTH, KeyLines, KeyPath, too_deep_in_data, too_deep_in_text
from estate.model import ID_PATTERN, Estate, shown
from estate.references import check_references

MAX_FILE_BYTES = 16 * 1024 * 1024  # 16 MiB: an estate of thousands of servers is well under 1 MiB


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class EstateConfigError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = len(problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the estate configuration:\n"
            + "\n".join(f"  {p}" for p in problems)
        )


def key_text(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# --- what a key holds, from the model ----------------------------------------------------------


@dataclass
class _Spot:
    """The type a key of the file has in the model, with its description and constraints."""

    annotation: Any
    description: str | None = None
    metadata: list = field(default_factory=list)


def _unwrap(spot: _Spot) -> _Spot:
    annotation, description, metadata = spot.annotation, spot.description, list(spot.metadata)
    while True:
        if typing.get_origin(annotation) is typing.Annotated:
            for meta in annotation.__metadata__:
                if isinstance(meta, FieldInfo):
                    description = meta.description or description
                    metadata += meta.metadata
                else:
                    metadata.append(meta)
            annotation = annotation.__origin__
        elif typing.get_origin(annotation) in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return _Spot(annotation, description, metadata)  # a union of tables: auth
            annotation = members[0]
        else:
            return _Spot(annotation, description, metadata)


def _field(model: type[BaseModel], name: str) -> _Spot | None:
    info = model.model_fields.get(name)
    if info is None:
        return None
    return _unwrap(_Spot(info.annotation, info.description, list(info.metadata)))


def _models(spot: _Spot) -> list[type[BaseModel]]:
    """The models a spot is a table of: one, or the members of a tagged union."""
    union = typing.get_origin(spot.annotation) in (typing.Union, types.UnionType)
    candidates = typing.get_args(spot.annotation) if union else (spot.annotation,)
    return [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]


def _spot_at(loc: tuple) -> _Spot | None:
    """What the model expects at pydantic's error location `loc`, or None."""
    spot: _Spot | None = _Spot(Estate)
    for position, part in enumerate(loc):
        if spot is None:
            return None
        origin = typing.get_origin(spot.annotation)
        models = _models(spot)
        if isinstance(part, str) and part.startswith(("function-", "json-")):
            continue
        if models:
            tagged = [m for m in models if _tag(m) == part]
            if tagged:  # a tagged union names the member it tried
                spot = _Spot(tagged[0])
                continue
            spot = next((found for m in models if (found := _field(m, str(part))) is not None), None)
        elif origin in (tuple, list) and isinstance(part, int):
            spot = _unwrap(_Spot(typing.get_args(spot.annotation)[0]))
        elif part == "[key]":
            continue  # taken with the key before it
        elif origin is dict:
            key_type, value_type = typing.get_args(spot.annotation)
            a_key = loc[position + 1 : position + 2] == ("[key]",)  # the key itself is wrong
            spot = _unwrap(_Spot(key_type if a_key else value_type))
        else:
            return None
    return spot


def _tag(model: type[BaseModel]) -> str | None:
    info = model.model_fields.get("type")
    values = typing.get_args(info.annotation) if info is not None else ()
    return values[0] if len(values) == 1 and isinstance(values[0], str) else None


def _article(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


def _options(values: tuple) -> str:
    quoted = [repr(v) for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _wanted(spot: _Spot | None) -> str | None:
    """What the key should hold, in the file's words: 'a list of site ids', 'true or false'."""
    if spot is None:
        return None
    annotation, origin = spot.annotation, typing.get_origin(spot.annotation)
    if spot.description:
        noun = _article(spot.description)
        return f"{noun} in quotes" if annotation is str else noun
    if origin in (tuple, list):
        return f"a list of {_plural(_unwrap(_Spot(typing.get_args(annotation)[0])))}"
    if _models(spot) or origin is dict:
        return "a table"
    if origin is Literal:
        return f"one of {_options(typing.get_args(annotation))}"
    return _PLAIN.get(annotation)


_PLAIN = {
    str: "text in quotes",
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    Decimal: "a number",
    date: "a date such as 2026-03-15",
}


def _plural(spot: _Spot) -> str:
    if spot.description:
        return f"{spot.description}s"
    if _models(spot):
        return "tables"
    if typing.get_origin(spot.annotation) is Literal:
        return f"names ({_options(typing.get_args(spot.annotation))})"
    return {str: "texts in quotes", int: "whole numbers", float: "numbers", Decimal: "numbers"}.get(
        spot.annotation, "values"
    )


# --- pydantic's errors, in the file's words --------------------------------------------------

# The error kinds that mean "a value of the wrong type", and what to call the value wanted when
# the model's field does not say (a list, a site id ...).
_WANTED = {
    "string_type": "text in quotes",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_parsing_size": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "decimal_type": "a number",
    "decimal_parsing": "a number",
    "finite_number": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "tuple_type": "a list",
    "list_type": "a list",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
    "date_type": "a date such as 2026-03-15",
    "date_parsing": "a date such as 2026-03-15",
    "date_from_datetime_parsing": "a date such as 2026-03-15",
    "date_from_datetime_inexact": "a date such as 2026-03-15",
}
_RANGE = {  # error kind -> (how the limit is said, its key in the error's context)
    "greater_than": ("more than", "gt"),
    "greater_than_equal": ("at least", "ge"),
    "less_than": ("less than", "lt"),
    "less_than_equal": ("at most", "le"),
}
_PATTERN_HELP = {ID_PATTERN: "use lower-case letters, digits and hyphens, starting with a letter or digit"}
_UNITS = {"number of pounds": "£"}  # written before a limit of that kind of value


def _limit(value: Any, spot: _Spot | None) -> str:
    unit = _UNITS.get(spot.description or "", "") if spot is not None else ""
    if isinstance(value, str) and (written := re.fullmatch(r"Decimal\('(.*)'\)", value)):
        value = Decimal(written[1])  # pydantic gives a decimal limit as its repr
    if isinstance(value, (int, float, Decimal)) and math.isfinite(value) and value == int(value):
        whole = int(value)
        return unit + (f"{whole:,}" if abs(whole) >= 10_000 else str(whole))
    return unit + str(value)


def _bounds(spot: _Spot | None) -> str:
    """The range the model allows at `spot`, such as 'at most 1,048,576'."""
    said = {Gt: ("gt", "more than"), Ge: ("ge", "at least"), Lt: ("lt", "less than"), Le: ("le", "at most")}
    parts = []
    for meta in spot.metadata if spot is not None else ():
        for kind, (attribute, words) in said.items():
            if isinstance(meta, kind):
                parts.append(f"{words} {_limit(getattr(meta, attribute), spot)}")
    return " and ".join(parts)


def _located(data: Any, error: dict) -> tuple[KeyPath, str]:
    loc = error["loc"]
    path = _data_path(data, loc)
    kind = error["type"]
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        path += (error["ctx"]["discriminator"].strip("'"),)
    return path, _message(error, _spot_at(loc))


def _data_path(data: Any, loc: tuple) -> KeyPath:
    """Pydantic's error location reduced to keys that exist in the file (drops union tags)."""
    path: list[str | int] = []
    node = data
    for position, part in enumerate(loc):
        last = position == len(loc) - 1
        if isinstance(node, dict) and part in node:
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            path.append(part)
        elif isinstance(node, dict) and node.get("type") == part:
            continue  # a discriminated union's tag (auth's "basic"): the table itself is meant
        elif part == "[key]":
            continue  # a table's key is wrong: the key is the path
        elif last and isinstance(part, str) and not part.startswith(("function-", "json-")):
            path.append(part)
    return tuple(path)


def _meant_key(error: dict) -> tuple[list[str], str | None]:
    """For an unknown key: the keys its table has, and the one probably meant (or None)."""
    parent = _spot_at(error["loc"][:-1])
    known = [name for model in (_models(parent) if parent else []) for name in model.model_fields]
    close = difflib.get_close_matches(str(error["loc"][-1]), known, n=1)
    return known, (close[0] if close else None)


@dataclass(frozen=True)
class _Error:
    """One of pydantic's errors, with what the model expects where it is."""

    detail: dict
    spot: _Spot | None

    @property
    def value(self) -> str:
        return shown(self.detail.get("input"))

    def context(self, key: str) -> Any:
        return (self.detail.get("ctx") or {}).get(key)

    def noun(self, otherwise: str) -> str:
        """What the value is meant to be, 'an id', from the model's description of it."""
        return (
            _article(self.spot.description) if self.spot is not None and self.spot.description else otherwise
        )


def _unknown_key(error: _Error) -> str:
    known, close = _meant_key(error.detail)
    hint = f"; did you mean {close!r}?" if close else (f"; known keys: {', '.join(known)}" if known else "")
    return f"unknown key{hint}"


def _out_of_range(error: _Error) -> str:
    words, key = _RANGE[error.detail["type"]]
    return f"{error.value} is out of range: it must be {words} {_limit(error.context(key), error.spot)}"


def _wrong_type(error: _Error) -> str:
    value = error.detail.get("input")
    if error.detail["type"] == "float_type" and isinstance(value, int) and not isinstance(value, bool):
        bounds = _bounds(error.spot)  # an integer too large to be a float
        return f"{error.value} is out of range" + (f": it must be {bounds}" if bounds else "")
    return f"should be {_wanted(error.spot) or _WANTED[error.detail['type']]}, not {error.value}"


def _list_length(error: _Error) -> str:
    element = typing.get_args(error.spot.annotation)[:1] if error.spot is not None else ()
    items = _plural(_unwrap(_Spot(element[0]))) if element else "entries"
    count = error.context("actual_length")
    if error.detail["type"] == "too_short":
        held = "the list is empty" if not count else f"the list has {count} {items}"
        return f"{held}: it needs at least {error.context('min_length')}"
    return f"the list has {count} {items}: at most {error.context('max_length')} are allowed"


def _decimal_places(error: _Error) -> str:
    places = error.context("decimal_places")
    pence = ": amounts are in pounds and pence" if places == 2 else ""
    return f"{error.value} has more than {places} decimal places{pence}"


def _one_of_the_tags(error: _Error) -> str:
    tags = str(error.context("expected_tags")).rsplit(", ", 1)
    return f"{shown(error.context('tag'))} is not allowed: use {' or '.join(tags)}"


def _not_the_pattern(error: _Error) -> str:
    pattern = error.context("pattern")
    return f"{error.value} is not {error.noun('allowed')}: {_PATTERN_HELP.get(pattern, f'it should match {pattern}')}"


# Each kind of pydantic error a file can cause, and how the estate's language says it.
_SAY: dict[str, Callable[[_Error], str]] = {
    "extra_forbidden": _unknown_key,
    "missing": lambda error: "missing required key",
    "union_tag_not_found": lambda error: "missing required key",
    "value_error": lambda error: re.sub(r"^Value error, ", "", error.detail["msg"]),  # our validators'
    "assertion_error": lambda error: re.sub(r"^Assertion error, ", "", error.detail["msg"]),
    **dict.fromkeys(_RANGE, _out_of_range),
    **dict.fromkeys(_WANTED, _wrong_type),
    "literal_error": lambda error: f"{error.value} is not allowed: use {error.context('expected')}",
    "union_tag_invalid": _one_of_the_tags,
    "string_pattern_mismatch": _not_the_pattern,
    "string_too_short": lambda error: (
        f"{error.value} is empty: {error.noun('the text')} has at least {error.context('min_length')} character"
    ),
    "string_too_long": lambda error: (
        f"{error.value} is too long: {error.noun('the text')} has at most {error.context('max_length')} characters"
    ),
    "too_short": _list_length,
    "too_long": _list_length,
    "decimal_max_places": _decimal_places,
}


def _message(error: dict, spot: _Spot | None = None) -> str:
    """Pydantic's `error` in the estate's words; `spot` is what the model expects where it is."""
    said = _SAY.get(error["type"])
    if said is not None:
        return said(_Error(error, spot))
    wanted = _wanted(spot)  # a kind no estate file has caused yet: still never a Python repr
    value = shown(error.get("input"))
    return f"should be {wanted}, not {value}" if wanted else f"{value} is not allowed here"


def _structural(data: Any, details: list[dict], broken: list[KeyPath]) -> list[tuple[KeyPath, str]]:
    """Pydantic's errors as (path, message), one per mistake; every path refused goes to `broken`."""
    located = [(*_located(data, detail), detail["type"]) for detail in details]
    broken += [path for path, _, _ in located]
    inside = {path[:length] for path, _, _ in located for length in range(len(path))}
    misspelt = {  # a key the table lacks, given under a name close to it, is one mistake
        path[:-1] + (meant,)
        for (path, _, kind), detail in zip(located, details, strict=True)
        if kind == "extra_forbidden" and (meant := _meant_key(detail)[1]) is not None
    }
    entries: dict[tuple[KeyPath, str], list[KeyPath]] = {}  # (list, kind) -> its entries with that error
    for path, _, kind in located:
        if path and isinstance(path[-1], int):
            entries.setdefault((path[:-1], kind), []).append(path)
    said = []
    for path, message, kind in located:
        if kind == "too_short" and path in inside:
            continue  # pydantic counts a list without its bad entries: the entries are the problem
        if kind == "missing" and path in misspelt:
            continue  # "unknown key; did you mean ...?" says it
        alike = entries.get((path[:-1], kind), [path]) if path and isinstance(path[-1], int) else [path]
        if alike[0] != path:
            continue  # entries of one list wrong the same way ([1, 2] for site ids) are one mistake
        if len(alike) == 2:
            message += " (as is 1 more entry of the list)"
        elif len(alike) > 2:
            message += f" (as are {len(alike) - 1} more entries of the list)"
        said.append((path, message))
    return said


# --- reading the file ------------------------------------------------------------------------

# A syntax error whose line looks like a common slip gets a hint.
_SYNTAX_HINTS = (
    (re.compile(r"=\s*\d{4}-\d{2}\s*(?:#.*)?$"), "a month is written in quotes, such as '2026-04'"),
    (re.compile(r"=\s*\d{4}/\d{2}\s*(?:#.*)?$"), "a financial year is written in quotes, such as '2025/26'"),
    (
        re.compile(r"=\s*(?!(?:true|false|inf|nan)\s*(?:#.*)?$)[A-Za-z][\w./:-]*\s*(?:#.*)?$"),
        "text is written in quotes",
    ),
)


def _syntax_problem(error: tomllib.TOMLDecodeError, text: str, file: str) -> Problem:
    match = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
    line = int(match[1]) if match else None
    reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
    column = f" (column {match[2]})" if match else ""
    written = text.splitlines()[line - 1] if line is not None and line <= text.count("\n") + 1 else ""
    hint = next((f"; {hint}" for pattern, hint in _SYNTAX_HINTS if pattern.search(written)), "")
    return Problem(file, line, "", f"TOML syntax error: {reason}{column}{hint}")


def _too_big(size: int, file: str) -> Problem:
    return Problem(
        file,
        None,
        "",
        f"the file is larger than {MAX_FILE_BYTES // 1024 // 1024} MiB ({size:,} bytes), the most an "
        "estate file may be",
    )


_TOO_DEEP = f"nested more than {MAX_DEPTH} deep (tables and lists inside one another)"


def check_estate_text(text: str, file: str) -> tuple[Estate | None, list[Problem]]:
    text = text.removeprefix("\ufeff")  # a byte-order mark, as some Windows editors write
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_FILE_BYTES:
        return None, [_too_big(size, file)]
    deep_line = too_deep_in_text(text)
    lines = KeyLines(text)
    if deep_line is not None:  # before parsing: tomllib recurses, and crawls on long dotted keys
        return None, [Problem(file, deep_line, key_text(lines.key_before(deep_line)), _TOO_DEEP)]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return None, [_syntax_problem(error, text, file)]
    except RecursionError:  # the scan above leaves none; kept so that none escapes
        return None, [Problem(file, None, "", _TOO_DEEP)]
    deep = too_deep_in_data(data)
    if deep is not None:
        return None, [Problem(file, lines.line_of(deep), key_text(lines.written_at(deep)), _TOO_DEEP)]

    found: dict[KeyPath, Problem] = {}

    def add(path: KeyPath, message: str) -> None:
        found.setdefault(path, Problem(file, lines.line_of(path), key_text(path), message))

    estate = None
    broken: list[KeyPath] = []  # values pydantic refuses: what the references must not build on
    try:
        estate = Estate.model_validate(data)
    except ValidationError as error:
        for path, message in _structural(data, error.errors(include_url=False), broken):
            add(path, message)  # the first of several errors about one value is its problem
    for finding in check_references(data, broken):
        add(finding.path, finding.message)
    problems = sorted(found.values(), key=lambda p: (p.line is None, p.line or 0, p.key, p.message))
    return (estate if not problems else None), problems


def check_estate_file(path: Path) -> tuple[Estate | None, list[Problem]]:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)  # no more: the file may be endless (/dev/zero)
            size = len(raw)
            if size > MAX_FILE_BYTES:
                try:
                    size = max(size, path.stat().st_size)
                except OSError:
                    pass
    except FileNotFoundError:
        return None, [Problem(str(path), None, "", "file not found")]
    except OSError as error:
        return None, [Problem(str(path), None, "", f"cannot read the file: {error.strerror}")]
    if size > MAX_FILE_BYTES:
        return None, [_too_big(size, str(path))]
    raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [Problem(str(path), line, "", "the file is not UTF-8 text")]
    return check_estate_text(text, str(path))


def load_estate(path: Path) -> Estate:
    estate, problems = check_estate_file(path)
    if estate is None:
        raise EstateConfigError(problems)
    return estate
