"""Reading the estate file: every problem at once, each with the file, line and key path.

estate = load_estate(Path("estate.toml"))       # raises EstateConfigError listing problems
estate, problems = check_estate_file(path)      # estate is None when there are problems
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from estate.locate import KeyLines, KeyPath
from estate.model import Estate
from estate.references import check_references


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


def _known_keys(model: type[BaseModel], path: KeyPath) -> list[str]:
    """The keys a table at `path` accepts, for 'did you mean' hints."""
    for part in path:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        inner = _model_inside(field.annotation)
        if inner is None:
            return []
        model = inner
    return list(model.model_fields)


def _model_inside(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()) or ():
        found = _model_inside(argument)
        if found is not None:
            return found
    return None


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
        elif last and isinstance(part, str) and not part.startswith(("function-", "json-")):
            path.append(part)
    return tuple(path)


def _message(error: dict, path: KeyPath) -> str:
    kind, message = error["type"], error["msg"]
    if kind == "extra_forbidden":
        known = _known_keys(Estate, path[:-1])
        close = difflib.get_close_matches(str(path[-1]), known, n=1)
        hint = (
            f"; did you mean {close[0]!r}?"
            if close
            else (f"; known keys: {', '.join(known)}" if known else "")
        )
        return f"unknown key{hint}"
    if kind == "missing":
        return "missing required key"
    message = re.sub(r"^(Value|Assertion) error, ", "", message)
    if kind in ("less_than_equal", "greater_than", "greater_than_equal", "less_than"):
        message = f"{error.get('input')!r} is out of range: {message[0].lower()}{message[1:]}"
    elif kind == "literal_error":
        message = f"{error.get('input')!r} is not allowed: {message[0].lower()}{message[1:]}"
    elif kind.endswith(("_type", "_parsing")):
        message = f"{error.get('input')!r}: {message[0].lower()}{message[1:]}"
    return message


def check_estate_text(text: str, file: str) -> tuple[Estate | None, list[Problem]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        line = int(match[1]) if match else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        column = f" (column {match[2]})" if match else ""
        return None, [Problem(file, line, "", f"TOML syntax error: {reason}{column}")]

    lines = KeyLines(text)
    found: dict[tuple[KeyPath, str], Problem] = {}

    def add(path: KeyPath, message: str) -> None:
        found.setdefault((path, message), Problem(file, lines.line_of(path), key_text(path), message))

    for path, message in check_references(data):
        add(path, message)
    estate = None
    try:
        estate = Estate.model_validate(data)
    except ValidationError as error:
        for detail in error.errors():
            path = _data_path(data, detail["loc"])
            add(path, _message(detail, path))
    problems = sorted(found.values(), key=lambda p: (p.line is None, p.line or 0, p.key, p.message))
    return (estate if not problems else None), problems


def check_estate_file(path: Path) -> tuple[Estate | None, list[Problem]]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(str(path), None, "", "file not found")]
    except OSError as error:
        return None, [Problem(str(path), None, "", f"cannot read the file: {error.strerror}")]
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
