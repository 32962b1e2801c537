"""Collecting backups and replication from the gauges node_exporter's textfile collector exposes.

- `backup_last_success_timestamp_seconds{dataset}` and
  `backup_last_failure_timestamp_seconds{dataset}`: each new value is a job that finished then,
  successfully or not. Every raw sample of the window is read and each distinct timestamp that
  falls in the window is one job (a gauge repeats its value at every scrape).
- `replication_lag_seconds{dataset}`: every raw sample in the window, as it was scraped.

A series belongs to a dataset of the estate by its `dataset` label; other series are ignored.
A negative or non-finite lag, or a timestamp that is not a time, is refused and counted. When
the site gives no usable answer nothing is written and the watermark stays.
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
from estate.model import Estate

SOURCE = "recovery"
BACKUP_METRICS = {
    "backup_last_success_timestamp_seconds": "success",
    "backup_last_failure_timestamp_seconds": "failed",
}
LAG_METRIC = "replication_lag_seconds"
LAG_SCHEMA = {
    "dataset_id": pl.Utf8,
    "to_site_id": pl.Utf8,
    "sampled_at_utc": pl.Float64,
    "lag_seconds": pl.Float64,
}


@dataclass
class Outcome:
    site_id: str
    window: tuple[datetime, datetime]
    jobs: int = 0
    lag_samples: int = 0
    refused: int = 0
    status: str = "ok"
    message: str = ""

    series: int = 0  # datasets with jobs or lag samples

    @property
    def rows(self) -> int:
        return self.jobs + self.lag_samples

    @property
    def samples(self) -> int:
        return self.rows

    @property
    def gaps(self) -> int:
        return self.refused


class RecoveryCollector(SiteCollector):
    """A site's backup jobs and replication lag, from the textfile gauges (collectors/collector.py)."""

    kind = "recovery"
    watermark_source = SOURCE

    def collect(self, start: datetime, end: datetime) -> Outcome:
        """Collect [start, end) for the site's datasets; write; move the watermark when it worked."""
        datasets = {d.id: d for s in self.estate.services for d in s.datasets if d.site == self.site_id}
        lo, hi = int(start.timestamp()), int(end.timestamp())
        outcome = Outcome(self.site_id, (start, end))
        started = self.clock()
        jobs: dict[tuple[str, float], str] = {}
        lags: list[pl.DataFrame] = []
        try:
            for metric, status in BACKUP_METRICS.items():
                for labels, _, values in raw_samples(self.source, metric, lo, hi, self.site_id):
                    dataset = labels.get(self.estate.collection.dataset_label)
                    if dataset not in datasets:
                        continue
                    finished = np.unique(values)  # a gauge repeats its value at every scrape
                    usable = np.isfinite(finished) & (finished > 0)
                    outcome.refused += int((~usable).sum())
                    for when in finished[usable & (finished >= lo) & (finished < hi)].tolist():
                        jobs[(dataset, when)] = status
            for labels, times, values in raw_samples(self.source, LAG_METRIC, lo, hi, self.site_id):
                dataset = labels.get(self.estate.collection.dataset_label)
                if dataset not in datasets or not datasets[dataset].replicated_to:
                    continue
                good = np.isfinite(values) & (values >= 0)
                outcome.refused += int((~good).sum())
                count = int(good.sum())
                lags.append(
                    pl.DataFrame(
                        {
                            "dataset_id": np.full(count, dataset, dtype=object),
                            "to_site_id": np.full(count, datasets[dataset].replicated_to, dtype=object),
                            "sampled_at_utc": times[good],
                            "lag_seconds": values[good],
                        },
                        schema=LAG_SCHEMA,
                    )
                )
        except SiteUnavailable as error:
            outcome.status, outcome.message = "unreachable", str(error)
        except AnswerError as error:  # nothing half-written: the whole window waits for the next run
            outcome.status, outcome.message = "bad answer", str(error)
        if outcome.status == "ok":
            job_frame = pl.DataFrame(
                [
                    (d, f"{d}-backup", naive_utc(t), naive_utc(t), status)
                    for (d, t), status in sorted(jobs.items())
                ],
                schema={
                    "dataset_id": pl.Utf8,
                    "job_name": pl.Utf8,
                    "started_at_utc": pl.Datetime("us"),
                    "finished_at_utc": pl.Datetime("us"),
                    "status": pl.Utf8,
                },
                orient="row",
            )
            lag_frame = (pl.concat(lags) if lags else pl.DataFrame(schema=LAG_SCHEMA)).with_columns(
                # seconds (whole, as scraped; milliseconds kept) to the warehouse's naive UTC
                pl.from_epoch((pl.col("sampled_at_utc") * 1e6).round().cast(pl.Int64), time_unit="us")
            )
            outcome.series = len({d for d, _ in jobs} | set(lag_frame["dataset_id"].unique().to_list()))
            outcome.jobs = self.warehouse.replace_backup_jobs(
                self.site_id, "prometheus", start, end, job_frame
            )
            outcome.lag_samples = self.warehouse.replace_replication_lag(self.site_id, start, end, lag_frame)
            self.warehouse.set_watermark(self.site_id, SOURCE, end)
        record_run(self.warehouse, SOURCE, self.site_id, start, end, started, self.clock(), outcome)
        return outcome


def collect_recovery(
    estate: Estate,
    site_id: str,
    source: PrometheusSource,
    warehouse,
    start: datetime,
    end: datetime,
    clock: Callable[[], datetime] = utc_now,
) -> Outcome:
    """Collect [start, end) for one site (one RecoveryCollector's window)."""
    return RecoveryCollector(estate, site_id, source, warehouse, clock).collect(start, end)
