"""The savings report for the auditors: rendered from the savings figures, issued into the same
archive as the monthly reports (kind `savings`), with the ledger as CSV beside it, revised
openly and verified by rendering again as recorded (docs/reports.md).

A report is of one financial year (complete), the year in progress to date, or the whole
programme to date. Its figures are `savings_report` as of the issue (the end of what is
collected, to the hour); the same as-of gives the same figures, so rendering again from the
warehouse gives the same bytes while the warehouse holds the same evidence.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from application.periods import estate_zone
from application.provenance import provenance_of
from application.savings import savings_report
from estate.model import Estate
from estate.scope import PROVIDER
from presentation.savings import savings_csv, savings_document
from reports.html import render_template
from reports.issuing import (
    FIRST_ISSUE,
    Rendered,
    ReportError,
    aware,
    canonical_json,
    figures_differ,
    keep_estate,
    write_once,
)
from reports.monthly import Issue
from reports.pdf import Attached, PdfJob, render_job
from reports.savings import PROGRAMME, YEAR, YEAR_TO_DATE, SavingsPeriod, narrowed_document, savings_context
from warehouse import IssuedReport, Warehouse
from warehouse.store import utc_naive

KIND = "savings"


@dataclass(frozen=True)
class SavingsOutcome:
    report_id: str
    period: str
    issued: IssuedReport | None  # None: not issued (see `said`)
    said: str
    csv_path: Path | None = None


def _ledger_csv(report, years: list[str]) -> bytes:
    """The ledger of these years, as `councilops savings --format csv` writes it."""
    narrowed = type(report)(
        report.as_of_utc,
        tuple(y for y in report.years if y.financial_year in years),
        tuple(c for c in report.councils if c.financial_year in years),
        report.rule,
        report.provenance,
    )
    return savings_csv(narrowed).encode("utf-8")


def _identity(period: SavingsPeriod, as_of_date: str) -> tuple[str, str, str]:
    """(report id, period as listed, file stem): a complete year is one report whatever the
    as-of; a year to date or the programme is one report per as-of date."""
    if period.kind == YEAR:
        slug = period.financial_year.replace("/", "-")
        return f"savings/{slug}", period.financial_year, f"savings-{slug}"
    if period.kind == YEAR_TO_DATE:
        slug = period.financial_year.replace("/", "-")
        return (
            f"savings/{slug}/to-{as_of_date}",
            f"{period.financial_year} to {as_of_date}",
            f"savings-{slug}-to-{as_of_date}",
        )
    return (
        f"savings/programme/to-{as_of_date}",
        f"programme to {as_of_date}",
        f"savings-programme-to-{as_of_date}",
    )


def resolve_period(report, kind: str, financial_year: str | None) -> SavingsPeriod:
    """The period asked for, checked against the programme as of the report."""
    labels = [y.financial_year for y in report.years]
    if not labels:
        raise ReportError(
            "the configuration names no savings programme ([money]): there is nothing to report"
        )
    if kind == PROGRAMME:
        return SavingsPeriod(PROGRAMME, None)
    if kind == YEAR_TO_DATE:
        progress = next((y for y in report.years if y.in_progress), None)
        if progress is None:
            raise ReportError(
                "no financial year of the programme is in progress: --year issues a complete year"
            )
        return SavingsPeriod(YEAR_TO_DATE, progress.financial_year)
    year = report.year(financial_year or "")
    if year is None:
        raise ReportError(f"{financial_year!r} is not a year of the programme (years: {', '.join(labels)})")
    if year.in_progress:
        raise ReportError(
            f"{financial_year} is in progress (as of {report.as_of_utc:%Y-%m-%d %H:%M} UTC): a year's report is "
            "issued once it is over; --year-to-date issues it to date"
        )
    return SavingsPeriod(YEAR, financial_year)


def render_savings(
    estate: Estate,
    warehouse: Warehouse,
    period: SavingsPeriod,
    *,
    as_of: datetime,
    issue: Issue,
    previous: dict | None = None,
    report=None,
) -> Rendered:
    """The savings report of `period`, its figures as of `as_of` (`report`: savings_report as of
    the same instant, when already worked out); `previous`: the previous revision's recorded
    figures, whose differences from these the revision lists."""
    report = report if report is not None else savings_report(estate, warehouse, scope=PROVIDER, now=as_of)
    tz = estate_zone(estate)
    years = period.years([y.financial_year for y in report.years])
    document = narrowed_document(savings_document(report), years)
    document["period"] = {"kind": period.kind, "financial_year": period.financial_year}
    if previous is not None:
        issue = replace(issue, changes=savings_changed(previous, document))
    provider_council = next((c for c in estate.councils if c.id == estate.estate.provider_council), None)
    provider = provider_council.name if provider_council else estate.estate.name
    context = savings_context(
        document,
        period=period,
        provider_name=provider,
        council_names={c.id: c.name for c in estate.councils},
        time_zone=tz,
        issue=issue,
        logo_svg=provider_council.logo_svg if provider_council else None,
    )
    html = render_template("savings.html.j2", context)
    ledger = _ledger_csv(report, years)
    pdf = render_job(
        PdfJob(
            html,
            context["title"],
            issue.issued_at_utc,
            (
                Attached(
                    "savings.json",
                    canonical_json(document),
                    "The figures (councilops savings --format json, this period's years)",
                    "application/json",
                ),
                Attached("savings-ledger.csv", ledger, "The ledger, one row a line", "text/csv"),
            ),
        )
    )
    return Rendered(pdf, hashlib.sha256(pdf).hexdigest(), document)


_YEAR_FIGURES = (
    ("saving £", "saving_gbp"),
    ("cashable £", "saving_cashable_gbp"),
    ("non-cashable £", "saving_non_cashable_gbp"),
    ("investment £", "investment_gbp"),
    ("net saving £", "net_saving_gbp"),
    ("target £", "target_gbp"),
    ("met", "met"),
    ("basis", "basis"),
)


_CUMULATIVE_FIGURES = (
    ("cumulative net £", "cumulative_net_saving_gbp"),
    ("cumulative target £", "cumulative_target_gbp"),
)


def savings_changed(before: dict, after: dict) -> tuple[tuple[str, str, str], ...]:
    """The figures that differ between two revisions' documents: (figure, before, after), in
    the documents' own order (never a set's, which differs from process to process)."""
    changes = []
    years_before = {y["financial_year"]: y for y in before.get("years", [])}
    for year in after.get("years", []):
        label = year["financial_year"]
        old = years_before.get(label)
        if old is None:
            changes.append((label, "not in the report", "in the report"))
            continue
        changes += figures_differ(f"{label}: ", old, year, _YEAR_FIGURES)
        lines_before = {(line["category"], line["cashable"]): line for line in old.get("ledger", [])}
        lines_after = {(line["category"], line["cashable"]): line for line in year.get("ledger", [])}
        for key, line in lines_after.items():
            changes += figures_differ(
                f"{label} {line['category']}: ",
                lines_before.get(key, {}),
                line,
                (("saving £", "saving_gbp"),),
            )
        for key, line in lines_before.items():
            if key not in lines_after:
                changes.append(
                    (f"{label} {line['category']}: saving £", str(line.get("saving_gbp")), "no line")
                )
    cumulative_before = {c["financial_year"]: c for c in before.get("cumulative", [])}
    for row in after.get("cumulative", []):
        old = cumulative_before.get(row["financial_year"], {})
        changes += figures_differ(f"to {row['financial_year']}: ", old, row, _CUMULATIVE_FIGURES)
    parts_before = {(c["financial_year"], c["council"]): c for c in before.get("councils", [])}
    for part in after.get("councils", []):
        old = parts_before.get((part["financial_year"], part["council"]), {})
        changes += figures_differ(
            f"{part['financial_year']} {part['council']}: ", old, part, (("net saving £", "net_saving_gbp"),)
        )
    return tuple(changes)


def issue_savings(
    estate: Estate,
    warehouse: Warehouse,
    kind: str,
    *,
    archive: Path,
    clock: Callable[[], datetime],
    financial_year: str | None = None,
    revise: bool = False,
    reason: str | None = None,
    write_lock=None,
) -> SavingsOutcome:
    """Issue the savings report of a financial year (YEAR), the year in progress to date
    (YEAR_TO_DATE) or the programme (PROGRAMME), or its next revision."""
    if revise and not (reason and reason.strip()):
        raise ReportError("a revision needs --reason: what it corrects and why")
    reason = reason.strip() if revise else None  # as rendered, so as recorded and rendered again
    now = aware(clock()).astimezone(UTC).replace(microsecond=0)
    report = savings_report(estate, warehouse, scope=PROVIDER, now=now)
    period = resolve_period(report, kind, financial_year)
    as_of = aware(report.as_of_utc)
    as_of_date = as_of.astimezone(estate_zone(estate)).date().isoformat()
    rid, listed, stem = _identity(period, as_of_date)
    revisions = sorted(r.revision for r in warehouse.issued_reports(kind=KIND) if r.report_id == rid)
    latest = revisions[-1] if revisions else 0
    if latest and not revise:
        return SavingsOutcome(
            rid, listed, None, f"already issued (revision {latest}); --revise --reason issues the next"
        )
    if revise and not latest:
        return SavingsOutcome(rid, listed, None, "not issued yet: there is nothing to revise")
    revision = latest + 1
    rendered = render_savings(
        estate,
        warehouse,
        period,
        as_of=as_of,
        issue=Issue(revision, now, reason or FIRST_ISSUE, False),
        previous=recorded_figures(warehouse, rid, latest) if latest else None,
        report=report,
    )
    folder = archive / "savings" / stem
    path = folder / f"{stem}-revision-{revision}.pdf"
    csv_path = path.with_suffix(".csv")
    record = IssuedReport(
        rid,
        revision,
        KIND,
        None,
        listed,
        utc_naive(now),
        rendered.sha256,
        reason if revise else FIRST_ISSUE,
        utc_naive(as_of),
        # the estate file's own fingerprint (its snapshot is kept under it); the figures' own
        # provenance, in the attached JSON, is of the estate with the servers discovery found
        provenance_of(estate).estate_sha256,
        json.dumps(
            {
                "provenance": rendered.document["provenance"],
                "figures": rendered.document,
                "period": {"kind": period.kind, "financial_year": period.financial_year},
            },
            sort_keys=True,
        ),
        str(path),
    )
    ledger = _ledger_csv(report, period.years([y.financial_year for y in report.years]))
    with write_lock if write_lock is not None else contextlib.nullcontext():
        keep_estate(warehouse, estate, now)
        write_once(path, rendered.pdf)
        try:
            write_once(csv_path, ledger)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        try:
            warehouse.add_issued_report(record, rendered.pdf)
        except BaseException:
            path.unlink(missing_ok=True)  # the files are only an issued report once the archive says so
            csv_path.unlink(missing_ok=True)
            raise
    return SavingsOutcome(rid, listed, record, f"issued revision {revision}", csv_path)


def recorded_figures(warehouse: Warehouse, report_id: str, revision: int) -> dict | None:
    found = next(
        (
            r
            for r in warehouse.issued_reports(kind=KIND)
            if r.report_id == report_id and r.revision == revision
        ),
        None,
    )
    return None if found is None else json.loads(found.provenance or "{}").get("figures")


def render_again(estate: Estate, warehouse: Warehouse, record: IssuedReport) -> Rendered:
    """The recorded revision rendered again as it was issued: the same as-of, issue time and
    reason, and the "what changed" page worked out from the recorded figures."""
    recorded = json.loads(record.provenance or "{}")
    period = SavingsPeriod(**recorded["period"])
    return render_savings(
        estate,
        warehouse,
        period,
        as_of=aware(record.as_of_utc),
        issue=Issue(record.revision, aware(record.issued_at_utc), record.reason, False),
        previous=recorded_figures(warehouse, record.report_id, record.revision - 1),
    )
