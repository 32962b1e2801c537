"""Raw samples of a metric over a window, as scraped, chunk by chunk.

`metric[d]` evaluated at t returns every sample in the range with the time it was scraped (not
a range query's evaluation steps). The range is [t - d, t] before Prometheus 3.0 and (t - d, t]
since, so a sample on a chunk boundary is kept only by the chunk it ends, and one exactly at the
window's end is left to the next window: no sample twice, none lost, on either version.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial

import numpy as np

from collectors.prometheus.matrix import parse_matrix
from collectors.prometheus.source import PrometheusSource

CHUNK_SECONDS = 6 * 3600


def naive_utc(seconds: float) -> datetime:
    """Seconds since the epoch as the warehouse keeps instants: UTC without a zone."""
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def raw_samples(
    source: PrometheusSource,
    metric: str,
    lo: int,
    hi: int,
    site_id: str,
    chunk_seconds: int = CHUNK_SECONDS,
    named: str | None = None,
) -> Iterator[tuple[dict[str, str], np.ndarray, np.ndarray]]:
    """(labels, times in seconds, values) of every series, for each chunk of [lo, hi). `metric`
    is a series selector; `named` says what it selects in messages (else the selector)."""
    bounds = []
    cursor = lo
    while cursor < hi:
        bounds.append((cursor, min(cursor + chunk_seconds, hi)))
        cursor = bounds[-1][1]
    requests = [
        partial(source.instant_query, f"{metric}[{chunk_end - chunk_start}s]", chunk_end)
        for chunk_start, chunk_end in bounds
    ]
    for (chunk_start, chunk_end), body in zip(bounds, source.answers(requests), strict=True):
        for series in parse_matrix(
            body,
            f"site {site_id}, {named or metric}, {naive_utc(chunk_start)}..{naive_utc(chunk_end)}",
            (chunk_start, chunk_end),  # a time outside it is milliseconds, or another range
        ):
            after = series.times_s >= lo if chunk_start == lo else series.times_s > chunk_start
            keep = after & (series.times_s < hi)
            yield series.labels, series.times_s[keep], series.values[keep]
