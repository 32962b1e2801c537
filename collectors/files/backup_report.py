"""Backup job results from a Veeam-style job session report (CSV), checked row by row.

The columns read (docs/sources.md; others, such as Duration or Transferred, are ignored):

    Job Name, Object Name, Status, Start Time, End Time

- `Object Name` is the protected dataset: a dataset id of the estate, or its `name`
  (case-insensitive). Its site is the dataset's site.
- `Status` is Success, Warning or Failed; a session still running (Running, In progress, None)
  has no result yet and is skipped, with its line.
- Times are in the estate's time zone, as Veeam writes them on a UK system (`22/11/2026
  01:05:13`) or as ISO 8601 (`2026-11-22 01:05:13`), in the years 1970-2100 (checked before
  any conversion).

A bad row is rejected with its line (the first physical line of the row) and reason; every
other row loads. The file is refused whole (ReportError, "file:line: what is wrong") only when
it cannot be read at all: over MAX_FILE_BYTES (64 MiB), empty (no header row), or a header
that lacks one of the columns, holds one of them twice, has an unterminated quote, a NUL
character or a field over MAX_FIELD_BYTES.

The CSV reading below (`read_csv_table`) is shared with the CMDB inventory. Its rules:

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
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from estate.model import Estate
from warehouse import Replacement

KiB, MiB = 1024, 1024 * 1024
MAX_FILE_BYTES = 64 * MiB  # a larger export is refused whole: split it
MAX_FIELD_BYTES = 128 * KiB  # a row with a longer field is rejected
MAX_ROW_LINES = 100  # a quoted field running over more lines is taken as an unterminated quote
SHOWN_CHARACTERS = 60  # of a value quoted in a message

# Physical lines, each with its ending (CRLF, LF or a lone CR), as the csv module ends records.
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_QUOTED = re.compile(r'"[^"]*(?:""[^"]*)*(")?')  # a quoted field; group 1 when it closes
_UNQUOTED = re.compile(r"[^,\r\n]*")


def shown(value: str) -> str:
    """A value as a message quotes it: in quotes, and cut short when long."""
    if len(value) <= SHOWN_CHARACTERS:
        return repr(value)
    return f"{value[:SHOWN_CHARACTERS]!r}... ({len(value):,} characters)"


def _bound(size: int) -> str:
    """A bound in bytes as a message says it: 64 MiB, 128 KiB."""
    for unit, name in ((MiB, "MiB"), (KiB, "KiB")):
        if size >= unit and size % unit == 0:
            return f"{size // unit} {name}"
    return f"{size:,} bytes"


def _utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


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


def _field_problem(value: str, column: str) -> str | None:
    if len(value) > MAX_FIELD_BYTES or (
        len(value) * 4 > MAX_FIELD_BYTES and _utf8_size(value) > MAX_FIELD_BYTES
    ):
        return f"{column} is {_utf8_size(value):,} bytes, over the {_bound(MAX_FIELD_BYTES)} a field may be"
    if "\x00" in value:
        return f"{column} contains a NUL character (a damaged file, or not a text export?)"
    return None


def read_csv_table(
    text: str,
    file_name: str,
    unreadable: type[ValueError],
    columns_read: Collection[str],
    name: Callable[[str], str] = str.strip,
) -> CsvTable:
    """The rows of a CSV export by header name (`name` normalises each header field), each
    bad row rejected by line (the module docstring has the rules). Raises `unreadable`,
    "file:line: what is wrong", when the file cannot be read at all: over MAX_FILE_BYTES, no
    header row, or a header that is malformed or names one of `columns_read` twice."""
    size = _utf8_size(text)
    if size > MAX_FILE_BYTES:
        raise unreadable(
            f"{file_name}: the file is {size:,} bytes, over the {_bound(MAX_FILE_BYTES)} "
            "that can be read at once: export it in parts"
        )
    lines = _LINES.findall(text.removeprefix("\ufeff"))
    holds_nul = "\x00" in text
    feed = _Lines(lines)
    # csv's field limit is process-wide: raised, for this read, above any field the file can
    # hold (MAX_FILE_BYTES), so that the field bound is checked here, row by row, and restored.
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(max(previous_limit, MAX_FILE_BYTES + 1))
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
                    problem = _field_problem(value, f"column {index + 1}")
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
            if holds_nul or max(map(len, fields)) * 4 > MAX_FIELD_BYTES:  # else no field can fail
                problem = next(
                    (p for i, v in enumerate(fields) if (p := _field_problem(v, _column(header, i)))), None
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


COLUMNS = ("Job Name", "Object Name", "Status", "Start Time", "End Time")
STATUSES = {"success": "success", "warning": "warning", "failed": "failed", "error": "failed"}
NOT_FINISHED = {"running", "in progress", "none", "pending", ""}
TIME_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
)


class ReportError(ValueError):
    """The file cannot be read at all; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Job:
    site_id: str
    dataset_id: str
    job_name: str
    started_at_utc: datetime  # naive UTC, as the warehouse keeps it
    finished_at_utc: datetime
    status: str
    line: int = 0  # in the file


# A report's jobs lie within this many days of its latest one; a row further back is a typo
# (01/01/1900) that would otherwise widen what the report replaces.
SPAN_DAYS = 400
YEARS = range(1970, 2101)


@dataclass
class Loaded:
    jobs: list[Job] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why): unfinished sessions
    rows: int = 0  # the rows after the header, blank lines apart: loaded, rejected or skipped


def _time(text: str, column: str, tz: ZoneInfo) -> datetime:
    """`text`, local time in `tz`, as naive UTC; the year checked before the conversion (one
    in 9999 would overflow it)."""
    stripped = text.strip()
    if not stripped:
        raise ValueError(f"{column} is empty")
    for layout in TIME_FORMATS if stripped.isascii() else ():
        try:
            local = datetime.strptime(stripped, layout)
        except ValueError:
            continue
        if local.year not in YEARS:
            raise ValueError(f"{column} {shown(text)} is outside the years {YEARS[0]}-{YEARS[-1]}")
        return local.replace(tzinfo=tz).astimezone(UTC).replace(tzinfo=None)
    raise ValueError(
        f"{column} {shown(text)} is not a date and time (dd/mm/yyyy hh:mm:ss or yyyy-mm-dd hh:mm:ss)"
    )


def read_backup_report(text: str, file_name: str, estate: Estate) -> Loaded:
    tz = ZoneInfo(estate.estate.time_zone)
    datasets = {}
    for service in estate.services:
        for dataset in service.datasets:
            datasets[dataset.id.lower()] = dataset
            if dataset.name:
                datasets[dataset.name.lower()] = dataset
    table = read_csv_table(text, file_name, ReportError, COLUMNS)
    missing = [c for c in COLUMNS if c not in table.header]
    if missing:
        raise ReportError(
            f"{file_name}:{table.header_line}: the header has no {', '.join(repr(c) for c in missing)} column "
            f"(found: {', '.join(shown(h) for h in table.header)})"
        )
    loaded = Loaded(rejected=list(table.rejected), rows=table.count)
    runs: dict[tuple[str, str, datetime], int] = {}  # (dataset, job, start) -> its line
    for row in table.rows:
        line, values = row.line, row.fields
        status_text = values["Status"].strip().lower()
        if status_text in NOT_FINISHED:
            loaded.skipped.append((line, f"session not finished (status {shown(values['Status'])})"))
            continue
        if status_text not in STATUSES:
            loaded.rejected.append(
                (line, f"Status {shown(values['Status'])} is not Success, Warning or Failed")
            )
            continue
        object_name = values["Object Name"].strip()
        if not object_name:
            loaded.rejected.append((line, "Object Name is empty"))
            continue
        dataset = datasets.get(object_name.lower())
        if dataset is None:
            loaded.rejected.append(
                (line, f"Object Name {shown(values['Object Name'])} is no dataset of the estate")
            )
            continue
        try:
            started = _time(values["Start Time"], "Start Time", tz)
            finished = _time(values["End Time"], "End Time", tz)
        except ValueError as error:
            loaded.rejected.append((line, str(error)))
            continue
        if finished < started:
            loaded.rejected.append((line, "End Time is before Start Time"))
            continue
        job = Job(
            dataset.site,
            dataset.id,
            values["Job Name"].strip() or dataset.id,
            started,
            finished,
            STATUSES[status_text],
            line,
        )
        run = (job.dataset_id, job.job_name, job.started_at_utc)
        if run in runs:  # a row written twice would count one night's backup twice
            loaded.rejected.append(
                (
                    line,
                    f"the same run as line {runs[run]} ({job.job_name}, {job.dataset_id}, same Start Time)",
                )
            )
            continue
        runs[run] = line
        loaded.jobs.append(job)
    if loaded.jobs:
        latest = max(j.finished_at_utc for j in loaded.jobs)
        far = [j for j in loaded.jobs if j.finished_at_utc < latest - timedelta(days=SPAN_DAYS)]
        for job in far:
            loaded.rejected.append(
                (
                    job.line,
                    f"End Time {job.finished_at_utc:%Y-%m-%d} is more than {SPAN_DAYS} days before the report's "
                    f"latest job ({latest:%Y-%m-%d}): a typo would widen what the report replaces",
                )
            )
        loaded.jobs = [j for j in loaded.jobs if j not in far]
    loaded.rejected.sort()
    return loaded


SOURCE = "backup-report"


def write_jobs(loaded: Loaded, warehouse, time_zone: str) -> dict[str, Replacement]:
    """Write the loaded jobs, per site and job: each job's results replace what this source said
    before of that job on the local days its accepted rows finished on (a re-exported report
    replaces its earlier export of those nights, whatever the minutes). Another job's results,
    and the job's results on days the file has no accepted row for, are never touched: a
    Finance-only export leaves Council Tax's results as they were, and a rejected row does not
    delete the night it was about."""
    tz = ZoneInfo(time_zone)

    def local_midnight(moment: datetime, days_later: int = 0) -> datetime:
        day = moment.replace(tzinfo=UTC).astimezone(tz).date() + timedelta(days=days_later)
        return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)

    written: dict[str, Replacement] = {}
    for site_id in sorted({j.site_id for j in loaded.jobs}):
        jobs = [j for j in loaded.jobs if j.site_id == site_id]
        frame = pl.DataFrame(
            {
                "dataset_id": [j.dataset_id for j in jobs],
                "job_name": [j.job_name for j in jobs],
                "started_at_utc": [j.started_at_utc for j in jobs],
                "finished_at_utc": [j.finished_at_utc for j in jobs],
                "status": [j.status for j in jobs],
            }
        )
        # each job's results are replaced on the local days its accepted rows finished on, and
        # only those: a day the file has no accepted row for (a row rejected, or a shorter
        # export) keeps what was loaded before
        spans = sorted(
            {
                (j.job_name, local_midnight(j.finished_at_utc), local_midnight(j.finished_at_utc, 1))
                for j in jobs
            }
        )
        written[site_id] = warehouse.replace_backup_jobs_of(site_id, SOURCE, frame, spans)
    return written
