"""The savings report for the auditors, rendered by WeasyPrint and read back: its figures are
`councilops savings --format json` for the same as-of, year by year and line by line; reported
and measured years apart; the projection labelled and never added; each council's part adding
up to the year's net; every evidence item printed with its date; the ledger CSV beside it and
attached; archived once, revised openly, verified by rendering again (docs/reports.md)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import UTC, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from application.savings import savings_report
from estate.scope import PROVIDER
from presentation.savings import savings_csv, savings_json
from reports.archive import verify_report
from reports.issuing import ReportError
from reports.savings import PROGRAMME, YEAR, YEAR_TO_DATE, narrowed_document
from reports.savings_issue import issue_savings, savings_changed
from tests.conftest import DEMO_NOW
from tests.reports.demo_copy import open_demo_copy
from tests.reports.pdf_pages import flat, page_texts, pages_as_png

IN_PROGRESS = "2026/27"  # the demo's measured year, 235 days to 22 November 2026
REPORTED = "2025/26"  # the savings register's signed outturn


@pytest.fixture(scope="module")
def issued(demo_build, tmp_path_factory):
    """A copy of the demo with the year to date and 2025/26 issued."""
    folder = tmp_path_factory.mktemp("savings")
    estate, warehouse = open_demo_copy(demo_build, folder)
    archive = folder / "reports"
    to_date = issue_savings(estate, warehouse, YEAR_TO_DATE, archive=archive, clock=lambda: DEMO_NOW)
    year = issue_savings(
        estate, warehouse, YEAR, archive=archive, clock=lambda: DEMO_NOW, financial_year=REPORTED
    )
    yield estate, warehouse, archive, to_date, year
    warehouse.close()


def _pounds(text: str) -> str:
    value = Decimal(text)
    return ("−" if value < 0 else "") + f"£{abs(value):,.2f}"


def _savings_command(estate, warehouse, as_of) -> dict:
    """`councilops savings --format json --as-of ...`: what the report's figures must equal."""
    return json.loads(savings_json(savings_report(estate, warehouse, scope=PROVIDER, now=as_of)))


def test_the_year_to_date_is_the_savings_commands_figures_line_by_line(issued):
    estate, warehouse, _, to_date, _ = issued
    record = to_date.issued
    assert record.report_id == "savings/2026-27/to-2026-11-22" and record.period == "2026/27 to 2026-11-22"
    pdf = Path(record.archive_path).read_bytes()
    command = _savings_command(estate, warehouse, record.as_of_utc.replace(tzinfo=UTC))
    (year,) = [y for y in command["years"] if y["financial_year"] == IN_PROGRESS]
    attached = json.loads(PdfReader(io.BytesIO(pdf)).attachments["savings.json"][0])
    assert attached["years"] == [year]
    assert attached["provenance"] == command["provenance"]
    text = flat(" ".join(page_texts(pdf)))
    # the year's row: days, cashable, non-cashable, investment, net, the target to date, judged
    row = (
        f"{IN_PROGRESS} {year['realised_days']} of {year['days_in_year']} {_pounds(year['saving_cashable_gbp'])} "
        f"{_pounds(year['saving_non_cashable_gbp'])} {_pounds(year['investment_gbp'])} "
        f"{_pounds(year['net_saving_gbp'])} {_pounds(year['target_to_date_gbp'])} in progress: "
        + ("on track" if year["on_track_to_date"] else "BEHIND")
    )
    assert row in text, row
    assert "Measured years: from the warehouse" in text and "Reported years" not in text
    assert year["met"] is None and "NOT MET" not in text  # a year in progress is never judged met
    # the projection: labelled, and its figures are not the realised ones
    projection = year["projection"]
    assert (
        f"Projection, not counted: {IN_PROGRESS} at the rate of its {year['realised_days']} days realised would "
        f"save {_pounds(projection['full_year_saving_gbp'])} in the full year" in text
    )
    # every ledger line, with its baseline, actual, saving and evidence total
    for line in year["ledger"]:
        shown = (
            f"{line['category']} {'cashable' if line['cashable'] else 'non-cashable'} {line['basis']} "
            f"{_pounds(line['baseline_gbp'])} {_pounds(line['actual_gbp'])} {_pounds(line['saving_gbp'])} "
            f"{_pounds(line['evidence_gbp'])}"
        )
        assert shown in text, shown
    # every evidence item, with its date and its part of the saving
    items = [e for line in year["ledger"] for e in line["evidence"]]
    servers_off = [e for e in items if e["kind"] == "baseline-server"]
    assert len(servers_off) > 100
    for item in items:
        assert f"{item['subject']} {item['detail']} {item['date'] or ''}".strip() in text, item
        assert _pounds(item["value_gbp"]) in text
    # each council's part of the net adds up to the year's net, to the penny
    parts = [c for c in command["councils"] if c["financial_year"] == IN_PROGRESS]
    assert len(parts) == len(estate.councils)
    assert sum(Decimal(c["net_saving_gbp"]) for c in parts) == Decimal(year["net_saving_gbp"])
    for part in parts:
        name = next(c.name for c in estate.councils if c.id == part["council"])
        assert f"{name} {_pounds(part['net_saving_gbp'])}" in text
    # the cumulative trajectory from the programme's first year to date, and its projection to
    # the year end, labelled, as the command line works it out
    for cumulative in command["cumulative"]:
        assert _pounds(cumulative["cumulative_net_saving_gbp"]) in text
    projected = command["cumulative"][-1]["projection"]
    assert (
        f"{IN_PROGRESS}, projected to the year end (not counted) "
        f"{_pounds(projected['year_end_cumulative_net_saving_gbp'])} {_pounds(projected['year_end_cumulative_target_gbp'])}"
        in text
    )
    assert command["provenance"]["estate_sha256"] in text
    pages_as_png(Path(record.archive_path), "savings-2026-27-to-date")


def test_the_ledger_csv_beside_it_is_the_savings_commands_csv_for_the_year(issued):
    estate, warehouse, _, to_date, _ = issued
    record = to_date.issued
    beside = to_date.csv_path.read_bytes()
    assert to_date.csv_path == Path(record.archive_path).with_suffix(".csv")
    reader = PdfReader(Path(record.archive_path))
    assert set(reader.attachments) == {"savings.json", "savings-ledger.csv"}
    assert reader.attachments["savings-ledger.csv"][0] == beside
    report = savings_report(estate, warehouse, scope=PROVIDER, now=record.as_of_utc.replace(tzinfo=UTC))
    every_year = list(csv.DictReader(io.StringIO(savings_csv(report))))
    expected = [r for r in every_year if r["financial_year"] == IN_PROGRESS]
    assert list(csv.DictReader(io.StringIO(beside.decode("utf-8")))) == expected and len(expected) == 7


def test_a_reported_year_is_the_signed_outturn_and_judged_on_the_whole_year(issued):
    estate, warehouse, _, _, year_outcome = issued
    record = year_outcome.issued
    assert record.report_id == "savings/2025-26" and record.council_id is None
    pdf = Path(record.archive_path).read_bytes()
    command = _savings_command(estate, warehouse, record.as_of_utc.replace(tzinfo=UTC))
    (year,) = [y for y in command["years"] if y["financial_year"] == REPORTED]
    text = flat(" ".join(page_texts(pdf)))
    assert "Reported years: the signed outturn of the savings register" in text
    assert "Measured years" not in text and "Projection" not in text
    judged = "met" if year["met"] else "NOT MET"
    assert (
        f"{REPORTED} 365 of 365 {_pounds(year['saving_cashable_gbp'])} {_pounds(year['saving_non_cashable_gbp'])} "
        f"{_pounds(year['investment_gbp'])} {_pounds(year['net_saving_gbp'])} {_pounds(year['target_gbp'])} {judged}"
        in text
    )
    for line in year["ledger"]:
        assert (
            f"{line['category']} {'cashable' if line['cashable'] else 'non-cashable'} {_pounds(line['saving_gbp'])}"
            in text
        )
    assert f"the warehouse holds {year['days_held_in_warehouse']} days of it, not the whole year" in text
    # the cumulative net to the end of 2025/26, and nothing after it
    (cumulative,) = [c for c in command["cumulative"] if c["financial_year"] == REPORTED]
    assert f"{REPORTED} {_pounds(cumulative['cumulative_net_saving_gbp'])}" in text
    assert "2026/27" not in text
    pages = page_texts(pdf)
    for number, page in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in page
    metadata = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3" pdfaid:conformance="B"' in metadata
    pages_as_png(Path(record.archive_path), "savings-2025-26")


def test_archived_once_revised_openly_and_verified_by_rendering_again(issued):
    estate, warehouse, archive, to_date, year_outcome = issued
    first = year_outcome.issued
    original = Path(first.archive_path).read_bytes()
    assert hashlib.sha256(original).hexdigest() == first.content_sha256
    assert warehouse.issued_report_content(first.report_id, 1) == original
    again = issue_savings(
        estate, warehouse, YEAR, archive=archive, clock=lambda: DEMO_NOW, financial_year=REPORTED
    )
    assert again.issued is None and "already issued (revision 1)" in again.said
    later = DEMO_NOW + timedelta(days=3)
    revised = issue_savings(
        estate,
        warehouse,
        YEAR,
        archive=archive,
        clock=lambda: later,
        financial_year=REPORTED,
        revise=True,
        reason="  The auditors asked for the register's section reference.\n",  # kept as stripped
    )
    assert revised.issued.revision == 2
    assert Path(first.archive_path).read_bytes() == original  # revision 1 as it was
    text = flat(" ".join(page_texts(Path(revised.issued.archive_path).read_bytes())))
    assert "What changed in revision 2" in text and "No figure changed from revision 1." in text
    assert "The auditors asked for the register's section reference." in text
    for record in (first, revised.issued, to_date.issued):
        found = verify_report(estate, warehouse, Path(record.archive_path).read_bytes())
        assert found.rerendered_same is True, found.said
    tampered = bytearray(original)
    tampered[len(tampered) // 2] ^= 0x01
    assert verify_report(estate, warehouse, bytes(tampered)).issued is None


def test_a_year_in_progress_or_outside_the_programme_is_refused(issued):
    estate, warehouse, archive, _, _ = issued
    with pytest.raises(ReportError, match="in progress .*--year-to-date"):
        issue_savings(
            estate, warehouse, YEAR, archive=archive, clock=lambda: DEMO_NOW, financial_year=IN_PROGRESS
        )
    with pytest.raises(ReportError, match="not a year of the programme"):
        issue_savings(
            estate, warehouse, YEAR, archive=archive, clock=lambda: DEMO_NOW, financial_year="2019/20"
        )
    with pytest.raises(ReportError, match="--reason"):
        issue_savings(estate, warehouse, PROGRAMME, archive=archive, clock=lambda: DEMO_NOW, revise=True)


def test_a_period_keeps_its_years_and_the_trajectory_up_to_them():
    document = {
        "as_of_utc": "2026-11-22T10:00:00Z",
        "years": [{"financial_year": y} for y in ("2024/25", "2025/26", "2026/27")],
        "cumulative": [{"financial_year": y} for y in ("2024/25", "2025/26", "2026/27")],
        "councils": [{"financial_year": y, "council": "a"} for y in ("2024/25", "2025/26", "2026/27")],
    }
    one = narrowed_document(document, ["2025/26"])
    assert one["years"] == [{"financial_year": "2025/26"}]
    assert [c["financial_year"] for c in one["cumulative"]] == ["2024/25", "2025/26"]
    assert one["councils"] == [{"financial_year": "2025/26", "council": "a"}]
    assert narrowed_document(document, ["2024/25", "2025/26", "2026/27"]) == document


def test_the_figures_that_changed_between_two_savings_revisions():
    line = {"category": "servers", "cashable": True, "saving_gbp": "100.00"}
    year = {"financial_year": "2025/26", "saving_gbp": "100.00", "net_saving_gbp": "100.00", "met": True}
    before = {"years": [{**year, "ledger": [line]}]}
    after = {
        "years": [
            {
                **year,
                "saving_gbp": "90.00",
                "net_saving_gbp": "90.00",
                "met": False,
                "ledger": [{**line, "saving_gbp": "90.00"}],
            },
            {"financial_year": "2026/27", "ledger": []},
        ]
    }
    assert savings_changed(before, after) == (
        ("2025/26: saving £", "100.00", "90.00"),
        ("2025/26: net saving £", "100.00", "90.00"),
        ("2025/26: met", "True", "False"),
        ("2025/26 servers: saving £", "100.00", "90.00"),
        ("2026/27", "not in the report", "in the report"),
    )
    assert savings_changed(before, before) == ()
