"""Answers kept while they cannot change, for the served dashboard.

A month's service levels for the reference estate take about 1.8 s and the capacity analyses
0.2-0.7 s, so a page cannot work them out per request. `Answers` keeps each one until the
warehouse is written where it reads:

- a month's service levels read from the month's error-budget span to a day past its end
  (`LOOK_PAST_SECONDS`); a write whose window starts after that cannot change them, so a
  completed month is worked out once and kept until a backfill or a load reaches back into it;
- the month in progress, capacity, savings and status answers read "as of the last collection",
  so any write replaces them.

The provider's answer of a month is worked out once and each council's is narrowed from it
(`narrowed`): a council's contracts are evaluated from its own services' evidence only, so the
narrowed rows are exactly the council-scoped `month_report`'s (tests/application/test_answers.py
checks it for every council of the demo). Each question is worked out by one thread at a time;
the others asking for it wait for that answer rather than working it out again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from application.consolidation import consolidation_report
from application.month_detail import AgeHistory, recovery_point_ages, site_measures
from application.periods import estate_zone, months_to
from application.profile import profile_report
from application.savings import savings_report
from application.service_levels import LOOK_PAST_SECONDS, MonthServiceLevels, month_report
from application.site_loss import site_loss_report
from application.status import warehouse_status
from application.timeleft import timeleft_report
from application.underuse import underuse_report
from estate.model import Estate
from estate.scope import PROVIDER, Scope
from sla import calendar as cal

KEPT_ANSWERS = 48  # answers held at most; the oldest asked-for goes first (each a few MB at most)
KEPT_DERIVED = 512  # what pages derive from answers (a council's trend, its days): small, kept apart


def narrowed(report: MonthServiceLevels, scope: Scope) -> MonthServiceLevels:
    """The provider's month narrowed to what `scope` may see: its council's rows and summary."""
    if scope.is_provider:
        return report
    return replace(
        report,
        rows=tuple(r for r in report.rows if r.council_id == scope.council_id),
        councils=tuple(c for c in report.councils if c.council_id == scope.council_id),
    )


class Answers:
    """The application layer's answers for the served process: kept while they cannot change.

    `warehouse` is the owner's connection; every answer is worked out on a cursor of its own,
    so any thread may ask. `clock` gives the current UTC time (tests pass their own)."""

    def __init__(self, estate: Estate, warehouse, clock: Callable[[], datetime]):
        self.estate = estate
        self._warehouse = warehouse
        self._clock = clock
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple, tuple[Any, int | None]] = OrderedDict()  # key -> (answer, reads until)
        self._derived: OrderedDict[tuple, tuple[Any, int | None]] = OrderedDict()  # the same, derived
        self._working: dict[tuple, threading.Lock] = {}
        self.worked_out = 0  # answers worked out (not served from what is kept): for tests and /metrics
        self._collected: tuple[datetime | None] | None = None  # (the end of what is collected,), once read
        self.generation = 0  # moved on by every write: what was laid out from the answers before is stale

    # ------------------------------------------------------------------ what is kept

    def written(self, start: datetime, end: datetime) -> None:
        """The warehouse was written in [start, end): forget every answer that read there."""
        start_s = cal.utc_seconds(start if start.tzinfo else start.replace(tzinfo=UTC))
        with self._lock:
            for kept in (self._kept, self._derived):
                for key in [
                    k for k, (_, reads_until) in kept.items() if reads_until is None or reads_until > start_s
                ]:
                    del kept[key]

    def forget(self) -> None:
        with self._lock:
            self.generation += 1
            self._collected = None
            self._kept.clear()
            self._derived.clear()

    def touched(self) -> None:
        """Something a page shows beside the answers was written (an outage's explanation)."""
        with self._lock:
            self.generation += 1

    def _answer(self, key: tuple, reads_until: int | None, work: Callable[[Any], Any], derived: bool = False):
        """The kept answer for `key`, else `work(cursor)`'s, kept. `reads_until`: the UTC second
        after which nothing it reads lies (None: it reads to the last collection). `derived`:
        worked out from other answers only (no cursor), kept apart so as never to push an
        answer out."""
        kept, most = (self._derived, KEPT_DERIVED) if derived else (self._kept, KEPT_ANSWERS)
        with self._lock:
            if key in kept:
                kept.move_to_end(key)
                return kept[key][0]
            working = self._working.setdefault(key, threading.Lock())
        with working:  # one thread works it out; the others wait here for its answer
            with self._lock:
                if key in kept:
                    return kept[key][0]
            if derived:
                answer = work(None)
            else:
                with self._warehouse.cursor() as warehouse:
                    answer = work(warehouse)
            with self._lock:
                if not derived:
                    self.worked_out += 1
                kept[key] = (answer, reads_until)
                while len(kept) > most:
                    kept.popitem(last=False)
                self._working.pop(key, None)
            return answer

    def derived(self, key: tuple, month: str | None, work: Callable[[], Any]):
        """What a page works out from the answers alone (`work()`), kept while they are: until a
        write reaches into `month`'s window (the latest month it reads), or any write when
        `month` is None. The key must hold everything the result depends on beyond the answers
        (the council, the month, the scope's council)."""
        return self._answer(
            ("derived", *key),
            None if month is None else self._month_reads_until(month),
            lambda _: work(),
            derived=True,
        )

    # ------------------------------------------------------------------ the questions

    def now(self) -> datetime:
        return self._clock()

    def as_of(self) -> datetime:
        """The end of what has been collected (or now, when earlier): every answer's as-of. The
        end of what has been collected changes only with a write, so it is read once per write."""
        with self._lock:
            collected = self._collected
        if collected is None:
            with self._warehouse.cursor() as warehouse:
                collected = (warehouse.collected_until(),)
            with self._lock:
                self._collected = collected
        (until,) = collected
        now = self._clock().astimezone(UTC)
        return now if until is None else min(now, until.replace(tzinfo=UTC))

    def current_month(self) -> str:
        """The month the as-of lies in, in the estate's zone."""
        return self.as_of().astimezone(estate_zone(self.estate)).strftime("%Y-%m")

    def month(self, month: str, scope: Scope) -> MonthServiceLevels:
        """A month's service levels, narrowed to the scope."""
        scope.check(self.estate)
        now = self._clock()
        report = self._answer(
            ("month", month),
            self._month_reads_until(month),
            lambda warehouse: month_report(self.estate, warehouse, month, scope=PROVIDER, now=now),
        )
        return narrowed(report, scope)

    def _month_reads_until(self, month: str) -> int | None:
        """A month complete (with the day past it collected) reads nothing after that day; one
        in progress reads to the last collection (None)."""
        period = cal.month_period(month, estate_zone(self.estate))
        complete = cal.utc_seconds(self.as_of()) >= period.end + LOOK_PAST_SECONDS
        return period.end + LOOK_PAST_SECONDS if complete else None

    def recovery_ages(self, month: str, dataset_id: str, scope: Scope) -> AgeHistory:
        """A dataset's highest recovery point age in each hour of the month (a dataset the scope
        may not see is refused as unknown)."""
        scope.check(self.estate)
        now = self._clock()
        return self._answer(
            ("ages", month, dataset_id, scope.council_id),
            self._month_reads_until(month),
            lambda warehouse: recovery_point_ages(
                self.estate, warehouse, month, dataset_id, scope=scope, now=now
            ),
        )

    def site_availability(self, month: str, service_id: str, scope: Scope):
        """Each site of the service measured on its own in the month, within the scheduled time
        of the first contract the scope sees (the one the Service page leads with): (that row,
        {site: Measure}), or None when no contract of it is measured that month."""
        row = next(
            (
                r
                for r in self.month(month, scope).rows
                if r.service_id == service_id and r.contract is not None and r.schedule is not None
            ),
            None,
        )
        if row is None:
            return None
        measures = self._answer(
            ("sites", month, service_id, row.council_id),
            self._month_reads_until(month),
            lambda warehouse: site_measures(
                self.estate,
                warehouse,
                service_id,
                row.schedule.scheduled,
                row.contract.unmonitored_policy,
                scope=scope,
            ),
        )
        return row, measures

    def months(self, last: str, count: int, scope: Scope) -> list[MonthServiceLevels]:
        """The `count` months to `last`, oldest first."""
        return [self.month(label, scope) for label in months_to(last, count)]

    def _whole_estate(self, name: str, function, scope: Scope):
        scope.require_provider(name)  # refused before anything is worked out or read
        now = self._clock()
        return self._answer(
            (name,), None, lambda warehouse: function(self.estate, warehouse, scope=PROVIDER, now=now)
        )

    def site_loss(self, scope: Scope):
        return self._whole_estate("the site-loss check", site_loss_report, scope)

    def time_left(self, scope: Scope):
        return self._whole_estate("time remaining per site", timeleft_report, scope)

    def consolidation(self, scope: Scope):
        return self._whole_estate("the consolidation plan", consolidation_report, scope)

    def savings(self, scope: Scope):
        return self._whole_estate("savings against the baseline", savings_report, scope)

    def underuse(self, scope: Scope):
        # a council sees its dedicated servers: its own answer, kept apart from the provider's
        now = self._clock()
        key = ("underuse", scope.council_id)
        return self._answer(
            key, None, lambda warehouse: underuse_report(self.estate, warehouse, scope=scope, now=now)
        )

    def profile(self, kind: str, subject_id: str, scope: Scope, days: int = 90):
        """A server's, service's or site's utilisation profile; a subject the scope may not see
        is refused as unknown (by profile_report, before anything is read), each scope apart."""
        now = self._clock()
        key = ("profile", kind, subject_id, days, scope.council_id)
        return self._answer(
            key,
            None,
            lambda warehouse: profile_report(
                self.estate, warehouse, kind, subject_id, days, scope=scope, now=now
            ),
        )

    def status(self, scope: Scope):
        scope.require_provider("the warehouse's status")
        now = self._clock()
        return self._answer(
            ("status",), None, lambda warehouse: warehouse_status(warehouse, scope=PROVIDER, now=now)
        )
