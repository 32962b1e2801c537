"""Backup job results from a Veeam-style job session report (CSV), checked row by row.

The columns read (docs/sources.md; others, such as Duration or Transferred, are ignored):

    Job Name, Object Name, Status, Start Time, End Time

- `Object Name` is the protected dataset: a dataset id of the estate, or its `name`
  (case-insensitive). Its site is the dataset's site.
- `Status` is Success, Warning or Failed; a session still running (Running, In progress, None)
  has no result yet and is skipped, with its line.
- Times are in the estate's time zone, as Veeam writes them on a UK system (`22/11/2026
  01:05:13`) or as ISO 8601 (`2026-11-22 01:05:13`).

A bad row is rejected with its line number and reason; every other row loads. A file without
one of the columns is refused whole, naming the missing column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from estate.model import Estate

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


def _time(text: str, tz: ZoneInfo) -> datetime:
    for layout in TIME_FORMATS:
        try:
            local = datetime.strptime(text.strip(), layout)
        except ValueError:
            continue
        return local.replace(tzinfo=tz).astimezone(UTC).replace(tzinfo=None)
    raise ValueError(f"{text!r} is not a date and time (dd/mm/yyyy hh:mm:ss or yyyy-mm-dd hh:mm:ss)")


def read_backup_report(text: str, file_name: str, estate: Estate) -> Loaded:
    tz = ZoneInfo(estate.estate.time_zone)
    datasets = {}
    for service in estate.services:
        for dataset in service.datasets:
            datasets[dataset.id.lower()] = dataset
            if dataset.name:
                datasets[dataset.name.lower()] = dataset
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ReportError(
            f"{file_name}:1: the header has no {', '.join(repr(c) for c in missing)} column (found: {', '.join(header) or 'nothing'})"
        )
    reader.fieldnames = header
    loaded = Loaded()
    for row in reader:
        line = reader.line_num
        status_text = (row.get("Status") or "").strip().lower()
        if status_text in NOT_FINISHED:
            loaded.skipped.append((line, f"session not finished (status {row.get('Status')!r})"))
            continue
        if status_text not in STATUSES:
            loaded.rejected.append((line, f"Status {row.get('Status')!r} is not Success, Warning or Failed"))
            continue
        dataset = datasets.get((row.get("Object Name") or "").strip().lower())
        if dataset is None:
            loaded.rejected.append(
                (line, f"Object Name {row.get('Object Name')!r} is no dataset of the estate")
            )
            continue
        try:
            started, finished = _time(row["Start Time"] or "", tz), _time(row["End Time"] or "", tz)
        except ValueError as error:
            loaded.rejected.append((line, str(error)))
            continue
        if finished < started:
            loaded.rejected.append((line, "End Time is before Start Time"))
            continue
        if started.year not in YEARS or finished.year not in YEARS:
            loaded.rejected.append((line, f"a time outside the years {YEARS[0]}-{YEARS[-1]}"))
            continue
        loaded.jobs.append(
            Job(
                dataset.site,
                dataset.id,
                (row["Job Name"] or "").strip() or dataset.id,
                started,
                finished,
                STATUSES[status_text],
                line,
            )
        )
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


def write_jobs(loaded: Loaded, warehouse, time_zone: str) -> dict[str, int]:
    """Write the loaded jobs, per site and job: each job's results replace what this source said
    before of that job over the local days its own rows cover, from the first's to the last's
    (a re-exported report replaces its earlier export of those nights, whatever the minutes).
    Another job's results are never touched, however the days overlap: a Finance-only export
    leaves Council Tax's results as they were."""
    tz = ZoneInfo(time_zone)

    def local_midnight(moment: datetime, days_later: int = 0) -> datetime:
        day = moment.replace(tzinfo=UTC).astimezone(tz).date() + timedelta(days=days_later)
        return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)

    written: dict[str, int] = {}
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
        spans = [
            (
                name,
                local_midnight(min(j.finished_at_utc for j in jobs if j.job_name == name)),
                local_midnight(max(j.finished_at_utc for j in jobs if j.job_name == name), 1),
            )
            for name in sorted({j.job_name for j in jobs})
        ]
        written[site_id] = warehouse.replace_backup_jobs_of(site_id, SOURCE, frame, spans)
    return written
