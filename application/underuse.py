"""Which servers are under-used or possibly unused, with the evidence and what they cost."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from application.collected import HISTORY_DAYS, data_end, estate_as_collected
from application.provenance import Provenance, provenance_of
from capacity.underuse import Finding, MetricStats, ServerEvidence, Verdict, find_underused
from estate.model import Estate
from estate.scope import Scope
from warehouse import Warehouse


@dataclass(frozen=True)
class UnderuseReport:
    as_of_utc: datetime
    lookback_days: int
    verdicts: tuple[Verdict, ...]
    provenance: Provenance

    @property
    def findings(self) -> list[Finding]:
        return [v.finding for v in self.verdicts if v.finding is not None]

    def annual_cost_gbp(self, kind: str) -> Decimal:
        return sum((f.annual_cost_gbp for f in self.findings if f.kind == kind), start=Decimal(0))


def server_evidence(
    servers,
    warehouse: Warehouse,
    end: datetime,
    lookback_days: int,
    server_ids: list[str] | None,
    time_zone: str,
) -> list[ServerEvidence]:
    start = end - timedelta(days=lookback_days)
    stats: dict[str, dict[str, MetricStats]] = defaultdict(dict)
    frame = warehouse.utilisation_stats(
        start, end, ["cpu_percent", "memory_percent", "network_mbps"], server_ids
    )
    for server_id, metric, hours, p50, p95, p99, max_mean, max_peak in frame.iter_rows():
        stats[server_id][metric] = MetricStats(hours, p50, p95, p99, max_mean, max_peak)
    months: dict[str, dict[str, float]] = defaultdict(dict)
    month_peaks: dict[str, dict[str, float]] = defaultdict(dict)
    history_start = end - timedelta(days=HISTORY_DAYS)
    for server_id, month, _days, p95, peak in warehouse.monthly_daily_stats(
        "cpu_percent", history_start, end, time_zone, server_ids
    ).iter_rows():
        months[server_id][month] = p95
        month_peaks[server_id][month] = peak
    daily: dict[str, list[tuple[str, float]]] = defaultdict(list)
    rollups = warehouse.daily_rollups("cpu_percent", start, end, time_zone, server_ids)
    days = rollups["day"].dt.strftime("%Y-%m-%d").to_list()
    for server_id, day, peak in zip(
        rollups["server_id"].to_list(), days, rollups["peak_value"].to_list(), strict=True
    ):
        daily[server_id].append((day, peak))
    return [
        ServerEvidence(
            server,
            stats.get(server.id, {}),
            months.get(server.id, {}),
            month_peaks.get(server.id, {}),
            daily.get(server.id, []),
        )
        for server in servers
    ]


def underuse_report(
    estate: Estate, warehouse: Warehouse, *, scope: Scope, now: datetime | None = None
) -> UnderuseReport:
    """Every server the scope may see (a council: its dedicated servers), judged by the rule."""
    estate = estate_as_collected(estate, warehouse)
    rule = estate.capacity.under_use
    servers = scope.servers(estate)
    end = data_end(warehouse, now or datetime.now(UTC))
    evidence = server_evidence(
        servers, warehouse, end, rule.lookback_days, scope.server_ids(estate), estate.estate.time_zone
    )
    return UnderuseReport(
        end, rule.lookback_days, tuple(find_underused(evidence, rule)), provenance_of(estate)
    )
