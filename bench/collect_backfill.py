"""Benchmark: backfilling 90 days from two real Prometheus servers into the warehouse.

    python -m bench.collect_backfill [--days 90] [--servers 200] [--services 100] [--client-days 10]

(from the project root, so the test harness in tests/collectors/ imports as a package).

Two sites, each with `--servers` servers (node_exporter, scraped every 5 minutes) and
`--services` two-site services (a blackbox probe a minute at each site, with outages and
silences), plus backup and replication gauges. The history is generated once as OpenMetrics,
backfilled with promtool and kept under bench/.cache/; both sites are served by Debian's
Prometheus on 127.0.0.1. Measured side by side in one run:

- councilops: `collect()` from 90 days ago to now for both sites, into a fresh warehouse file
  (in a child process, so its peak memory is its own);
- (a) the raw fetch: the very requests the collector made, replayed with httpx and identity
  encoding, bodies read and dropped: what any collector of this data must at least spend;
- (b) prometheus-api-client: `get_metric_range_data` + `MetricRangeDataFrame` into DuckDB, for
  `--client-days` of one site's probes (the bulk of the samples), against councilops collecting
  the same probes into state intervals (samples per second compared).

Node data every 5 minutes keeps the generated history to about 50 M samples a site. With the
default queries the busiest-five-minutes peaks then come from the 5-minute steps that hold two
samples (Prometheus 2 ranges include both ends; this is Debian's 2.42). `--queries subqueries`
configures every figure as an expression instead (rates over 15 minutes), read through
`[1h:1m]` subqueries for mean and peak alike: the expensive path for the site. Figures are kept
in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from collectors.prometheus.utilisation import NODE_EXPRESSIONS
from estate.scope import PROVIDER
from tests.collectors.prometheus_server import backfill, serve

ROOT = Path(__file__).resolve().parent.parent
END = datetime(2026, 10, 1, tzinfo=UTC)
CACHE = ROOT / "bench" / ".cache"
PROBE_S, NODE_S = 60, 300
SITES = ("dc1", "dc2")


# --- the estate and its history --------------------------------------------------------------


def estate_toml(urls: dict[str, str], servers: int, services: int, subqueries: bool = False) -> str:
    """The benchmark's estate. With `subqueries`, every figure is configured as an expression
    (so read through `[1h:1m]` subqueries for both mean and peak), rates over 15 minutes."""
    queries = {metric: expr.replace("[5m]", "[15m]") for metric, expr in NODE_EXPRESSIONS.items()}
    lines = [
        "[estate]",
        'name = "Collector benchmark"',
        'provider_council = "blackpool"',
        'time_zone = "Europe/London"',
        'bank_holidays = "england-and-wales"',
        "",
        "[collection]",
        'exporters = ["node"]',
    ]
    if subqueries:
        lines.append("queries = { " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in queries.items()) + " }")
    for site in SITES:
        lines += [
            "",
            "[[sites]]",
            f'id = "{site}"',
            f'name = "Site {site}"',
            f'prometheus_url = "{urls[site]}"',
        ]
        lines += ["retry_attempts = 3", "timeout_seconds = 120.0"]
    lines += ["", "[[councils]]", 'id = "blackpool"', 'name = "Blackpool Council"']
    for k in range(services):
        lines += [
            "",
            "[[services]]",
            f'id = "svc-{k:03d}"',
            f'name = "Service {k}"',
            'sites = ["dc1", "dc2"]',
            'mode = "active-active"',
            'tenancy = "shared"',
            'criticality = "high"',
            'councils = ["blackpool"]',
            "endpoints = [",
            *(f'    {{ site = "{s}", target = "https://svc-{k:03d}.{s}.example/health" }},' for s in SITES),
            "]",
        ]
        if k % 2 == 0:
            lines += [f'datasets = [ {{ id = "svc-{k:03d}-db", site = "dc1", replicated_to = "dc2" }} ]']
    for site in SITES:
        for n in range(servers):
            lines += [
                "",
                "[[servers]]",
                f'id = "{site}-srv-{n:04d}"',
                f'site = "{site}"',
                'role = "application"',
                f'services = ["svc-{n % services:03d}"]',
                "cores = 4",
                "memory_gib = 16.0",
                "storage_gib = 200.0",
                "annual_cost_gbp = 1500.0",
            ]
    return "\n".join(lines) + "\n"


def _family(handle, name: str, series: list[tuple[str, np.ndarray, np.ndarray]]) -> int:
    """Write one metric family: each series' samples in time order, grouped as promtool needs."""
    if not series:
        return 0
    handle.write(f"# TYPE {name} {'counter' if name.endswith('_total') else 'gauge'}\n")
    handle.flush()
    frame = pl.concat(
        [
            pl.DataFrame(
                {
                    "s": pl.Series([f"{name}{{{labels}}}"] * len(times), dtype=pl.Categorical),
                    "v": values,
                    "t": times,
                }
            )
            for labels, times, values in series
        ]
    )
    frame.write_csv(handle, separator=" ", include_header=False, quote_style="never")
    return frame.height


def probe_plan(rng, days: int, services: int) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """Each endpoint's minute-by-minute probe results (up) and which minutes were probed at all
    (keep): three outages of 5 to 90 minutes and one 20-minute silence each."""
    start_s = int((END - timedelta(days=days)).timestamp())
    probe_times = np.arange(start_s, int(END.timestamp()), PROBE_S, dtype=np.int64)
    plan = []
    for _ in range(services):
        up = np.ones(len(probe_times), dtype=np.int8)
        keep = np.ones(len(probe_times), dtype=bool)
        for _ in range(3):
            at = rng.integers(0, len(up) - 90)
            up[at : at + rng.integers(5, 90)] = 0
        at = rng.integers(0, len(up) - 30)
        keep[at : at + 20] = False
        plan.append((up, keep))
    return probe_times, plan


def expected_intervals(days: int, services: int, site: str, seed: int) -> dict[str, list[tuple]]:
    """What the warehouse must hold, painted minute by minute: with one-minute probes every
    probed minute stands for itself (the next sample is a minute later) and an unprobed minute
    is unmonitored (the last sample before it stood its one interval); runs of one state join.
    Independent of the collector's interval arithmetic."""
    times, plan = probe_plan(np.random.default_rng(seed), days, services)
    out = {}
    for k, (up, keep) in enumerate(plan):
        state = np.where(keep, np.where(up == 1, 1, 0), 2)
        change = np.flatnonzero(np.diff(state)) + 1
        starts = np.concatenate(([0], change))
        ends = np.concatenate((change, [len(state)]))
        names = {1: "up", 0: "down", 2: "unmonitored"}
        out[f"svc-{k:03d}@{site}"] = [
            (int(times[a]), int(times[b - 1]) + PROBE_S, names[int(state[a])])
            for a, b in zip(starts, ends, strict=True)
        ]
    return out


def write_history(path: Path, site: str, days: int, servers: int, services: int, seed: int) -> int:
    """The site's history as OpenMetrics; returns the number of samples."""
    rng = np.random.default_rng(seed)
    start_s = int((END - timedelta(days=days)).timestamp())
    end_s = int(END.timestamp())
    node_times = np.arange(start_s, end_s, NODE_S, dtype=np.int64)
    hours = (node_times - start_s) / 3600
    daily = 0.5 + 0.5 * np.sin(2 * np.pi * (hours % 24 - 8) / 24)
    total = 0
    with path.open("w", encoding="utf-8") as handle:
        probe_times, plan = probe_plan(rng, days, services)
        probes = [
            (
                f'instance="https://svc-{k:03d}.{site}.example/health",job="blackbox"',
                probe_times[keep],
                up[keep],
            )
            for k, (up, keep) in enumerate(plan)
        ]
        total += _family(handle, "probe_success", probes)
        # each probe's duration, scraped with its success: 0.1-0.5 s, a failed probe the 10 s timeout
        total += _family(
            handle,
            "probe_duration_seconds",
            [
                (labels, times, np.where(up == 1, rng.uniform(0.1, 0.5, len(times)).round(6), 10.0))
                for labels, times, up in probes
            ],
        )
        families: dict[str, list] = {
            name: []
            for name in (
                "node_cpu_seconds_total",
                "node_memory_MemAvailable_bytes",
                "node_memory_MemTotal_bytes",
                "node_filesystem_avail_bytes",
                "node_filesystem_size_bytes",
                "node_network_receive_bytes_total",
                "node_network_transmit_bytes_total",
            )
        }
        for n in range(servers):
            instance = f'instance="{site}-srv-{n:04d}:9100"'
            busy = np.clip(
                0.1 + 0.5 * rng.random() * daily + 0.05 * rng.standard_normal(len(node_times)), 0, 1
            )
            idle = np.cumsum((1 - busy) * NODE_S * 4).round(2)  # 4 cores' idle seconds
            memory_total = 16 * 2**30
            size = 200 * 2**30
            families["node_cpu_seconds_total"].append((instance + ',cpu="0",mode="idle"', node_times, idle))
            families["node_memory_MemAvailable_bytes"].append(
                (instance, node_times, (memory_total * (0.6 - 0.3 * busy)).round())
            )
            families["node_memory_MemTotal_bytes"].append(
                (instance, node_times, np.full(len(node_times), float(memory_total)))
            )
            fs = instance + ',device="/dev/sda1",fstype="ext4",mountpoint="/"'
            families["node_filesystem_avail_bytes"].append(
                (fs, node_times, (size * (0.7 - 0.2 * hours / hours[-1])).round())
            )
            families["node_filesystem_size_bytes"].append(
                (fs, node_times, np.full(len(node_times), float(size)))
            )
            for name in ("node_network_receive_bytes_total", "node_network_transmit_bytes_total"):
                rate = 1e6 * busy * (1 + rng.random())
                families[name].append(
                    (instance + ',device="eth0"', node_times, np.cumsum(rate * NODE_S).round())
                )
        for name, series in families.items():
            total += _family(handle, name, series)
        backups, lags = [], []
        for k in range(0, services, 2):
            dataset = f'dataset="svc-{k:03d}-db"'
            nightly = (node_times - 3600) // 86400 * 86400 + 3600  # the last 01:00 UTC
            backups.append((dataset, node_times, nightly.astype(np.float64)))
            lags.append((dataset, node_times, rng.gamma(2.0, 20.0, len(node_times)).round(1)))
        total += _family(handle, "backup_last_success_timestamp_seconds", backups)
        total += _family(handle, "replication_lag_seconds", lags)
        handle.write("# EOF\n")
    return total


def ensure_history(days: int, servers: int, services: int) -> tuple[dict[str, Path], int]:
    folder = CACHE / f"collect-{days}d-{servers}s-{services}e-v2"  # v2: with probe durations
    marker = folder / "samples.json"
    if not marker.exists():
        folder.mkdir(parents=True, exist_ok=True)
        samples = 0
        for k, site in enumerate(SITES):
            started = time.perf_counter()
            source = folder / f"{site}.om"
            samples += write_history(source, site, days, servers, services, seed=2026 + k)
            print(
                f"  generated {site}: {source.stat().st_size / 2**20:,.0f} MiB in {time.perf_counter() - started:.0f} s"
            )
        started = time.perf_counter()
        with ExitStack() as stack:  # promtool for both sites at once, one core each
            from concurrent.futures import ThreadPoolExecutor

            pool = stack.enter_context(ThreadPoolExecutor(2))
            list(pool.map(lambda site: backfill(folder / f"{site}.om", folder / site / "data"), SITES))
        print(f"  backfilled both sites with promtool in {time.perf_counter() - started:.0f} s")
        for site in SITES:
            (folder / f"{site}.om").unlink()
        marker.write_text(json.dumps({"samples": samples}))
    return {site: folder / site / "data" for site in SITES}, json.loads(marker.read_text())["samples"]


# --- the paths measured (each in its own process) --------------------------------------------


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_ours(
    estate_file: Path,
    db: Path,
    since: datetime,
    until: datetime,
    log: Path,
    kinds: str,
    sites: str,
    days: int,
) -> dict:
    from collectors import run as runner
    from collectors.prometheus.source import PrometheusSource
    from estate import load_estate
    from warehouse import Warehouse

    estate = load_estate(estate_file)
    urls: list[str] = []

    def source_for(site):
        source = PrometheusSource.for_site(site, environ={})
        source.client.event_hooks["request"].append(lambda request: urls.append(str(request.url)))
        return source

    if kinds != "all":
        runner.KINDS = {k: v for k, v in runner.KINDS.items() if k in kinds.split(",")}
    with Warehouse.open(db, create=True) as warehouse:
        started = time.perf_counter()
        summaries = runner.collect(
            estate,
            warehouse,
            site_ids=sites.split(","),
            since=since,
            until=until,
            source_for=source_for,
            scope=PROVIDER,
        )
        seconds = time.perf_counter() - started
        compared, differing = 0, []
        for k, site in enumerate(SITES):
            if site not in sites.split(","):
                continue
            expected = expected_intervals(days, len(estate.services), site, 2026 + k)
            rows = warehouse.availability_intervals(site, since, until)
            for endpoint, wanted in expected.items():
                mine = rows.filter(rows["endpoint_id"] == endpoint)
                got: list[tuple] = []
                for a, b, state in mine.select("start_utc", "end_utc", "state").iter_rows():
                    a, b = int(a.replace(tzinfo=UTC).timestamp()), int(b.replace(tzinfo=UTC).timestamp())
                    if got and got[-1][1] == a and got[-1][2] == state:  # windows end at midnight
                        got[-1] = (got[-1][0], b, state)
                    else:
                        got.append((a, b, state))
                wanted = [w for w in wanted if w[1] > since.timestamp()]  # only the window collected
                if wanted and wanted[0][0] < since.timestamp():
                    wanted[0] = (int(since.timestamp()), *wanted[0][1:])
                compared += len(wanted)
                if got != wanted:
                    differing.append(endpoint)
    log.write_text("\n".join(urls))
    return {
        "seconds": seconds,
        "peak_mib": _peak_mib(),
        "requests": len(urls),
        "samples": sum(s.samples for s in summaries),
        "responses": sum(s.responses for s in summaries),
        # every successful probe of the window collected: one response time each
        "responses_expected": sum(
            int(((up == 1) & keep & (times >= since.timestamp()) & (times < until.timestamp())).sum())
            for k, site in enumerate(SITES)
            if site in sites.split(",")
            for times, plan in [probe_plan(np.random.default_rng(2026 + k), days, len(estate.services))]
            for up, keep in plan
        ),
        "rows": sum(s.rows for s in summaries),
        "failed": [f"{s.site_id} {s.kind}: {s.message}" for s in summaries if s.status != "ok"],
        "intervals_compared": compared,
        "endpoints_differing": differing,
    }


def _kind(url: str) -> str:
    if "query_range" in url:
        return "utilisation"
    return "availability" if "probe_success" in url else "recovery"


def child_raw(log: Path, by_site: bool) -> dict:
    """Replay the logged requests, bodies read and dropped: one after another, or each site's
    in its own thread as the collector runs them."""
    from collections import defaultdict
    from urllib.parse import urlsplit

    import httpx

    urls = log.read_text().split("\n")
    seconds_by_kind: dict[str, float] = defaultdict(float)

    def fetch(part: list[str]) -> int:
        got = 0
        with httpx.Client(headers={"Accept-Encoding": "identity"}, timeout=600) as client:
            for url in part:
                started = time.perf_counter()
                got += len(client.get(url).content)
                seconds_by_kind[_kind(url)] += time.perf_counter() - started
        return got

    started = time.perf_counter()
    if not by_site:
        received = fetch(urls)
    else:
        from concurrent.futures import ThreadPoolExecutor

        sites: dict[str, list[str]] = defaultdict(list)
        for url in urls:
            sites[urlsplit(url).netloc].append(url)
        with ThreadPoolExecutor(len(sites)) as pool:
            received = sum(pool.map(fetch, sites.values()))
    return {
        "seconds": time.perf_counter() - started,
        "bytes": received,
        "peak_mib": _peak_mib(),
        "by_kind": dict(seconds_by_kind),
    }


def child_client(url: str, db: Path, since: datetime, until: datetime) -> dict:
    import duckdb
    from prometheus_api_client import MetricRangeDataFrame, PrometheusConnect

    started = time.perf_counter()
    prom = PrometheusConnect(url=url, disable_ssl=True, headers={"Accept-Encoding": "identity"})
    data = prom.get_metric_range_data(
        "probe_success", start_time=since, end_time=until, chunk_size=timedelta(hours=6)
    )
    frame = MetricRangeDataFrame(data)
    connection = duckdb.connect(str(db))
    connection.register("frame", frame.reset_index())
    connection.execute("CREATE TABLE probes AS SELECT * FROM frame")
    connection.close()
    return {"seconds": time.perf_counter() - started, "samples": len(frame), "peak_mib": _peak_mib()}


def spawn(*args: str) -> dict:
    answer = subprocess.run(
        [sys.executable, "-m", "bench.collect_backfill", "--child", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if answer.returncode:
        raise RuntimeError(answer.stderr[-3000:])
    return json.loads(answer.stdout.strip().splitlines()[-1])


# --- the incremental cycle at reference scale ------------------------------------------------

CYCLE_END = datetime(2026, 10, 1, 12, 10, tzinfo=UTC)  # three hours of history end here


def reference_estate(urls: dict[str, str]) -> str:
    from collectors.demo.catalogue import build_estate_document
    from collectors.demo.estate_file import estate_toml as demo_toml
    from collectors.demo.timeline import Anchors

    document = build_estate_document("reference", 2026, Anchors.for_clock(CYCLE_END))
    for site in document["sites"]:
        site.update(prometheus_url=urls.get(site["id"], "http://127.0.0.1:9"))
        site.pop("auth", None)
        site.pop("tls", None)
    return demo_toml(document, "The demo's reference estate, for the collector benchmark")


def write_recent_history(path: Path, estate, site: str) -> int:
    """Three hours of one-minute node_exporter, probe and backup data for one site."""
    rng = np.random.default_rng(7)
    times = np.arange(int(CYCLE_END.timestamp()) - 3 * 3600, int(CYCLE_END.timestamp()), 60, dtype=np.int64)
    total = 0
    with path.open("w", encoding="utf-8") as handle:
        probes = [
            (f'instance="{e.target}",job="blackbox"', times[times % e.probe_interval_seconds == 0], None)
            for service in estate.services
            for e in service.endpoints
            if e.site == site
        ]
        total += _family(
            handle, "probe_success", [(labels, t, np.ones(len(t), dtype=np.int8)) for labels, t, _ in probes]
        )
        total += _family(
            handle,
            "probe_duration_seconds",
            [(labels, t, rng.uniform(0.1, 0.5, len(t)).round(6)) for labels, t, _ in probes],
        )
        servers = [s.id for s in estate.servers if s.site == site]
        counters = {
            "node_cpu_seconds_total": ',cpu="0",mode="idle"',
            "node_network_receive_bytes_total": ',device="eth0"',
            "node_network_transmit_bytes_total": ',device="eth0"',
        }
        for name, extra in counters.items():
            total += _family(
                handle,
                name,
                [
                    (f'instance="{s}:9100"{extra}', times, np.cumsum(rng.random(len(times)) * 60).round(2))
                    for s in servers
                ],
            )
        gauges = {
            "node_memory_MemAvailable_bytes": ("", 8e9),
            "node_memory_MemTotal_bytes": ("", 16e9),
            "node_filesystem_avail_bytes": (',fstype="ext4",mountpoint="/"', 1e11),
            "node_filesystem_size_bytes": (',fstype="ext4",mountpoint="/"', 2e11),
        }
        for name, (extra, value) in gauges.items():
            total += _family(
                handle,
                name,
                [(f'instance="{s}:9100"{extra}', times, np.full(len(times), value)) for s in servers],
            )
        datasets = [d.id for service in estate.services for d in service.datasets if d.site == site]
        total += _family(
            handle,
            "backup_last_success_timestamp_seconds",
            [(f'dataset="{d}"', times, np.full(len(times), float(times[0]))) for d in datasets],
        )
        total += _family(
            handle,
            "replication_lag_seconds",
            [(f'dataset="{d}"', times, np.full(len(times), 30.0)) for d in datasets],
        )
        handle.write("# EOF\n")
    return total


def child_cycle(estate_file: Path, db: Path) -> dict:
    from collectors.run import collect
    from estate import load_estate
    from warehouse import Warehouse

    estate = load_estate(estate_file)
    out: dict = {"servers": len(estate.servers), "services": len(estate.services)}
    with Warehouse.open(db, create=True) as warehouse:
        # caught up to 11:57 first; then two five-minute cycles: 12:02 (the 11:00 hour of
        # utilisation completes, for every server) and 12:07 (probes and gauges only)
        collect(
            estate,
            warehouse,
            since=CYCLE_END - timedelta(hours=2, minutes=10),
            until=CYCLE_END - timedelta(minutes=13),
            scope=PROVIDER,
        )
        for name, until in (
            ("hour", CYCLE_END - timedelta(minutes=8)),
            ("plain", CYCLE_END - timedelta(minutes=3)),
        ):
            started = time.perf_counter()
            summaries = collect(estate, warehouse, until=until, scope=PROVIDER)
            out[name] = {
                "seconds": time.perf_counter() - started,
                "rows": sum(s.rows for s in summaries),
                "failed": [f"{s.site_id} {s.kind}: {s.message}" for s in summaries if s.status != "ok"],
            }
    out["peak_mib"] = _peak_mib()
    return out


def run_cycle() -> None:
    from estate import load_estate

    folder = CACHE / "cycle-reference-v2"  # v2: with probe durations
    placeholder = folder / "estate-placeholder.toml"
    if not (folder / "done").exists():
        folder.mkdir(parents=True, exist_ok=True)
        placeholder.write_text(reference_estate({}), encoding="utf-8")
        estate = load_estate(placeholder)
        for site in SITES:
            samples = write_recent_history(folder / f"{site}.om", estate, site)
            backfill(folder / f"{site}.om", folder / site / "data")
            (folder / f"{site}.om").unlink()
            print(f"  {site}: {samples:,} samples of the last three hours backfilled")
        (folder / "done").write_text("")
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        urls = {site: stack.enter_context(serve(folder / site / "data", Path(tmp) / site)) for site in SITES}
        estate_file = Path(tmp) / "estate.toml"
        estate_file.write_text(reference_estate(urls), encoding="utf-8")
        for attempt in range(3):
            result = spawn("cycle", str(estate_file), str(Path(tmp) / f"cycle-{attempt}.duckdb"))
            print(
                f"  reference estate ({result['servers']:,} servers, {result['services']} services, both sites): "
                f"a 5-minute cycle completing an hour of utilisation {result['hour']['seconds']:.2f} s "
                f"({result['hour']['rows']:,} rows), a plain one {result['plain']['seconds']:.2f} s "
                f"({result['plain']['rows']:,} rows); peak {result['peak_mib']:.0f} MiB (goal under 2 s)"
                + (
                    f" FAILED {result['hour']['failed'] + result['plain']['failed']}"
                    if result["hour"]["failed"] + result["plain"]["failed"]
                    else ""
                )
            )


# --- the run ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--servers", type=int, default=200, help="servers per site")
    parser.add_argument("--services", type=int, default=100, help="two-site services: endpoints per site")
    parser.add_argument("--client-days", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--queries",
        choices=["defaults", "subqueries"],
        default="defaults",
        help="the exporters' default hourly queries, or every figure configured as an expression",
    )
    parser.add_argument("--cycle", action="store_true", help="only the incremental cycle, reference estate")
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "cycle":
            result = child_cycle(Path(rest[0]), Path(rest[1]))
        elif kind == "ours":
            estate, db, since, until, log, kinds, sites, days = rest
            result = child_ours(
                Path(estate),
                Path(db),
                datetime.fromisoformat(since),
                datetime.fromisoformat(until),
                Path(log),
                kinds,
                sites,
                int(days),
            )
        elif kind == "raw":
            result = child_raw(Path(rest[0]), rest[1] == "by-site")
        else:
            url, db, since, until = rest
            result = child_client(url, Path(db), datetime.fromisoformat(since), datetime.fromisoformat(until))
        print(json.dumps(result))
        return
    if args.cycle:
        run_cycle()
        return

    print(f"{args.days} days, two sites, {args.servers} servers and {args.services} probed endpoints a site")
    data, generated = ensure_history(args.days, args.servers, args.services)
    print(f"  history: {generated:,} samples in Prometheus")
    since = (END - timedelta(days=args.days)).isoformat()
    until = END.isoformat()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        folder = Path(tmp)
        urls = {site: stack.enter_context(serve(data[site], folder / site)) for site in SITES}
        estate = folder / "estate.toml"
        estate.write_text(
            estate_toml(urls, args.servers, args.services, args.queries == "subqueries"), encoding="utf-8"
        )
        log = folder / "requests.log"
        for round_number in range(1, args.rounds + 1):
            db = folder / f"ours-{round_number}.duckdb"
            ours = spawn(
                "ours", str(estate), str(db), since, until, str(log), "all", ",".join(SITES), str(args.days)
            )
            db.unlink()
            raw = spawn("raw", str(log), "in-turn")
            both = spawn("raw", str(log), "by-site")
            print(
                f"  round {round_number}: councilops {ours['seconds']:.1f} s ({ours['requests']:,} requests, "
                f"{ours['samples']:,} samples, {ours['rows']:,} rows written, peak {ours['peak_mib']:.0f} MiB"
                f"{', FAILED ' + '; '.join(ours['failed']) if ours['failed'] else ''})"
            )
            print(
                f"    availability against the generated history: {ours['intervals_compared']:,} intervals, "
                + (
                    "all exact"
                    if not ours["endpoints_differing"]
                    else "DIFFERENT at " + ", ".join(ours["endpoints_differing"][:5])
                )
                + f"; response times kept {ours['responses']:,} of {ours['responses_expected']:,} successful probes"
            )
            kinds = ", ".join(f"{k} {v:.0f} s" for k, v in sorted(raw["by_kind"].items()))
            print(
                f"    (a) raw fetch of the same {ours['requests']:,} requests ({raw['bytes'] / 2**20:,.0f} MiB): "
                f"one after another {raw['seconds']:.1f} s ({kinds}), each site's side by side as the "
                f"collector runs them {both['seconds']:.1f} s"
            )
            print(
                f"    ratio to the raw fetch: {ours['seconds'] / both['seconds']:.2f}x side by side, "
                f"{ours['seconds'] / raw['seconds']:.2f}x to one after another (goal at most 1.25x); "
                f"peak memory {ours['peak_mib']:.0f} MiB (goal under 600 MB = 572 MiB)"
            )
        # (b) prometheus-api-client against councilops on the same probes of one site
        client_since = (END - timedelta(days=args.client_days)).isoformat()
        client = spawn("client", urls["dc1"], str(folder / "client.duckdb"), client_since, until)
        mine = spawn(
            "ours",
            str(estate),
            str(folder / "mine.duckdb"),
            client_since,
            until,
            str(folder / "mine.log"),
            "availability",
            "dc1",
            str(args.days),
        )
        mine_rate = mine["samples"] / mine["seconds"]
        client_rate = client["samples"] / client["seconds"]
        print(
            f"  probes of dc1 over {args.client_days} days: prometheus-api-client + MetricRangeDataFrame + DuckDB "
            f"{client['seconds']:.1f} s ({client['samples']:,} samples, {client_rate / 1e6:.2f} M samples/s, "
            f"peak {client['peak_mib']:.0f} MiB); councilops {mine['seconds']:.1f} s "
            f"({mine_rate / 1e6:.2f} M samples/s, peak {mine['peak_mib']:.0f} MiB); "
            f"councilops is {mine_rate / client_rate:.1f}x faster (goal at least 10x)"
        )


if __name__ == "__main__":
    main()
