"""The periods the command line, the pages and the reports default to, in the estate's zone.

Every date a user writes means local time in the estate's time zone (../shared/PRODUCT.md,
"Time"): `--as-of 2026-10-15` is local midnight on the 15th, in BST or GMT as it falls, not
UTC midnight; an instant with an offset or a Z means what it says.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from estate.model import Estate


def estate_zone(estate: Estate) -> ZoneInfo:
    return ZoneInfo(estate.estate.time_zone)


def local_instant(moment: datetime, tz: ZoneInfo) -> datetime:
    """A naive datetime as wall-clock time in `tz` (an aware one is kept), as an aware UTC instant."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def last_complete_month(now: datetime, tz: ZoneInfo) -> str:
    """YYYY-MM of the last month that has ended in the estate's zone by `now`."""
    today = now.astimezone(tz).date()
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return f"{year:04d}-{month:02d}"


def months_to(last: str, count: int) -> list[str]:
    """The `count` months (YYYY-MM) ending with `last`, oldest first."""
    year, number = int(last[:4]), int(last[5:7])
    labels = []
    for _ in range(count):
        labels.append(f"{year:04d}-{number:02d}")
        year, number = (year, number - 1) if number > 1 else (year - 1, 12)
    return list(reversed(labels))
