"""The demo's response times: every successful probe's duration, as a collector keeps them.

Each endpoint is probed once a minute at a second of its own (with a few milliseconds of
jitter, as blackbox_exporter's scrapes have); a probe taken while the endpoint was up succeeded
and has a duration, one taken while it was down failed (no response time), and none was taken
while it was unmonitored. Durations are lognormal around the endpoint's own typical time
(0.15-0.6 s); a planted slow spell (scenarios.SlowResponses) puts its service's probes at up to
its p95, so the spell's own p95 is close to it. They go through the collector's writer
(warehouse/probe_days.py), a site and month at a time.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from collectors.demo.availability import Piece
from collectors.demo.scenarios import Plan
from warehouse import Probes

PROBE_SECONDS = 60


def _seconds(moment: datetime) -> float:
    return moment.timestamp()


def site_probes(
    document: dict, plan: Plan, seed: int, pieces: list[Piece], site_id: str, start: datetime, end: datetime
) -> dict[str, Probes]:
    """Each endpoint of the site: its successful probes in [start, end)."""
    lo, hi = _seconds(start), _seconds(end)
    up: dict[str, list[tuple[float, float]]] = {}
    for p in pieces:
        if p.site_id == site_id and p.state == "up" and p.end_utc > start and p.start_utc < end:
            up.setdefault(p.endpoint_id, []).append((_seconds(p.start_utc), _seconds(p.end_utc)))
    out: dict[str, Probes] = {}
    for service in document["services"]:
        for endpoint in service["endpoints"]:
            if endpoint["site"] != site_id:
                continue
            endpoint_id = f"{service['id']}@{site_id}"
            stable = np.random.default_rng([seed, sum(map(ord, endpoint_id)), 3])
            phase, base = int(stable.integers(0, PROBE_SECONDS)), stable.uniform(0.15, 0.6)
            rng = np.random.default_rng([seed, sum(map(ord, endpoint_id)), 4, int(lo)])
            first = np.ceil((lo - phase) / PROBE_SECONDS) * PROBE_SECONDS + phase
            grid = np.arange(first, hi, PROBE_SECONDS)
            taken = np.zeros(len(grid), bool)
            for a, b in up.get(endpoint_id, []):
                taken[np.searchsorted(grid, a) : np.searchsorted(grid, b)] = True
            instants = grid[taken] + rng.uniform(-0.005, 0.005, int(taken.sum())).round(3)
            instants = np.clip(instants, lo, np.nextafter(hi, lo))
            durations = base * rng.lognormal(0.0, 0.25, len(instants))
            for slow in plan.slow_responses:
                if slow.service_id == service["id"]:
                    inside = (instants >= _seconds(slow.start_utc)) & (instants < _seconds(slow.end_utc))
                    durations[inside] = slow.p95_seconds * rng.uniform(0.85, 1.0, int(inside.sum()))
            out[endpoint_id] = Probes(instants, np.round(durations, 3))
    return out
