"""A CSV export read as a table by header name, each bad row rejected on its own.

What `read_csv_table` guarantees: the header, and the rows of the header's width as CsvRows by
header name, each with the line it begins on (its first physical line); every row that cannot
be read as a row is rejected one by one, with that line and the reason, and reading goes on
with the next, so one bad row costs only itself. The file is refused whole (the caller's error
type, "file:line: what is wrong") only when it cannot be read at all: over MAX_FILE_BYTES, no
header row, or a header that is malformed or names a column read twice. The backup report and
the CMDB inventory read their files with it. Its rules:

- Lines end with CRLF, LF or CR; a byte-order mark before the header is dropped.
- Blank lines, and rows whose every field is empty, are ignored (not counted as rows).
- A row with more or fewer fields than the header is rejected ("has 3 fields, the header
  has 5").
- A field over MAX_FIELD_BYTES (128 KiB, UTF-8) or holding a NUL character rejects its row.
- A quoted field that does not close before the end of the file, or runs over more than
  MAX_ROW_LINES (100) lines, is an unterminated quote: its row is rejected and reading starts
  again at the next physical line, so the rows after it still load (or are rejected each on
  its own) instead of vanishing into one field.
- A quoted field with text after its closing quote (`"a"b`) rejects its row.
- A file over MAX_FILE_BYTES (64 MiB, UTF-8) is refused before it is read.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from collectors.files.sizes import KiB, MiB, bound, utf8_size

# the defaults of the estate's [limits] file_max_bytes and field_max_bytes
MAX_FILE_BYTES = 64 * MiB  # a larger export is refused whole: split it
MAX_FIELD_BYTES = 128 * KiB  # a row with a longer field is rejected
MAX_ROW_LINES = 100  # a quoted field running over more lines is taken as an unterminated quote

# Physical lines, each with its ending (CRLF, LF or a lone CR), as the csv module ends records.
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_QUOTED = re.compile(r'"[^"]*(?:""[^"]*)*(")?')  # a quoted field; group 1 when it closes
_UNQUOTED = re.compile(r"[^,\r\n]*")


@dataclass(frozen=True)
class CsvRow:
    line: int  # the row's first physical line
    fields: dict[str, str]  # by header name


@dataclass
class CsvTable:
    header: list[str]
    header_line: int
    rows: list[CsvRow]  # the rows of the right shape, in file order
    rejected: list[tuple[int, str]]  # (line, reason): rows that could not be read as rows
    count: int  # the rows after the header, blank lines apart: read or rejected


class _Lines:
    """The file's physical lines for csv.reader, from `next`; a record stops being fed after
    MAX_ROW_LINES lines, so an unterminated quote ends early instead of at the end of file."""

    def __init__(self, lines: list[str]):
        self.lines, self.next, self.record_start, self.ran_out = lines, 0, 0, False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.next >= len(self.lines) or self.next - self.record_start >= MAX_ROW_LINES:
            self.ran_out = True
            raise StopIteration
        self.next += 1
        return self.lines[self.next - 1]


def _quote_problem(text: str) -> tuple[int, bool]:
    """Where a record's text goes wrong: (the field's index, True when its quote never closes;
    False when text follows a closing quote). Read as the csv module's excel dialect does."""
    position, index = 0, 0
    while position < len(text):
        if text[position] == '"':
            quoted = _QUOTED.match(text, position)
            if quoted.group(1) is None:
                return index, True
            position = quoted.end()
            if position < len(text) and text[position] not in ",\r\n":
                return index, False
        else:
            position = _UNQUOTED.match(text, position).end()
        if position < len(text) and text[position] == ",":
            position, index = position + 1, index + 1
        else:  # the end of a record: the problem is on a later one
            position, index = position + 1, 0
            while position < len(text) and text[position] in "\r\n":
                position += 1
    return index, True


def _column(header: list[str] | None, index: int) -> str:
    if header and index < len(header) and header[index]:
        return header[index]
    return f"column {index + 1}"


def _field_problem(value: str, column: str, max_field_bytes: int) -> str | None:
    if len(value) > max_field_bytes or (
        len(value) * 4 > max_field_bytes and utf8_size(value) > max_field_bytes
    ):
        return f"{column} is {utf8_size(value):,} bytes, over the {bound(max_field_bytes)} a field may be"
    if "\x00" in value:
        return f"{column} contains a NUL character (a damaged file, or not a text export?)"
    return None


def read_csv_table(
    text: str,
    file_name: str,
    unreadable: type[ValueError],
    columns_read: Collection[str],
    name: Callable[[str], str] = str.strip,
    max_file_bytes: int | None = None,
    max_field_bytes: int | None = None,
) -> CsvTable:
    """The rows of a CSV export by header name (`name` normalises each header field), each
    bad row rejected by line (the module docstring has the rules). Raises `unreadable`,
    "file:line: what is wrong", when the file cannot be read at all: over MAX_FILE_BYTES, no
    header row, or a header that is malformed or names one of `columns_read` twice. The bounds
    are the estate's `[limits]` where the caller passes them, else this module's defaults."""
    max_file_bytes = MAX_FILE_BYTES if max_file_bytes is None else max_file_bytes
    max_field_bytes = MAX_FIELD_BYTES if max_field_bytes is None else max_field_bytes
    size = utf8_size(text)
    if size > max_file_bytes:
        raise unreadable(
            f"{file_name}: the file is {size:,} bytes, over the {bound(max_file_bytes)} "
            "that can be read at once: export it in parts"
        )
    lines = _LINES.findall(text.removeprefix("\ufeff"))
    holds_nul = "\x00" in text
    feed = _Lines(lines)
    # csv's field limit is process-wide: raised, for this read, above any field the file can
    # hold (MAX_FILE_BYTES), so that the field bound is checked here, row by row, and restored.
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(max(previous_limit, max_file_bytes + 1))
    try:
        reader = csv.reader(feed, strict=True)
        header: list[str] | None = None
        table = CsvTable([], 0, [], [], 0)
        while feed.next < len(lines):
            feed.record_start, feed.ran_out = feed.next, False
            line = feed.next + 1
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error:
                index, unterminated = _quote_problem("".join(lines[feed.record_start : feed.next]))
                column = _column(header, index)
                if unterminated and feed.ran_out:
                    how = (
                        "does not close before the end of the file"
                        if feed.next >= len(lines)
                        else f"runs over more than {MAX_ROW_LINES} lines"
                    )
                    reason = f"unterminated quote: the quoted {column} that starts on this line {how}"
                    after = "; the lines after it were read as rows of their own"
                    feed.next = feed.record_start + 1
                else:
                    reason = (
                        f"{column}: text after the closing quote of a quoted field "
                        '(a quote inside a quoted field is written twice: "")'
                    )
                    after = ""
                if header is None:
                    raise unreadable(f"{file_name}:{line}: the header cannot be read: {reason}") from None
                table.rejected.append((line, reason + after))
                table.count += 1
                continue
            if not "".join(fields).strip():
                continue  # a blank line, or a row of empty fields
            if header is None:
                for index, value in enumerate(fields):
                    problem = _field_problem(value, f"column {index + 1}", max_field_bytes)
                    if problem and "\x00" in value:
                        problem = problem.split(" (")[0] + " (a UTF-16 file? export it as UTF-8)"
                    if problem:
                        raise unreadable(f"{file_name}:{line}: the header cannot be read: {problem}")
                header = [name(f) for f in fields]
                table.header, table.header_line = header, line
                twice = {c: [i + 1 for i, h in enumerate(header) if h == c] for c in columns_read}
                twice = {c: places for c, places in twice.items() if len(places) > 1}
                if twice:
                    which = "; ".join(
                        f"{c!r} (columns {', '.join(map(str, places[:-1]))} and {places[-1]})"
                        for c, places in twice.items()
                    )
                    raise unreadable(
                        f"{file_name}:{line}: the header has more than one column named {which}: "
                        "which to read is ambiguous"
                    )
                continue
            table.count += 1
            last = feed.next
            if len(fields) != len(header):
                reason = (
                    f"has {len(fields)} field{'' if len(fields) == 1 else 's'}, the header has {len(header)}"
                )
                if last > line:
                    reason += f" (the row runs over lines {line}-{last}: is a quote not closed?)"
                table.rejected.append((line, reason))
                continue
            if holds_nul or max(map(len, fields)) * 4 > max_field_bytes:  # else no field can fail
                problem = next(
                    (
                        p
                        for i, v in enumerate(fields)
                        if (p := _field_problem(v, _column(header, i), max_field_bytes))
                    ),
                    None,
                )
                if problem:
                    table.rejected.append((line, problem))
                    continue
            table.rows.append(CsvRow(line, dict(zip(header, fields, strict=True))))
    finally:
        csv.field_size_limit(previous_limit)
    if header is None:
        raise unreadable(f"{file_name}:1: the file is empty: it has no header row")
    return table
