"""The monthly SLA report, rendered by WeasyPrint and read back (pypdf, pdftoppm): its figures are
the `councilops sla --format json` figures of the same council and month, it is archived and
never overwritten, rendering it again gives the same bytes, a revision leaves revision 1 as it
was, its attachments are the figures, and every page is kept as a PNG to look at
(build/report-pages/)."""

from __future__ import annotations

import hashlib
import io
import json
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from application.accounts import Account
from application.explanations import explain
from application.service_levels import month_report
from estate import load_estate
from estate.scope import Scope
from estate.snapshot import estate_sha256
from presentation.sla import as_json
from reports.archive import ReportError, figures_changed, issue_monthly, verify_report
from reports.issuing import estate_then
from tests.conftest import DEMO_NOW
from tests.reports.demo_copy import open_demo_copy
from tests.reports.pdf_pages import flat, page_texts, pages_as_png

COUNCIL = "chorley"  # the demo's smallest council: 12 services
MONTH = "2026-10"


@pytest.fixture(scope="module")
def archive(demo_build, tmp_path_factory):
    """A copy of the demo with Chorley's October issued once (an outage explained before)."""
    folder = tmp_path_factory.mktemp("reports")
    estate, warehouse = open_demo_copy(demo_build, folder)
    october = month_report(estate, warehouse, MONTH, scope=Scope.council(COUNCIL), now=DEMO_NOW)
    row, outage = next((r, o) for r in october.rows for o in r.outages if o.seconds_in_scheduled)
    operator = Account("operator", "operator", None, DEMO_NOW, DEMO_NOW)
    explain(
        warehouse,
        estate,
        operator,
        Scope.provider(),
        (row.service_id, outage.start, outage.end),
        "network",
        "INC-4711",
        "Core switch firmware fault at both sites.",
        [(r.service_id, o.start, o.end) for r in october.rows for o in r.outages],
        clock=lambda: DEMO_NOW - timedelta(days=2),
    )
    (outcome,) = issue_monthly(
        estate, warehouse, MONTH, archive=folder / "reports", clock=lambda: DEMO_NOW, council_id=COUNCIL
    )
    yield estate, warehouse, folder, outcome, row.service_name
    warehouse.close()


def test_the_issued_figures_are_the_sla_commands_figure_by_figure(archive):
    estate, warehouse, _, outcome, explained_service = archive
    pdf = Path(outcome.issued.archive_path).read_bytes()
    # the figures as `councilops sla --format json --council chorley --month 2026-10 --as-of ...` prints them
    as_of = outcome.issued.as_of_utc.replace(tzinfo=UTC)
    sla = json.loads(
        as_json(month_report(estate, warehouse, MONTH, scope=Scope.council(COUNCIL), as_of=as_of))
    )
    attached = json.loads(PdfReader(io.BytesIO(pdf)).attachments["service-levels.json"][0])
    assert attached == sla
    text = flat(" ".join(page_texts(pdf)))
    (summary,) = sla["councils"]
    assert f"Services met {summary['services_met']} of {summary['services_measured']} measured" in text
    assert f"Time-weighted availability {summary['time_weighted_availability_percent']} %" in text
    assert f"Service credits due £{float(summary['credit_gbp']):,.2f}" in text
    checked = 0
    for row in sla["services"]:
        if row["contract"] is None:
            continue
        # the summary table's row: name, availability rounded down, target, state, outages, credit
        state = "✓ met" if row["met"] else ("✗ missed" if row["met"] is False else "– not measured")
        shown = (
            f"{row['service_name']} {row['availability_percent'] or 'n/a'} {row['target_percent']} {state} "
            f"{row['outage_count']} £{float(row['credit_gbp']):,.2f}"
        )
        assert shown in text, shown
        # and its own section: the target and the down time as h:mm:ss
        hours, rest = divmod(row["down_seconds"], 3600)
        assert f"{row['availability_percent']} % against a target of {row['target_percent']} %" in text
        assert (
            f"Down {hours}:{rest // 60:02d}:{rest % 60:02d} in scheduled time · Outages {row['outage_count']},"
            in text
        )
        checked += 1
    assert checked == 12
    assert "Core switch firmware fault at both sites." in text and explained_service in text
    assert sla["provenance"]["estate_sha256"] in text  # the methods appendix


def test_archived_once_with_its_checksum_and_the_figures_attached(archive):
    _, warehouse, folder, outcome, _ = archive
    record = outcome.issued
    pdf = Path(record.archive_path).read_bytes()
    assert record.revision == 1 and record.reason == "first issue"
    assert hashlib.sha256(pdf).hexdigest() == record.content_sha256
    assert warehouse.issued_report_content(record.report_id, 1) == pdf
    reader = PdfReader(io.BytesIO(pdf))
    assert set(reader.attachments) == {"service-levels.json", "service-levels.csv"}
    csv_text = reader.attachments["service-levels.csv"][0].decode("utf-8")
    assert csv_text.splitlines()[0].startswith("council,service,month,status")
    assert len(csv_text.splitlines()) == 1 + 12
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root  # tagged PDF
    metadata = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfaid:part="3" pdfaid:conformance="B"' in metadata  # PDF/A-3b
    assert "<xmp:CreateDate>2026-11-22T10:00:00Z</xmp:CreateDate>" in metadata  # the issue, not the render
    # every page says which page of how many, and when it was issued
    pages = page_texts(pdf)
    for number, page in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in page
    assert all("Issued 2026-11-22 10:00 GMT" in page for page in pages[1:])


def test_issuing_again_leaves_it_and_rendering_again_gives_the_same_bytes(archive):
    estate, warehouse, folder, outcome, _ = archive
    path = Path(outcome.issued.archive_path)
    before = path.read_bytes()
    (again,) = issue_monthly(
        estate, warehouse, MONTH, archive=folder / "reports", clock=lambda: DEMO_NOW, council_id=COUNCIL
    )
    assert again.issued is None and "already issued (revision 1)" in again.said
    assert path.read_bytes() == before
    verified = verify_report(estate, warehouse, before)
    assert verified.issued.revision == 1 and verified.rerendered_same is True, verified.said
    tampered = bytearray(before)
    tampered[len(tampered) // 2] ^= 0xFF
    assert verify_report(estate, warehouse, bytes(tampered)).issued is None


def test_a_revision_says_why_and_leaves_revision_one_byte_for_byte(archive):
    estate, warehouse, folder, outcome, _ = archive
    first = Path(outcome.issued.archive_path).read_bytes()
    with pytest.raises(ReportError, match="--reason"):
        issue_monthly(
            estate,
            warehouse,
            MONTH,
            archive=folder / "reports",
            clock=lambda: DEMO_NOW,
            council_id=COUNCIL,
            revise=True,
        )
    (revised,) = issue_monthly(
        estate,
        warehouse,
        MONTH,
        archive=folder / "reports",
        clock=lambda: DEMO_NOW + timedelta(hours=1),
        council_id=COUNCIL,
        revise=True,
        reason="Re-issued after the council asked for the outage's incident reference.",
    )
    assert revised.issued.revision == 2
    assert Path(outcome.issued.archive_path).read_bytes() == first
    assert warehouse.issued_report_content(outcome.issued.report_id, 1) == first
    text = flat(" ".join(page_texts(Path(revised.issued.archive_path).read_bytes())))
    assert "What changed in revision 2" in text and "No figure changed from revision 1." in text
    assert "Re-issued after the council asked for the outage's incident reference." in text
    assert (
        verify_report(estate, warehouse, Path(revised.issued.archive_path).read_bytes()).rerendered_same
        is True
    )
    pages_as_png(Path(revised.issued.archive_path), "chorley-2026-10-revision-2")
    pages_as_png(Path(outcome.issued.archive_path), "chorley-2026-10-revision-1")


def test_a_month_not_over_is_issued_only_when_forced_and_then_as_a_draft(archive):
    estate, warehouse, folder, _, _ = archive
    with pytest.raises(ReportError, match="is not over"):
        issue_monthly(
            estate,
            warehouse,
            "2026-11",
            archive=folder / "reports",
            clock=lambda: DEMO_NOW,
            council_id=COUNCIL,
        )
    (draft,) = issue_monthly(
        estate,
        warehouse,
        "2026-11",
        archive=folder / "reports",
        clock=lambda: DEMO_NOW,
        council_id=COUNCIL,
        force=True,
    )
    pages = page_texts(Path(draft.issued.archive_path).read_bytes())
    assert "(DRAFT)" in draft.said
    assert all("DRAFT" in page for page in pages)


def test_the_figures_that_changed_between_two_revisions():
    before = {
        "councils": [
            {
                "council": "c",
                "services_met": 2,
                "time_weighted_availability_percent": "99.950",
                "credit_gbp": "0.00",
            }
        ],
        "services": [
            {
                "service": "a",
                "service_name": "A",
                "availability_percent": "99.900",
                "met": True,
                "outage_count": 1,
                "down_seconds": 60,
                "unmonitored_seconds": 0,
                "credit_gbp": "0.00",
            },
        ],
    }
    after = json.loads(json.dumps(before))
    after["councils"][0]["services_met"] = 1
    after["services"][0].update(
        availability_percent="99.400", met=False, down_seconds=3660, credit_gbp="12.50"
    )
    assert figures_changed(before, after) == (
        ("council: services met", "2", "1"),
        ("A: availability %", "99.900", "99.400"),
        ("A: met", "True", "False"),
        ("A: down (s)", "60", "3660"),
        ("A: credit £", "0.00", "12.50"),
    )
    assert figures_changed(before, before) == ()


# ---------------------------------------------------------------------------- delivery


class Inbox:
    """What a real SMTP server on 127.0.0.1 (aiosmtpd) received."""

    def __init__(self):
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(envelope.original_content)
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # a free port (aiosmtpd checks its own by connecting to it)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _with_delivery(estate, port: int, **more):
    from estate.model import Reports

    councils = tuple(
        c.model_copy(update={"contact_email": f"contracts@{c.id}.example"}) if c.id == COUNCIL else c
        for c in estate.councils
    )
    reports = Reports(
        smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, sender="sla@provider.example", **more
    )
    return estate.model_copy(update={"councils": councils, "reports": reports})


def test_an_issued_report_is_emailed_to_the_councils_contact_and_logged(archive, smtp_server):
    import email

    from reports.delivery import send_report

    estate, warehouse, _, outcome, _ = archive
    inbox, port = smtp_server
    sent = send_report(_with_delivery(estate, port), warehouse, outcome.issued, clock=lambda: DEMO_NOW)
    assert sent.sent and sent.to_address == "contracts@chorley.example", sent.said
    (raw,) = inbox.messages
    message = email.message_from_bytes(raw)
    assert message["To"] == "contracts@chorley.example" and message["From"] == "sla@provider.example"
    assert message["Subject"] == "Chorley Council: service levels for 2026-10"
    (attached,) = [part for part in message.walk() if part.get_content_type() == "application/pdf"]
    assert attached.get_payload(decode=True) == warehouse.issued_report_content(outcome.issued.report_id, 1)
    assert attached.get_filename() == "chorley-2026-10-revision-1.pdf"
    logged = [d for d in warehouse.deliveries(outcome.issued.report_id) if d.outcome == "sent"]
    assert logged and logged[-1].to_address == "contracts@chorley.example"


def test_a_server_that_does_not_answer_is_tried_again_and_each_attempt_logged(archive):
    from reports.delivery import send_report

    estate, warehouse, _, outcome, _ = archive
    waits = []
    before = len(warehouse.deliveries(outcome.issued.report_id))
    secret = "correct-horse-battery-staple-9137"
    sent = send_report(
        _with_delivery(
            estate, 9, send_attempts=3, retry_wait_seconds=45, smtp_username_env="U", smtp_password_env="P"
        ),
        warehouse,
        outcome.issued,
        clock=lambda: DEMO_NOW,
        environ={"U": "councilops", "P": secret},
        sleep=waits.append,
    )
    assert not sent.sent and waits == [45, 45]  # three attempts, two waits between them
    logged = warehouse.deliveries(outcome.issued.report_id)[before:]
    assert [d.outcome for d in logged] == ["failed"] * 3
    assert [d.attempt for d in logged] == [before + 1, before + 2, before + 3]
    assert all("ConnectionRefusedError" in d.detail and secret not in d.detail for d in logged)


def test_a_council_without_a_contact_or_a_server_is_not_sent_to(archive):
    from estate.model import Reports
    from reports.delivery import send_report

    estate, warehouse, _, outcome, _ = archive
    assert "no [reports] smtp_host" in send_report(estate, warehouse, outcome.issued).said
    no_contact = estate.model_copy(update={"reports": Reports(smtp_host="127.0.0.1")})
    assert "has no contact_email" in send_report(no_contact, warehouse, outcome.issued).said


@pytest.mark.parametrize(
    ("now", "due"),
    [
        ("2026-11-03T08:59:00+00:00", None),  # 08:59 GMT: not yet
        ("2026-11-03T09:00:00+00:00", "2026-10"),
        ("2026-11-22T10:00:00+00:00", "2026-10"),
        ("2026-04-03T07:59:00+00:00", None),  # 08:59 BST
        ("2026-04-03T08:00:00+00:00", "2026-03"),  # 09:00 BST is 08:00 UTC
        ("2027-01-03T09:00:00+00:00", "2026-12"),  # January: last December
        ("2026-11-02T23:59:00+00:00", None),
    ],
)
def test_the_reports_are_due_on_the_issue_day_and_time_in_the_estates_zone(demo_build, now, due):
    from reports.schedule import due_month

    estate = load_estate(demo_build[0].estate)  # issue_day 3, issue_time 09:00 by default
    assert due_month(datetime.fromisoformat(now), estate) == due


def test_the_schedule_issues_the_month_due_and_emails_it(archive, smtp_server, monkeypatch):
    """On 3 October at 09:00 (the default issue day and time) the served process's schedule
    finds September due: issued for the council and emailed to it; asked again, nothing more is
    issued or sent."""
    from application.answers import Answers
    from councilops.serve import Reporting
    from dashboard.context import Served, WebSettings
    from dashboard.metrics import ServedMetrics
    from reports import archive as archive_module
    from reports.schedule import issue_due

    estate, warehouse, folder, _, _ = archive
    inbox, port = smtp_server
    only = _with_delivery(estate, port)
    only = only.model_copy(update={"councils": tuple(c for c in only.councils if c.id == COUNCIL)})
    clock = lambda: datetime(2026, 10, 3, 8, 0, tzinfo=UTC)  # noqa: E731 - 09:00 BST

    class WriteLock:
        """The served process's write lock, recording that nothing is rendered while it is held."""

        held = entered = 0

        def __enter__(self):
            self.held += 1
            self.entered += 1

        def __exit__(self, *_):
            self.held -= 1

    lock = WriteLock()
    real_render = archive_module.render_pdfs

    def render_outside_the_lock(*args, **kwargs):
        assert lock.held == 0, "a report rendered while the write lock is held"
        return real_render(*args, **kwargs)

    monkeypatch.setattr(archive_module, "render_pdfs", render_outside_the_lock)
    # the served process's schedule, as `serve` runs it every minute (councilops/serve.py)
    answers = Answers(only, warehouse, clock)
    served = Served(only, warehouse, answers, WebSettings(b"k" * 32), clock)
    metrics = ServedMetrics(served.guard, answers, lambda: {})
    outcomes, sent = Reporting(served, metrics, folder / "reports", lock, clock).run_once()
    assert metrics.registry.get_sample_value("councilops_reports_issued_total") == 1
    assert lock.entered == 2 and lock.held == 0  # the reports written, then the deliveries logged
    assert [(o.council_id, o.month, o.issued.revision) for o in outcomes] == [(COUNCIL, "2026-09", 1)]
    assert [s.sent for s in sent] == [True] and len(inbox.messages) == 1
    assert b"service levels for 2026-09" in inbox.messages[0]
    again, sent_again = issue_due(only, warehouse, folder / "reports", clock)
    assert [o.issued for o in again] == [None] and sent_again == [] and len(inbox.messages) == 1
    early = lambda: datetime(2026, 10, 3, 7, 59, tzinfo=UTC)  # noqa: E731 - 08:59 BST: not yet
    assert issue_due(only, warehouse, folder / "reports", early) == ([], [])


def test_after_the_estate_file_changes_verify_renders_from_the_estate_it_was_issued_from(archive):
    estate, warehouse, _, outcome, _ = archive
    pdf = Path(outcome.issued.archive_path).read_bytes()
    # the estate file edited since the issue: a council's contact address changed
    changed = estate.model_copy(
        update={
            "councils": tuple(
                c.model_copy(update={"contact_email": "new-contracts@chorley.example"})
                if c.id == COUNCIL
                else c
                for c in estate.councils
            )
        }
    )
    assert estate_sha256(changed) != outcome.issued.estate_sha256
    verified = verify_report(changed, warehouse, pdf)
    assert verified.rerendered_same is True, verified.said
    assert f"from the estate snapshot {outcome.issued.estate_sha256[:12]}" in verified.said
    # a snapshot the warehouse does not hold: said, and not rendered
    assert estate_then(warehouse, "0" * 64) is None
