"""The demo's probe history as state intervals per endpoint: what a collector would have written.

Each endpoint is up by default. Planted outages, collection gaps and random short blips are
painted over that, the stronger state winning where they overlap (unmonitored over down over
up), and adjacent pieces of the same state are joined.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from collectors.demo.scenarios import Plan

_PRIORITY = {"up": 0, "down": 1, "unmonitored": 2}


@dataclass(frozen=True)
class Piece:
    endpoint_id: str
    service_id: str
    site_id: str
    start_utc: datetime
    end_utc: datetime
    state: str
    cause: str | None
    label: str  # the scenario that made it, "random-blip", or "" for plain up time


def paint(start: datetime, end: datetime, events: list[tuple[datetime, datetime, str, str | None, str]]):
    """[(start, end, state, cause, label)] over an up background -> disjoint, merged pieces."""
    bounds = sorted({start, end} | {t for e in events for t in (e[0], e[1]) if start < t < end})
    pieces: list[list] = []
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        best = ("up", None, "")
        for e_start, e_end, state, cause, label in events:
            if e_start <= lo and hi <= e_end and _PRIORITY[state] > _PRIORITY[best[0]]:
                best = (state, cause, label)
        if pieces and pieces[-1][2:] == list(best):
            pieces[-1][1] = hi
        else:
            pieces.append([lo, hi, *best])
    return [tuple(p) for p in pieces]


def random_blips(endpoint_id: str, seed: int, start: datetime, end: datetime, per_month: float = 0.6):
    """Short single-endpoint outages (1-6 minutes, whole minutes): the everyday noise."""
    rng = random.Random(f"{seed}:blips:{endpoint_id}")
    total_minutes = int((end - start).total_seconds() // 60)
    months = total_minutes / (30 * 24 * 60)
    count = max(0, round(per_month * months + rng.gauss(0, 1)))
    blips = []
    for _ in range(count):
        at = start + timedelta(minutes=rng.randrange(0, total_minutes - 10))
        blips.append((at, at + timedelta(minutes=rng.randint(1, 6)), "down", None, "random-blip"))
    return blips


def endpoint_history(
    document: dict,
    plan: Plan,
    seed: int,
    history_start: datetime,
    now: datetime,
    go_live: dict[str, datetime],
) -> list[Piece]:
    pieces: list[Piece] = []
    for service in document["services"]:
        for endpoint in service["endpoints"]:
            site = endpoint["site"]
            endpoint_id = f"{service['id']}@{site}"
            start = max(history_start, go_live.get(service["id"], history_start))
            events = random_blips(endpoint_id, seed, start, now)
            for outage in plan.outages:
                if site in outage.sites and outage.service_id in (None, service["id"]):
                    events.append((outage.start_utc, outage.end_utc, "down", None, outage.scenario))
            for gap in plan.gaps:
                if site in gap.sites and gap.service_id in (None, service["id"]):
                    events.append((gap.start_utc, gap.end_utc, "unmonitored", gap.cause, gap.scenario))
            for lo, hi, state, cause, label in paint(start, now, events):
                pieces.append(Piece(endpoint_id, service["id"], site, lo, hi, state, cause, label))
    return pieces


def clip(pieces: list[Piece], site_id: str, window_start: datetime, window_end: datetime) -> list[dict]:
    """The rows of one site's window, cut at its edges."""
    rows = []
    for p in pieces:
        if p.site_id != site_id or p.end_utc <= window_start or p.start_utc >= window_end:
            continue
        rows.append(
            {
                "endpoint_id": p.endpoint_id,
                "service_id": p.service_id,
                "start_utc": max(p.start_utc, window_start).replace(tzinfo=None),
                "end_utc": min(p.end_utc, window_end).replace(tzinfo=None),
                "state": p.state,
                "cause": p.cause,
            }
        )
    return rows
