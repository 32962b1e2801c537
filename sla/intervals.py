"""Sets of time as sorted, disjoint half-open spans of whole UTC seconds.

Every figure the rules produce is a sum of span lengths, so the arithmetic here is exact
integer arithmetic on [start, end) pairs: never a loop over seconds. A normalised span list is
sorted, has no empty spans, and no two spans overlap or touch (touching spans are joined).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

import numpy as np

Span = tuple[int, int]
Spans = list[Span]


def normalise(spans: Iterable[Span]) -> Spans:
    """Sort, drop empty spans, and join overlapping or touching ones."""
    merged: Spans = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def total(spans: Iterable[Span]) -> int:
    return sum(end - start for start, end in spans)


def clip(spans: Spans, lo: int, hi: int) -> Spans:
    """The part of normalised `spans` inside [lo, hi); a binary search finds the first span."""
    out: Spans = []
    for k in range(bisect.bisect_right(spans, lo, key=_end), len(spans)):
        start, end = spans[k]
        if start >= hi:
            break
        out.append((max(start, lo), min(end, hi)))
    return out


def _end(span: Span) -> int:
    return span[1]


def intersect(a: Spans, b: Spans) -> Spans:
    """Both normalised; a two-pointer walk, O(len(a) + len(b))."""
    out: Spans = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def union(a: Spans, b: Spans) -> Spans:
    return normalise([*a, *b])


def subtract(a: Spans, b: Spans) -> Spans:
    """The time in normalised `a` that is not in normalised `b`."""
    out: Spans = []
    j = 0
    for start, end in a:
        cursor = start
        while j < len(b) and b[j][1] <= cursor:
            j += 1
        k = j
        while k < len(b) and b[k][0] < end:
            if b[k][0] > cursor:
                out.append((cursor, b[k][0]))
            cursor = max(cursor, b[k][1])
            if cursor >= end:
                break
            k += 1
        if cursor < end:
            out.append((cursor, end))
    return out


def overlap_seconds(spans: Spans, start: int, end: int) -> int:
    """Seconds of normalised `spans` inside [start, end)."""
    return total(clip(spans, start, end))


def seconds_before(spans: Spans, instants: np.ndarray) -> np.ndarray:
    """For each instant t, the seconds of `spans` (normalised) before t: a piecewise-linear
    cumulative function, so overlap([a, b)) = F(b) - F(a) for many intervals at once."""
    if not spans:
        return np.zeros(len(instants), np.int64)
    starts = np.array([s for s, _ in spans], np.int64)
    lengths = np.array([e - s for s, e in spans], np.int64)
    cumulative = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    index = np.searchsorted(starts, instants, side="right") - 1
    safe = np.maximum(index, 0)
    inside = np.clip(instants - starts[safe], 0, lengths[safe])
    return np.where(index >= 0, cumulative[safe] + inside, 0)
