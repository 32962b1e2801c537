"""A utilisation profile of one server, service, site or council: percentiles 24x7 and in
service hours, the hour-of-week shape and daily peaks, as a percent of the capacity behind it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from application.collected import data_end, estate_as_collected
from application.provenance import Provenance, provenance_of
from capacity.profile import Profile, in_spans, profile
from estate.model import Estate, UnknownId
from estate.scope import Scope
from sla import calendar as cal
from sla.intervals import normalise
from warehouse import Warehouse

SUBJECT_KINDS = ("server", "service", "site", "council")
RESOURCES = {
    "cpu": ("cpu_percent", lambda s: float(s.cores)),
    "memory": ("memory_percent", lambda s: float(s.memory_gib)),
}


@dataclass(frozen=True)
class ResourceProfile:
    resource: str  # cpu or memory
    all_hours: Profile
    service_hours: Profile | None  # None: the subject has no service hours (runs no service)


@dataclass(frozen=True)
class UtilisationProfile:
    subject_kind: str
    subject_id: str
    from_utc: datetime
    to_utc: datetime
    servers: int
    service_hours_from: tuple[str, ...]  # the services whose contracts' hours apply
    resources: tuple[ResourceProfile, ...]
    provenance: Provenance

    def resource(self, name: str) -> ResourceProfile:
        return next(r for r in self.resources if r.resource == name)


def _visible(estate: Estate, scope: Scope, kind: str, subject_id: str) -> None:
    """The subject exists and the scope may see it; an unseen subject is reported exactly as an
    unknown one, so a council viewer learns nothing of other councils' ids."""
    if kind not in SUBJECT_KINDS:
        raise ValueError(f"a profile's subject is one of {', '.join(SUBJECT_KINDS)}, not {kind!r}")
    {"server": estate.server, "service": estate.service, "site": estate.site, "council": estate.council}[
        kind
    ](subject_id)
    if scope.is_provider:
        return
    allowed = {
        "server": {s.id for s in scope.servers(estate)},
        "service": {s.id for s in scope.services(estate)},
        "site": set(),  # a site carries every council's work
        "council": {scope.council_id},
    }[kind]
    if subject_id not in allowed:
        shown = ", ".join(sorted(allowed)) or "none"
        raise UnknownId(f"no {kind} {subject_id!r} in the estate (known: {shown})")


def subject_shares(estate: Estate, kind: str, subject_id: str) -> tuple[dict[str, float], list[str]]:
    """The servers behind a subject with the share of each that counts, and the subject's
    services (whose contracts' service hours apply)."""
    if kind == "server":
        server = estate.server(subject_id)
        return {server.id: 1.0}, list(server.services)
    if kind == "site":
        return {s.id: 1.0 for s in estate.servers if s.site == subject_id}, [
            s.id for s in estate.services if subject_id in s.sites
        ]
    if kind == "service":
        return {s.id: 1.0 / len(s.services) for s in estate.servers if subject_id in s.services}, [subject_id]
    services = {s.id: s for s in estate.services if subject_id in s.councils}  # a council
    shares: dict[str, float] = {}
    for server in estate.servers:
        for service_id in server.services:
            if service_id in services:
                share = 1.0 / len(server.services) / len(services[service_id].councils)
                shares[server.id] = shares.get(server.id, 0.0) + share
    return shares, sorted(services)


def profile_report(
    estate: Estate,
    warehouse: Warehouse,
    kind: str,
    subject_id: str,
    days: int = 90,
    *,
    scope: Scope,
    now: datetime | None = None,
) -> UtilisationProfile:
    estate = estate_as_collected(estate, warehouse)
    _visible(estate, scope, kind, subject_id)
    tz = ZoneInfo(estate.estate.time_zone)
    end = data_end(warehouse, now or datetime.now(UTC))
    start = end - timedelta(days=days)
    shares, services = subject_shares(estate, kind, subject_id)
    month = end.astimezone(tz).strftime("%Y-%m")
    period = cal.Period("", cal.utc_seconds(start), cal.utc_seconds(end))
    spans = []
    for contract in estate.contracts:
        if (
            contract.service in services
            and estate.contract_in_force(contract.council, contract.service, month) is contract
        ):
            calendar_name = contract.bank_holidays or estate.estate.bank_holidays
            spans += cal.service_hours_spans(contract.service_hours, tz, period, calendar_name)
    hours_spans = normalise(spans)
    resources = []
    ids = sorted(shares)
    for name, (metric, size) in RESOURCES.items():
        capacity = sum(size(estate.server(i)) * shares[i] for i in ids)
        frame = warehouse.hourly_demand(
            metric, ids, [size(estate.server(i)) / 100 * shares[i] for i in ids], start, end
        )
        hours = frame["hour_utc"].to_list()
        values = frame["demand"].to_numpy() * 100 / capacity if capacity else np.zeros(len(hours))
        local = [h.replace(tzinfo=UTC).astimezone(tz) for h in hours]
        slot = np.array([t.weekday() * 24 + t.hour for t in local], dtype=int)
        seconds = np.array([cal.utc_seconds(h.replace(tzinfo=UTC)) for h in hours], dtype=np.int64)
        days_local = [t.date() for t in local]
        resources.append(
            ResourceProfile(
                name,
                profile(values, slot, days_local),
                profile(values, slot, days_local, in_spans(seconds, hours_spans)) if hours_spans else None,
            )
        )
    return UtilisationProfile(
        kind, subject_id, start, end, len(shares), tuple(services), tuple(resources), provenance_of(estate)
    )
