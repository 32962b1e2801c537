"""What the savings report for the auditors says, from the savings figures: pure, no I/O.

The figures are the JSON document of `councilops savings --format json`
(`presentation.savings.savings_document`), narrowed to the report's period (`narrowed_document`)
and attached to the PDF as it is, so every pound printed is one of the attachment's, shown with
separators. Reported years (the signed outturn of the savings register) and measured years (from
the warehouse) are kept apart; the projection of a year in progress is labelled and never added
to anything; "met" is judged on complete years only (docs/savings.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from presentation.formats import local_time
from reports.html import logo_image
from reports.monthly import Issue
from reports.svg import cumulative_svg

YEAR = "year"  # one financial year, complete
YEAR_TO_DATE = "year-to-date"  # the financial year in progress, to the as-of date
PROGRAMME = "programme"  # every year of the programme, to the as-of date


@dataclass(frozen=True)
class SavingsPeriod:
    kind: str  # YEAR, YEAR_TO_DATE, PROGRAMME
    financial_year: str | None  # YEAR and YEAR_TO_DATE: the year (YYYY/YY)

    def years(self, labels: list[str]) -> list[str]:
        """The programme's years this period covers."""
        if self.kind == PROGRAMME:
            return list(labels)
        return [label for label in labels if label == self.financial_year]

    def words(self, as_of_date: str) -> str:
        if self.kind == YEAR:
            return f"financial year {self.financial_year}"
        if self.kind == YEAR_TO_DATE:
            return f"financial year {self.financial_year} to {as_of_date}"
        return f"the whole programme to {as_of_date}"


def narrowed_document(document: dict, years: list[str]) -> dict:
    """The savings document of `years` only: their ledgers and council parts, and the cumulative
    net from the programme's first year to the last of them (the trajectory they sit on)."""
    last = max(
        (i for i, row in enumerate(document["cumulative"]) if row["financial_year"] in years), default=-1
    )
    return {
        **document,
        "years": [y for y in document["years"] if y["financial_year"] in years],
        "cumulative": document["cumulative"][: last + 1],
        "councils": [c for c in document["councils"] if c["financial_year"] in years],
    }


def _pounds(text: str | None) -> str:
    """'1234.50' -> '£1,234.50'; '-5' -> '−£5.00'; None -> '' (not known)."""
    if text in (None, ""):
        return ""
    value = Decimal(text)
    shown = f"£{abs(value):,.2f}"
    return ("−" + shown) if value < 0 else shown


def _status(year: dict) -> str:
    """A complete year: met or NOT MET; a year in progress: on track or behind to date, never met."""
    if year["basis"] == "not known":
        return "not known"
    if year["in_progress"]:
        track = year["on_track_to_date"]
        return "in progress" if track is None else f"in progress: {'on track' if track else 'BEHIND'} to date"
    if year["met"] is None:
        return "no target"
    return "met" if year["met"] else "NOT MET"


def _year_row(year: dict) -> dict:
    projection = year["projection"]
    return {
        "label": year["financial_year"],
        "basis": year["basis"],
        "days": f"{year['realised_days']} of {year['days_in_year']}",
        "realised_days": year["realised_days"],
        "cashable": _pounds(year["saving_cashable_gbp"]),
        "non_cashable": _pounds(year["saving_non_cashable_gbp"]),
        "saving": _pounds(year["saving_gbp"]),
        "investment": _pounds(year["investment_gbp"]),
        "net": _pounds(year["net_saving_gbp"]),
        "target": _pounds(year["target_to_date_gbp"] if year["in_progress"] else year["target_gbp"]),
        "full_target": _pounds(year["target_gbp"]),
        "status": _status(year),
        "in_progress": year["in_progress"],
        "held_days": year["days_held_in_warehouse"],
        "evidence": _pounds(year["evidence_gbp"]),
        "unevidenced": _pounds(year["unevidenced_gbp"])
        if year["unevidenced_gbp"] not in (None, "0.00")
        else "",
        "not_known": year["categories_not_known"],
        "projection": None
        if projection is None
        else {
            "label": projection["label"],
            "saving": _pounds(projection["full_year_saving_gbp"]),
            "net": _pounds(projection["full_year_net_saving_gbp"]),
        },
        "lines": [_line(line) for line in year["ledger"]],
        "signatures": list(
            dict.fromkeys(
                (line["source"], line["signed_by"]) for line in year["ledger"] if line["basis"] == "reported"
            )
        ),
    }


def _line(line: dict) -> dict:
    return {
        "category": line["category"],
        "cashable": "cashable" if line["cashable"] else "non-cashable",
        "basis": line["basis"],
        "baseline": _pounds(line["baseline_gbp"]),
        "actual": _pounds(line["actual_gbp"]),
        "saving": _pounds(line["saving_gbp"]) if line["saving_gbp"] is not None else "not known",
        "evidence_total": _pounds(line["evidence_gbp"]),
        "unevidenced": "" if line["unevidenced_gbp"] in (None, "0.00") else _pounds(line["unevidenced_gbp"]),
        "source": line["source"],
        "signed_by": line["signed_by"],
        "evidence": [
            {
                "kind": e["kind"],
                "subject": e["subject"],
                "detail": e["detail"],
                "date": e["date"] or "",
                "value": _pounds(e["value_gbp"]),
                "source": e["source"],
            }
            for e in line["evidence"]
        ],
    }


def _councils(document: dict, names: dict[str, str], years: list[str]) -> list[dict]:
    """A row per council, a column per year: its saving and its net, as split."""
    by = {(c["council"], c["financial_year"]): c for c in document["councils"]}
    ids = list(dict.fromkeys(c["council"] for c in document["councils"]))
    return [
        {
            "id": council,
            "name": names.get(council, council),
            "cells": [
                {
                    "saving": _pounds(by[(council, y)]["saving_gbp"]) if (council, y) in by else "",
                    "net": _pounds(by[(council, y)]["net_saving_gbp"]) if (council, y) in by else "",
                }
                for y in years
            ],
        }
        for council in ids
    ]


def savings_context(
    document: dict,
    *,
    period: SavingsPeriod,
    provider_name: str,
    council_names: dict[str, str],
    time_zone: ZoneInfo,
    issue: Issue,
    logo_svg: str | None = None,
) -> dict:
    """The template's context (reports/templates/savings.html.j2) from the narrowed document."""
    as_of = datetime.fromisoformat(document["as_of_utc"].replace("Z", "+00:00"))
    as_of_date = as_of.astimezone(time_zone).date().isoformat()
    years = [_year_row(y) for y in document["years"]]
    labels = [y["label"] for y in years]
    split_years = list(dict.fromkeys(c["financial_year"] for c in document["councils"]))
    splits = {c["financial_year"]: c["split"] for c in document["councils"]}
    cumulative = [
        {
            "label": row["financial_year"],
            "to_date": row["to_date"],
            "net": _pounds(row["cumulative_net_saving_gbp"]),
            "target": _pounds(row["cumulative_target_gbp"]),
            "on_track": "" if row["on_track"] is None else ("yes" if row["on_track"] else "BEHIND"),
            "every_year_known": row["every_year_known"],
        }
        for row in document["cumulative"]
    ]
    # the projection of the year in progress to its end (the figures' own), drawn apart
    last = document["cumulative"][-1] if document["cumulative"] else None
    projected_end = None
    if last is not None and last.get("projection"):
        projection = last["projection"]
        projected_end = {
            "label": last["financial_year"],
            "net": _pounds(projection["year_end_cumulative_net_saving_gbp"]),
            "target": _pounds(projection["year_end_cumulative_target_gbp"]),
            "net_value": Decimal(projection["year_end_cumulative_net_saving_gbp"]),
        }
    chart = cumulative_svg(
        [row["financial_year"] for row in document["cumulative"]],
        [Decimal(row["cumulative_net_saving_gbp"]) for row in document["cumulative"]],
        [
            None if row["cumulative_target_gbp"] is None else Decimal(row["cumulative_target_gbp"])
            for row in document["cumulative"]
        ],
        None if projected_end is None else projected_end["net_value"],
    )
    return {
        "title": f"{provider_name}: savings against the baseline, {period.words(as_of_date)}",
        "provider": provider_name,
        "period": period.words(as_of_date),
        "period_kind": period.kind,
        "time_zone": time_zone.key,
        "as_of": local_time(as_of, time_zone),
        "issue": issue,
        "issued": local_time(issue.issued_at_utc, time_zone),
        "years": years,
        "reported": [y for y in years if y["basis"] == "reported"],
        "measured": [y for y in years if y["basis"] in ("measured", "part measured")],
        "not_known": [y for y in years if y["basis"] == "not known"],
        "labels": labels,
        "cumulative": cumulative,
        "projected_end": projected_end,
        "chart_svg": chart if cumulative else "",
        "split_rule": document["shared_cost_split"],
        "split_years": split_years,
        "splits": splits,
        "councils": _councils(document, council_names, split_years),
        "year_totals": {
            y["financial_year"]: {"saving": _pounds(y["saving_gbp"]), "net": _pounds(y["net_saving_gbp"])}
            for y in document["years"]
        },
        "provenance": document["provenance"],
        "logos": [logo_image(logo_svg, f"{provider_name} logo")] if logo_svg else [],
    }
