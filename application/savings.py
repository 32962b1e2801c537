"""Savings fed from the warehouse: what ran and for how long, then the rules in savings/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from application.capacity import data_end
from estate.model import Estate
from savings.split import split
from savings.years import Running, YearFigures, cumulative, financial_year_label, pounds, year_figures
from warehouse import Warehouse

STOPPED_AFTER_DAYS = 2  # a server silent for longer than this has stopped reporting


@dataclass
class SavingsReport:
    as_of_utc: datetime
    years: list[YearFigures]
    councils: list[dict]
    evidence: list[dict]
    rule: str

    def as_dict(self) -> dict:
        return {
            "as_of_utc": self.as_of_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "rules": "docs/savings.md",
            "shared_cost_split": self.rule,
            "years": [y.as_dict() for y in self.years],
            "cumulative": cumulative(self.years)["years"],
            "councils": self.councils,
            "evidence": self.evidence,
        }


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


def savings_report(estate: Estate, warehouse: Warehouse, now: datetime | None = None) -> SavingsReport:
    end = data_end(warehouse, now or datetime.now(UTC))
    span = warehouse.history_days()
    money = estate.money
    labels = sorted(
        {t.financial_year for t in money.savings_targets} | {i.financial_year for i in money.investments}
    )
    last_start = end.year if end.month >= 4 else end.year - 1
    if labels:
        labels = [financial_year_label(y) for y in range(int(labels[0][:4]), last_start + 1)]
    costs = {s.id: s.annual_cost_gbp for s in estate.servers}
    if money.baseline:
        costs |= {s.id: s.annual_cost_gbp for s in money.baseline.servers}
    storage = sum(s.storage_gib for s in estate.servers)
    physical = sum(1 for s in estate.servers if s.kind == "physical")
    years, shares_rows = [], []
    for label in labels:
        fy_start = datetime(int(label[:4]), 4, 1, tzinfo=UTC)
        fy_end = datetime(int(label[:4]) + 1, 4, 1, tzinfo=UTC)
        lo = max(fy_start, span[0].replace(tzinfo=UTC)) if span else fy_end
        hi = min(fy_end, end.replace(hour=0))
        measured = max(0, (hi - lo).days)
        use: dict[str, float] = {}
        server_days: dict[str, int] = {}
        if measured:
            frame = warehouse.server_days_and_use(lo, hi)
            for server_id, days, cpu_days in frame.iter_rows():
                if server_id in costs:
                    server_days[server_id] = days
                use[server_id] = cpu_days * 24 / 100
        figures = year_figures(label, measured, money, Running(server_days, costs, storage, physical))
        years.append(figures)
        if measured:
            weights = _council_weights(estate, use)
            actual = split(pounds(figures.actual_cashable + figures.actual_non_cashable), weights)
            net = split(pounds(figures.net_saving), weights)
            for council in weights:
                shares_rows.append(
                    {
                        "financial_year": label,
                        "council": council,
                        "actual_cost_gbp": f"{actual[council]:.2f}",
                        "net_saving_gbp": f"{net[council]:.2f}",
                    }
                )
    evidence = []
    if money.baseline and span:
        last_seen = {
            r["server_id"]: r["last_hour_utc"] for r in warehouse.last_reported().iter_rows(named=True)
        }
        for server in money.baseline.servers:
            seen = last_seen.get(server.id)
            stopped = seen is None or seen.replace(tzinfo=UTC) < end - timedelta(days=STOPPED_AFTER_DAYS)
            evidence.append(
                {
                    "kind": "baseline-server",
                    "server": server.id,
                    "site": server.site,
                    "annual_cost_gbp": f"{server.annual_cost_gbp:.2f}",
                    "last_reported_hour_utc": None if seen is None else seen.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "stopped_reporting": stopped,
                    # silent from the end of the last hour it reported
                    "since_utc": None
                    if seen is None or not stopped
                    else (seen + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                }
            )
    return SavingsReport(end, years, shares_rows, evidence, money.shared_cost_split)
