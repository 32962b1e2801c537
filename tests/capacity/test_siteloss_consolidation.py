"""The site-loss check and the consolidation plan: worked cases, properties, a brute force."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from application.collected import data_end
from application.consolidation import consolidation_report
from application.site_loss import site_loss_report
from capacity.consolidation import Workload, hosts_kept_for_site_loss, pack
from capacity.hosts import capacity_servers, demand_servers
from capacity.siteloss import FOOTPRINT, INFRASTRUCTURE, LOAD, ServiceDemand, check, critical_load
from estate import load_estate
from estate.model import Server
from estate.scope import PROVIDER
from presentation.capacity import consolidation_document, site_loss_document
from tests.conftest import DEMO_NOW
from warehouse import Warehouse


def svc(name, mode, level, sites, recovery=None, **by_site):
    """A service's hourly demand at each site, as lists."""
    return ServiceDemand(
        name, mode, level, sites, {k: np.array(v, dtype=float) for k, v in by_site.items()}, recovery
    )


def test_site_loss_adds_hours_not_peaks():
    # Two single-site services at the survivor of 60 cores peak each, at different hours: the
    # survivor carries 70 at most, not 120.
    a = svc("a", "single-site", "critical", ("dc1",), dc1=[60, 10, 10])
    b = svc("b", "single-site", "low", ("dc1",), dc1=[10, 10, 60])
    result = check("dc1", "dc2", "cpu", LOAD, 80.0, [a, b], 3)
    assert (result.combined_peak, result.fits, result.headroom, result.would_not_fit) == (
        70.0,
        True,
        10.0,
        (),
    )


def test_an_active_active_services_load_moves_and_its_footprint_does_not():
    # Council Tax at both sites: 30 cores at dc1 and 20 at dc2 in the busy hour; 100 GiB resident
    # at each. dc2 lost: dc1 carries 30 + 20 = 50 cores, but only its own 100 GiB of memory (its
    # instance is already there and holds its own working set).
    cores = svc("ctax", "active-active", "critical", ("dc1", "dc2"), dc1=[30, 5], dc2=[20, 5])
    memory = svc("ctax", "active-active", "critical", ("dc1", "dc2"), dc1=[100, 100], dc2=[100, 90])
    assert check("dc1", "dc2", "cpu", LOAD, 60.0, [cores], 2).combined_peak == 50.0
    assert check("dc1", "dc2", "memory", FOOTPRINT, 120.0, [memory], 2).combined_peak == 100.0


def test_an_active_passive_standby_takes_its_actives_demand():
    # Finance active at dc1 (first of its sites) using 40 then 10 cores; its standby at dc2 idles
    # at 4. dc1 lost: dc2 carries the higher of the two each hour, 40 then 10 (replaced, not
    # added: 44 would count the standby twice). dc2 lost: dc1 goes on as it was, 40 then 10.
    finance = svc("finance", "active-passive", "critical", ("dc1", "dc2"), dc1=[40, 10], dc2=[4, 4])
    lose_active = check("dc2", "dc1", "cpu", LOAD, 100.0, [finance], 2)
    lose_standby = check("dc1", "dc2", "cpu", LOAD, 100.0, [finance], 2)
    assert (lose_active.combined_peak, lose_standby.combined_peak) == (40.0, 40.0)


def test_a_single_site_service_moves_only_with_a_dr_plan_to_the_survivor():
    # Two single-site services at dc2, 12 and 8 cores; the first's DR plan recovers it at dc1.
    # dc2 lost: dc1 carries 12 more, and the second is lost with its site, listed, claiming nothing.
    planned = svc("payroll", "single-site", "high", ("dc2",), "dc1", dc2=[12])
    unplanned = svc("museums", "single-site", "low", ("dc2",), dc2=[8])
    own = svc("email", "single-site", "critical", ("dc1",), dc1=[30])
    result = check("dc1", "dc2", "cpu", LOAD, 100.0, [planned, unplanned, own], 1)
    assert (result.combined_peak, result.lost_with_site) == (42.0, ("museums",))


def test_infrastructure_stays_with_its_site():
    # Servers that run no service (backup, monitoring): the survivor keeps its own 6 cores; the
    # lost site's 9 go with it.
    infra = svc(INFRASTRUCTURE, INFRASTRUCTURE, "critical", (), dc1=[6], dc2=[9])
    assert check("dc1", "dc2", "cpu", LOAD, 100.0, [infra], 1).combined_peak == 6.0


def test_site_loss_leaves_out_the_least_critical_first_and_says_what_each_needs():
    # 50 (critical) + 30 (high) + 20 (low) cores at the same hour at the survivor, against 85
    # usable: the critical 50 and high 30 fit (80), the low 20 would not: 100 - 85 = 15 more.
    services = [
        svc("crit", "single-site", "critical", ("dc1",), dc1=[50]),
        svc("high", "single-site", "high", ("dc1",), dc1=[30]),
        svc("low", "single-site", "low", ("dc1",), dc1=[20]),
    ]
    result = check("dc1", "dc2", "cpu", LOAD, 85.0, services, 1)
    assert (result.combined_peak, result.fits, result.would_not_fit) == (100.0, False, ("low",))
    assert [(n.service, n.criticality, n.needs) for n in result.short] == [("low", "low", 15.0)]
    assert result.fits_by_criticality == (
        ("critical", True),
        ("high", True),
        ("medium", True),
        ("low", False),
    )
    # With only 60 usable the high one goes too (80 - 60 = 20 more), and the low one still does
    # not fit beside the critical one (50 + 20 = 70: 10 more).
    tight = check("dc1", "dc2", "cpu", LOAD, 60.0, services, 1)
    assert [(n.service, n.needs) for n in tight.short] == [("high", 20.0), ("low", 10.0)]
    assert (
        dict(tight.fits_by_criticality)["critical"] is True
        and dict(tight.fits_by_criticality)["high"] is False
    )


def test_packing_a_worked_example():
    # Hosts of 10 cores and 100 GiB with 20 % headroom offer 8 cores and 80 GiB. Workloads of
    # 5, 4, 3 and 3 cores (10 GiB each), first-fit decreasing: 5+3 on host 1, 4+3 on host 2.
    workloads = [Workload(name, "dc1", cores, 10) for name, cores in (("a", 5), ("b", 4), ("c", 3), ("d", 3))]
    plan = pack(workloads, "dc1", 10, 100, 20, hosts_now=4, annual_cost_per_host=Decimal("1000"))
    assert [h.workloads for h in plan.hosts] == [["a", "c"], ["b", "d"]]
    assert (plan.hosts_needed, plan.hosts_freed, plan.saving_gbp) == (2, 2, Decimal("2000"))
    # with one host now, the same workloads need one more than exist: none freed, one short
    short = pack(workloads, "dc1", 10, 100, 20, hosts_now=1, annual_cost_per_host=Decimal("1000"))
    assert (short.hosts_freed, short.hosts_short, short.saving_gbp) == (0, 1, Decimal("0"))


def _server(server_id, site, role, kind, cores):
    return Server(
        id=server_id, site=site, role=role, kind=kind, cores=cores, memory_gib=8, annual_cost_gbp=Decimal("1")
    )


def test_the_host_model_counts_the_hosts_as_capacity_and_the_guests_as_demand():
    # dc1 has a host inventory: a 64-core hypervisor carries the 8-core VM; the 16-core physical
    # backup server carries itself. Capacity 64 + 16 = 80 cores, not 88: the VM's allocation is
    # carried by the host. dc2 has no hypervisor: every server as allocated, 4 + 8 = 12 cores.
    servers = [
        _server("h1", "dc1", "hypervisor", "physical", 64),
        _server("b1", "dc1", "backup", "physical", 16),
        _server("v1", "dc1", "application", "virtual", 8),
        _server("w1", "dc2", "application", "virtual", 4),
        _server("p1", "dc2", "database", "physical", 8),
    ]
    assert sum(s.cores for s in capacity_servers(servers, "dc1")) == 80
    assert sum(s.cores for s in capacity_servers(servers, "dc2")) == 12
    # demand is everyone's but the hypervisor's, whose own utilisation is its guests' again
    assert [s.id for s in demand_servers(servers)] == ["b1", "v1", "w1", "p1"]


def test_the_critical_services_load_a_survivor_carries_worked_by_hand():
    services = [
        svc(INFRASTRUCTURE, INFRASTRUCTURE, "critical", (), dc1=[1, 2], dc2=[9, 9]),
        svc("a", "active-active", "critical", ("dc1", "dc2"), dc1=[1, 1], dc2=[2, 2]),
        svc("b", "active-active", "high", ("dc1", "dc2"), dc1=[5, 5], dc2=[5, 5]),
    ]
    # dc1 survives dc2: its own infrastructure [1, 2] (dc2's goes with it) and a's load from both
    # sites [3, 3]: [4, 5]; b is high, not counted. By footprint a's resident instance only: [2, 3].
    assert critical_load("dc1", "dc2", LOAD, services, 2).tolist() == [4, 5]
    assert critical_load("dc1", "dc2", FOOTPRINT, services, 2).tolist() == [2, 3]


def test_a_site_keeps_the_hosts_its_critical_services_need_if_the_other_is_lost():
    # 128-core, 1,024 GiB hosts with 20 % headroom offer 102.4 cores and 819.2 GiB. The critical
    # peak is 300 cores and 900 GiB; a 32-core, 256 GiB backup server carries 25.6 and 204.8 of
    # it. CPU: (300 - 25.6) / 102.4 = 2.68, 3 hosts; memory: (900 - 204.8) / 819.2 = 0.85, 1: 3.
    assert hosts_kept_for_site_loss((300, 900), (25.6, 204.8), (102.4, 819.2)) == 3
    assert hosts_kept_for_site_loss((20, 100), (25.6, 204.8), (102.4, 819.2)) == 0
    # a plan whose guests pack onto 2 hosts but must keep 3 needs 3: of 4, one is freed, not two
    workloads = [Workload("a", "dc1", 50, 10), Workload("b", "dc1", 50, 10), Workload("c", "dc1", 50, 10)]
    plan = replace(pack(workloads, "dc1", 128, 1024, 20, 4, Decimal("1000")), kept_for_site_loss=3)
    assert (plan.hosts_packed, plan.hosts_needed, plan.hosts_freed, plan.saving_gbp) == (
        2,
        3,
        1,
        Decimal("1000"),
    )


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
    """Every server's raw hourly rows but the hypervisors', split evenly across its services, added up hour by hour
    in plain Python with the mode rules applied one service at a time: the survivor's peak must
    be the check's."""
    paths, _ = demo_build
    estate = load_estate(paths.estate)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        report = site_loss_document(site_loss_report(estate, warehouse, scope=PROVIDER, now=DEMO_NOW))
        end = data_end(warehouse, DEMO_NOW)
        start = end - timedelta(days=estate.capacity.under_use.lookback_days)
        rows = warehouse.utilisation(None, "cpu_percent", 3600, start, end)
    servers = {s.id: s for s in estate.servers}
    demand: dict = {}  # (service, site) -> {hour: cores}
    for server_id, hour, mean in zip(
        rows["server_id"], rows["interval_start_utc"], rows["mean_value"], strict=True
    ):
        server = servers.get(server_id)
        if server is None:  # decommissioned baseline servers are not in the estate any more
            continue
        if server.role == "hypervisor":  # a host's own use is its guests' again
            continue
        groups = server.services or ("infrastructure",)
        for group in groups:
            cell = demand.setdefault((group, server.site), {})
            cell[hour] = cell.get(hour, 0.0) + mean * server.cores / 100 / len(groups)
    hours = {h for cells in demand.values() for h in cells}
    modes = {s.id: s for s in estate.services}
    checked = 0
    for result in (c for c in report["checks"] if c["pool"] == "cpu"):
        lost, survivor = result["if_lost"], result["survivor"]
        peak, gone = 0.0, set()
        for hour in hours:
            total = demand.get(("infrastructure", survivor), {}).get(hour, 0.0)
            for service_id, service in modes.items():
                own = demand.get((service_id, survivor), {}).get(hour, 0.0)
                away = demand.get((service_id, lost), {}).get(hour, 0.0)
                if service.mode == "active-active":
                    total += own + away
                elif service.mode == "active-passive":
                    total += max(own, away) if service.sites[0] == lost else own
                elif lost in service.sites:
                    if service.recovery_site == survivor:
                        total += away
                    else:
                        gone.add(service_id)
                else:
                    total += own
            peak = max(peak, total)
        assert abs(result["combined_peak"] - peak) < 1e-6 * peak
        assert result["lost_with_site"] == sorted(gone)
        # both demo sites have hypervisors: the capacity is the physical servers'
        usable = 0.8 * sum(s.cores for s in estate.servers if s.site == survivor and s.kind == "physical")
        assert result["usable"] == round(usable, 3)
        assert result["fits"] == (peak <= usable)
        checked += 1
    assert checked == 2


def test_the_demo_consolidation_keeps_two_site_services_and_frees_hosts(demo_build):
    paths, _ = demo_build
    estate = load_estate(paths.estate)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        first = consolidation_document(consolidation_report(estate, warehouse, scope=PROVIDER, now=DEMO_NOW))
        second = consolidation_document(consolidation_report(estate, warehouse, scope=PROVIDER, now=DEMO_NOW))
    assert first == second  # the same input, the same plan
    assert first["two_site_services_kept_at_two_sites"] is True
    assert first["hosts_needed"] < first["hosts_needed_at_allocated_size"]
    # the guests packed are the virtual machines, every one once; the hypervisors and the other
    # physical servers (the backup servers) carry no guests and are not packed
    placed = sorted(w for site in first["sites"] for host in site["hosts"] for w in host["workloads"])
    assert placed == sorted(s.id for s in estate.servers if s.kind == "virtual")
    physical = {s.id for s in estate.servers if s.kind == "physical" and s.role != "hypervisor"}
    assert physical and not physical & set(placed)
    # one answer: the sites' figures add up to the totals, freed and short are against the hosts
    # that exist, and a site short of hosts is a finding, not a saving
    for site in first["sites"]:
        assert site["hosts_freed"] - site["hosts_short"] == site["hosts_now"] - site["hosts_needed"]
    assert first["hosts_freed"] == sum(site["hosts_freed"] for site in first["sites"])
    assert first["hosts_short"] == sum(site["hosts_short"] for site in first["sites"])
    assert len(first["findings"]) == sum(1 for site in first["sites"] if site["hosts_short"])
    assert "saving_by_right_sizing_gbp_a_year" not in first


def test_the_demo_tells_the_two_site_story_and_the_plan_agrees_with_it(demo_build):
    """The planted two-site design: every critical and high service of both sites fits at either
    site; some medium or low services would not; on the trend the critical services stop fitting
    within three years; and the consolidation plan frees no host that the loss of the other site
    would need, while every site's hosts carry their own guests."""
    paths, truth = demo_build
    planted = next(s for s in truth["scenarios"] if s["id"] == "two-site-design")
    estate = load_estate(paths.estate)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        loss = site_loss_report(estate, warehouse, scope=PROVIDER, now=DEMO_NOW)
        plan = consolidation_report(estate, warehouse, scope=PROVIDER, now=DEMO_NOW)
    assert planted["hypervisors"] == {"dc1": 4, "dc2": 4}
    cpu = [c for c in loss.checks if c.pool == "cpu"]
    assert {(c.survivor, c.lost) for c in cpu} == {("dc1", "dc2"), ("dc2", "dc1")}
    for check_ in cpu:
        fits = dict(check_.fits_by_criticality)
        assert [level for level in ("critical", "high") if fits[level]] == planted["fit_at_either_site"]
        assert not fits["low"] and check_.short  # some lower-criticality services would not fit
        assert all(n.criticality in ("medium", "low") for n in check_.short)
        # the date is in the future, within three years of the as-of day
        days = (check_.critical_stops_fitting_on - DEMO_NOW.date()).days
        assert 0 < days <= planted["critical_stops_fitting_within_days"]
        assert check_.critical_peak_a_year_on > dict(check_.peak_by_criticality)["critical"]
    # the capacity is the hosts' and the self-carrying physical servers': 4 x 160 + 2 x 32 cores
    assert {c.usable for c in cpu} == {0.8 * (4 * planted["hypervisor_cores"][0] + 2 * 32)}
    for site in plan.plans:
        assert site.kept_for_site_loss >= 1 and site.hosts_needed >= site.kept_for_site_loss
        assert site.hosts_short == 0  # the hosts carry their own guests
        assert site.hosts_freed == max(0, site.hosts_now - max(site.hosts_packed, site.kept_for_site_loss))


def test_the_critical_trend_summed_in_the_warehouse_is_the_per_service_sum(demo_build):
    """The trend's demand is summed by how it moves (a series for all active-active services of a
    site, one for each active-passive service, ...); applied service by service instead, the mode
    rules must give the same critical load hour by hour, and today's peak must be the check's."""
    from application.collected import estate_as_collected
    from application.site_loss import (
        POOLS,
        _services,
        critical_outlooks,
        critical_trend_demand,
        service_demand,
    )

    paths, _ = demo_build
    estate = load_estate(paths.estate)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        estate = estate_as_collected(estate, warehouse)
        end = data_end(warehouse, DEMO_NOW)
        start = end - timedelta(days=30)
        hours = 30 * 24
        checked = 0
        for metric, size, kind in POOLS.values():
            summed = critical_trend_demand(estate, warehouse, metric, size, start, end)
            each = _services(estate, service_demand(estate, warehouse, metric, size, start, end))
            assert len(summed) < len(each)
            for survivor, lost in (("dc1", "dc2"), ("dc2", "dc1")):
                fast = critical_load(survivor, lost, kind, summed, hours)
                slow = critical_load(survivor, lost, kind, each, hours)
                assert slow.max() > 0 and np.allclose(fast, slow, rtol=1e-9, atol=1e-9)
                checked += 1
        assert checked == 4
        outlooks = {(o.survivor, o.lost, o.pool): o for o in critical_outlooks(estate, warehouse, end)}
        report = site_loss_report(estate, warehouse, scope=PROVIDER, now=DEMO_NOW)
    for c in report.checks:
        peak = dict(c.peak_by_criticality)["critical"]
        assert abs(outlooks[(c.survivor, c.lost, c.pool)].peak_now - peak) <= 1e-9 * peak
