"""The monthly report's awkward cases, each on its own (issue 14): a service added mid-month, a
council with no contract that month, a contract version change inside the trend, missing data
said with its cause and policy, and an outage table far longer than a page, which flows across
pages with its header repeated and nothing clipped.

The demo plants the first three (collectors/demo/timeline.py, as of 22 November 2026): Housing
Repairs went live on 15 September 2026 with its probes deployed two days later; Chorley joined
in June 2026; Fylde's Council Tax contract tightened its target from August 2026."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from application.service_levels import month_report
from collectors.files.change_calendar import read_change_calendar
from collectors.files.change_calendar.write import write_windows
from estate.scope import Scope
from presentation.sla import as_json
from presentation.trend import twelve_months, twelve_months_of_documents
from reports import archive as archive_module
from reports.archive import councils_of_month, issue_monthly, render_monthly, verify_report
from reports.html import render_template
from reports.monthly import Issue, MonthlyInputs, monthly_context
from reports.pdf import render_pdf
from reports.svg import trend_svg
from tests.conftest import DEMO_NOW
from tests.reports.demo_copy import open_demo_copy
from tests.reports.pdf_pages import flat, page_texts, pages_as_png

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="module")
def demo(demo_build, tmp_path_factory):
    folder = tmp_path_factory.mktemp("awkward")
    estate, warehouse = open_demo_copy(demo_build, folder)
    yield estate, warehouse, folder
    warehouse.close()


def _hms(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def test_a_service_added_mid_month_counts_from_its_first_day_and_says_what_was_missing(demo):
    estate, warehouse, folder = demo
    (outcome,) = issue_monthly(
        estate, warehouse, "2026-09", archive=folder / "reports", clock=lambda: DEMO_NOW, council_id="chorley"
    )
    pdf = Path(outcome.issued.archive_path).read_bytes()
    as_of = outcome.issued.as_of_utc.replace(tzinfo=UTC)
    sla = json.loads(
        as_json(month_report(estate, warehouse, "2026-09", scope=Scope.council("chorley"), as_of=as_of))
    )
    (repairs,) = [r for r in sla["services"] if r["service"] == "housing-repairs"]
    # by hand: in service from Tuesday 15 September; Mon-Fri 07:00-19:00 from then to the 30th is
    # 12 weekdays (15-18, 21-25, 28-30) of 12 hours, no bank holiday: 518,400 s scheduled
    assert repairs["scheduled_seconds"] == 12 * 12 * 3600
    # its probes came two days late, at 11:00 on the 17th: 15th and 16th 07:00-19:00 and the 17th
    # 07:00-11:00 were not monitored, 28 hours, excluded from the measured time by the policy
    assert repairs["unmonitored_by_cause"] == {"probe-not-deployed": 28 * 3600}
    assert repairs["measured_seconds"] == repairs["scheduled_seconds"] - 28 * 3600
    text = flat(" ".join(page_texts(pdf)))
    section = text[text.index("Housing Repairs · ") :]
    assert "In service from 2026-09-15: its scheduled time counts from local midnight that day" in section
    assert f"Scheduled {_hms(repairs['scheduled_seconds'])}" in section
    assert f"Unmonitored {_hms(28 * 3600)}, policy exclude" in section
    assert f"Unmonitored time by cause: probe-not-deployed {_hms(28 * 3600)} (policy exclude" in section
    assert "contract in force from 2026-06" in section
    pages_as_png(Path(outcome.issued.archive_path), "chorley-2026-09-service-added-mid-month")


def test_a_council_with_no_contract_that_month_is_not_issued(demo):
    estate, warehouse, folder = demo
    assert "chorley" not in councils_of_month(estate, "2026-05") and "chorley" in councils_of_month(
        estate, "2026-06"
    )
    before = warehouse.issued_reports(kind="sla", council_id="chorley")
    (outcome,) = issue_monthly(
        estate, warehouse, "2026-05", archive=folder / "reports", clock=lambda: DEMO_NOW, council_id="chorley"
    )
    assert (
        outcome.issued is None
        and outcome.said == "no contract in force in 2026-05: there is nothing to report"
    )
    assert warehouse.issued_reports(kind="sla", council_id="chorley") == before
    assert not (folder / "reports" / "chorley" / "2026-05").exists()


def test_a_contract_version_change_inside_the_trend_judges_each_month_by_its_own_version(demo):
    estate, warehouse, _ = demo
    as_of = datetime(2026, 11, 2, tzinfo=UTC)
    months = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    reports = [month_report(estate, warehouse, m, scope=Scope.council("fylde"), as_of=as_of) for m in months]
    labels, names, margins, texts = twelve_months(reports, "fylde")
    row = names.index("Council Tax")
    targets = [
        estate.contract_in_force("fylde", "council-tax", m).availability_target_percent for m in months
    ]
    assert targets[1] != targets[2] and targets[2] == targets[4]  # the version changes in August
    for i in range(len(months)):
        (figures,) = [r for r in reports[i].rows if r.service_id == "council-tax"]
        # the cell's margin is that month's availability against that month's own target
        assert margins[row][i] == pytest.approx(float(figures.availability) * 100 - float(targets[i]))
        assert texts[row][i].endswith("✓" if figures.met else "✗")
    # the cells of months already issued come from their recorded figures: the same cells
    documents = [json.loads(as_json(r)) for r in reports]
    assert twelve_months_of_documents(documents, "fylde") == (labels, names, margins, texts)
    svg = trend_svg(labels, names, margins, texts)
    assert svg.count("<text") == len(labels) + len(names)  # every month and service labelled
    # and the report of a month under the new version names it
    report = reports[-1]
    (row_figures,) = [r for r in report.rows if r.service_id == "council-tax"]
    assert row_figures.contract.effective_from == "2026-08"


def test_a_very_long_outage_table_flows_across_pages_with_its_header_and_nothing_clipped(demo, tmp_path):
    """Chorley's October with one service given 100 outages (a test of the layout, rendered as
    a report is, never issued): every outage is printed, on as many pages as it takes, each
    page of the table under its header."""
    estate, warehouse, _ = demo
    report = month_report(estate, warehouse, "2026-10", scope=Scope.council("chorley"), as_of=DEMO_NOW)
    document = copy.deepcopy(json.loads(as_json(report)))
    row = next(r for r in document["services"] if r["outages"])
    template = row["outages"][0]
    start = datetime(2026, 10, 1, 7, tzinfo=UTC)
    outages = []
    for i in range(100):
        begins = start + timedelta(hours=4 * i)
        outages.append(
            {
                **template,
                "start_utc": begins.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "end_utc": (begins + timedelta(minutes=7)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "continues_from_previous_month": False,
                "continues_into_next_month": False,
            }
        )
    row["outages"] = outages
    inputs = MonthlyInputs(
        document=document,
        council_id="chorley",
        council_name="Chorley Council",
        provider_name="Blackpool Council",
        time_zone=LONDON,
        issue=Issue(1, DEMO_NOW, "first issue", False),
        provider_logo_svg=_logo("BLACKPOOL"),
        # a logo the XML checker passes but an HTML parser would end early (estate/logo.py): as an
        # image of its own it cannot write into the report
        council_logo_svg=_logo("CHORLEY").replace(
            "</svg>", '<br/><style>h1::after { content: " FORGED"; } td { display: none; }</style></svg>'
        ),
    )
    html = render_template("monthly.html.j2", monthly_context(inputs))
    pdf = render_pdf(html, title="long outage table", issued_at=DEMO_NOW)
    (tmp_path / "long.pdf").write_bytes(pdf)
    pages = [flat(p) for p in page_texts(pdf)]
    assert "BLACKPOOL" in pages[0] and "CHORLEY" in pages[0]  # the logos, on the cover
    assert "FORGED" not in " ".join(pages)
    text = " ".join(pages)
    for outage in outages:
        begins = datetime.fromisoformat(outage["start_utc"].replace("Z", "+00:00")).astimezone(LONDON)
        assert begins.strftime("%Y-%m-%d %H:%M") in text, begins
    header = "Outage start End In scheduled time In maintenance Outside hours Sites Explanation"
    holding = [p for p in pages if any(o["sites"] and _local(o["start_utc"]) in p for o in outages)]
    assert len(holding) >= 3  # 100 rows do not fit on two pages
    assert all(header in p for p in holding)
    for number, page in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in page
    pages_as_png(tmp_path / "long.pdf", "long-outage-table")


def _local(iso: str) -> str:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(LONDON).strftime("%Y-%m-%d %H:%M")


def test_the_trend_shows_a_month_already_issued_as_its_report_gave_it(demo, monkeypatch):
    """Chorley's October after its September was issued: September's trend cells are the
    recorded figures (the month is not worked out again); the months never issued are, except
    those without a contract of Chorley's."""
    estate, warehouse, folder = demo
    issue_monthly(
        estate, warehouse, "2026-09", archive=folder / "reports", clock=lambda: DEMO_NOW, council_id="chorley"
    )  # issued here, or already by the test above
    asked = []
    real = archive_module.month_report

    def month_report_spy(estate, warehouse, month, **kwargs):
        asked.append(month)
        return real(estate, warehouse, month, **kwargs)

    monkeypatch.setattr(archive_module, "month_report", month_report_spy)
    (october,) = issue_monthly(
        estate, warehouse, "2026-10", archive=folder / "reports", clock=lambda: DEMO_NOW, council_id="chorley"
    )
    assert october.issued is not None
    # worked out: October itself, and the months of the trend Chorley had a contract in (it
    # joined in June) that were not issued; September is read from its report, and November 2025
    # to May 2026 have no cell of Chorley's to work out
    assert sorted(asked) == ["2026-06", "2026-07", "2026-08", "2026-10"]
    text = flat(" ".join(page_texts(Path(october.issued.archive_path).read_bytes())))
    assert "2025-11 2025-12 2026-01" in text  # the twelve months' labels
    # rendering it again, with September's revision as it stood at the issue, gives the same bytes
    assert verify_report(estate, warehouse, Path(october.issued.archive_path).read_bytes()).rerendered_same


def _logo(word: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 40"><rect width="160" height="40" '
        f'fill="#0072B2"/><text x="10" y="27" font-size="18" fill="#ffffff">{word}</text></svg>'
    )


CHANGE_CALENDAR = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//councilops tests//EN\r
BEGIN:VEVENT\r
UID:CHG-2041\r
DTSTAMP:20261001T000000Z\r
SUMMARY:Council Tax database patching\r
CATEGORIES:council-tax\r
DTSTART:20261014T100000Z\r
DTEND:20261014T110000Z\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_a_maintenance_window_from_the_change_calendar_names_its_change(demo):
    """A change-calendar window in Chorley's October: its Council Tax maintenance table names
    the change (its reference and summary); a window the contract agrees says so."""
    estate, warehouse, _ = demo
    start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    loaded = read_change_calendar(CHANGE_CALENDAR, "changes.ics", estate, start, end)
    assert not loaded.rejected and len(loaded.windows) == 1
    write_windows(loaded, warehouse, start, end)
    rendered = render_monthly(
        estate,
        warehouse,
        "2026-10",
        "chorley",
        as_of=DEMO_NOW,
        issue=Issue(1, DEMO_NOW, "first issue", False),
    )
    text = flat(" ".join(page_texts(rendered.pdf)))
    # Wednesday 14 October 2026, 11:00-12:00 BST, inside Council Tax's service hours; in its
    # section only (the change names no other service)
    row_text = "2026-10-14 11:00 BST 2026-10-14 12:00 BST 1:00:00 CHG-2041: Council Tax database patching"
    assert text.count("CHG-2041") == 1 and text.index("Council Tax · ") < text.index(row_text)
    (row,) = [r for r in rendered.document["services"] if r["service"] == "council-tax"]
    assert row["maintenance_seconds"] >= 3600
