"""Collecting availability: every probe sample of a site's endpoints, as state intervals.

For exact intervals the raw samples are needed, with their own timestamps, not a range
query's evaluation steps: `probe_success[<chunk>]` evaluated at the chunk's end returns every
sample of the chunk as scraped. Chunks are short enough to stay far below the 11,000-point
limit. The sample before the window (within 1.5 probe intervals) is fetched too, since it may
stand into the window (collectors/prometheus/states.py).

A series belongs to an endpoint of the estate by its `instance` label (blackbox_exporter's
target, the endpoint's `target`). An endpoint of the site with no series at all is unmonitored,
cause `no-samples`. When the site gives no usable answer, the parts of the window the
warehouse holds nothing for are written as unmonitored, cause `prometheus-unreachable` (no
answer after every try) or `prometheus-bad-answer` (not JSON, not a matrix, times out of range
or out of order); what was measured before stays (measured data is never replaced by less).
The watermark does not move: the next run asks for the window again and replaces it with what
the site still holds. A sample that is not 0 or 1 (NaN, Inf, 2) is refused and counted; the time
it would have covered is unmonitored, cause `prometheus-bad-answer`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import polars as pl

from collectors.bookkeeping import record_run
from collectors.collector import SiteCollector, utc_now
from collectors.prometheus.matrix import AnswerError
from collectors.prometheus.raw import naive_utc, raw_samples
from collectors.prometheus.source import PrometheusSource, SiteUnavailable
from collectors.prometheus.states import NO_SAMPLES, probe_intervals
from estate.model import Estate
from warehouse import AVAILABILITY_BATCH_SCHEMA, MAX_PROBE_SECONDS, ProbeEndpoint, Probes

SOURCE = "availability"
SUCCESS = "probe_success"
DURATION = "probe_duration_seconds"
# both of blackbox_exporter's series in one answer: a probe's duration and its success were
# scraped together, with the same timestamp, so they join on it exactly
QUERY = f'{{__name__=~"{SUCCESS}|{DURATION}"}}'
BAD_ANSWER = "prometheus-bad-answer"


@dataclass(frozen=True)
class Outcome:
    site_id: str
    window: tuple[datetime, datetime]
    intervals: int
    samples: int
    status: str  # ok or unreachable
    message: str = ""
    series: int = 0  # endpoints with samples
    gaps: int = 0  # unmonitored intervals written
    refused: int = 0  # samples that were not 0 or 1
    responses: int = 0  # successful probes' durations kept (warehouse/probe_days.py)
    durations_refused: int = 0  # NaN, negative or over MAX_PROBE_SECONDS
    notes: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return self.intervals


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


class AvailabilityCollector(SiteCollector):
    """A site's endpoints' probe samples, as state intervals (collectors/collector.py)."""

    kind = "availability"
    watermark_source = SOURCE

    def collect(self, start: datetime, end: datetime) -> Outcome:
        """Collect [start, end) for the site, write it, and move the watermark when it worked."""
        endpoints = {
            e.target: (f"{service.id}@{e.site}", service.id, e.probe_interval_seconds)
            for service in self.estate.services
            for e in service.endpoints
            if e.site == self.site_id
        }
        lo, hi = _seconds(start), _seconds(end)
        longest = max((interval for _, _, interval in endpoints.values()), default=60)
        times: dict[str, list[np.ndarray]] = {target: [] for target in endpoints}
        values: dict[str, list[np.ndarray]] = {target: [] for target in endpoints}
        duration_times: dict[str, list[np.ndarray]] = {target: [] for target in endpoints}
        duration_values: dict[str, list[np.ndarray]] = {target: [] for target in endpoints}
        probes: dict[str, Probes] = {}
        durations_refused, notes = 0, []
        started = self.clock()
        rows: list[tuple] = []
        status, message, count, refused_count = "ok", "", 0, 0
        try:
            # from 1.5 probe intervals before the window: that sample may stand into it
            for labels, chunk_times, chunk_values in raw_samples(
                self.source,
                QUERY,
                lo - (3 * longest) // 2,
                hi,
                self.site_id,
                named=f"{SUCCESS} and {DURATION}",
            ):
                target = labels.get(self.estate.collection.endpoint_label)
                if target not in times:
                    continue
                name = labels.get("__name__")
                if name == DURATION:
                    keep = chunk_times >= lo  # the sample before the window stands for success only
                    duration_times[target].append(chunk_times[keep])
                    duration_values[target].append(chunk_values[keep])
                elif name == SUCCESS:
                    times[target].append(chunk_times)
                    values[target].append(chunk_values)
                else:  # a server that drops the name: which series is which cannot be told
                    raise AnswerError(
                        f"site {self.site_id}: a series answering {QUERY} has no metric name {name!r}, so "
                        f"{SUCCESS} cannot be told from {DURATION}: {dict(labels)}"
                    )
                count += len(chunk_times)
            for target, (endpoint_id, service_id, interval) in endpoints.items():
                found_times = np.concatenate(times[target]) if times[target] else np.empty(0)
                found_values = np.concatenate(values[target]) if values[target] else np.empty(0)
                # one sample a time: the same series may come from more than one job
                found_times, first = np.unique(np.round(found_times).astype(np.int64), return_index=True)
                found_values = found_values[first]
                good = (found_values == 0) | (found_values == 1)  # NaN, Inf, 2: not a probe result
                refused_count += int((~good).sum())
                if duration_times[target]:
                    success_times = np.concatenate(times[target]) if times[target] else np.empty(0)
                    success_values = np.concatenate(values[target]) if values[target] else np.empty(0)
                    in_window = success_times >= lo  # as the durations are
                    kept, refused, note = successful_durations(
                        endpoint_id,
                        success_times[in_window],
                        success_values[in_window],
                        np.concatenate(duration_times[target]),
                        np.concatenate(duration_values[target]),
                    )
                    probes[endpoint_id] = kept
                    durations_refused += refused
                    if note:
                        notes.append(note)
                for item in probe_intervals(
                    found_times[good],
                    found_values[good],
                    interval,
                    lo,
                    hi,
                    NO_SAMPLES,
                    refused_times_s=found_times[~good],
                    refused_cause=BAD_ANSWER,
                ):
                    rows.append(
                        (
                            endpoint_id,
                            service_id,
                            naive_utc(item.start_s),
                            naive_utc(item.end_s),
                            item.state,
                            item.cause,
                        )
                    )
        except (SiteUnavailable, AnswerError) as error:
            status = "unreachable" if isinstance(error, SiteUnavailable) else "bad answer"
            cause = SiteUnavailable.cause if isinstance(error, SiteUnavailable) else BAD_ANSWER
            message = str(error)
            rows = [
                (endpoint_id, service_id, naive_utc(lo), naive_utc(hi), "unmonitored", cause)
                for endpoint_id, service_id, _ in endpoints.values()
            ]
        # The data first, in its own transaction, then the watermark: a collector killed between the
        # two leaves the window written and the watermark behind it, so the next run asks for the
        # window again and replaces it: nothing lost, nothing counted twice.
        responses = 0
        if status == "ok":
            frame = pl.DataFrame(rows, schema=AVAILABILITY_BATCH_SCHEMA, orient="row")
            written = self.warehouse.replace_availability(self.site_id, start, end, frame)
            # An endpoint whose answer carried no durations keeps those held: measured data is
            # never replaced by less (a Prometheus that stopped keeping the series, say).
            kept = self.warehouse.replace_probe_durations_days(
                self.site_id,
                start,
                end,
                {e: ProbeEndpoint(s, interval) for e, s, interval in endpoints.values() if e in probes},
                probes,
            )
            responses = kept.probes
            if kept.doubled:  # one slot per probe interval: a site probing faster loses the rest
                notes.append(
                    f"{kept.doubled} probe duration(s) not kept: they fell in a slot another probe "
                    "already filled (does the site probe more often than the endpoint's probe_interval_seconds?)"
                )
        else:
            # a failure never replaces what was measured: unmonitored only where nothing is held
            written = self.warehouse.fill_availability_gaps(
                self.site_id, start, end, [(e, s) for e, s, _ in endpoints.values()], cause
            )
        if status == "ok":
            self.warehouse.set_watermark(self.site_id, SOURCE, end)
        seen = sum(1 for found in times.values() if found)
        gaps = sum(1 for row in rows if row[4] == "unmonitored") if status == "ok" else written
        outcome = Outcome(
            self.site_id,
            (start, end),
            written,
            count,
            status,
            message,
            seen,
            gaps + durations_refused,
            refused_count,
            responses,
            durations_refused,
            tuple(notes),
        )
        record_run(self.warehouse, SOURCE, self.site_id, start, end, started, self.clock(), outcome)
        return outcome


def successful_durations(
    endpoint_id: str,
    success_times_s: np.ndarray,
    success_values: np.ndarray,
    duration_times_s: np.ndarray,
    duration_values: np.ndarray,
) -> tuple[Probes, int, str]:
    """The durations of the endpoint's successful probes: each duration sample joined to the
    success sample of the same scrape (the same millisecond); a failed probe's duration is not a
    response time. A duration that is NaN, infinite, negative or over MAX_PROBE_SECONDS is
    refused and counted, with a note naming the first. Returns (probes, refused, note)."""
    success_ms, success = _one_a_time(success_times_s, success_values)
    duration_ms, durations = _one_a_time(duration_times_s, duration_values)
    if np.array_equal(success_ms, duration_ms):  # as scraped: each duration beside its success
        joined = success == 1
    else:
        joined = np.isin(duration_ms, success_ms[success == 1], assume_unique=True)
    duration_ms, durations = duration_ms[joined], durations[joined]
    bad = ~(np.isfinite(durations) & (durations >= 0) & (durations <= MAX_PROBE_SECONDS))
    note = ""
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        note = (
            f"{int(bad.sum())} {DURATION} sample(s) of {endpoint_id} refused (not a duration from 0 to "
            f"{MAX_PROBE_SECONDS:g} s), the first {float(durations[k])!r} at "
            f"{naive_utc(duration_ms[k] / 1000):%Y-%m-%d %H:%M:%S} UTC"
        )
    return Probes(duration_ms[~bad] / 1000, durations[~bad]), int(bad.sum()), note


def _one_a_time(times_s: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Samples in time order, one a millisecond (the same series may come from two jobs);
    the sort is skipped when they already are, as one series' always are."""
    ms = np.rint(times_s * 1000).astype(np.int64)
    if len(ms) < 2 or bool((ms[1:] > ms[:-1]).all()):
        return ms, values
    ms, first = np.unique(ms, return_index=True)
    return ms, values[first]


def collect_availability(
    estate: Estate,
    site_id: str,
    source: PrometheusSource,
    warehouse,
    start: datetime,
    end: datetime,
    clock: Callable[[], datetime] = utc_now,
) -> Outcome:
    """Collect [start, end) for one site (one AvailabilityCollector's window)."""
    return AvailabilityCollector(estate, site_id, source, warehouse, clock).collect(start, end)
