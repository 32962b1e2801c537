"""Savings fed from the warehouse: what ran and for how long, then the rules in savings/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from application.collected import data_end, estate_as_collected
from application.provenance import Provenance, provenance_of
from estate.model import Estate
from estate.scope import Scope
from savings.ledger import Measured, Period, measured_ledger, reported_ledger
from savings.split import split
from savings.years import (
    MEASURED_YEAR,
    NOT_KNOWN_YEAR,
    PART_MEASURED_YEAR,
    REPORTED_YEAR,
    CumulativeYear,
    YearLedger,
    cumulative,
    days_in_financial_year,
    financial_year_label,
    pounds,
)
from warehouse import Warehouse

STOPPED_AFTER_DAYS = 2  # a server silent for longer than this has stopped reporting


@dataclass(frozen=True)
class CouncilShare:
    financial_year: str
    council_id: str
    saving_gbp: Decimal
    net_saving_gbp: Decimal
    rule: str  # the split used for this year (measured use falls back to even without any)


@dataclass(frozen=True)
class SavingsReport:
    as_of_utc: datetime
    years: tuple[YearLedger, ...]
    councils: tuple[CouncilShare, ...]
    rule: str  # how shared costs are split
    provenance: Provenance

    @property
    def cumulative(self) -> list[CumulativeYear]:
        return cumulative(self.years)

    def year(self, label: str) -> YearLedger | None:
        return next((y for y in self.years if y.financial_year == label), None)


def _council_weights(estate: Estate, use: dict[str, float]) -> tuple[dict[str, Fraction], str]:
    """Weights for splitting shared costs, by the configured rule, and the rule used: measured
    use with nothing measured (a reported year) splits evenly, and says so."""
    rule = estate.money.shared_cost_split
    councils = [c.id for c in estate.councils]
    if rule == "fixed-shares":
        return {c: Fraction(estate.money.fixed_shares_percent.get(c, Decimal(0))) for c in councils}, rule
    if rule == "even" or not use:
        return dict.fromkeys(councils, Fraction(1)), "even" if rule == "even" else "even (no use measured)"
    weights = dict.fromkeys(councils, Fraction(0))  # measured use: CPU core-hours of their services
    for server in estate.servers:
        if server.id not in use or not server.services:
            continue
        for service_id in server.services:
            buyers = estate.service(service_id).councils
            for council in buyers:
                share = (
                    Fraction(Decimal(repr(use[server.id])))
                    * server.cores
                    / len(server.services)
                    / len(buyers)
                )
                weights[council] += share
    return weights, rule


def _programme_years(estate: Estate, last_start: int) -> list[str]:
    """From the programme's first year (the first with a target, an investment or a register
    entry) to the year of the as-of date."""
    money = estate.money
    named = (
        {t.financial_year for t in money.savings_targets}
        | {i.financial_year for i in money.investments}
        | {r.financial_year for r in money.savings_register}
        | {a.financial_year for a in money.actuals}
    )
    if not named:
        return []
    return [financial_year_label(y) for y in range(int(min(named)[:4]), last_start + 1)]


def _stopped_reporting(warehouse: Warehouse, estate: Estate, end: datetime, tz: ZoneInfo) -> dict[str, date]:
    """Baseline servers the warehouse saw stop: the local date after the last hour they reported,
    for those silent more than STOPPED_AFTER_DAYS before the as-of time."""
    baseline_ids = {s.id for s in estate.money.baseline.servers} if estate.money.baseline else set()
    stopped = {}
    for row in warehouse.last_reported(before=end).iter_rows(named=True):
        last = row["last_hour_utc"].replace(tzinfo=UTC)
        if row["server_id"] in baseline_ids and last < end - timedelta(days=STOPPED_AFTER_DAYS):
            stopped[row["server_id"]] = (last + timedelta(hours=1)).astimezone(tz).date()
    return stopped


def savings_report(
    estate: Estate, warehouse: Warehouse, *, scope: Scope, now: datetime | None = None
) -> SavingsReport:
    """The provider's savings: a council's share is in the split, which is the provider's to show."""
    scope.require_provider("savings against the baseline")
    estate = estate_as_collected(estate, warehouse)
    end = data_end(warehouse, now or datetime.now(UTC))
    span = warehouse.history_days()
    tz = ZoneInfo(estate.estate.time_zone)
    money = estate.money
    today = end.astimezone(tz).date()
    last_start = today.year if today.month >= 4 else today.year - 1
    # the first local day the warehouse holds (daily rollups start at local midnight)
    history_start = span[0].replace(tzinfo=UTC).astimezone(tz).date() if span else None
    stopped = _stopped_reporting(warehouse, estate, end, tz) if span else {}
    registered = {r.financial_year for r in money.savings_register}
    years, shares_rows = [], []
    for label in _programme_years(estate, last_start):
        fy_start = date(int(label[:4]), 4, 1)
        fy_end = date(int(label[:4]) + 1, 4, 1)
        elapsed_end = min(fy_end, today)
        elapsed = max(0, (elapsed_end - fy_start).days)
        in_progress = today < fy_end
        investment = sum(
            (Fraction(i.amount_gbp) for i in money.investments if i.financial_year == label), Fraction(0)
        )
        target = next(
            (Fraction(t.target_gbp) for t in money.savings_targets if t.financial_year == label), None
        )
        lo = max(fy_start, history_start) if history_start else elapsed_end
        held = max(0, (elapsed_end - lo).days)
        use: dict[str, float] = {}
        if label in registered:
            basis, lines, realised = REPORTED_YEAR, reported_ledger(label, money), elapsed
        elif held:
            period = Period(label, lo, elapsed_end, days_in_financial_year(label))
            frame = warehouse.server_days_and_use(_local_midnight(lo, tz), _local_midnight(elapsed_end, tz))
            days_reported = {}
            for server_id, days, cpu_days in frame.iter_rows():
                days_reported[server_id] = days
                use[server_id] = cpu_days * 24 / 100
            lines = measured_ledger(period, money, estate.servers, Measured(days_reported, stopped))
            basis = MEASURED_YEAR if lo == fy_start else PART_MEASURED_YEAR
            realised = held
        else:
            basis, lines, realised = NOT_KNOWN_YEAR, (), 0
        year = YearLedger(
            label,
            basis,
            days_in_financial_year(label),
            realised,
            elapsed,
            in_progress,
            lines,
            investment,
            target,
            held,
        )
        years.append(year)
        if basis != NOT_KNOWN_YEAR and estate.councils:
            weights, rule = _council_weights(estate, use)
            saving = split(pounds(year.saving), weights)
            net = split(pounds(year.net_saving), weights)
            for council in weights:
                shares_rows.append(CouncilShare(label, council, saving[council], net[council], rule))
    return SavingsReport(
        end, tuple(years), tuple(shares_rows), money.shared_cost_split, provenance_of(estate)
    )


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz)
