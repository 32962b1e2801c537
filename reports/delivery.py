"""Emailing issued reports to each council's `contact_email` over SMTP, with a delivery log.

- The server, port, STARTTLS and sender come from the estate's `[reports]`. The account's
  username and password come from the environment variables it names, never from the file,
  and they never reach a message, a log or the warehouse.
- Each attempt is logged in `report_deliveries` (sent or failed, with the server's answer or the
  error). A failed attempt is retried up to `send_attempts` times, `retry_wait_seconds` apart.
  `councilops report send` sends again (a resend is a new attempt, logged the same way).
- A council without a `contact_email` is skipped and said to be; nothing is logged for it.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from estate.model import Estate
from warehouse import Delivery, IssuedReport, Warehouse


@dataclass(frozen=True)
class Sent:
    council_id: str
    month: str
    revision: int
    to_address: str | None
    sent: bool
    said: str


def _message(
    estate: Estate, report: IssuedReport, content: bytes, to_address: str, when: datetime
) -> EmailMessage:
    council = estate.council(report.council_id)
    settings = estate.reports
    message = EmailMessage()
    revised = f" (revision {report.revision})" if report.revision > 1 else ""
    message["Subject"] = f"{council.name}: service levels for {report.period}{revised}"
    message["From"] = settings.sender
    message["To"] = to_address
    message["Date"] = format_datetime(when)
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or "localhost")
    message.set_content(
        f"Your service levels report for {report.period}{revised} is attached.\n\n"
        f"Revision {report.revision}: {report.reason}\n"
        f"SHA-256 of the PDF: {report.content_sha256}\n\n"
        "The figures are attached inside the PDF as JSON and CSV. A report once issued never changes; "
        "a correction is issued as a new revision that says what changed and why.\n"
    )
    message.add_attachment(
        content,
        maintype="application",
        subtype="pdf",
        filename=f"{report.council_id}-{report.period}-revision-{report.revision}.pdf",
    )
    return message


def _credentials(estate: Estate, environ: Mapping[str, str]) -> tuple[str, str] | None:
    settings = estate.reports
    if not settings.smtp_username_env:
        return None
    username = environ.get(settings.smtp_username_env)
    password = environ.get(settings.smtp_password_env or "", "")
    if not username:
        raise RuntimeError(
            f"the SMTP username's environment variable {settings.smtp_username_env} is not set"
        )
    return username, password


def send_report(
    estate: Estate,
    warehouse: Warehouse,
    report: IssuedReport,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    environ: Mapping[str, str] = os.environ,
    smtp: Callable[..., smtplib.SMTP] = smtplib.SMTP,
    sleep: Callable[[float], None] = time.sleep,
) -> Sent:
    """Email one issued report to its council's contact, retrying; every attempt logged."""
    settings = estate.reports
    council = estate.council(report.council_id)
    if settings.smtp_host is None:
        return Sent(
            council.id, report.period, report.revision, None, False, "not sent: no [reports] smtp_host is set"
        )
    if not council.contact_email:
        return Sent(
            council.id,
            report.period,
            report.revision,
            None,
            False,
            "not sent: the council has no contact_email",
        )
    content = warehouse.issued_report_content(report.report_id, report.revision)
    said = ""
    for tries in range(1, settings.send_attempts + 1):
        attempt = warehouse.next_attempt(report.report_id, report.revision)
        when = clock()
        try:
            credentials = _credentials(estate, environ)
            with smtp(settings.smtp_host, settings.smtp_port, timeout=30) as server:
                if settings.smtp_starttls:
                    server.starttls(context=ssl.create_default_context())
                if credentials is not None:
                    server.login(*credentials)
                refused = server.send_message(_message(estate, report, content, council.contact_email, when))
            if refused:
                raise smtplib.SMTPRecipientsRefused(refused)
            said = f"sent to {council.contact_email} by {settings.smtp_host}:{settings.smtp_port}"
            warehouse.add_delivery(
                Delivery(
                    report.report_id, report.revision, attempt, council.contact_email, when, "sent", said
                )
            )
            return Sent(council.id, report.period, report.revision, council.contact_email, True, said)
        except (OSError, smtplib.SMTPException, RuntimeError) as error:
            # the error's own words: never the credentials (they are not in any of these messages)
            said = f"attempt {attempt} failed: {type(error).__name__}: {error}"[:500]
            warehouse.add_delivery(
                Delivery(
                    report.report_id, report.revision, attempt, council.contact_email, when, "failed", said
                )
            )
        if tries < settings.send_attempts:
            sleep(settings.retry_wait_seconds)
    return Sent(council.id, report.period, report.revision, council.contact_email, False, said)


def latest_revisions(warehouse: Warehouse, month: str, council_id: str | None = None) -> list[IssuedReport]:
    """The latest revision of each council's report of `month`."""
    latest: dict[str, IssuedReport] = {}
    for report in warehouse.issued_reports(kind="sla", council_id=council_id):
        if report.period == month and (
            report.report_id not in latest or report.revision > latest[report.report_id].revision
        ):
            latest[report.report_id] = report
    return sorted(latest.values(), key=lambda r: r.council_id)
