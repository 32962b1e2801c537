"""The under-used server rule: worked cases, a property, the SQL percentiles against a brute
force, and the demo's planted servers found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from application.underuse import underuse_report
from capacity.underuse import MetricStats, ServerEvidence, find_underused, judge
from estate import load_estate
from estate.model import Server, UnderUse
from estate.scope import PROVIDER
from presentation.capacity import underuse_document
from tests.conftest import DEMO_NOW
from warehouse import Warehouse

RULE = UnderUse()
HOURS = RULE.lookback_days * 24


def server(role: str = "application", cost: str = "1000.00", server_id: str = "s1") -> Server:
    return Server(id=server_id, site="dc1", role=role, cores=4, memory_gib=16, annual_cost_gbp=Decimal(cost))


def stats(p95: float, hours: int = HOURS) -> MetricStats:
    return MetricStats(hours, p95 / 2, p95, p95 * 1.1, p95 * 1.2, p95 * 1.5)


def evidence(
    cpu: float, memory: float, network: float = 5.0, months: dict | None = None, **kw
) -> ServerEvidence:
    return ServerEvidence(
        server(**kw),
        {"cpu_percent": stats(cpu), "memory_percent": stats(memory), "network_mbps": stats(network)},
        months or {"2026-03": cpu, "2026-10": cpu},
        {},
    )


def test_worked_cases():
    # p95 CPU 4 % < 10 and p95 memory 20 % < 30, no busy month: under-used.
    assert judge(evidence(4, 20), RULE, HOURS).finding.kind == "under-used"
    # Exactly at a threshold is not below it.
    assert judge(evidence(10, 20), RULE, HOURS).finding is None
    assert judge(evidence(4, 30), RULE, HOURS).finding is None
    # Busy in March (p95 of daily mean CPU 35 %): a seasonal peak keeps it off the list.
    verdict = judge(evidence(4, 20, months={"2026-03": 35.0, "2026-10": 3.0}), RULE, HOURS)
    assert verdict.finding is None and verdict.reason == "seasonal peak in 2026-03"
    # A DR standby never, however idle.
    assert judge(evidence(0.5, 10, network=0.01, role="dr-standby"), RULE, HOURS).finding is None
    # CPU 0.5 % and network 0.02 Mbit/s: possibly unused, listed apart.
    assert judge(evidence(0.5, 10, network=0.02), RULE, HOURS).finding.kind == "possibly-unused"
    # Idle CPU but a busy network: an ordinary under-used server, not unused.
    assert judge(evidence(0.5, 10, network=3), RULE, HOURS).finding.kind == "under-used"
    # Data for only half the look-back: not judged.
    short = ServerEvidence(
        server(), {"cpu_percent": stats(4, HOURS // 2), "memory_percent": stats(20, HOURS // 2)}
    )
    assert judge(short, RULE, HOURS).reason == "not enough data in the look-back to judge"


def test_findings_are_ordered_by_kind_then_cost():
    found = find_underused(
        [
            evidence(4, 20, cost="100.00", server_id="cheap"),
            evidence(4, 20, cost="900.00", server_id="dear"),
            evidence(0.2, 5, network=0.0, cost="50.00", server_id="off"),
            evidence(50, 50, server_id="busy"),
        ],
        RULE,
    )
    assert [(v.server_id, v.finding.kind if v.finding else None) for v in found] == [
        ("off", "possibly-unused"),
        ("dear", "under-used"),
        ("cheap", "under-used"),
        ("busy", None),
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 60), st.floats(0, 90), st.floats(0, 40)), min_size=1, max_size=30),
    st.floats(1, 50),
    st.floats(1, 50),
    st.floats(0, 30),
    st.floats(0, 30),
)
def test_raising_a_threshold_never_shortens_the_list(servers, cpu, memory, more_cpu, more_memory):
    fleet = [
        evidence(c, m, months={"2026-03": busy}, server_id=f"s{k}") for k, (c, m, busy) in enumerate(servers)
    ]

    def listed(cpu_threshold: float, memory_threshold: float) -> set[str]:
        rule = UnderUse(cpu_p95_below_percent=cpu_threshold, memory_p95_below_percent=memory_threshold)
        return {v.server_id for v in find_underused(fleet, rule) if v.finding}

    assert listed(cpu, memory) <= listed(cpu + more_cpu, memory + more_memory)


@pytest.fixture(scope="module")
def demo_report(demo_build):
    paths, truth = demo_build
    estate = load_estate(paths.estate)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        report = underuse_report(estate, warehouse, scope=PROVIDER, now=DEMO_NOW)
    return paths, {s["id"]: s for s in truth["scenarios"]}, underuse_document(report)


def test_the_demo_planted_servers_are_found(demo_report):
    _, planted, report = demo_report
    assert {f["server"] for f in report["under_used"]} == set(planted["under-used-servers"]["servers"])
    assert {f["server"] for f in report["possibly_unused"]} == set(
        planted["possibly-unused-servers"]["servers"]
    )
    for standby in planted["dr-standby-not-under-used"]["servers"]:
        assert report["not_listed"][standby] == "role dr-standby is never listed"
    (seasonal,) = planted["seasonal-server-not-under-used"]["servers"]
    assert (
        report["not_listed"][seasonal].startswith("seasonal peak in ")
        and "-03" in report["not_listed"][seasonal]
    )
    total = sum(Decimal(f["annual_cost_gbp"]) for f in report["under_used"])
    assert report["annual_cost_gbp"]["under_used"] == f"{total:.2f}"
    for finding in report["under_used"]:
        assert len(finding["daily_cpu_peaks"]) == 90  # one a day for the sparkline


def test_sql_percentiles_agree_with_a_brute_force(demo_report):
    """The warehouse's quantile_disc is the nearest-rank percentile (numpy 'inverted_cdf')."""
    paths, _, report = demo_report
    end = datetime.fromisoformat(report["as_of_utc"].replace("Z", "+00:00"))
    start = end - timedelta(days=90)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        computed = warehouse.utilisation_stats(start, end, ["cpu_percent", "memory_percent"])
        for server_id in ("dc1-print01", "dc2-old-test02", "dc1-council-tax-db01"):
            for metric in ("cpu_percent", "memory_percent"):
                raw = warehouse.utilisation([server_id], metric, 3600, start, end)["mean_value"].to_numpy()
                row = computed.filter(
                    (computed["server_id"] == server_id) & (computed["metric"] == metric)
                ).row(0, named=True)
                assert row["hours"] == len(raw)
                for q in ("p50", "p95", "p99"):
                    assert row[q] == np.percentile(raw, int(q[1:]), method="inverted_cdf")
                assert row["max_mean"] == raw.max()
    assert end <= DEMO_NOW.astimezone(UTC)


def test_the_demo_march_billing_peak_shows_in_every_planted_server(demo_build):
    """The planted billing servers add at least 22 % CPU in office hours through March; in the
    monthly evidence their March stands above both February and April on every one of them."""
    from application.underuse import server_evidence

    paths, truth = demo_build
    (planted,) = [s for s in truth["scenarios"] if s["id"] == "march-billing-peak"]
    estate = load_estate(paths.estate)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        evidence = {
            e.server.id: e
            for e in server_evidence(estate.servers, warehouse, DEMO_NOW, 90, None, estate.estate.time_zone)
        }
    year = planted["month"][:4]
    for server_id in planted["servers"]:
        months = evidence[server_id].monthly_cpu_p95_daily_mean
        assert months[planted["month"]] - max(months[f"{year}-02"], months[f"{year}-04"]) >= 5, server_id


def test_the_evidence_sparkline_shows_every_day_on_one_scale():
    from presentation.capacity import spark

    # a character a day on 0-100 %: 1 % is the lowest bar, 50 % the fifth (int(8 x 0.5) = 4,
    # counting from 0), 100 % the top; 3 November has no measurement, so a dot
    peaks = [("2026-11-01", 1.0), ("2026-11-02", 50.0), ("2026-11-04", 100.0), ("2026-11-05", 12.4)]
    assert spark(peaks) == "▁▅·█▁"
    assert spark([]) == ""


def test_the_demo_shows_ninety_days_of_evidence_for_each_under_used_server(demo_build):
    from presentation.capacity import spark

    paths, _ = demo_build
    estate = load_estate(paths.estate)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        report = underuse_report(estate, warehouse, scope=PROVIDER, now=DEMO_NOW)
    assert len(report.findings) == 11
    for finding in report.findings:
        # the 90-day look-back is 90 characters, a day each, none missing, ending on the day of
        # the demo's clock (22 November), not 13 weeks
        line = spark(list(finding.daily_cpu_peaks))
        assert len(line) == report.lookback_days == 90 and "·" not in line, finding.server_id
        assert finding.daily_cpu_peaks[-1][0] == "2026-11-22"
