"""The site-loss check and the consolidation plan: worked cases, properties, a brute force."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from application.collected import data_end
from application.consolidation import consolidation_report
from application.site_loss import site_loss_report
from capacity.consolidation import Workload, pack
from capacity.siteloss import check
from estate import load_estate
from estate.scope import PROVIDER
from presentation.capacity import consolidation_document, site_loss_document
from tests.conftest import DEMO_NOW
from warehouse import Warehouse


def test_site_loss_adds_hours_not_peaks():
    # Two services of 60 cores peak each, at different hours: together they peak at 70, not 120.
    a = np.array([60.0, 10.0, 10.0])
    b = np.array([10.0, 10.0, 60.0])
    result = check("dc1", "dc2", "cpu", 80.0, {"a": a, "b": b}, {"a": "critical", "b": "low"})
    assert (result.combined_peak, result.fits, result.headroom, result.would_not_fit) == (
        70.0,
        True,
        10.0,
        (),
    )


def test_site_loss_leaves_out_the_least_critical_first():
    # 50 + 30 + 20 cores at the same hour against 85 usable: the critical 50 and high 30 fit
    # (80), the low 20 would not (100 > 85).
    demand = {"crit": np.array([50.0]), "high": np.array([30.0]), "low": np.array([20.0])}
    levels = {"crit": "critical", "high": "high", "low": "low"}
    result = check("dc1", "dc2", "cpu", 85.0, demand, levels)
    assert (result.combined_peak, result.fits, result.would_not_fit) == (100.0, False, ("low",))
    # With only 60 usable the high one goes too, but the low one (50 + 20 = 70) still does not fit.
    assert check("dc1", "dc2", "cpu", 60.0, demand, levels).would_not_fit == ("high", "low")


def test_packing_a_worked_example():
    # Hosts of 10 cores and 100 GiB with 20 % headroom offer 8 cores and 80 GiB. Workloads of
    # 5, 4, 3 and 3 cores (10 GiB each), first-fit decreasing: 5+3 on host 1, 4+3 on host 2.
    workloads = [Workload(name, "dc1", cores, 10) for name, cores in (("a", 5), ("b", 4), ("c", 3), ("d", 3))]
    plan = pack(workloads, "dc1", 10, 100, 20, hosts_now=4, annual_cost_per_host=Decimal("1000"))
    assert [h.workloads for h in plan.hosts] == [["a", "c"], ["b", "d"]]
    assert (plan.hosts_needed, plan.hosts_freed, plan.saving_gbp) == (2, 2, Decimal("2000"))


workloads_strategy = st.lists(
    st.tuples(st.floats(0, 60), st.floats(0, 700), st.sampled_from(["dc1", "dc2"])), min_size=1, max_size=60
)


@settings(max_examples=150, deadline=None)
@given(workloads_strategy, st.floats(0, 60), st.randoms(use_true_random=False))
def test_a_packing_never_exceeds_a_host_places_everything_and_is_deterministic(
    items, headroom, rng: random.Random
):
    workloads = [Workload(f"w{k:03d}", site, cpu, memory) for k, (cpu, memory, site) in enumerate(items)]
    plan = pack(workloads, "dc1", 64, 768, headroom, hosts_now=0, annual_cost_per_host=Decimal("0"))
    usable_cpu, usable_memory = 64 * (1 - headroom / 100), 768 * (1 - headroom / 100)
    by_id = {w.server_id: w for w in workloads}
    placed = [w for host in plan.hosts for w in host.workloads]
    assert sorted(placed) == sorted(w.server_id for w in workloads if w.site == "dc1")  # each once, site kept
    for host in plan.hosts:
        cpu = sum(by_id[w].cpu_cores for w in host.workloads)
        memory = sum(by_id[w].memory_gib for w in host.workloads)
        if host.oversized:
            assert len(host.workloads) == 1
        else:
            assert cpu <= usable_cpu + 1e-9 and memory <= usable_memory + 1e-9
    shuffled = list(workloads)
    rng.shuffle(shuffled)
    again = pack(shuffled, "dc1", 64, 768, headroom, hosts_now=0, annual_cost_per_host=Decimal("0"))
    assert [h.workloads for h in again.hosts] == [h.workloads for h in plan.hosts]


def test_the_demo_site_loss_check_agrees_with_a_brute_force_sum(demo_build):
    paths, _ = demo_build
    estate = load_estate(paths.estate)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        report = site_loss_document(site_loss_report(estate, warehouse, scope=PROVIDER, now=DEMO_NOW))
        end = data_end(warehouse, DEMO_NOW)
        start = end - timedelta(days=estate.capacity.under_use.lookback_days)
        rows = warehouse.utilisation(None, "cpu_percent", 3600, start, end)
    cores = {s.id: s.cores for s in estate.servers}
    hourly: dict = {}
    for server_id, hour, mean in zip(
        rows["server_id"], rows["interval_start_utc"], rows["mean_value"], strict=True
    ):
        if server_id in cores:  # decommissioned baseline servers are not in the estate any more
            hourly[hour] = hourly.get(hour, 0.0) + mean * cores[server_id] / 100
    brute_peak = max(hourly.values())
    for result in (c for c in report["checks"] if c["pool"] == "cpu"):
        assert abs(result["combined_peak"] - brute_peak) < 1e-6 * brute_peak
        usable = 0.8 * sum(s.cores for s in estate.servers if s.site == result["survivor"])
        assert result["usable"] == round(usable, 3)
        assert result["fits"] == (brute_peak <= usable)


def test_the_demo_consolidation_keeps_two_site_services_and_frees_hosts(demo_build):
    paths, _ = demo_build
    estate = load_estate(paths.estate)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        first = consolidation_document(consolidation_report(estate, warehouse, scope=PROVIDER, now=DEMO_NOW))
        second = consolidation_document(consolidation_report(estate, warehouse, scope=PROVIDER, now=DEMO_NOW))
    assert first == second  # the same input, the same plan
    assert first["two_site_services_kept_at_two_sites"] is True
    assert first["hosts_needed"] < first["hosts_needed_at_allocated_size"]
    placed = sorted(w for site in first["sites"] for host in site["hosts"] for w in host["workloads"])
    assert placed == sorted(s.id for s in estate.servers if s.role != "hypervisor")
