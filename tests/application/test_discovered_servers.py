"""Servers found by [[server_discovery]] count in every answer exactly like listed ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import polars as pl

from application.consolidation import consolidation_report
from application.profile import profile_report
from application.underuse import underuse_report
from estate import load_estate
from estate.model import Server, ServerDiscovery
from estate.scope import PROVIDER
from tests.conftest import SMALL_ESTATE

END = datetime(2026, 10, 1, tzinfo=UTC)
HOURS = 24 * 100  # more than the 90-day look-back


def test_a_discovered_idle_server_is_judged_profiled_and_packed(warehouse):
    estate = load_estate(SMALL_ESTATE)
    estate = estate.model_copy(update={"server_discovery": (ServerDiscovery(site="dc1"),)})
    found = Server(
        id="dc1-found01",
        site="dc1",
        role="application",
        services=("council-tax",),
        cores=4,
        memory_gib=16.0,
        annual_cost_gbp=Decimal("1500"),
    )
    warehouse.replace_discovered_servers("dc1", [(found, "node_uname_info")], END)
    start = END - timedelta(hours=HOURS)
    rows = pl.DataFrame(
        {
            "server_id": ["dc1-found01"] * HOURS * 2,
            "metric": ["cpu_percent"] * HOURS + ["memory_percent"] * HOURS,
            "interval_start_utc": [start.replace(tzinfo=None) + timedelta(hours=h) for h in range(HOURS)] * 2,
            "mean_value": [2.0] * HOURS + [10.0] * HOURS,  # idle: 2 % CPU, 10 % memory
            "peak_value": [3.0] * HOURS + [11.0] * HOURS,
        }
    )
    warehouse.replace_utilisation("dc1", 3600, start, END, rows)
    warehouse.rollup_utilisation_daily("dc1", start, END, "Europe/London")
    warehouse.set_watermark("dc1", "utilisation", END)

    under = underuse_report(estate, warehouse, scope=PROVIDER, now=END)
    (finding,) = [f for f in under.findings if f.server_id == "dc1-found01"]
    assert finding.kind == "under-used" and finding.annual_cost_gbp == Decimal("1500")

    profile = profile_report(estate, warehouse, "server", "dc1-found01", scope=PROVIDER, now=END)
    # every hour of the 90 days is held at 2 %: p95 and max are 2 (of its own 4 cores)
    cpu = profile.resource("cpu").all_hours
    assert cpu.hours == 90 * 24 and cpu.percentiles["p95"] == 2.0 and cpu.maximum == 2.0

    plan = consolidation_report(estate, warehouse, scope=PROVIDER, now=END)
    placed = {w for p in plan.plans for host in p.hosts for w in host.workloads}
    assert "dc1-found01" in placed

    # without the [[server_discovery]] table, what is held is not counted (how a site's are retired)
    bare = load_estate(SMALL_ESTATE)
    assert all(
        v.server_id != "dc1-found01"
        for v in underuse_report(bare, warehouse, scope=PROVIDER, now=END).verdicts
    )
