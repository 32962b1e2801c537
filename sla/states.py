"""From probe state intervals per endpoint to the state of a service through time.

The brief's rules, in order:

- An endpoint interval says up, down or unmonitored (with a cause). Time the warehouse holds no
  interval for is unmonitored with cause `collector-not-running`: nothing was collected then.
- A site's state for a service: down if any of the service's endpoints there is down (a user
  needs every entry point), else unmonitored if any is unmonitored, else up. A site with no
  endpoint configured is unmonitored with cause `probe-not-deployed`.
- The service: **up** while up at one or more of its sites; **degraded** (counted as up,
  reported as resilience lost) while a two-site service is up at one site and down at the other;
  **down** while down at every site; otherwise **unmonitored**.
- When unmonitored, the cause is taken from the unmonitored sites in the order of
  `UNMONITORED_CAUSE_ORDER` (the first that applies), so every second has exactly one cause.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

UP, DOWN, DEGRADED, UNMONITORED = "up", "down", "degraded", "unmonitored"
NO_DATA_CAUSE = "collector-not-running"
NOT_DEPLOYED_CAUSE = "probe-not-deployed"
# The cause reported when several sites are unmonitored for different reasons at once: the one
# closest to the provider's own infrastructure first.
UNMONITORED_CAUSE_ORDER = (
    "prometheus-unreachable",
    "prometheus-bad-answer",
    "collector-not-running",
    "no-samples",
    "probe-not-deployed",
)


@dataclass(frozen=True, slots=True)
class StateInterval:
    """[start, end) in UTC seconds; state up, down or unmonitored; cause only when unmonitored."""

    start: int
    end: int
    state: str
    cause: str | None = None


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of constant service state. `sites_down` names the sites known down."""

    start: int
    end: int
    state: str  # up, degraded, down, unmonitored
    cause: str | None
    sites_down: tuple[str, ...]


def _cause_rank(cause: str | None) -> int:
    return (
        UNMONITORED_CAUSE_ORDER.index(cause)
        if cause in UNMONITORED_CAUSE_ORDER
        else len(UNMONITORED_CAUSE_ORDER)
    )


def fill(
    intervals: Sequence[StateInterval], start: int, end: int, cause: str = NO_DATA_CAUSE
) -> list[StateInterval]:
    """The intervals clipped to [start, end) with every hole filled as unmonitored (`cause`).

    Intervals must not overlap (the warehouse refuses overlapping batches); they are sorted here.
    """
    out: list[StateInterval] = []
    cursor = start
    for interval in sorted(intervals, key=lambda i: i.start):
        lo, hi = max(interval.start, cursor), min(interval.end, end)
        if hi <= lo:
            continue
        if lo > cursor:
            out.append(StateInterval(cursor, lo, UNMONITORED, cause))
        out.append(StateInterval(lo, hi, interval.state, interval.cause))
        cursor = hi
    if cursor < end:
        out.append(StateInterval(cursor, end, UNMONITORED, cause))
    return out


def _sweep(timelines: Sequence[list[StateInterval]], start: int, end: int):
    """Yield (lo, hi, [interval of each timeline]) over stretches where none changes.
    Each timeline covers [start, end) without holes (see `fill`)."""
    index = [0] * len(timelines)
    cursor = start
    while cursor < end:
        current = []
        hi = end
        for k, timeline in enumerate(timelines):
            while timeline[index[k]].end <= cursor:
                index[k] += 1
            current.append(timeline[index[k]])
            hi = min(hi, timeline[index[k]].end)
        yield cursor, hi, current
        cursor = hi


def site_timeline(
    endpoint_timelines: Sequence[list[StateInterval]], start: int, end: int
) -> list[StateInterval]:
    """Combine the filled timelines of one site's endpoints into the site's state."""
    if not endpoint_timelines:
        return [StateInterval(start, end, UNMONITORED, NOT_DEPLOYED_CAUSE)]
    if len(endpoint_timelines) == 1:
        return list(endpoint_timelines[0])
    out: list[StateInterval] = []
    for lo, hi, parts in _sweep(endpoint_timelines, start, end):
        states = {p.state for p in parts}
        if DOWN in states:
            state, cause = DOWN, None
        elif UNMONITORED in states:
            state = UNMONITORED
            cause = min((p.cause for p in parts if p.state == UNMONITORED), key=_cause_rank)
        else:
            state, cause = UP, None
        _append(out, StateInterval(lo, hi, state, cause))
    return out


def _append(out: list, item) -> None:
    """Append, joining with the previous item when it carries the same state."""
    if out and out[-1].end == item.start and _same(out[-1], item):
        out[-1] = _extend(out[-1], item.end)
    else:
        out.append(item)


def _same(a, b) -> bool:
    if isinstance(a, Segment):
        return (a.state, a.cause, a.sites_down) == (b.state, b.cause, b.sites_down)
    return (a.state, a.cause) == (b.state, b.cause)


def _extend(item, end: int):
    if isinstance(item, Segment):
        return Segment(item.start, end, item.state, item.cause, item.sites_down)
    return StateInterval(item.start, end, item.state, item.cause)


def service_segments(
    site_ids: Sequence[str], site_timelines: Sequence[list[StateInterval]], start: int, end: int
) -> list[Segment]:
    """The service's state through [start, end) from its sites' filled timelines."""
    two_site = len(site_ids) >= 2
    out: list[Segment] = []
    for lo, hi, parts in _sweep(site_timelines, start, end):
        down = tuple(site for site, p in zip(site_ids, parts, strict=True) if p.state == DOWN)
        if any(p.state == UP for p in parts):
            state = DEGRADED if two_site and down else UP
            cause = None
        elif len(down) == len(parts):
            state, cause = DOWN, None
        else:
            state = UNMONITORED
            cause = min((p.cause for p in parts if p.state == UNMONITORED), key=_cause_rank)
        _append(out, Segment(lo, hi, state, cause, down))
    return out
