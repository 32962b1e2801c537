"""The demo's backup jobs and replication lag."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

import numpy as np
import polars as pl

from collectors.demo.scenarios import Plan
from collectors.demo.timeline import Anchors

BACKUP_RUNS_LOCAL = (time(1, 0), time(13, 0))  # twice a day, so one late run never breaches a 24 h RPO
LAG_SAMPLE_MINUTES = 15


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def backup_jobs(
    document: dict, plan: Plan, anchors: Anchors, seed: int, go_live: dict[str, datetime]
) -> pl.DataFrame:
    """Every job of every dataset: dataset_id, site_id, job_name, started/finished, status."""
    failed_days = {(f.dataset_id, day) for f in plan.backup_failures for day in f.failed_days_local}
    rows = []
    first_day = anchors.history_start_utc.astimezone(anchors.tz).date()
    last_day = anchors.now_local.date()
    for service in document["services"]:
        for dataset in service.get("datasets", []):
            rng = random.Random(f"{seed}:backup:{dataset['id']}")
            starts_from = go_live.get(service["id"], anchors.history_start_utc)
            day = first_day
            while day <= last_day:
                for run in BACKUP_RUNS_LOCAL:
                    started = anchors.utc(day, run) + timedelta(minutes=rng.randint(0, 20))
                    finished = started + timedelta(minutes=rng.randint(15, 55))
                    if (
                        started < starts_from
                        or finished >= anchors.now_utc
                        or started < anchors.history_start_utc
                    ):
                        continue
                    if (dataset["id"], day) in failed_days:
                        status = "failed"
                    else:
                        roll = rng.random()
                        status = "warning" if roll < 0.02 else ("failed" if roll < 0.025 else "success")
                    job = f"{dataset['id']}-{'night' if run.hour < 12 else 'day'}"
                    rows.append(
                        (dataset["id"], dataset["site"], job, _naive(started), _naive(finished), status)
                    )
                    if status == "failed" and (dataset["id"], day) not in failed_days:
                        # the backup software retries a lone failure at once, and the retry works
                        retry_start = finished + timedelta(minutes=5)
                        retry_end = retry_start + timedelta(minutes=rng.randint(15, 40))
                        if retry_end < anchors.now_utc:
                            rows.append(
                                (
                                    dataset["id"],
                                    dataset["site"],
                                    job + "-retry",
                                    _naive(retry_start),
                                    _naive(retry_end),
                                    "success",
                                )
                            )
                day += timedelta(days=1)
    return pl.DataFrame(
        rows,
        schema=["dataset_id", "site_id", "job_name", "started_at_utc", "finished_at_utc", "status"],
        orient="row",
    )


def replication_lag(
    document: dict, plan: Plan, anchors: Anchors, seed: int, go_live: dict[str, datetime]
) -> pl.DataFrame:
    """Lag samples every 15 minutes for each replicated dataset: from_site_id, to_site_id, lag_seconds."""
    frames = []
    spikes = {s.dataset_id: s for s in plan.lag_spikes}
    for service in document["services"]:
        for dataset in service.get("datasets", []):
            if "replicated_to" not in dataset:
                continue
            start = max(anchors.history_start_utc, go_live.get(service["id"], anchors.history_start_utc))
            count = int((anchors.now_utc - start) / timedelta(minutes=LAG_SAMPLE_MINUTES))
            times = np.array([_naive(start)], dtype="datetime64[us]") + np.arange(count) * np.timedelta64(
                LAG_SAMPLE_MINUTES, "m"
            )
            rng = np.random.default_rng([seed, sum(map(ord, dataset["id"]))])
            lag = np.round(rng.lognormal(mean=np.log(60), sigma=0.6, size=count), 1)
            spike = spikes.get(dataset["id"])
            if spike is not None:
                lo, peak, hi = (
                    np.datetime64(_naive(t), "us") for t in (spike.start_utc, spike.peak_utc, spike.end_utc)
                )
                rising = (times >= lo) & (times <= peak)
                fraction = (times[rising] - lo) / (peak - lo)
                lag[rising] = np.maximum(lag[rising], np.round(fraction * spike.peak_lag_seconds, 1))
                lag[(times > peak) & (times < hi)] = spike.peak_lag_seconds
            frames.append(
                pl.DataFrame(
                    {
                        "dataset_id": dataset["id"],
                        "from_site_id": dataset["site"],
                        "to_site_id": dataset["replicated_to"],
                        "sampled_at_utc": times,
                        "lag_seconds": lag,
                    }
                )
            )
    return pl.concat(frames)
