"""Writing what was read: the windows replace the feed's earlier ones for the services its
accepted events name (`write_windows`); what a load would change in months already reported
to a council (`changes_in_issued_months`); the window a load covers unless told
(`default_window`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from collectors.files.change_calendar.bounds import SOURCE
from collectors.files.change_calendar.model import Loaded
from estate.model import Estate
from warehouse import Replacement


def _frame(loaded: Loaded) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "service_id": [w.service_id for w in loaded.windows],
            "start_utc": [w.start_utc for w in loaded.windows],
            "end_utc": [w.end_utc for w in loaded.windows],
            "reference": [w.reference for w in loaded.windows],
            "summary": [w.summary for w in loaded.windows],
        },
        schema={
            "service_id": pl.Utf8,
            "start_utc": pl.Datetime("us"),
            "end_utc": pl.Datetime("us"),
            "reference": pl.Utf8,
            "summary": pl.Utf8,
        },
    )


def write_windows(loaded: Loaded, warehouse, start: datetime, end: datetime) -> Replacement:
    """Replace what the change calendar said about windows starting in [start, end), for the
    services the feed's accepted events name, and only those: a feed without a word about a
    service says nothing about its windows, an event rejected this time keeps what it loaded
    before, and an empty feed replaces nothing (it would otherwise delete 13 months of
    maintenance windows and change past months' service levels)."""
    if not loaded.services:
        return Replacement()
    return warehouse.replace_maintenance_windows(
        SOURCE, start, end, _frame(loaded), sorted(loaded.services), sorted(loaded.kept_uids)
    )


@dataclass(frozen=True)
class IssuedMonthChange:
    """A window the load would add, remove or move in a month a council's report was issued for."""

    service_id: str
    month: str  # YYYY-MM, local
    councils: tuple[str, ...]  # whose issued report of that month the change contradicts
    reference: str
    change: str  # added, removed, changed


def changes_in_issued_months(
    loaded: Loaded, warehouse, estate: Estate, start: datetime, end: datetime
) -> list[IssuedMonthChange]:
    """What the load would change in months whose SLA report has been issued to a council that
    buys the service: an issued report is never contradicted silently (the load needs --force,
    and the report a revision)."""
    issued = warehouse.issued_sla_months()
    if not loaded.services or not issued:
        return []
    tz = ZoneInfo(estate.estate.time_zone)
    held = warehouse.held_maintenance_windows(
        SOURCE, start, end, sorted(loaded.services), sorted(loaded.kept_uids)
    )
    old = {(r["service_id"], r["reference"]): r for r in held.iter_rows(named=True)}
    new = {(r["service_id"], r["reference"]): r for r in _frame(loaded).iter_rows(named=True)}
    buyers = {s.id: s.councils for s in estate.services}

    def month_of(moment: datetime) -> str:
        return f"{moment.replace(tzinfo=UTC).astimezone(tz):%Y-%m}"

    found: list[IssuedMonthChange] = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before is not None and after is not None:
            if (before["start_utc"], before["end_utc"], before["summary"]) == (
                after["start_utc"],
                after["end_utc"],
                after["summary"],
            ):
                continue
            change, months = "changed", {month_of(before["start_utc"]), month_of(after["start_utc"])}
        elif before is not None:
            change, months = "removed", {month_of(before["start_utc"])}
        else:
            change, months = "added", {month_of(after["start_utc"])}
        service_id, reference = key
        for month in sorted(months):
            councils = tuple(c for c in buyers.get(service_id, ()) if (c, month) in issued)
            if councils:
                found.append(IssuedMonthChange(service_id, month, councils, reference, change))
    return found


HISTORY_DAYS = 396  # 13 months back: the history every answer can reach
AHEAD_DAYS = 92  # 3 months ahead: windows already booked


def default_window(now: datetime) -> tuple[datetime, datetime]:
    """The window a calendar load covers unless told: 13 months back to 3 months ahead."""
    return now - timedelta(days=HISTORY_DAYS), now + timedelta(days=AHEAD_DAYS)
