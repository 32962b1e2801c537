"""What a council's monthly SLA report says, from the month's figures: pure, no I/O.

The figures are the JSON document of `councilops sla --format json` for the council and month
(`presentation.sla.month_document`), the same document attached to the PDF, so every figure
printed is one of the attachment's, formatted as the command line formats it (rounded-down
percentages as given, seconds as h:mm:ss, money in pounds). What the document does not hold is
passed in: the outages' explanations, the twelve months' trend (the same cells as the
dashboard's chart), the dedicated servers' utilisation, and the issue (revision, date, reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from presentation.formats import duration, local_time
from reports.html import logo_image
from reports.svg import trend_svg
from sla import calendar as cal


@dataclass(frozen=True)
class Issue:
    revision: int
    issued_at_utc: datetime  # aware
    reason: str  # "first issue", or what the revision changed and why
    draft: bool  # the month is not over (never issued unless forced)
    changes: tuple[str, ...] = ()  # the figures changed from the previous revision, in words


@dataclass(frozen=True)
class Utilisation:
    servers: int
    cpu_p95_percent: float | None
    cpu_max_percent: float | None
    memory_p95_percent: float | None
    memory_max_percent: float | None
    hours: int


@dataclass(frozen=True)
class MonthlyInputs:
    document: dict  # month_document for the council's scope
    council_id: str
    council_name: str
    provider_name: str
    time_zone: ZoneInfo
    issue: Issue
    explanations: dict[tuple[str, str], str] = field(default_factory=dict)  # (service, start_utc) -> text
    trend: tuple = ((), (), (), ())  # months, services, margins, texts (presentation.trend)
    utilisation: Utilisation | None = None
    in_service_from: dict[str, str] = field(default_factory=dict)  # service -> ISO date, within the month
    # service -> the change calendar's windows (start_s, end_s, "reference: summary") of the month
    changes: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)
    provider_logo_svg: str | None = None  # checked on load (estate/logo.py)
    council_logo_svg: str | None = None


def _local(iso_utc: str, tz: ZoneInfo) -> str:
    return local_time(
        cal.from_utc_seconds(cal.utc_seconds(datetime.fromisoformat(iso_utc.replace("Z", "+00:00")))), tz
    )


def _pounds(text: str | None) -> str:
    return "£0.00" if text in (None, "") else f"£{float(text):,.2f}"


def _service(row: dict, inputs: MonthlyInputs) -> dict:
    tz = inputs.time_zone
    contract = row["contract"] or {}
    budget = (row.get("error_budget") or {}).get("month")
    outages = [
        {
            "start": _local(o["start_utc"], tz)
            + (" (from the month before)" if o["continues_from_previous_month"] else ""),
            "end": _local(o["end_utc"], tz)
            + (" (into the next month)" if o["continues_into_next_month"] else ""),
            "in_scheduled": duration(o["seconds_in_scheduled_time"]),
            "in_maintenance": duration(o["seconds_in_maintenance"]),
            "outside_hours": duration(o["seconds_outside_service_hours"]),
            "sites": ", ".join(o["sites"]),
            "explanation": inputs.explanations.get((row["service"], o["start_utc"]), ""),
        }
        for o in row["outages"]
    ]
    rpo = row.get("rpo")
    response = row.get("response_time")
    return {
        "id": row["service"],
        "name": row["service_name"],
        "status": row["status"],
        "measured": row["status"] == "measured",
        "availability": row["availability_percent"],
        "target": row["target_percent"],
        "met": row["met"],
        "state": "met" if row["met"] else ("missed" if row["met"] is False else "not measured"),
        "contract_from": contract.get("effective_from"),
        "service_hours": contract.get("service_hours"),
        "bank_holidays": contract.get("bank_holidays"),
        "policy": contract.get("unmonitored_policy"),
        "maintenance_rules": contract.get("maintenance_windows") or [],
        "sites": ", ".join(row["sites"]),
        "scheduled": duration(row["scheduled_seconds"]),
        "up": duration(row["up_seconds"]),
        "down": duration(row["down_seconds"]),
        "degraded": duration(row["degraded_seconds"]),
        "unmonitored": duration(row["unmonitored_seconds"]),
        "unmonitored_by_cause": [
            (cause, duration(s)) for cause, s in sorted(row["unmonitored_by_cause"].items())
        ],
        "measured_time": duration(row["measured_seconds"]),
        "budget_left": None if budget is None else _signed(budget["left_seconds"]),
        "outage_count": row["outage_count"],
        "longest": duration(row["longest_outage_seconds"]),
        "outages": outages,
        "maintenance": [
            {
                "start": _local(w["start_utc"], tz),
                "end": _local(w["end_utc"], tz),
                "length": duration(w["seconds"]),
                "why": _why(w, inputs.changes.get(row["service"], [])),
            }
            for w in row["maintenance_windows"]
        ],
        "rpo": None
        if rpo is None
        else {
            "hours": f"{rpo['rpo_hours']:g}",
            "compliance": rpo["compliance_percent"],
            "met": rpo["met"],
            "jobs": f"{rpo['jobs_succeeded']:,} of {rpo['jobs_attempted']:,}",
            "job_success": rpo["job_success_percent"],
            "datasets": [
                {
                    "id": d["dataset"],
                    "breach": duration(d["breach_seconds"]),
                    "backup_breach": duration(d["backup_breach_seconds"]),
                    "age_at_end": "none"
                    if d["recovery_point_age_at_end_seconds"] is None
                    else duration(d["recovery_point_age_at_end_seconds"]),
                    "jobs_failed": d["jobs_failed"],
                    **_replica(d["dataset"], rpo["replication"]),
                }
                for d in rpo["datasets"]
            ],
        },
        "response": None
        if response is None
        else {
            "p95": "not measured" if response["p95_seconds"] is None else f"{response['p95_seconds']:.3f} s",
            "target": f"{response['target_seconds']:g} s",
            "met": response["met"],
            "probes": response["probes"],
        },
        "in_service_from": inputs.in_service_from.get(row["service"]),
        "credit_percent": row["credit_percent"],
        "credit": _pounds(row["credit_gbp"]),
    }


def _why(window: dict, changes: list[tuple[int, int, str]]) -> str:
    """The changes a maintenance window holds (the calendar's reference and summary), or that it
    is a window the contract agrees."""
    start = cal.utc_seconds(datetime.fromisoformat(window["start_utc"].replace("Z", "+00:00")))
    end = cal.utc_seconds(datetime.fromisoformat(window["end_utc"].replace("Z", "+00:00")))
    held = list(dict.fromkeys(text for s, e, text in changes if s < end and e > start))
    return "; ".join(held) if held else "agreed in the contract"


def _replica(dataset: str, replication: list[dict]) -> dict:
    found = next((r for r in replication if r["dataset"] == dataset), None)
    if found is None:
        return {"route": "no", "max_lag": ""}
    lag = "not measured" if found["max_lag_seconds"] is None else duration(round(found["max_lag_seconds"]))
    over = f", {duration(found['breach_seconds'])} over the RPO" if found["breach_seconds"] else ""
    return {"route": f"{found['from_site']} to {found['to_site']}", "max_lag": lag + over}


def _signed(seconds: float) -> str:
    return ("−" + duration(round(-seconds))) if seconds < 0 else duration(round(seconds))


def monthly_context(inputs: MonthlyInputs) -> dict:
    """The template's context (reports/templates/monthly.html.j2)."""
    document = inputs.document
    summary = next((c for c in document["councils"] if c["council"] == inputs.council_id), None)
    rows = [r for r in document["services"] if r["council"] == inputs.council_id]
    services = [_service(r, inputs) for r in rows if r["contract"] is not None]
    provenance = document["provenance"]
    months, names, margins, texts = inputs.trend
    return {
        "title": f"{inputs.council_name}: service levels, {document['month']}",
        "council": inputs.council_name,
        "council_id": inputs.council_id,
        "provider": inputs.provider_name,
        "month": document["month"],
        "time_zone": inputs.time_zone.key,
        "as_of": _local(document["as_of_utc"], inputs.time_zone),
        "issue": inputs.issue,
        "issued": local_time(inputs.issue.issued_at_utc, inputs.time_zone),
        "summary": summary,
        "credit_total": _pounds(summary["credit_gbp"] if summary else None),
        "services": services,
        "not_contracted": [r["service_name"] for r in rows if r["contract"] is None],
        "met": [s for s in services if s["met"] is True],
        "missed": [s for s in services if s["met"] is False],
        "unmeasured": [s for s in services if s["met"] is None],
        "trend_svg": trend_svg(months, names, margins, texts) if names else "",
        "utilisation": inputs.utilisation,
        "provenance": provenance,
        "logos": [
            logo_image(svg, f"{name} logo")
            for svg, name in (
                (inputs.provider_logo_svg, inputs.provider_name),
                (inputs.council_logo_svg, inputs.council_name),
            )
            if svg
        ],
    }
