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

How the CSV itself is read (line endings, blank lines, rows of the wrong width, fields over
MAX_FIELD_BYTES or holding a NUL, unterminated quotes) is collectors/files/csv_table.py's
(`read_csv_table`), shared with the CMDB inventory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from collectors.files.csv_table import read_csv_table
from collectors.files.sizes import shown
from estate.model import Estate
from warehouse import Replacement

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
    table = read_csv_table(
        text,
        file_name,
        ReportError,
        COLUMNS,
        max_file_bytes=estate.limits.file_max_bytes,
        max_field_bytes=estate.limits.field_max_bytes,
    )
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
