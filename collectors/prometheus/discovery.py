"""Server discovery: a site's servers from its Prometheus labels (`[[server_discovery]]`).

For each `[[server_discovery]]` of a site, at an instant `now`:

1. `/api/v1/series` with `match[]=<selector>` (default `node_uname_info`) over the hour before
   `now`: each series is one server, its id from `id_label`, its role from `role_label`
   (`default_role` when absent), its services from `services_label` (comma separated), its
   cost `default_annual_cost_gbp`.
2. One instant query at `now` per exporter of `collection.exporters` and figure, over the
   same hour, by `collection.server_label` (the `instance` label: the host, with or without
   the exporter's port):
   node_exporter: cores `count by (instance) (last_over_time(node_cpu_seconds_total{mode="idle"}[1h]))`,
   memory `node_memory_MemTotal_bytes`, storage `node_filesystem_size_bytes{mountpoint="/"}`;
   windows_exporter: cores `windows_cs_logical_processors`, memory
   `windows_cs_physical_memory_bytes`, storage `windows_logical_disk_size_bytes{volume="C:"}`.
   A server takes its figures from the first exporter that has both its cores and its memory;
   storage is 0 when that exporter shows no root filesystem.

So a discovery costs 1 + 3 x (exporters) requests, whatever the number of servers, and accepts
at most `MAX_SERIES` (10,000) series in any answer: more is refused whole, naming the selector.

A series with a bad label (an id that is not an estate id, a role that is not an id, a
service that is not in the estate, two series of one id that disagree) or with no cores or
memory is rejected on its own, with a message naming the site, the series and the label; the
others are kept. A server listed in `[[servers]]` wins over a discovered one with the same id
(the result says so). The servers of a site are written to the warehouse in one transaction,
replacing what the site's last discovery found, only when every discovery of the site worked
and kept at least one server: a discovery that failed, or found nothing, leaves what is held
("measured data is never replaced by less").
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from prometheus_api_client.prometheus_connect import PrometheusConnect
from pydantic import ValidationError

from collectors.bookkeeping import record_run
from collectors.prometheus.credentials import SourceConfigError
from collectors.prometheus.metadata import (
    BadAnswer,
    Metadata,
    MetadataError,
    NotAnswering,
    TooManySeries,
    metadata_client,
)
from collectors.prometheus.utilisation import _server_of
from estate.model import ID_PATTERN, Estate, Server, ServerDiscovery, Site

SOURCE = "discovery"
MAX_SERIES = 10_000  # series (and exporter values) one answer may hold; more is refused whole
LOOKBACK = timedelta(hours=1)  # the `[1h]` of the queries below
GIB = 2**30
ID_MAX_LENGTH = 64
EXPORTER_NAMES = {"node": "node_exporter", "windows": "windows_exporter"}
# exporter -> figure -> (series read, the instant query by server label, over the look-back)
FIGURES = {
    "node": {
        "cores": ('node_cpu_seconds_total{mode="idle"}', "count by ({label}) (last_over_time({series}[1h]))"),
        "memory": ("node_memory_MemTotal_bytes", "max by ({label}) (last_over_time({series}[1h]))"),
        "storage": (
            'node_filesystem_size_bytes{mountpoint="/"}',
            "max by ({label}) (last_over_time({series}[1h]))",
        ),
    },
    "windows": {
        "cores": ("windows_cs_logical_processors", "max by ({label}) (last_over_time({series}[1h]))"),
        "memory": ("windows_cs_physical_memory_bytes", "max by ({label}) (last_over_time({series}[1h]))"),
        "storage": (
            'windows_logical_disk_size_bytes{volume="C:"}',
            "max by ({label}) (last_over_time({series}[1h]))",
        ),
    },
}
STATUS_OF = {NotAnswering: "unreachable", BadAnswer: "bad answer", TooManySeries: "too many series"}


def figure_queries(exporter: str, server_label: str) -> dict[str, str]:
    """The instant query of each figure (cores, memory, storage) for one exporter."""
    return {
        figure: query.format(label=server_label, series=series)
        for figure, (series, query) in FIGURES[exporter].items()
    }


@dataclass(frozen=True)
class Rejected:
    """One series left out, and why."""

    site_id: str
    series: str  # the series as PromQL text: name{label="value",...}
    label: str  # the label whose value (or absence) is the reason
    message: str  # "site dc2: series node_uname_info{...}: label nodename: ..."


@dataclass(frozen=True)
class DiscoveryResult:
    """What one `[[server_discovery]]` found at `discovered_at_utc` (the instant asked about)."""

    site_id: str
    selector: str
    discovered_at_utc: datetime
    status: str  # ok, unreachable, bad answer, too many series, not configured
    message: str = ""  # why, when the status is not ok
    series: int = 0  # series the selector matched
    servers: tuple[Server, ...] = ()  # kept, by id
    rejected: tuple[Rejected, ...] = ()
    listed: tuple[str, ...] = ()  # ids listed in [[servers]]: the listed entry wins
    notes: tuple[str, ...] = ()  # what is worth knowing but rejects nothing
    requests_made: int = 0
    elapsed_seconds: float = 0.0

    @property
    def rows(self) -> int:
        return len(self.servers)

    @property
    def summary(self) -> str:
        """One line: the failure, or what was found, kept, rejected (the first one quoted)."""
        if self.status != "ok":
            return self.message
        text = f"site {self.site_id}: {self.selector}: {self.series:,} series, {len(self.servers):,} servers kept"
        if self.listed:
            text += f", {len(self.listed):,} listed in [[servers]] (the listed entry wins)"
        if self.rejected:
            text += f", {len(self.rejected):,} rejected (first: {self.rejected[0].message})"
        return text


@dataclass(frozen=True)
class SiteDiscovery:
    """Every `[[server_discovery]]` of one site, and what the warehouse holds for it after."""

    site_id: str
    results: tuple[DiscoveryResult, ...]
    written: bool  # the site's discovered servers were replaced by these results' servers
    held: tuple[Server, ...]  # what the warehouse holds for the site now
    message: str = ""  # why nothing was written, when nothing was

    @property
    def status(self) -> str:
        return next((r.status for r in self.results if r.status != "ok"), "ok")


def series_text(labels: Mapping[str, str]) -> str:
    """A series as PromQL writes it, its labels in name order (at most 300 characters)."""
    name = labels.get("__name__", "")
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
    text = f"{name}{{{inner}}}"
    return text if len(text) <= 300 else text[:297] + "..."


def _valid_id(value: str) -> bool:
    return len(value) <= ID_MAX_LENGTH and re.fullmatch(ID_PATTERN, value) is not None


class _ByInstance:
    """One figure's values by server label, found by a series' own label value, else by the
    server id with or without a port (as utilisation finds servers), without a scan per server."""

    def __init__(self, values: Mapping[str, float]):
        self.exact = dict(values)
        self.by_host = {}
        for key, value in values.items():
            self.by_host.setdefault(key.rsplit(":", 1)[0], value)

    def get(self, instance: str | None, server_id: str) -> float | None:
        if instance is not None and instance in self.exact:
            return self.exact[instance]
        if server_id in self.exact:
            return self.exact[server_id]
        return self.by_host.get(server_id)


def discover_servers(
    estate: Estate,
    discovery: ServerDiscovery,
    client: PrometheusConnect | None = None,
    now: datetime | None = None,
    environ: Mapping[str, str] = os.environ,
) -> DiscoveryResult:
    """The servers `discovery` finds at its site at `now` (default: the clock). Never raises for
    what the site does: a site that does not answer, or answers badly, is the result's status."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    started = time.monotonic()
    site = estate.site(discovery.site)
    result = DiscoveryResult(site.id, discovery.selector, now, "ok")
    try:
        client = client or metadata_client(site, environ)
    except SourceConfigError as error:
        return replace(result, status="not configured", message=str(error))
    metadata = Metadata(site, client)
    try:
        found = metadata.series(discovery.selector, now - LOOKBACK, now, MAX_SERIES)
        figures: dict[str, dict[str, _ByInstance]] = {}
        if found:
            for exporter in estate.collection.exporters:
                figures[exporter] = {
                    figure: _ByInstance(
                        {
                            labels.get(estate.collection.server_label, ""): value
                            for labels, value in metadata.instant(query, now, MAX_SERIES)
                        }
                    )
                    for figure, query in figure_queries(exporter, estate.collection.server_label).items()
                }
    except MetadataError as error:
        return replace(
            result,
            status=STATUS_OF.get(type(error), "bad answer"),
            message=str(error),
            requests_made=metadata.requests_made,
            elapsed_seconds=round(time.monotonic() - started, 3),
        )
    servers, rejected, notes = _servers_of(estate, discovery, found, figures, now)
    listed_ids = {s.id for s in estate.servers}
    listed = tuple(sorted(s.id for s in servers if s.id in listed_ids))
    notes += tuple(
        f"server {server_id}: listed in [[servers]]; the listed entry wins over the one discovered "
        f"at site {site.id} from {discovery.selector}"
        for server_id in listed
    )
    return replace(
        result,
        series=len(found),
        servers=tuple(s for s in servers if s.id not in listed_ids),
        rejected=rejected,
        listed=listed,
        notes=notes,
        requests_made=metadata.requests_made,
        elapsed_seconds=round(time.monotonic() - started, 3),
    )


def _servers_of(
    estate: Estate,
    discovery: ServerDiscovery,
    found: list[dict[str, str]],
    figures: dict[str, dict[str, _ByInstance]],
    now: datetime,
) -> tuple[list[Server], tuple[Rejected, ...], tuple[str, ...]]:
    """Each series to a server, or a rejection naming its label; servers by id."""
    site_id = discovery.site
    services = {s.id for s in estate.services}
    server_label = estate.collection.server_label
    hour = f"in the hour before {now:%Y-%m-%d %H:%M} UTC"
    rejected: list[Rejected] = []
    notes: list[str] = []
    by_id: dict[str, list[tuple[str, Server]]] = {}

    for labels in sorted(found, key=series_text):
        text = series_text(labels)

        def reject(label: str, why: str, text: str = text) -> None:
            rejected.append(
                Rejected(site_id, text, label, f"site {site_id}: series {text}: label {label}: {why}")
            )

        server_id = labels.get(discovery.id_label)
        if not server_id:
            reject(discovery.id_label, "missing, so the series names no server")
            continue
        if not _valid_id(server_id):
            reject(
                discovery.id_label,
                f"{server_id!r} is not a server id (lower-case letters, digits and hyphens, "
                f"starting with a letter or digit, at most {ID_MAX_LENGTH} characters)",
            )
            continue
        role = labels.get(discovery.role_label) if discovery.role_label else None
        if role is not None and not _valid_id(role):
            reject(
                discovery.role_label or "",
                f"{role!r} is not a role (lower-case letters, digits and hyphens, such as 'database')",
            )
            continue
        owned: tuple[str, ...] = ()
        if discovery.services_label and labels.get(discovery.services_label):
            owned = tuple(
                dict.fromkeys(p.strip() for p in labels[discovery.services_label].split(",") if p.strip())
            )
            unknown = [p for p in owned if p not in services]
            if unknown:
                reject(
                    discovery.services_label,
                    f"{', '.join(repr(p) for p in unknown)} {'is not a service' if len(unknown) == 1 else 'are not services'} "
                    "of the estate",
                )
                continue
        instance = labels.get(server_label)
        chosen = None
        for exporter in estate.collection.exporters:
            values = figures[exporter]
            cores = values["cores"].get(instance, server_id)
            memory = values["memory"].get(instance, server_id)
            if cores is not None and memory is not None:
                chosen = (exporter, cores, memory, values["storage"].get(instance, server_id))
                break
        if chosen is None:
            wanted = " or ".join(
                f"{EXPORTER_NAMES[e]}'s {FIGURES[e]['cores'][0]} and {FIGURES[e]['memory'][0]}"
                for e in estate.collection.exporters
            )
            shown = f'{server_label}="{instance}"' if instance is not None else f"no {server_label} label"
            reject(server_label, f"{shown}: no cores and memory for it ({wanted}) {hour}")
            continue
        exporter, cores, memory, storage = chosen
        name = EXPORTER_NAMES[exporter]
        if not (cores == cores and 1 <= cores <= 4096 and float(cores).is_integer()):  # NaN fails the first
            reject(
                server_label,
                f"{name} gives {cores!r} cores ({FIGURES[exporter]['cores'][0]}), not a count from 1 to 4096",
            )
            continue
        if not (memory == memory and 0 < memory < float("inf")):
            reject(
                server_label, f"{name} gives {memory!r} bytes of memory ({FIGURES[exporter]['memory'][0]})"
            )
            continue
        storage_gib = (
            storage / GIB
            if storage is not None and storage == storage and 0 <= storage < float("inf")
            else 0.0
        )
        try:
            server = Server(
                id=server_id,
                site=site_id,
                role=role or discovery.default_role,
                services=owned,
                cores=int(cores),
                memory_gib=memory / GIB,
                storage_gib=storage_gib,
                annual_cost_gbp=discovery.default_annual_cost_gbp,
            )
        except ValidationError as error:  # the checks above leave none; kept so none escapes
            first = error.errors()[0]
            reject(".".join(str(p) for p in first["loc"]), first["msg"])
            continue
        if instance is None or _server_of(instance, {server_id}) != server_id:
            has = f'{server_label} is "{instance}"' if instance is not None else f"has no {server_label}"
            notes.append(
                f"server {server_id}: its series {has}, not its id with or without a port, so "
                f"utilisation, which finds servers by {server_label}, will find no figures for it"
            )
        by_id.setdefault(server_id, []).append((text, server))

    servers = []
    for server_id, candidates in by_id.items():
        first_text, first = candidates[0]
        differing = [(t, s) for t, s in candidates[1:] if s != first]
        if not differing:  # the same server twice (a relabelled kernel release, two jobs): one
            servers.append(first)
            continue
        fields = [
            k
            for k in ("role", "services", "cores", "memory_gib", "storage_gib")
            if getattr(first, k) != getattr(differing[0][1], k)
        ]
        for text, _ in candidates:
            rejected.append(
                Rejected(
                    site_id,
                    text,
                    discovery.id_label,
                    f"site {site_id}: series {text}: label {discovery.id_label}: {server_id!r} is named by "
                    f"{len(candidates)} series that disagree on {', '.join(fields)}, so none is kept",
                )
            )
    servers.sort(key=lambda s: s.id)
    return servers, tuple(rejected), tuple(notes)


def discover_site(
    estate: Estate,
    site_id: str,
    warehouse,
    now: datetime | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    client_for: Callable[[Site], PrometheusConnect] = metadata_client,
) -> SiteDiscovery:
    """Run every `[[server_discovery]]` of the site and keep what they found: the site's
    discovered servers replaced in one transaction when all of them worked and kept a server
    (of two with the same id, the first discovery's), else left as held. Each discovery leaves a
    collection_runs row (source `discovery`)."""
    discoveries = [d for d in estate.server_discovery if d.site == site_id]
    if not discoveries:
        return SiteDiscovery(site_id, (), False, ())
    now = (now or clock()).astimezone(UTC)
    site = estate.site(site_id)
    results = []
    times = []
    client = None
    for discovery in discoveries:
        started = clock()
        try:
            client = client or client_for(site)
        except SourceConfigError as error:
            result = DiscoveryResult(site_id, discovery.selector, now, "not configured", str(error))
        else:
            result = discover_servers(estate, discovery, client, now)
        results.append(result)
        times.append((started, clock()))
    failed = [r for r in results if r.status != "ok"]
    found: dict[str, tuple[Server, str]] = {}
    notes = []
    for result in results:
        for server in result.servers:
            if server.id in found:
                notes.append(
                    f"server {server.id}: found by {found[server.id][1]} and by {result.selector}; the first is kept"
                )
            else:
                found[server.id] = (server, result.selector)
    held_before = warehouse.discovered_servers([site_id])
    if failed:
        message = (
            f"site {site_id}: server discovery did not work ({failed[0].message}); "
            f"the {len(held_before):,} servers held from the last discovery are kept"
        )
        written = False
    elif not found:
        message = (
            f"site {site_id}: server discovery kept no server; "
            f"the {len(held_before):,} servers held from the last discovery are kept"
        )
        written = False
    else:
        warehouse.replace_discovered_servers(site_id, list(found.values()), now)
        message, written = "", True
    if notes:
        results[-1] = replace(results[-1], notes=results[-1].notes + tuple(notes))
    for result, (started, finished) in zip(results, times, strict=True):
        record_run(warehouse, SOURCE, site_id, now, now, started, finished, _Run(result, written))
    held = warehouse.discovered_servers([site_id]) if written else held_before
    return SiteDiscovery(site_id, tuple(results), written, held, message)


@dataclass(frozen=True)
class _Run:
    """A discovery as a collection_runs row: its status, the servers kept, and its one line."""

    result: DiscoveryResult
    written: bool

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def rows(self) -> int:
        return self.result.rows if self.written else 0

    @property
    def message(self) -> str:
        return self.result.summary
