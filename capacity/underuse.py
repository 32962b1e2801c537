"""Under-used and possibly unused servers, with their evidence and what they cost.

The brief's rule, with the thresholds of `[capacity.under_use]`:

- **Under-used**: over the look-back (90 days by default) the server's p95 CPU is below the CPU
  threshold (10 %) and its p95 memory below the memory threshold (30 %), and it showed no
  seasonal peak in the last 13 months.
- **Seasonal peak**: a calendar month of the last 13 in which the p95 of the server's daily mean
  CPU reached the CPU threshold, that is, more than one day in twenty was busy all day on
  average. A server busy every March is not idle capacity, however quiet it is in November.
- **Possibly unused** (listed apart): p95 CPU below 1 % and p95 network below 0.1 Mbit/s:
  nothing is using it at all, so the question is whether to switch it off, not to shrink it.
- Servers whose role is in `never_roles` (disaster-recovery standbys) are never listed, and a
  server without a full look-back of data (too new, or no longer reporting) is not judged.

Percentiles are over hourly means, nearest rank (the smallest value whose cumulative share
reaches the quantile). Every input is a plain value; nothing here reads the warehouse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from estate.model import Server, UnderUse

COMPLETE_SHARE = 0.9  # a server needs hourly data for 90 % of the look-back to be judged


@dataclass(frozen=True)
class MetricStats:
    """Percentiles of hourly means over a window (and the highest hourly peak)."""

    hours: int
    p50: float
    p95: float
    p99: float
    max_mean: float
    max_peak: float


@dataclass(frozen=True)
class ServerEvidence:
    """What the warehouse says of one server: look-back percentiles per metric, and per month
    of the last 13 the p95 of daily mean CPU and the highest daily CPU peak."""

    server: Server
    lookback: Mapping[str, MetricStats]  # metric -> stats
    monthly_cpu_p95_daily_mean: Mapping[str, float] = field(default_factory=dict)  # YYYY-MM -> %
    monthly_cpu_max_peak: Mapping[str, float] = field(default_factory=dict)  # YYYY-MM -> %
    daily_cpu_peaks: Sequence[tuple[str, float]] = ()  # (YYYY-MM-DD, %) for a sparkline


@dataclass(frozen=True)
class Finding:
    kind: str  # under-used or possibly-unused
    server_id: str
    site_id: str
    role: str
    services: tuple[str, ...]
    annual_cost_gbp: Decimal
    cpu: MetricStats
    memory: MetricStats
    network: MetricStats | None
    peak_13_months_cpu_percent: float
    busiest_month: str | None
    busiest_month_p95_daily_mean_cpu: float | None
    daily_cpu_peaks: Sequence[tuple[str, float]]


@dataclass(frozen=True)
class Verdict:
    server_id: str
    finding: Finding | None
    reason: str  # why it is or is not listed


def judge(evidence: ServerEvidence, rule: UnderUse, lookback_hours: int) -> Verdict:
    """Apply the rule to one server; the reason says which test decided."""
    server = evidence.server
    if server.role in rule.never_roles:
        return Verdict(server.id, None, f"role {server.role} is never listed")
    cpu, memory = evidence.lookback.get("cpu_percent"), evidence.lookback.get("memory_percent")
    network = evidence.lookback.get("network_mbps")
    if cpu is None or memory is None or min(cpu.hours, memory.hours) < COMPLETE_SHARE * lookback_hours:
        return Verdict(server.id, None, "not enough data in the look-back to judge")
    months = evidence.monthly_cpu_p95_daily_mean
    busiest = max(months, key=lambda m: (months[m], m)) if months else None
    peak = max([cpu.max_peak, *evidence.monthly_cpu_max_peak.values()])

    def finding(kind: str) -> Finding:
        return Finding(
            kind,
            server.id,
            server.site,
            server.role,
            server.services,
            server.annual_cost_gbp,
            cpu,
            memory,
            network,
            peak,
            busiest,
            months[busiest] if busiest else None,
            tuple(evidence.daily_cpu_peaks),
        )

    if (
        network is not None
        and cpu.p95 < rule.unused_cpu_p95_below_percent
        and network.p95 < rule.unused_network_p95_below_mbps
    ):
        return Verdict(server.id, finding("possibly-unused"), "next to no CPU and no network")
    if cpu.p95 >= rule.cpu_p95_below_percent:
        return Verdict(
            server.id, None, f"p95 CPU {cpu.p95:.1f} % is not below {rule.cpu_p95_below_percent} %"
        )
    if memory.p95 >= rule.memory_p95_below_percent:
        return Verdict(
            server.id, None, f"p95 memory {memory.p95:.1f} % is not below {rule.memory_p95_below_percent} %"
        )
    seasonal = [m for m, value in sorted(months.items()) if value >= rule.cpu_p95_below_percent]
    if seasonal:
        return Verdict(server.id, None, f"seasonal peak in {', '.join(seasonal)}")
    return Verdict(server.id, finding("under-used"), "under the thresholds all year")


def find_underused(evidence: Sequence[ServerEvidence], rule: UnderUse) -> list[Verdict]:
    """Every server's verdict; findings first by kind, then by annual cost, highest first."""
    lookback_hours = rule.lookback_days * 24
    verdicts = [judge(e, rule, lookback_hours) for e in evidence]
    return sorted(
        verdicts,
        key=lambda v: (
            v.finding is None,
            v.finding.kind if v.finding else "",
            -(v.finding.annual_cost_gbp if v.finding else 0),
            v.server_id,
        ),
    )
