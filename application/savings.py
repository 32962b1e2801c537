"""Savings fed from the warehouse: what ran and for how long, then the rules in savings/."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from application.collected import data_end, estate_as_collected
from application.provenance import Provenance, provenance_of
from estate.model import Estate
from estate.scope import Scope
from savings.split import split
from savings.years import (
    CumulativeYear,
    Running,
    YearFigures,
    cumulative,
    financial_year_label,
    pounds,
    year_figures,
)
from warehouse import Warehouse

STOPPED_AFTER_DAYS = 2  # a server silent for longer than this has stopped reporting


@dataclass(frozen=True)
class CouncilShare:
    financial_year: str
    council_id: str
    actual_cost_gbp: Decimal
    net_saving_gbp: Decimal


@dataclass(frozen=True)
class BaselineServerEvidence:
    """A server of the baseline, and whether the warehouse shows it has stopped."""

    server_id: str
    site_id: str
    annual_cost_gbp: Decimal
    last_reported_hour_utc: datetime | None
    stopped_reporting: bool
    since_utc: datetime | None  # silent from the end of the last hour it reported


@dataclass(frozen=True)
class SavingsReport:
    as_of_utc: datetime
    years: tuple[YearFigures, ...]
    councils: tuple[CouncilShare, ...]
    evidence: tuple[BaselineServerEvidence, ...]
    rule: str  # how shared costs are split
    provenance: Provenance

    @property
    def cumulative(self) -> list[CumulativeYear]:
        return cumulative(self.years)


def _council_weights(estate: Estate, use: dict[str, float]) -> dict[str, Fraction]:
    """Weights for splitting shared costs, by the configured rule."""
    rule = estate.money.shared_cost_split
    councils = [c.id for c in estate.councils]
    if rule == "fixed-shares":
        return {c: Fraction(estate.money.fixed_shares_percent.get(c, Decimal(0))) for c in councils}
    if rule == "even":
        return dict.fromkeys(councils, Fraction(1))
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
    return weights


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
    labels = sorted(
        {t.financial_year for t in money.savings_targets} | {i.financial_year for i in money.investments}
    )
    local_end = end.astimezone(tz)
    last_start = local_end.year if local_end.month >= 4 else local_end.year - 1
    if labels:
        labels = [financial_year_label(y) for y in range(int(labels[0][:4]), last_start + 1)]
    costs = {s.id: s.annual_cost_gbp for s in estate.servers}
    if money.baseline:
        costs |= {s.id: s.annual_cost_gbp for s in money.baseline.servers}
    storage = sum(s.storage_gib for s in estate.servers)
    physical = sum(1 for s in estate.servers if s.kind == "physical")
    years, shares_rows = [], []
    for label in labels:
        # a financial year runs from local midnight on 1 April; days are local days
        fy_start = datetime(int(label[:4]), 4, 1, tzinfo=tz)
        fy_end = datetime(int(label[:4]) + 1, 4, 1, tzinfo=tz)
        lo = max(fy_start, span[0].replace(tzinfo=UTC).astimezone(tz)) if span else fy_end
        today = end.astimezone(tz).date()
        hi = min(fy_end, datetime(today.year, today.month, today.day, tzinfo=tz))
        measured = max(0, (hi.date() - lo.date()).days)
        use: dict[str, float] = {}
        server_days: dict[str, int] = {}
        if measured:
            frame = warehouse.server_days_and_use(lo, hi)
            for server_id, days, cpu_days in frame.iter_rows():
                if server_id in costs:
                    server_days[server_id] = days
                use[server_id] = cpu_days * 24 / 100
        figures = year_figures(label, measured, money, Running(server_days, costs, storage, physical))
        figures = replace(figures, in_progress=fy_end.astimezone(UTC) > end)
        years.append(figures)
        if measured:
            weights = _council_weights(estate, use)
            actual = split(pounds(figures.actual_cashable + figures.actual_non_cashable), weights)
            net = split(pounds(figures.net_saving), weights)
            for council in weights:
                shares_rows.append(CouncilShare(label, council, actual[council], net[council]))
    evidence = []
    if money.baseline and span:
        last_seen = {
            r["server_id"]: r["last_hour_utc"] for r in warehouse.last_reported().iter_rows(named=True)
        }
        for server in money.baseline.servers:
            seen = last_seen.get(server.id)
            stopped = seen is None or seen.replace(tzinfo=UTC) < end - timedelta(days=STOPPED_AFTER_DAYS)
            seen = None if seen is None else seen.replace(tzinfo=UTC)
            evidence.append(
                BaselineServerEvidence(
                    server.id,
                    server.site,
                    server.annual_cost_gbp,
                    seen,
                    stopped,
                    None if seen is None or not stopped else seen + timedelta(hours=1),
                )
            )
    return SavingsReport(
        end, tuple(years), tuple(shares_rows), tuple(evidence), money.shared_cost_split, provenance_of(estate)
    )
