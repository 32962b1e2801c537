"""The `sites` check: does a site answer, what is it, and does it have what the estate needs?

For one site, with its auth and TLS, through prometheus-api-client (`metadata`):

- its build: `/api/v1/status/buildinfo` (version, revision, branch, goVersion); a site that
  does not answer it at all is `answers=False`, with the error, and nothing else is asked;
- each endpoint of the site: a `probe_success` series whose `collection.endpoint_label` is the
  endpoint's target, and a `probe_duration_seconds` one when a contract for its service has a
  response-time target (without it, the month's response time has no probes);
- each server of the site: node_exporter's or windows_exporter's series of every metric family
  the utilisation queries read (`collection.exporters`), by `collection.server_label` (the host,
  with or without the exporter's port); a figure with its own `collection.queries` expression
  is checked by that expression instead;
- each dataset of the site: `backup_last_success_timestamp_seconds` by `collection.dataset_label`,
  and `replication_lag_seconds` when it is replicated.

One `/api/v1/label/<label>/values?match[]=<family>` request per metric family over the look-back
(one hour before `now` by default), never one per endpoint, server or dataset: at most
1 + 2 + 13 + 2 requests (and one per configured expression), each answer at most `MAX_VALUES`
values. What is missing is named one item at a time; a request that fails after the site
answered leaves what it would have judged unjudged, and says so (`problems`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from prometheus_api_client.prometheus_connect import PrometheusConnect

from collectors.prometheus.credentials import SourceConfigError
from collectors.prometheus.metadata import Metadata, MetadataError, NotAnswering, metadata_client
from collectors.prometheus.utilisation import _server_of
from estate.model import Estate, Site

MAX_VALUES = 50_000  # label values one answer may hold; more is refused, naming the request
PROBE_METRIC = "probe_success"
DURATION_METRIC = "probe_duration_seconds"
BACKUP_METRIC = "backup_last_success_timestamp_seconds"
LAG_METRIC = "replication_lag_seconds"
EXPORTER_NAMES = {"node": "node_exporter", "windows": "windows_exporter"}
# exporter -> figure -> the metric families its default hourly queries read (utilisation.py)
FAMILIES = {
    "node": {
        "cpu_percent": ("node_cpu_seconds_total",),
        "memory_percent": ("node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes"),
        "storage_percent": ("node_filesystem_avail_bytes", "node_filesystem_size_bytes"),
        "network_mbps": ("node_network_receive_bytes_total", "node_network_transmit_bytes_total"),
    },
    "windows": {
        "cpu_percent": ("windows_cpu_time_total",),
        "memory_percent": ("windows_os_physical_memory_free_bytes", "windows_cs_physical_memory_bytes"),
        "storage_percent": ("windows_logical_disk_free_bytes", "windows_logical_disk_size_bytes"),
        "network_mbps": ("windows_net_bytes_total",),
    },
}


@dataclass(frozen=True)
class BuildInfo:
    version: str
    revision: str
    branch: str
    go_version: str


@dataclass(frozen=True)
class Missing:
    """One thing the estate needs that the site does not have."""

    kind: str  # endpoint, server or dataset
    id: str  # email@dc1, dc1-app01, council-tax-db
    metric: str  # the metric family (or figure, or exporters) missing
    message: str  # "endpoint email@dc1: no probe_success series with instance=... in the hour before ..."


@dataclass(frozen=True)
class SiteCheck:
    site_id: str
    prometheus_url: str
    checked_at_utc: datetime  # the instant the look-back ends at
    lookback_seconds: int
    answers: bool
    error: str = ""  # why it does not answer (or is not configured)
    build: BuildInfo | None = None
    endpoints_checked: int = 0
    servers_checked: int = 0
    datasets_checked: int = 0
    missing: tuple[Missing, ...] = ()
    problems: tuple[str, ...] = ()  # requests that failed once it had answered
    requests_made: int = 0
    elapsed_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """It answers, every request worked and nothing is missing."""
        return self.answers and not self.missing and not self.problems


def _within(lookback: timedelta, now: datetime) -> str:
    hours = lookback.total_seconds() / 3600
    span = "hour" if hours == 1 else f"{hours:g} hours"
    return f"in the {span} before {now:%Y-%m-%d %H:%M} UTC"


def check_site(
    estate: Estate,
    site: Site | str,
    client: PrometheusConnect | None = None,
    now: datetime | None = None,
    lookback: timedelta = timedelta(hours=1),
    environ: Mapping[str, str] = os.environ,
) -> SiteCheck:
    """Check one site (a Site or its id) against the estate; never raises for what the site does.
    Pass `estate.with_discovered(...)` to check discovered servers too."""
    site = estate.site(site) if isinstance(site, str) else site
    now = (now or datetime.now(UTC)).astimezone(UTC)
    started = time.monotonic()
    base = SiteCheck(site.id, site.prometheus_url, now, int(lookback.total_seconds()), answers=False)
    try:
        client = client or metadata_client(site, environ)
    except SourceConfigError as error:
        return _done(base, started, error=str(error))
    metadata = Metadata(site, client)
    problems: list[str] = []
    try:
        info = metadata.build_info()
    except NotAnswering as error:
        return _done(base, started, metadata, error=str(error))
    except MetadataError as error:
        info = None
        problems.append(str(error))
    else:
        if info is None:
            problems.append(
                f"site {site.id}: does not serve /api/v1/status/buildinfo (404), so its build is not known"
            )
    build = (
        BuildInfo(
            info.get("version", ""),
            info.get("revision", ""),
            info.get("branch", ""),
            info.get("goVersion", ""),
        )
        if info is not None
        else None
    )

    start = now - lookback
    stopped = False
    answered = 0  # requests the site answered as a Prometheus API does

    def values(label: str, match: str) -> set[str] | None:
        """The label's values on `match`, or None when the request failed (then said why)."""
        nonlocal stopped, answered
        if stopped:
            return None
        try:
            found = metadata.label_values(label, match, start, now, MAX_VALUES)
        except MetadataError as error:
            problems.append(str(error))
            stopped = isinstance(error, NotAnswering)  # gone away: ask nothing more
            return None
        answered += 1
        return found

    within = _within(lookback, now)
    missing: list[Missing] = []
    collection = estate.collection

    endpoints = [
        (f"{service.id}@{e.site}", e.target)
        for service in estate.services
        for e in service.endpoints
        if e.site == site.id
    ]
    if endpoints:
        targets = values(collection.endpoint_label, PROBE_METRIC)
        for endpoint_id, target in endpoints:
            if targets is not None and target not in targets:
                missing.append(
                    Missing(
                        "endpoint",
                        endpoint_id,
                        PROBE_METRIC,
                        f"endpoint {endpoint_id}: no {PROBE_METRIC} series with "
                        f'{collection.endpoint_label}="{target}" {within}',
                    )
                )
        timed = {c.service for c in estate.contracts if c.response_time_target_seconds is not None}
        needing = [
            (f"{service.id}@{e.site}", e.target)
            for service in estate.services
            for e in service.endpoints
            if e.site == site.id and service.id in timed
        ]
        durations = values(collection.endpoint_label, DURATION_METRIC) if needing else None
        for endpoint_id, target in needing:
            if durations is not None and target not in durations and (targets is None or target in targets):
                missing.append(
                    Missing(
                        "endpoint",
                        endpoint_id,
                        DURATION_METRIC,
                        f"endpoint {endpoint_id}: no {DURATION_METRIC} series with "
                        f'{collection.endpoint_label}="{target}" {within}: its response times cannot be collected',
                    )
                )

    servers = sorted(s.id for s in estate.servers if s.site == site.id)
    if servers:
        missing += _servers_missing(servers, collection, values, metadata, now, problems, within)

    datasets = sorted(
        (d for s in estate.services for d in s.datasets if d.site == site.id), key=lambda d: d.id
    )
    if datasets:
        label = collection.dataset_label
        backed_up = values(label, BACKUP_METRIC)
        lagged = values(label, LAG_METRIC) if any(d.replicated_to for d in datasets) else set()
        for dataset in datasets:
            if backed_up is not None and dataset.id not in backed_up:
                missing.append(
                    Missing(
                        "dataset",
                        dataset.id,
                        BACKUP_METRIC,
                        f'dataset {dataset.id}: no {BACKUP_METRIC} series with {label}="{dataset.id}" {within}',
                    )
                )
            if dataset.replicated_to and lagged is not None and dataset.id not in lagged:
                missing.append(
                    Missing(
                        "dataset",
                        dataset.id,
                        LAG_METRIC,
                        f'dataset {dataset.id}: no {LAG_METRIC} series with {label}="{dataset.id}" {within} '
                        f"(it is replicated to {dataset.replicated_to})",
                    )
                )

    if info is None and problems and not answered and (endpoints or servers or datasets):
        # something answers HTTP there, but not one request as the Prometheus API does: a web
        # server, a proxy's error page, a wrong path in prometheus_url. Not "answers, nothing missing".
        return _done(
            base,
            started,
            metadata,
            error=f"site {site.id}: {site.prometheus_url} answers, but not as a Prometheus HTTP API "
            f"(no build info, and none of {len(problems)} requests answered; the first: {problems[0]})",
        )
    return _done(
        base,
        started,
        metadata,
        answers=True,
        build=build,
        endpoints_checked=len(endpoints),
        servers_checked=len(servers),
        datasets_checked=len(datasets),
        missing=tuple(missing),
        problems=tuple(problems),
    )


def _servers_missing(servers, collection, values, metadata, now, problems, within) -> list[Missing]:
    """Per server: the exporter families (or configured expressions) it has no series of."""
    wanted = set(servers)
    label = collection.server_label
    present: dict[str, dict[str, set[str] | None]] = {}  # exporter -> family -> server ids
    for exporter in collection.exporters:
        present[exporter] = {}
        for figure, families in FAMILIES[exporter].items():
            if figure in collection.queries:
                continue
            for family in families:
                found = values(label, family)
                present[exporter][family] = (
                    None if found is None else {s for v in found if (s := _server_of(v, wanted)) is not None}
                )
    configured: dict[str, set[str] | None] = {}
    for figure, expression in collection.queries.items():
        try:
            answer = metadata.instant(f"group by ({label}) (({expression}))", now, MAX_VALUES)
        except MetadataError as error:
            problems.append(str(error))
            configured[figure] = None
            continue
        configured[figure] = {s for labels, _ in answer if (s := _server_of(labels.get(label, ""), wanted))}

    exporters_text = " or ".join(EXPORTER_NAMES[e] for e in collection.exporters)
    missing = []
    for server in servers:
        shown = f'{label}="{server}" (with or without a port)'
        has = {
            exporter: [f for f, ids in families.items() if ids is not None and server in ids]
            for exporter, families in present.items()
        }
        judged = {
            exporter: [f for f, ids in families.items() if ids is not None]
            for exporter, families in present.items()
        }
        if not any(has.values()):
            if any(judged.values()):
                missing.append(
                    Missing(
                        "server",
                        server,
                        exporters_text,
                        f"server {server}: no {exporters_text} series with {shown} {within}",
                    )
                )
        else:
            # judged by the exporter it has the most families of (the first listed on a tie)
            exporter = max(collection.exporters, key=lambda e: (len(has[e]), -collection.exporters.index(e)))
            for figure, families in FAMILIES[exporter].items():
                for family in families:
                    if family in judged[exporter] and family not in has[exporter]:
                        missing.append(
                            Missing(
                                "server",
                                server,
                                family,
                                f"server {server}: {EXPORTER_NAMES[exporter]} series, but no {family} "
                                f"({figure}) with {shown} {within}",
                            )
                        )
        for figure, ids in configured.items():
            if ids is not None and server not in ids:
                missing.append(
                    Missing(
                        "server",
                        server,
                        figure,
                        f"server {server}: {figure}: the collection.queries expression gives no series with {shown} "
                        f"at {now:%Y-%m-%d %H:%M} UTC",
                    )
                )
    return missing


def _done(base: SiteCheck, started: float, metadata: Metadata | None = None, **fields) -> SiteCheck:
    return replace(
        base,
        **fields,
        requests_made=metadata.requests_made if metadata else 0,
        elapsed_seconds=round(time.monotonic() - started, 3),
    )
