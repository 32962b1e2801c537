"""Monthly SLA reports: rendered from the month's figures, issued into the archive, listed and
verified. The command line, the served process's schedule and the dashboard's downloads all
call these.

- **Issue**: a council's month is rendered from `month_report` for that council, as of the
  issue (the end of what is collected), with the explanations known then, and kept in the
  warehouse (`issued_reports`: the PDF, its SHA-256, the as-of, the estate snapshot and the
  versions that produced it, the figures' JSON) and as a file under the archive folder. A
  revision once issued is never written again.
- **Revise**: the next revision, with a reason, and a page listing the figures that changed from
  the previous revision (compared from both revisions' recorded figures).
- **Verify**: is this file one we issued (its SHA-256 in the archive), and does rendering it
  again from the warehouse as recorded (the same as-of, issue time and explanations known then)
  give the same bytes? Different bytes mean the warehouse now holds other evidence for that month:
  a revision is due.
- **Reproducible**: nothing in the file depends on when it is rendered (reports/pdf.py).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from application.answers import narrowed
from application.collected import as_of as collected_as_of
from application.explanations import explanations_for
from application.periods import estate_zone, months_to
from application.profile import profile_report
from application.provenance import provenance_of
from application.service_levels import MonthServiceLevels, month_report
from estate.model import Estate, UnknownId
from estate.scope import PROVIDER, Scope
from presentation.sla import CSV_COLUMNS, month_document
from presentation.trend import cells_table, document_cells, report_cells
from reports import savings_issue
from reports.html import render_template
from reports.issuing import (
    FIRST_ISSUE,
    Rendered,
    ReportError,
    aware,
    canonical_json,
    estate_then,
    figures_differ,
    keep_estate,
    write_once,
)
from reports.monthly import Issue, MonthlyInputs, Utilisation, monthly_context
from reports.pdf import Attached, PdfJob, render_pdfs
from sla import calendar as cal
from warehouse import IssuedReport, Warehouse
from warehouse.store import utc_naive

TREND_MONTHS = 12


@dataclass(frozen=True)
class Outcome:
    council_id: str
    month: str
    issued: IssuedReport | None  # None: not issued (see `said`)
    said: str


def report_id(council_id: str, month: str) -> str:
    return f"sla/{council_id}/{month}"


def _csv(report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.heading for c in CSV_COLUMNS])
    for row in report.rows:
        writer.writerow(["" if (v := c.value(row)) is None else v for c in CSV_COLUMNS])
    return out.getvalue().encode("utf-8")


def _explanations(warehouse, estate, scope, report, known_at: datetime) -> dict[tuple[str, str], str]:
    """Each outage's explanation as it stood at `known_at` (a version written later is not in
    a report issued before it, so rendering again gives the same bytes)."""
    outages = [(r.service_id, o.start, o.end) for r in report.rows for o in r.outages]
    found = explanations_for(warehouse, estate, scope, outages)
    shown = {}
    for (service_id, start), versions in found.items():
        known = [v for v in versions if v.written_at_utc <= known_at]
        if known:
            last = known[-1]
            shown[(service_id, cal.iso_utc(start))] = f"{last.shown} ({last.written_by})"
    return shown


def _changes(warehouse, estate, scope, month) -> dict[str, list[tuple[int, int, str]]]:
    """The change calendar's windows of the month for the council's services, each with what
    the change is."""
    period = cal.month_period(month, estate_zone(estate))
    services = [s.id for s in scope.services(estate)]
    found: dict[str, list[tuple[int, int, str]]] = {}
    for service_id, start, end, reference, summary in warehouse.maintenance_changes(
        cal.from_utc_seconds(period.start), cal.from_utc_seconds(period.end), services
    ):
        uid = reference.rsplit("@", 1)[0]  # stored as UID@occurrence start; the row gives the times
        found.setdefault(service_id, []).append((start, end, f"{uid}: {summary}" if summary else uid))
    return found


def _utilisation(estate, warehouse, council_id, scope, month, as_of) -> Utilisation | None:
    tz = estate_zone(estate)
    period = cal.month_period(month, tz)
    end = min(cal.utc_seconds(as_of), period.end)
    days = max(1, round((end - period.start) / 86_400))
    try:
        profile = profile_report(
            estate, warehouse, "council", council_id, days, scope=scope, now=cal.from_utc_seconds(end)
        )
    except (UnknownId, ValueError):
        return None
    if profile.servers == 0:
        return None
    cpu, memory = profile.resource("cpu").all_hours, profile.resource("memory").all_hours
    return Utilisation(
        profile.servers,
        cpu.percentiles.get("p95"),
        cpu.maximum,
        memory.percentiles.get("p95"),
        memory.maximum,
        cpu.hours,
    )


class ProviderMonths:
    """The service levels of each month as of one instant, each worked out once: the provider's
    when several councils are rendered (each narrowed from them: exactly its own month_report's
    rows, as the served process does: application/answers.py, tests/application/test_answers.py),
    or one council's alone when only it is (a third of the work on the demo)."""

    def __init__(self, estate: Estate, warehouse: Warehouse, as_of: datetime, scope: Scope = PROVIDER):
        self._estate, self._warehouse, self.as_of, self.scope = estate, warehouse, as_of, scope
        self._kept: dict[str, MonthServiceLevels] = {}

    def serves(self, as_of: datetime, council_id: str) -> bool:
        return self.as_of == as_of and self.scope.council_id in (None, council_id)

    def __call__(self, month: str) -> MonthServiceLevels:
        if month not in self._kept:
            self._kept[month] = month_report(
                self._estate, self._warehouse, month, scope=self.scope, as_of=self.as_of
            )
        return self._kept[month]


@dataclass(frozen=True)
class Prepared:
    """One council's month ready to render: its figures and what the report adds to them,
    for any issue (revision, date, reason, changes)."""

    inputs: MonthlyInputs  # its `issue` is set by `job`
    csv: bytes

    @property
    def document(self) -> dict:
        return self.inputs.document

    def job(self, issue: Issue) -> PdfJob:
        context = monthly_context(replace(self.inputs, issue=issue))
        return PdfJob(
            render_template("monthly.html.j2", context),
            context["title"],
            issue.issued_at_utc,
            (
                Attached(
                    "service-levels.json",
                    canonical_json(self.document),
                    "The month's figures (councilops sla --format json)",
                    "application/json",
                ),
                Attached(
                    "service-levels.csv", self.csv, "The month's figures, one row a service", "text/csv"
                ),
            ),
        )


def prepare_monthly(
    estate: Estate,
    warehouse: Warehouse,
    month: str,
    council_id: str,
    *,
    as_of: datetime,
    known_at: datetime,
    months: ProviderMonths | None = None,
) -> Prepared:
    """One council's month, its figures as of `as_of` and its outages' explanations as known at
    `known_at` (the issue time); `months`: the months as of the same instant, shared when
    several councils are rendered."""
    council = estate.council(council_id)
    scope = Scope.council(council_id)
    months = (
        months
        if months is not None and months.serves(as_of, council_id)
        else ProviderMonths(estate, warehouse, as_of, scope)
    )
    report = narrowed(months(month), scope)
    issued_figures = issued_months(warehouse, council_id, known_at)
    trend_labels = months_to(month, TREND_MONTHS)
    trend = cells_table(
        trend_labels,
        [
            document_cells(issued_figures[label], council_id)
            if label != month and label in issued_figures
            else []  # no contract in force that month: no row of the council's has a cell
            if not _contracted(estate, council_id, label)
            else report_cells(narrowed(months(label), scope), council_id)
            for label in trend_labels
        ],
    )
    provider_council = next((c for c in estate.councils if c.id == estate.estate.provider_council), None)
    provider = provider_council.name if provider_council else estate.estate.name
    inputs = MonthlyInputs(
        document=month_document(report),
        council_id=council_id,
        council_name=council.name,
        provider_name=provider,
        time_zone=estate_zone(estate),
        issue=Issue(0, known_at, "", False),
        explanations=_explanations(warehouse, estate, scope, report, known_at),
        trend=trend,
        utilisation=_utilisation(estate, warehouse, council_id, scope, month, report.as_of_utc),
        in_service_from={
            s.id: s.in_service_from.isoformat()
            for s in estate.services
            if s.in_service_from is not None and s.in_service_from.strftime("%Y-%m") == month
        },
        changes=_changes(warehouse, estate, scope, month),
        provider_logo_svg=provider_council.logo_svg if provider_council else None,
        council_logo_svg=council.logo_svg if council is not provider_council else None,
    )
    return Prepared(inputs, _csv(report))


def issued_months(warehouse: Warehouse, council_id: str, known_at: datetime) -> dict[str, dict]:
    """The figures of each month issued to the council by `known_at` (its latest revision then;
    never a draft): the trend shows a month issued as its report said it, and an issue, rendered
    again later, finds the same revisions."""
    latest: dict[str, IssuedReport] = {}
    for record in warehouse.issued_reports(kind="sla", council_id=council_id):
        if aware(record.issued_at_utc) <= known_at:
            latest[record.period] = record  # oldest revision first: the last one stands
    found = {}
    for month, record in latest.items():
        recorded = json.loads(record.provenance or "{}")
        if recorded.get("figures") is not None and not recorded.get("draft"):
            found[month] = recorded["figures"]
    return found


def render_monthly(
    estate: Estate,
    warehouse: Warehouse,
    month: str,
    council_id: str,
    *,
    as_of: datetime,
    issue: Issue,
    months: ProviderMonths | None = None,
) -> Rendered:
    """One council's report for `month`, its figures as of `as_of`, rendered here."""
    prepared = prepare_monthly(
        estate, warehouse, month, council_id, as_of=as_of, known_at=issue.issued_at_utc, months=months
    )
    (pdf,) = render_pdfs([prepared.job(issue)])
    return Rendered(pdf, hashlib.sha256(pdf).hexdigest(), prepared.document)


# ---------------------------------------------------------------------------- what changed


_COMPARED = (
    ("availability %", "availability_percent"),
    ("met", "met"),
    ("outages", "outage_count"),
    ("down (s)", "down_seconds"),
    ("unmonitored (s)", "unmonitored_seconds"),
    ("credit £", "credit_gbp"),
)


_COUNCIL_COMPARED = (
    ("services met", "services_met"),
    ("time-weighted availability %", "time_weighted_availability_percent"),
    ("credits £", "credit_gbp"),
)


def figures_changed(before: dict, after: dict) -> tuple[tuple[str, str, str], ...]:
    """The figures that differ between two revisions' documents: (figure, before, after)."""
    changes = []
    summary_before = {c["council"]: c for c in before.get("councils", [])}
    for c in after.get("councils", []):
        changes += figures_differ("council: ", summary_before.get(c["council"], {}), c, _COUNCIL_COMPARED)
    rows_before = {r["service"]: r for r in before.get("services", [])}
    for row in after.get("services", []):
        old = rows_before.get(row["service"])
        if old is None:
            changes.append((f"{row['service_name']}", "not in the report", "in the report"))
            continue
        changes += figures_differ(f"{row['service_name']}: ", old, row, _COMPARED)
    return tuple(changes)


# ---------------------------------------------------------------------------- issue


def _contracted(estate: Estate, council_id: str, month: str) -> bool:
    """Has the council a contract in force in `month` (on its first day, as month_report asks)?"""
    return any(
        estate.contract_in_force(council_id, s.id, month) is not None
        for s in estate.services
        if council_id in s.councils
    )


def councils_of_month(estate: Estate, month: str) -> list[str]:
    """The councils with a contract in force in `month`."""
    return [c.id for c in estate.councils if _contracted(estate, c.id, month)]


def archive_folder(warehouse_path: Path) -> Path:
    """Where the issued files are kept: `reports/` beside the warehouse."""
    return Path(warehouse_path).parent / "reports"


def issue_monthly(
    estate: Estate,
    warehouse: Warehouse,
    month: str,
    *,
    archive: Path,
    clock: Callable[[], datetime],
    council_id: str | None = None,
    revise: bool = False,
    reason: str | None = None,
    force: bool = False,
    write_lock=None,
) -> list[Outcome]:
    """Issue `month`'s report for each council with a contract then (or the one given).
    `write_lock`: held while the reports are written (not while they are rendered)."""
    if revise and not (reason and reason.strip()):
        raise ReportError("a revision needs --reason: what it corrects and why")
    reason = reason.strip() if revise else None  # as rendered, so as recorded and rendered again
    if council_id is not None:
        estate.council(council_id)  # UnknownId, said by the command line
    contracted = councils_of_month(estate, month)
    asked = [council_id] if council_id is not None else [c.id for c in estate.councils]
    councils = [c for c in asked if c in contracted]
    if not councils:
        return [
            Outcome(c, month, None, f"no contract in force in {month}: there is nothing to report")
            for c in asked
        ]
    now = aware(clock()).astimezone(UTC).replace(microsecond=0)
    as_of = aware(collected_as_of(warehouse, now))
    tz = estate_zone(estate)
    period = cal.month_period(month, tz)
    over = cal.utc_seconds(as_of) >= period.end
    if not over and not force:
        raise ReportError(
            f"{month} is not over in what is collected (as of {as_of:%Y-%m-%d %H:%M} UTC): a report is issued "
            "once the month is over; --force issues it marked DRAFT on every page"
        )
    if cal.utc_seconds(as_of) <= period.start:
        raise ReportError(f"{month} has not begun in what is collected: there is nothing to report")
    issued = {(r.report_id, r.revision): r for r in warehouse.issued_reports(kind="sla")}
    # the figures as of the issue: what is collected, but never past the month's end plus a day
    figures_as_of = min(as_of, cal.from_utc_seconds(period.end) + timedelta(days=1))
    months = ProviderMonths(
        estate, warehouse, figures_as_of, Scope.council(councils[0]) if len(councils) == 1 else PROVIDER
    )
    outcomes = [
        Outcome(c, month, None, f"no contract in force in {month}: there is nothing to report")
        for c in asked
        if c not in contracted
    ]
    waiting = []  # (council, revision, path, figures), in the order of `jobs`
    jobs = []
    for council in councils:
        rid = report_id(council, month)
        revisions = sorted(rev for (i, rev) in issued if i == rid)
        latest = revisions[-1] if revisions else 0
        if latest and not revise:
            outcomes.append(
                Outcome(
                    council,
                    month,
                    None,
                    f"already issued (revision {latest}); --revise --reason issues the next",
                )
            )
            continue
        if revise and not latest:
            outcomes.append(Outcome(council, month, None, "not issued yet: there is nothing to revise"))
            continue
        before = _recorded_figures(warehouse, rid, latest) if latest else None
        revision = latest + 1
        prepared = prepare_monthly(
            estate, warehouse, month, council, as_of=figures_as_of, known_at=now, months=months
        )
        changes = figures_changed(before, prepared.document) if before is not None else ()
        jobs.append(prepared.job(Issue(revision, now, reason or FIRST_ISSUE, not over, changes)))
        path = archive / council / month / f"{council}-{month}-revision-{revision}.pdf"
        waiting.append((council, revision, path, prepared.document))
    # every report rendered (reading only; in parallel processes when there are several), then
    # written: the served process's collection waits only for the writing, never the rendering
    pdfs = render_pdfs(jobs)
    with write_lock if write_lock is not None else contextlib.nullcontext():
        if waiting:
            keep_estate(warehouse, estate, now)
        for (council, revision, path, document), pdf in zip(waiting, pdfs, strict=True):
            record = IssuedReport(
                report_id(council, month),
                revision,
                "sla",
                council,
                month,
                utc_naive(now),
                hashlib.sha256(pdf).hexdigest(),
                reason if revise else FIRST_ISSUE,
                utc_naive(figures_as_of),
                document["provenance"]["estate_sha256"],
                json.dumps(
                    {"provenance": document["provenance"], "figures": document, "draft": not over},
                    sort_keys=True,
                ),
                str(path),
            )
            write_once(path, pdf)
            try:
                warehouse.add_issued_report(record, pdf)
            except BaseException:
                path.unlink(missing_ok=True)  # the file is only an issued report once the archive says so
                raise
            said = f"issued revision {record.revision}" + (" (DRAFT)" if not over else "")
            outcomes.append(Outcome(council, month, record, said))
    return outcomes


# ---------------------------------------------------------------------------- verify


@dataclass(frozen=True)
class Verification:
    issued: IssuedReport | None  # the archive's record of this file; None: not one we issued
    rerendered_same: bool | None  # None: could not be rendered again (said why)
    said: str


def verify_report(estate: Estate, warehouse: Warehouse, content: bytes) -> Verification:
    sha = hashlib.sha256(content).hexdigest()
    record = warehouse.issued_report_by_sha256(sha)
    if record is None:
        return Verification(None, None, f"not a report we issued, or changed since (SHA-256 {sha})")
    recorded = json.loads(record.provenance or "{}")
    current = provenance_of(estate).estate_sha256
    from_snapshot = ""
    if record.estate_sha256 != current:
        # the estate file has changed since: render from the snapshot kept at the issue
        estate = estate_then(warehouse, record.estate_sha256)
        if estate is None:
            return Verification(
                record,
                None,
                f"issued as {record.report_id} revision {record.revision}, unchanged; not rendered again: the "
                f"estate file has changed since (issued from {record.estate_sha256[:12]}, now {current[:12]}) and "
                "the warehouse does not hold the estate it was issued from",
            )
        from_snapshot = f" (from the estate snapshot {record.estate_sha256[:12]} it was issued from)"
    if record.kind == savings_issue.KIND:
        again = savings_issue.render_again(estate, warehouse, record)
    else:
        # a revision's "what changed" page, as it was worked out at the issue
        previous = _recorded_figures(warehouse, record.report_id, record.revision - 1)
        figures = recorded.get("figures")
        changes = figures_changed(previous, figures) if previous is not None and figures is not None else ()
        again = render_monthly(
            estate,
            warehouse,
            record.period,
            record.council_id,
            as_of=aware(record.as_of_utc),
            issue=Issue(
                record.revision,
                aware(record.issued_at_utc),
                record.reason,
                bool(recorded.get("draft")),
                changes,
            ),
        )
    if again.sha256 == sha:
        return Verification(
            record,
            True,
            f"issued as {record.report_id} revision {record.revision}; unchanged, and rendering it again from the "
            f"warehouse{from_snapshot} gives the same bytes",
        )
    return Verification(
        record,
        False,
        f"issued as {record.report_id} revision {record.revision}, unchanged; rendering it again gives other bytes: "
        "the warehouse holds other evidence for its period now (a revision is due), or the software that "
        f"renders it has changed since (it was issued by councilops {recorded.get('provenance', {}).get('councilops_version', '?')})",
    )


def _recorded_figures(warehouse: Warehouse, report_id: str, revision: int) -> dict | None:
    """The figures recorded with one revision of a report (None before the first)."""
    found = next(
        (
            r
            for r in warehouse.issued_reports(kind="sla")
            if r.report_id == report_id and r.revision == revision
        ),
        None,
    )
    return None if found is None else json.loads(found.provenance or "{}").get("figures")
