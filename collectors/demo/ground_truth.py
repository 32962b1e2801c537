"""ground-truth.json: every situation the demo planted, with the figures later features must reproduce.

`ground_truth(...)` works them out from what the build generated (the estate document, the plan,
the availability pieces, the utilisation fleet, the backup jobs and the replication lag), so the
file states exactly what the warehouse holds: each outage and the endpoints it took down, each
gap, each backup failure and its RPO breach, each lag spike, the capacity and under-use cases,
the savings evidence and the contract changes, and every down interval stored.
`ground_truth_json(truth)` is the file's text.
"""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from datetime import UTC, date, datetime, timedelta

import polars as pl

from collectors.demo import utilisation
from collectors.demo.availability import Piece
from collectors.demo.scenarios import Plan
from collectors.demo.timeline import Anchors
from collectors.demo.utilisation import Fleet


def _rpo_hours(document: dict, dataset_id: str) -> float | None:
    service_id = next(
        s["id"] for s in document["services"] for d in s.get("datasets", []) if d["id"] == dataset_id
    )
    return next((c.get("rpo_hours") for c in document["contracts"] if c["service"] == service_id), None)


def ground_truth(
    document: dict,
    plan: Plan,
    anchors: Anchors,
    pieces: list[Piece],
    fleet: Fleet,
    jobs: pl.DataFrame,
    lags: pl.DataFrame,
    *,
    scale: str,
    seed: int,
) -> dict:
    scenarios: list[dict] = []
    for outage in plan.outages:
        affected = sorted({p.endpoint_id for p in pieces if p.label == outage.scenario})
        scenarios.append(
            {
                "id": outage.scenario,
                "kind": "outage",
                "description": outage.description,
                "service": outage.service_id,
                "sites": list(outage.sites),
                "start_utc": outage.start_utc,
                "end_utc": outage.end_utc,
                "start_local": outage.start_utc.astimezone(anchors.tz).isoformat(),
                "duration_seconds": int((outage.end_utc - outage.start_utc).total_seconds()),
                "endpoints_down": affected,
            }
        )
    whole_site = next(o for o in plan.outages if o.service_id is None)
    single_site_down = sorted(s["id"] for s in document["services"] if s["sites"] == list(whole_site.sites))
    degraded = sorted(s["id"] for s in document["services"] if len(s["sites"]) == 2)
    next(s for s in scenarios if s["id"] == whole_site.scenario).update(
        services_down=single_site_down, services_degraded=degraded
    )

    for gap in plan.gaps:
        scenarios.append(
            {
                "id": gap.scenario,
                "kind": "gap",
                "description": gap.description,
                "sites": list(gap.sites),
                "service": gap.service_id,
                "cause": gap.cause,
                "start_utc": gap.start_utc,
                "end_utc": gap.end_utc,
                "utilisation_lost": gap.utilisation_lost,
            }
        )

    for failure in plan.backup_failures:
        data = jobs.filter(pl.col("dataset_id") == failure.dataset_id).sort("finished_at_utc")
        failed = data.filter(pl.col("status") == "failed")
        failed_planted = failed.filter(
            pl.col("finished_at_utc").dt.date().is_in(failure.failed_days_local)
            | pl.col("started_at_utc").dt.date().is_in(failure.failed_days_local)
        )
        first_failed = failed_planted["started_at_utc"].min()
        good = data.filter(pl.col("status") != "failed")
        last_good = good.filter(pl.col("finished_at_utc") < first_failed)["finished_at_utc"].max()
        next_good = good.filter(pl.col("finished_at_utc") > first_failed)["finished_at_utc"].min()
        rpo = _rpo_hours(document, failure.dataset_id)
        scenarios.append(
            {
                "id": failure.scenario,
                "kind": "backup-failure",
                "description": failure.description,
                "dataset": failure.dataset_id,
                "failed_jobs": failed_planted.height,
                "rpo_hours": rpo,
                "last_success_before_utc": last_good.replace(tzinfo=UTC),
                "next_success_after_utc": next_good.replace(tzinfo=UTC),
                "breach_start_utc": (last_good + timedelta(hours=rpo)).replace(tzinfo=UTC),
                "breach_end_utc": next_good.replace(tzinfo=UTC),
            }
        )

    for spike in plan.lag_spikes:
        rpo = _rpo_hours(document, spike.dataset_id)
        over = lags.filter((pl.col("dataset_id") == spike.dataset_id) & (pl.col("lag_seconds") > rpo * 3600))
        scenarios.append(
            {
                "id": spike.scenario,
                "kind": "replication-lag",
                "description": spike.description,
                "dataset": spike.dataset_id,
                "rpo_hours": rpo,
                "peak_lag_seconds": spike.peak_lag_seconds,
                "start_utc": spike.start_utc,
                "end_utc": spike.end_utc,
                "samples_over_rpo": over.height,
                "first_sample_over_rpo_utc": over["sampled_at_utc"].min().replace(tzinfo=UTC)
                if over.height
                else None,
            }
        )

    for slow in plan.slow_responses:
        scenarios.append(
            {
                "id": slow.scenario,
                "kind": "slow-responses",
                "description": slow.description,
                "service": slow.service_id,
                "start_utc": slow.start_utc,
                "end_utc": slow.end_utc,
                "p95_seconds": slow.p95_seconds,
            }
        )

    march_servers = sorted(
        fleet.ids[i] for i in range(len(fleet.ids)) if fleet.cpu_march[i] > 0 and fleet.profile[i] == "busy"
    )
    scenarios.append(
        {
            "id": "march-billing-peak",
            "kind": "seasonal-peak",
            "description": "Annual Council Tax and Business Rates billing: CPU rises through March on their servers.",
            "month": f"{anchors.billing_march}-03",
            "servers": march_servers,
            "added_cpu_percent_at_least": 22,
        }
    )
    crossing, now_peak, year_ago_peak = utilisation.projected_cpu_crossing(fleet, "dc1", anchors)
    scenarios.append(
        {
            "id": "capacity-run-out",
            "kind": "capacity",
            "site": "dc1",
            "resource": "cpu",
            "description": "DC1's CPU demand grows about 40 % a year: its daily peak reaches the 80 % "
            "ceiling within a year.",
            "ceiling_percent": utilisation.CPU_CEILING_PERCENT,
            "noiseless_daily_peak_percent_now": round(now_peak, 2),
            "noiseless_daily_peak_percent_year_ago": round(year_ago_peak, 2),
            "noiseless_crossing_date": crossing,
        }
    )
    history_years = (anchors.now_utc - anchors.history_start_utc) / timedelta(days=365)
    scenarios.append(
        {
            "id": "storage-filling",
            "kind": "capacity",
            "server": utilisation.FAST_FILLING_STORAGE,
            "resource": "storage",
            "description": "DC1's main file server fills at 20 points a year: full within a year.",
            "storage_percent_now": round(70 + 20.0, 1),
            "days_until_full": round((100 - 90) / (20 / history_years) * 365, 1),
        }
    )
    scenarios.append(
        {
            "id": "under-used-servers",
            "kind": "under-use",
            "servers": list(utilisation.UNDER_USED),
            "description": "Servers whose p95 CPU stays below 10 % and p95 memory below 30 %.",
        }
    )
    scenarios.append(
        {
            "id": "possibly-unused-servers",
            "kind": "under-use",
            "servers": list(utilisation.POSSIBLY_UNUSED),
            "description": "Servers with next to no CPU and network at all: possibly unused.",
        }
    )
    scenarios.append(
        {
            "id": "dr-standby-not-under-used",
            "kind": "under-use",
            "servers": sorted(s["id"] for s in document["servers"] if s["role"] == "dr-standby"),
            "description": "Idle disaster-recovery standbys: must never be listed as under-used.",
        }
    )
    scenarios.append(
        {
            "id": "seasonal-server-not-under-used",
            "kind": "under-use",
            "servers": list(utilisation.SEASONAL_IDLE),
            "description": "Idle most of the year but busy in March: its seasonal peak keeps it off the list.",
        }
    )
    scenarios.append(
        {
            "id": "decommissioned-baseline-servers",
            "kind": "savings-evidence",
            "description": "Servers of the pre-consolidation baseline switched off during the year.",
            "servers": [
                {
                    "id": i,
                    "site": s,
                    "annual_cost_gbp": c,
                    "stopped_reporting_utc": anchors.utc(anchors.day(o, 10), datetime.min.time()),
                }
                for i, s, c, o in anchors.decommissioned_servers
            ],
        }
    )
    hypervisors = [s for s in document["servers"] if s["role"] == "hypervisor"]
    scenarios.append(
        {
            "id": "two-site-design",
            "kind": "site-loss",
            "description": "Each data centre's hypervisors carry its virtual machines and, if the other "
            "site is lost, every critical and high service of both; some medium and low services would "
            "not fit; Benefits, email and directory grow, so on the trend the critical services would "
            "stop fitting within three years. No host can be freed without breaking that.",
            "hypervisors": {
                site: sum(1 for s in hypervisors if s["site"] == site) for site in ("dc1", "dc2")
            },
            "hypervisor_cores": sorted({s["cores"] for s in hypervisors}),
            "growing_services": sorted(utilisation.SERVICE_GROWTH_PER_YEAR),
            "fit_at_either_site": ["critical", "high"],
            "critical_stops_fitting_within_days": 3 * 365,
        }
    )
    money = document["money"]
    scenarios.append(
        {
            "id": "five-year-savings-programme",
            "kind": "savings",
            "description": "A five-year consolidation programme: £2.5m net planned, investment in years "
            "1-2, years before the warehouse's history reported from the savings register, the "
            "current year measured; servers switched off and arrays retired as the evidence.",
            "years": [t["financial_year"] for t in money["savings_targets"]],
            "target_cumulative_gbp": sum(t["target_gbp"] for t in money["savings_targets"]),
            "investments": [
                {"financial_year": i["financial_year"], "amount_gbp": i["amount_gbp"]}
                for i in money["investments"]
            ],
            "reported_years": sorted({r["financial_year"] for r in money["savings_register"]}),
            "baseline_servers": len(money["baseline"]["servers"]),
            "arrays_retired": [
                {"id": a["id"], "tib": a["tib"], "retired_on": a["retired_on"].isoformat()}
                for a in money["baseline"]["storage_arrays"]
            ],
        }
    )
    scenarios.append(
        {
            "id": "contract-version-change",
            "kind": "contract",
            "council": "fylde",
            "service": "council-tax",
            "description": "Fylde's Council Tax target rises from 99.5 % to 99.7 % in this month.",
            "month": anchors.month_label(anchors.contract_change_offset),
        }
    )
    scenarios.append(
        {
            "id": "council-joined",
            "kind": "contract",
            "council": "chorley",
            "description": "Chorley's contracts start part-way through the history; earlier months have none.",
            "first_month": anchors.month_label(anchors.chorley_join_offset),
        }
    )
    scenarios.append(
        {
            "id": "service-added-mid-month",
            "kind": "contract",
            "service": anchors.new_service_id,
            "description": "A service that went live on the 15th of a month.",
            "in_service_from": anchors.new_service_live_local.date(),
        }
    )

    down = [
        {
            "endpoint": p.endpoint_id,
            "site": p.site_id,
            "start_utc": p.start_utc,
            "end_utc": p.end_utc,
            "label": p.label,
        }
        for p in pieces
        if p.state == "down"
    ]
    return {
        "generated": {
            "scale": scale,
            "seed": seed,
            "now_utc": anchors.now_utc,
            "history_start_utc": anchors.history_start_utc,
            "time_zone": anchors.time_zone,
        },
        "scenarios": scenarios,
        "down_intervals": down,
        "counts": {
            "councils": len(document["councils"]),
            "services": len(document["services"]),
            "servers": len(document["servers"]),
            "endpoints": sum(len(s["endpoints"]) for s in document["services"]),
            "down_intervals": len(down),
            "random_blips": sum(1 for d in down if d["label"] == "random-blip"),
        },
    }


def ground_truth_json(truth: dict) -> str:
    """The text of ground-truth.json: instants in UTC with a Z, dates and planted records as JSON."""
    return json.dumps(truth, indent=2, default=_json_default) + "\n"


def _json_default(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if is_dataclass(value):
        return asdict(value)
    raise TypeError(type(value).__name__)
