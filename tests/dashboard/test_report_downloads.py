"""The Council page lists the council's issued reports and downloads them, within the viewer's
scope: a council viewer gets its own council's files only, whatever the request says."""

from __future__ import annotations

import json
import logging

import pytest

from reports.archive import issue_monthly
from reports.savings import YEAR
from reports.savings_issue import issue_savings
from tests.conftest import DEMO_NOW
from tests.dashboard.conftest import page_callback, sign_in

SECURITY = "councilops.security"


@pytest.fixture(scope="module")
def issued(demo_app, tmp_path_factory):
    """Chorley's October issued into the app's warehouse, as `report` run through serve does."""
    (outcome,) = issue_monthly(
        demo_app.estate,
        demo_app.served.warehouse,
        "2026-10",
        archive=tmp_path_factory.mktemp("archive"),
        clock=lambda: DEMO_NOW,
        council_id="chorley",
    )
    demo_app.served.answers.forget()  # as the control endpoint does after a command that writes
    return outcome.issued


def _page(client, path: str, search: str) -> str:
    """The page's layout as text, its JSON escapes undone."""
    return json.dumps(
        json.loads(page_callback(client, path, search).get_data(as_text=True)), ensure_ascii=False
    )


def _client(demo_app, account):
    client = demo_app.client()
    sign_in(client, account)
    return client


def test_the_council_page_lists_its_reports_and_downloads_them(demo_app, issued):
    client = _client(demo_app, "viewer-chorley")
    page = _page(client, "/council", "?month=2026-10")
    assert "Reports issued" in page and "/reports/download?month=2026-10&revision=1" in page
    download = client.get("/reports/download?month=2026-10&revision=1")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data == demo_app.served.warehouse.issued_report_content(issued.report_id, 1)
    assert 'filename="chorley-2026-10-revision-1.pdf"' in download.headers["Content-Disposition"]
    assert "no-store" in download.headers["Cache-Control"]
    # a provider names the council
    admin = _client(demo_app, "admin")
    assert admin.get("/reports/download?council=chorley&month=2026-10&revision=1").data == download.data
    assert "Reports issued" in page_callback(admin, "/council", "?council=chorley&month=2026-10").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    "query",
    [
        "council=chorley&month=2026-10&revision=1",  # another council's report, named
        "month=2026-10&revision=1",  # their own council's, which has none
        "month=2026-10&revision=2",
        "month=2026-13&revision=1",  # not a month
        "month=2026-10&revision=0",
        "month=2026-10&revision=1;DROP",
    ],
)
def test_a_council_viewer_gets_no_other_councils_report(demo_app, issued, caplog, query):
    client = _client(demo_app, "viewer-fylde")
    with caplog.at_level(logging.WARNING, logger=SECURITY):
        response = client.get(f"/reports/download?{query}")
    assert response.status_code == 404 and b"%PDF" not in response.data
    if "council=chorley" in query or "2026-13" in query or "revision=0" in query or "DROP" in query:
        assert any(r.name == SECURITY and "refused" in r.getMessage() for r in caplog.records)
    # and the page lists none of Chorley's
    page = _page(client, "/council", "?month=2026-10")
    assert "Reports issued" in page and "chorley" not in page.lower().replace("viewer-chorley", "")


def test_without_a_session_a_download_goes_to_sign_in(demo_app, issued):
    response = demo_app.client().get("/reports/download?council=chorley&month=2026-10&revision=1")
    assert response.status_code in (302, 303) and "/signin" in response.headers["Location"]


@pytest.fixture(scope="module")
def savings_issued(demo_app, tmp_path_factory):
    """The demo's 2025/26 savings report issued into the app's warehouse."""
    outcome = issue_savings(
        demo_app.estate,
        demo_app.served.warehouse,
        YEAR,
        archive=tmp_path_factory.mktemp("savings-archive"),
        clock=lambda: DEMO_NOW,
        financial_year="2025/26",
    )
    demo_app.served.answers.forget()
    return outcome.issued


def test_the_savings_page_lists_the_savings_reports_and_a_manager_downloads_them(demo_app, savings_issued):
    client = _client(demo_app, "manager")
    page = _page(client, "/savings", "")
    assert "Savings reports issued" in page
    assert "/reports/savings/download?report=savings%2F2025-26&revision=1" in page
    download = client.get("/reports/savings/download?report=savings%2F2025-26&revision=1")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data == demo_app.served.warehouse.issued_report_content("savings/2025-26", 1)
    assert 'filename="savings-2025-26-revision-1.pdf"' in download.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("account", "query"),
    [
        ("viewer-chorley", "report=savings%2F2025-26&revision=1"),  # a council viewer
        ("operator", "report=savings%2F2025-26&revision=1"),  # a provider role without the ledger
        ("manager", "report=sla%2Fchorley%2F2026-10&revision=1"),  # a monthly report by this route
        ("manager", "report=savings%2F2025-26%27--&revision=1"),  # not of the form
        ("manager", "report=savings%2F2024-25&revision=1"),  # not issued: not found, not refused
    ],
)
def test_a_savings_report_is_only_the_ledgers_roles_to_download(
    demo_app, savings_issued, caplog, account, query
):
    client = _client(demo_app, account)
    with caplog.at_level(logging.WARNING, logger=SECURITY):
        response = client.get(f"/reports/savings/download?{query}")
    assert response.status_code == 404 and b"%PDF" not in response.data
    refused = any(r.name == SECURITY and "refused" in r.getMessage() for r in caplog.records)
    assert refused == ("2024-25" not in query)
