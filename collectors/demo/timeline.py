"""Where the demo's history starts and ends, and the local dates its planted events use.

Everything is relative to the clock passed in (`now`), so the demo always ends at the present,
and is computed in the estate's time zone, so that an outage planted at "10:12 on the second
Tuesday" is at 10:12 on a wall clock in Blackpool whatever the season.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

HISTORY_MONTHS = 13


def add_months(year: int, month: int, offset: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + offset
    return index // 12, index % 12 + 1


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The nth (1-based; -1 = last) given weekday (0 = Monday) of a month."""
    days = [
        d
        for d in calendar.Calendar().itermonthdates(year, month)
        if d.month == month and d.weekday() == weekday
    ]
    return days[n - 1] if n > 0 else days[n]


@dataclass(frozen=True)
class Anchors:
    now_utc: datetime  # aware, on the hour
    time_zone: str = "Europe/London"
    new_service_id: str = "housing-repairs"
    chorley_join_offset: int = -5
    contract_change_offset: int = -3
    decommissioned_servers: tuple[tuple[str, str, float, int], ...] = field(default=())

    @classmethod
    def for_clock(cls, now: datetime, time_zone: str = "Europe/London") -> Anchors:
        now_utc = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        # Servers of the pre-consolidation baseline, switched off one by one during the history:
        # (id, site, annual cost, months before now that they stopped reporting).
        decommissioned = (
            ("fylde-ctax-01", "dc1", 6200.0, -11),
            ("fylde-ctax-02", "dc1", 6200.0, -11),
            ("wyre-fin-01", "dc1", 5400.0, -9),
            ("wyre-exch-01", "dc2", 7100.0, -8),
            ("rochdale-file-01", "dc2", 4800.0, -6),
            ("rochdale-file-02", "dc2", 4800.0, -6),
            ("lancaster-sql-01", "dc1", 8300.0, -4),
            ("chorley-app-01", "dc2", 3900.0, -2),
        )
        return cls(now_utc, time_zone, decommissioned_servers=decommissioned)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def now_local(self) -> datetime:
        return self.now_utc.astimezone(self.tz)

    @property
    def history_start_utc(self) -> datetime:
        """Local midnight on the same day 13 months before now (the 28th at most)."""
        year, month = add_months(self.now_local.year, self.now_local.month, -HISTORY_MONTHS)
        start_day = min(self.now_local.day, 28)
        return self.local(date(year, month, start_day), time(0, 0)).astimezone(UTC)

    def local(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=self.tz)

    def utc(self, day: date, at: time) -> datetime:
        return self.local(day, at).astimezone(UTC)

    def month(self, offset: int) -> tuple[int, int]:
        return add_months(self.now_local.year, self.now_local.month, offset)

    def month_label(self, offset: int) -> str:
        year, month = self.month(offset)
        return f"{year:04d}-{month:02d}"

    def month_start_local(self, offset: int) -> datetime:
        year, month = self.month(offset)
        return self.local(date(year, month, 1), time(0, 0))

    def month_start_utc(self, offset: int) -> datetime:
        return self.month_start_local(offset).astimezone(UTC)

    def nth_weekday(self, offset: int, weekday: int, n: int) -> date:
        year, month = self.month(offset)
        return nth_weekday(year, month, weekday, n)

    def day(self, offset: int, day_of_month: int) -> date:
        year, month = self.month(offset)
        return date(year, month, day_of_month)

    def last_day(self, offset: int) -> date:
        year, month = self.month(offset)
        return date(year, month, calendar.monthrange(year, month)[1])

    @property
    def contracts_start_month(self) -> str:
        """Contracts began well before the history, at the start of a financial year."""
        year = self.history_start_utc.year - 2
        return f"{year:04d}-04"

    @property
    def first_financial_year_start(self) -> int:
        start = self.history_start_utc
        return start.year if start.month >= 4 else start.year - 1

    @property
    def billing_march(self) -> int:
        """The year of the latest March wholly inside the history (the annual billing peak)."""
        year = self.now_local.year if self.now_local.month >= 4 else self.now_local.year - 1
        return year

    @property
    def new_service_live_local(self) -> datetime:
        return self.local(self.day(-2, 15), time(0, 0))

    @property
    def one_off_maintenance_text(self) -> str:
        day = self.nth_weekday(-1, 2, 2)  # second Wednesday of last month
        return f"{day.isoformat()} 12:00-14:00"

    def month_windows_utc(self) -> list[tuple[datetime, datetime]]:
        """Calendar months (local) cut to the history: the windows the demo writes one by one."""
        windows = []
        start, end = self.history_start_utc, self.now_utc
        offset = -HISTORY_MONTHS
        while True:
            month_start, month_end = self.month_start_utc(offset), self.month_start_utc(offset + 1)
            lo, hi = max(month_start, start), min(month_end, end)
            if lo < hi:
                windows.append((lo, hi))
            if month_end >= end:
                return windows
            offset += 1


def hours_between(start: datetime, end: datetime) -> int:
    return int((end - start) / timedelta(hours=1))
