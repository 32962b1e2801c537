"""Cutting a collection window into range queries a Prometheus will answer.

Prometheus refuses a range query with more than 11,000 points per series. A range query
returns the points at start, start + step, ..., up to end inclusive, so two queries that share
a boundary would both return the point on it; here each chunk ends one step before the next
begins, and every point of the window is asked for exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_POINTS_PER_SERIES = 11_000


@dataclass(frozen=True)
class Chunk:
    start_s: int  # first point
    end_s: int  # last point (inclusive, as the API takes it)
    step_s: int

    @property
    def points(self) -> int:
        return (self.end_s - self.start_s) // self.step_s + 1


def chunks(
    window_start_s: int, window_end_s: int, step_s: int, max_points: int = MAX_POINTS_PER_SERIES
) -> list[Chunk]:
    """Range queries covering the points start, start + step, ... below `window_end_s` (the
    window is half-open: its end belongs to the next window), each with at most `max_points`."""
    if step_s <= 0 or max_points <= 0:
        raise ValueError("the step and the points per query must be positive")
    if window_start_s % step_s:
        raise ValueError(f"the window start {window_start_s} is not on a {step_s} s step")
    count = max(0, -(-(window_end_s - window_start_s) // step_s))  # points in [start, end)
    out = []
    first = 0
    while first < count:
        last = min(count, first + max_points) - 1
        out.append(Chunk(window_start_s + first * step_s, window_start_s + last * step_s, step_s))
        first = last + 1
    return out
