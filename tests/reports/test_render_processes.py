"""Rendering (reports/pdf.py): reports rendered in parallel processes are the same bytes as
rendered here, in the same order (an issue of every council's month may render them either
way); a render reads none but councilops's own files; an issued file is written whole, never
over another."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from reports.issuing import ReportError, write_once
from reports.pdf import Attached, PdfJob, render_job, render_pdfs

ISSUED = datetime(2026, 11, 3, 9, tzinfo=UTC)


def _job(n: int) -> PdfJob:
    rows = "".join(f"<tr><td>row {i}</td><td class='n'>{i * n}</td></tr>" for i in range(40))
    html = (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>t</title>'
        '<link rel="stylesheet" href="templates/report.css"></head>'
        f"<body><h2>Report {n}</h2><table><thead><tr><th>a</th><th>b</th></tr></thead>{rows}</table></body></html>"
    )
    return PdfJob(
        html, f"report {n}", ISSUED, (Attached("n.json", f'{{"n": {n}}}'.encode(), "n", "application/json"),)
    )


def test_processes_render_the_same_bytes_in_the_same_order():
    jobs = [_job(n) for n in range(1, 5)]
    here = [render_job(job) for job in jobs]
    assert len(set(here)) == 4  # four different reports
    assert render_pdfs(jobs, workers=2) == here


def test_a_render_reads_no_file_but_the_reports_own(tmp_path):
    outside = tmp_path / "outside.css"
    outside.write_text('body::after { content: "READ FROM OUTSIDE"; }', encoding="utf-8")
    html = (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>t</title>'
        '<link rel="stylesheet" href="templates/report.css">'
        f'<link rel="stylesheet" href="{outside.as_uri()}"></head><body><p>inside</p></body></html>'
    )
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(render_job(PdfJob(html, "t", ISSUED)))).pages
    )
    assert "inside" in text and "READ FROM OUTSIDE" not in text


def test_an_issued_file_is_written_whole_and_never_over_another(tmp_path):
    path = tmp_path / "council" / "2026-10" / "report.pdf"
    write_once(path, b"%PDF-1.7 first")
    assert path.read_bytes() == b"%PDF-1.7 first"
    with pytest.raises(ReportError, match="exists already and is not in this warehouse's archive"):
        write_once(path, b"%PDF-1.7 second")
    assert path.read_bytes() == b"%PDF-1.7 first"  # left as it was
    assert sorted(p.name for p in path.parent.iterdir()) == ["report.pdf"]  # no partial file left
