"""Server discovery against a real Prometheus: servers from `node_uname_info` (and a Windows
selector) with their cores, memory and storage from the exporters; a listed server winning;
bad labels rejected one by one with the rest kept; what was held kept when the site has gone;
the estate with the discovered servers added; and a collection that discovers, then collects
the servers it found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from collectors.prometheus.discovery import MAX_SERIES, discover_servers, discover_site
from collectors.prometheus.metadata import metadata_client
from collectors.prometheus.source import PrometheusSource
from collectors.run import collect
from estate import load_estate
from estate.model import Server, ServerDiscovery
from estate.scope import PROVIDER
from tests.collectors.prometheus_server import Metric, prometheus_with
from tests.conftest import SMALL_ESTATE

NOW = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
N0 = int(NOW.timestamp())
TIMES = range(N0 - 2 * 3600, N0 + 1, 60)  # a sample a minute for the two hours up to NOW
GIB = 2**30
HOUR_BEFORE = "in the hour before 2026-01-05 06:00 UTC"


def gauge(name: str, labels: dict[str, str], value: float) -> Metric:
    return Metric(name, labels, [(t, value) for t in TIMES])


def node(
    instance: str, cpus: int, memory_bytes: float | None, root_bytes: float | None = None
) -> list[Metric]:
    """node_exporter's series for one host: an idle counter per CPU going up one second a second
    (the host is idle), a user-mode counter per CPU that discovery must not count, its memory
    and, when given, a root filesystem and a /boot one that discovery must not take."""
    out = []
    for cpu in range(cpus):
        for mode, rate in (("idle", 1.0), ("user", 0.0)):
            labels = {"instance": instance, "job": "node", "cpu": str(cpu), "mode": mode}
            out.append(Metric("node_cpu_seconds_total", labels, [(t, rate * (t - TIMES[0])) for t in TIMES]))
    if memory_bytes is not None:
        out.append(gauge("node_memory_MemTotal_bytes", {"instance": instance, "job": "node"}, memory_bytes))
    if root_bytes is not None:
        for mountpoint, size in (("/", root_bytes), ("/boot", 1 * GIB)):
            labels = {"instance": instance, "job": "node", "mountpoint": mountpoint, "fstype": "ext4"}
            out.append(gauge("node_filesystem_size_bytes", labels, size))
    return out


def uname(nodename: str, instance: str, env: str = "prod", **labels: str) -> Metric:
    return gauge(
        "node_uname_info",
        {"nodename": nodename, "instance": instance, "job": "node", "env": env, **labels},
        1.0,
    )


def history() -> list[Metric]:
    return [
        # kept: a kernel upgrade within the hour gives two series of one server, which agree
        uname("dc2-web01", "dc2-web01:9100", role="application", service="council-tax", release="6.1.0-1"),
        uname("dc2-web01", "dc2-web01:9100", role="application", service="council-tax", release="6.1.0-2"),
        *node("dc2-web01:9100", cpus=4, memory_bytes=16 * GIB, root_bytes=100 * GIB),
        uname("dc2-db01", "dc2-db01:9100", role="database", service="council-tax, fylde-intranet"),
        *node("dc2-db01:9100", cpus=8, memory_bytes=64 * GIB),
        uname("dc2-file01", "dc2-file01:9100"),  # no role, no service label: the defaults
        *node("dc2-file01:9100", cpus=2, memory_bytes=8 * GIB, root_bytes=500 * GIB),
        # listed in the estate's [[servers]]: the listed entry wins
        uname("dc2-dr-ctax", "dc2-dr-ctax:9100", role="application"),
        *node("dc2-dr-ctax:9100", cpus=2, memory_bytes=4 * GIB),
        # rejected: an id that is not an estate id; a service the estate does not have; no memory
        uname("DC2_Bad01", "dc2-bad01:9100"),
        *node("dc2-bad01:9100", cpus=2, memory_bytes=4 * GIB),
        uname("dc2-app09", "dc2-app09:9100", service="payroll"),
        *node("dc2-app09:9100", cpus=2, memory_bytes=4 * GIB),
        uname("dc2-nomem", "dc2-nomem:9100"),
        *node("dc2-nomem:9100", cpus=2, memory_bytes=None),
        # not selected: the selector asks for env="prod"
        uname("dc2-test01", "dc2-test01:9100", env="test"),
        *node("dc2-test01:9100", cpus=2, memory_bytes=4 * GIB),
        # a Windows server, found by a second [[server_discovery]]
        gauge(
            "windows_cs_hostname",
            {"hostname": "dc2-win01", "instance": "dc2-win01:9182", "service": "fylde-intranet"},
            1.0,
        ),
        gauge("windows_cs_logical_processors", {"instance": "dc2-win01:9182"}, 2.0),
        gauge("windows_cs_physical_memory_bytes", {"instance": "dc2-win01:9182"}, 8 * GIB),
        gauge("windows_logical_disk_size_bytes", {"instance": "dc2-win01:9182", "volume": "C:"}, 120 * GIB),
        gauge("windows_logical_disk_size_bytes", {"instance": "dc2-win01:9182", "volume": "D:"}, 500 * GIB),
    ]


WINDOWS = ServerDiscovery(site="dc2", selector="windows_cs_hostname", id_label="hostname", role_label=None)


def local(estate, url: str | None, discoveries=None):
    """The estate with dc2 at `url` (or a closed port), no auth, one try; dc2's node discovery
    costs GBP 1,200 a server."""
    sites = tuple(
        s.model_copy(
            update={
                "prometheus_url": url or "http://127.0.0.1:9",
                "retry_attempts": 1,
                "auth": None,
                "tls": None,
            }
        )
        for s in estate.sites
    )
    (node_discovery,) = estate.server_discovery
    node_discovery = node_discovery.model_copy(update={"default_annual_cost_gbp": Decimal("1200.00")})
    return estate.model_copy(
        update={"sites": sites, "server_discovery": tuple(discoveries or (node_discovery,))}
    )


def expected_node_servers() -> list[Server]:
    # By hand from history(): dc2-web01 has 4 idle CPU series (the user-mode ones are not
    # counted), 16 GiB, and a root filesystem of 100 GiB (the 1 GiB /boot is not the root);
    # dc2-db01 8 CPUs, 64 GiB, no filesystem so 0 storage, and two services from "council-tax,
    # fylde-intranet" (the space after the comma dropped); dc2-file01 no role or service label,
    # so the default role "application" and no services, 2 CPUs, 8 GiB, 500 GiB. Each costs the
    # discovery's default GBP 1,200.00. Sorted by id.
    cost = Decimal("1200.00")
    return [
        Server(
            id="dc2-db01",
            site="dc2",
            role="database",
            services=("council-tax", "fylde-intranet"),
            cores=8,
            memory_gib=64.0,
            storage_gib=0.0,
            annual_cost_gbp=cost,
        ),
        Server(
            id="dc2-file01",
            site="dc2",
            role="application",
            services=(),
            cores=2,
            memory_gib=8.0,
            storage_gib=500.0,
            annual_cost_gbp=cost,
        ),
        Server(
            id="dc2-web01",
            site="dc2",
            role="application",
            services=("council-tax",),
            cores=4,
            memory_gib=16.0,
            storage_gib=100.0,
            annual_cost_gbp=cost,
        ),
    ]


# dc2-win01 by hand: windows_cs_logical_processors 2, 8 GiB, the C: volume 120 GiB (not D:),
# role_label None so the default role, service "fylde-intranet", the default cost of 0.
WIN01 = Server(
    id="dc2-win01",
    site="dc2",
    role="application",
    services=("fylde-intranet",),
    cores=2,
    memory_gib=8.0,
    storage_gib=120.0,
    annual_cost_gbp=Decimal("0"),
)


@pytest.fixture(scope="module")
def estate():
    return load_estate(SMALL_ESTATE)


@pytest.fixture(scope="module")
def dc2(tmp_path_factory):
    with prometheus_with(history(), tmp_path_factory.mktemp("dc2")) as url:
        yield url


def test_servers_are_discovered_with_their_cores_memory_and_storage(estate, dc2):
    here = local(estate, dc2)
    (discovery,) = here.server_discovery
    result = discover_servers(here, discovery, metadata_client(here.site("dc2"), environ={}), NOW)
    assert result.status == "ok", result.message
    assert list(result.servers) == expected_node_servers()
    # env="prod" selects 8 series: dc2-web01 twice, db01, file01, dr-ctax, the bad id, app09, nomem
    assert result.series == 8
    # one series request, then cores, memory and storage from each of the two exporters
    assert result.requests_made == 1 + 3 * 2
    windows = discover_servers(here, WINDOWS, metadata_client(here.site("dc2"), environ={}), NOW)
    assert windows.status == "ok" and list(windows.servers) == [WIN01] and windows.rejected == ()


def test_a_listed_server_wins_and_says_so(estate, dc2):
    here = local(estate, dc2)
    result = discover_servers(here, here.server_discovery[0], now=NOW, environ={})
    assert result.listed == ("dc2-dr-ctax",)
    assert "dc2-dr-ctax" not in {s.id for s in result.servers}
    assert (
        "server dc2-dr-ctax: listed in [[servers]]; the listed entry wins over the one discovered at "
        'site dc2 from node_uname_info{env="prod"}'
    ) in result.notes


def test_bad_labels_are_rejected_one_by_one_naming_the_site_series_and_label(estate, dc2):
    here = local(estate, dc2)
    result = discover_servers(here, here.server_discovery[0], now=NOW, environ={})
    # the three bad series, in the order of their text (D < n in code points: "DC2_Bad01" has
    # an upper-case id, series are sorted by their text, which starts node_uname_info{env=...,
    # instance="dc2-app09..., "dc2-bad01..., "dc2-nomem...)
    assert [(r.label, r.message) for r in result.rejected] == [
        (
            "service",
            'site dc2: series node_uname_info{env="prod",instance="dc2-app09:9100",job="node",nodename="dc2-app09",'
            "service=\"payroll\"}: label service: 'payroll' is not a service of the estate",
        ),
        (
            "nodename",
            'site dc2: series node_uname_info{env="prod",instance="dc2-bad01:9100",job="node",nodename="DC2_Bad01"}: '
            "label nodename: 'DC2_Bad01' is not a server id (lower-case letters, digits and hyphens, starting "
            "with a letter or digit, at most 64 characters)",
        ),
        (
            "instance",
            'site dc2: series node_uname_info{env="prod",instance="dc2-nomem:9100",job="node",nodename="dc2-nomem"}: '
            'label instance: instance="dc2-nomem:9100": no cores and memory for it (node_exporter\'s '
            'node_cpu_seconds_total{mode="idle"} and node_memory_MemTotal_bytes or windows_exporter\'s '
            f"windows_cs_logical_processors and windows_cs_physical_memory_bytes) {HOUR_BEFORE}",
        ),
    ]
    assert [s.id for s in result.servers] == ["dc2-db01", "dc2-file01", "dc2-web01"]  # the rest kept


def test_too_many_series_are_refused_whole(estate, dc2, monkeypatch):
    # the limit is what bounds a discovery; one series over it refuses the answer, naming it
    from collectors.prometheus import discovery as module

    assert MAX_SERIES == 10_000
    monkeypatch.setattr(module, "MAX_SERIES", 7)  # the selector matches 8
    here = local(estate, dc2)
    result = discover_servers(here, here.server_discovery[0], now=NOW, environ={})
    assert result.status == "too many series" and result.servers == ()
    assert 'node_uname_info{env="prod"} gave more than 7 series (8); at most 7 are accepted' in result.message


def test_what_was_held_is_kept_when_the_site_has_gone_and_the_estate_gains_it(estate, warehouse, tmp_path):
    with prometheus_with(history(), tmp_path / "dc2") as url:
        here = local(estate, url)
        both = local(estate, url, discoveries=(*local(estate, url).server_discovery, WINDOWS))
        first = discover_site(both, "dc2", warehouse, NOW)
    assert first.status == "ok" and first.written
    held = [*expected_node_servers(), WIN01]
    held.sort(key=lambda s: s.id)
    assert list(warehouse.discovered_servers(["dc2"])) == held
    assert list(first.held) == held

    # the Prometheus is stopped: the discovery fails, and nothing held is deleted
    gone = local(estate, url, discoveries=both.server_discovery)
    second = discover_site(gone, "dc2", warehouse, NOW + timedelta(hours=1))
    assert second.status == "unreachable" and not second.written
    assert second.message.startswith("site dc2: server discovery did not work (site dc2: ")
    assert second.message.endswith("the 4 servers held from the last discovery are kept")
    assert list(warehouse.discovered_servers(["dc2"])) == held
    runs = warehouse.query(
        "SELECT status, rows_written FROM collection_runs WHERE source = 'discovery' ORDER BY started_at_utc, status"
    )
    # two discoveries a time: both ok first (3 and 1 servers written), then both unreachable
    assert sorted(runs.rows()) == sorted([("ok", 3), ("ok", 1), ("unreachable", 0), ("unreachable", 0)])

    # the estate with what is held: the listed servers first, then the four discovered
    grown = here.with_discovered(warehouse.discovered_servers())
    assert [s.id for s in grown.servers] == [
        "dc1-ctax-app01",
        "dc2-dr-ctax",
        "dc2-db01",
        "dc2-file01",
        "dc2-web01",
        "dc2-win01",
    ]
    assert grown.server("dc2-web01").cores == 4 and grown.server("dc2-win01").storage_gib == 120.0
    assert here.servers == estate.servers  # pure: the estate it came from is unchanged


def test_with_discovered_skips_listed_ids_sites_without_discovery_and_unknown_services(estate):
    listed_again = Server(
        id="dc2-dr-ctax",
        site="dc2",
        role="application",
        cores=1,
        memory_gib=1.0,
        annual_cost_gbp=Decimal("0"),
    )
    elsewhere = Server(
        id="dc1-new", site="dc1", role="application", cores=1, memory_gib=1.0, annual_cost_gbp=Decimal("0")
    )
    retired_service = Server(
        id="dc2-new",
        site="dc2",
        role="application",
        services=("council-tax", "retired"),
        cores=1,
        memory_gib=1.0,
        annual_cost_gbp=Decimal("0"),
    )
    grown = estate.with_discovered([listed_again, elsewhere, retired_service, retired_service])
    # dc2-dr-ctax is listed (the listed entry stays); dc1 has no [[server_discovery]]; dc2-new
    # once, with the service the estate does not have dropped
    assert [s.id for s in grown.servers] == ["dc1-ctax-app01", "dc2-dr-ctax", "dc2-new"]
    assert grown.server("dc2-dr-ctax").cores == 16 and grown.server("dc2-new").services == ("council-tax",)


def test_a_collection_discovers_first_and_collects_the_servers_it_found(estate, warehouse, tmp_path):
    def no_wait(site):
        return PrometheusSource.for_site(site, environ={}, sleep=lambda seconds: None)

    since = NOW - timedelta(hours=1)
    with prometheus_with(history(), tmp_path / "dc2") as url:
        summaries = collect(
            local(estate, url),
            warehouse,
            site_ids=["dc2"],
            since=since,
            until=NOW,
            source_for=no_wait,
            scope=PROVIDER,
        )
    (utilisation,) = [s for s in summaries if s.kind == "utilisation"]
    assert utilisation.status == "ok" and utilisation.discovery.written
    assert [s.id for s in utilisation.discovery.held] == ["dc2-db01", "dc2-file01", "dc2-web01"]
    cpu = warehouse.utilisation(["dc2-db01", "dc2-web01"], "cpu_percent", 3600, since, NOW)
    # the hour 05:00-06:00: every idle counter goes up one second a second, so the CPU is
    # 100 x (1 - 1) = 0 % busy, mean and peak, for both discovered servers
    assert [(r["server_id"], r["mean_value"], r["peak_value"]) for r in cpu.iter_rows(named=True)] == [
        ("dc2-db01", 0.0, 0.0),
        ("dc2-web01", 0.0, 0.0),
    ]

    # the site gone: the discovery fails on the summary, the collection goes on, the held stay
    again = collect(
        local(estate, None),
        warehouse,
        site_ids=["dc2"],
        until=NOW + timedelta(hours=1),
        source_for=no_wait,
        scope=PROVIDER,
    )
    (utilisation,) = [s for s in again if s.kind == "utilisation"]
    assert utilisation.discovery.status == "unreachable" and not utilisation.discovery.written
    assert {s.kind for s in again} == {"availability", "utilisation", "recovery"}
    assert [s.id for s in warehouse.discovered_servers(["dc2"])] == ["dc2-db01", "dc2-file01", "dc2-web01"]
