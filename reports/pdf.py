"""The one place WeasyPrint is imported: HTML and print CSS to PDF/A-3b bytes, tagged, with
attachments, the same bytes for the same input.

- No render-time clock: the creation and modification dates are the issue time given, and the
  file identifier is derived from the content's own hash (as `SOURCE_DATE_EPOCH` does for
  builds), so rendering again from the same figures gives the same bytes.
- Fonts come from the project (`reports/fonts/`, DejaVu), declared by `@font-face` in the
  stylesheet, never from the machine's fontconfig: a render does not depend on what is
  installed.
- PDF/A-3b carries the attachments (the figures as JSON and CSV) and `pdf_tags` writes the
  structure tree (tagged PDF) for the accessibility regulations.
"""

from __future__ import annotations

import concurrent.futures
import gc
import hashlib
import multiprocessing
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

HERE = Path(__file__).parent


class RenderUnavailable(RuntimeError):
    """WeasyPrint or the libraries under it (Pango) are missing on this machine."""


@dataclass(frozen=True)
class Attached:
    name: str  # file name inside the PDF
    content: bytes
    description: str
    media_type: str


@dataclass(frozen=True)
class PdfJob:
    """What one PDF is rendered from: all of it, so that any process can render it."""

    html: str
    title: str
    issued_at: datetime
    attachments: tuple[Attached, ...] = ()


PARALLEL_FROM = 3  # fewer reports than this render here: starting a process costs about a report


def render_job(job: PdfJob) -> bytes:
    return render_pdf(job.html, title=job.title, issued_at=job.issued_at, attachments=job.attachments)


def render_pdfs(jobs: list[PdfJob], workers: int | None = None) -> list[bytes]:
    """Each job's PDF, in order. Several are rendered by `workers` processes (one a core;
    WeasyPrint is pure Python, so threads would wait on each other): this one and spawned
    helpers. The helpers take jobs from the front while this process, which needs no start-up,
    takes them from the back, until they meet. A PDF is the same bytes whichever process
    renders it (tests/reports/test_render_processes.py)."""
    workers = min(len(jobs), workers or os.cpu_count() or 1)
    if len(jobs) < PARALLEL_FROM or workers < 2:
        return [render_job(job) for job in jobs]
    _weasyprint()  # said here, once, if WeasyPrint is missing
    # spawned, not forked: the served process has threads (and DuckDB's) that a fork would copy
    # mid-flight
    context = multiprocessing.get_context("spawn")
    done: dict[int, bytes] = {}
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers - 1, mp_context=context) as pool:
        futures = [pool.submit(render_job, job) for job in jobs]
        for index in reversed(range(len(jobs))):
            if not futures[index].cancel():
                break  # a helper has it: every job before it is a helper's too
            done[index] = render_job(jobs[index])
        for index, future in enumerate(futures):
            if index not in done:
                done[index] = future.result()
    return [done[index] for index in range(len(jobs))]


def _weasyprint():
    try:
        import weasyprint  # noqa: PLC0415 - imported at this edge only, when a report is rendered
    except (ImportError, OSError) as error:  # OSError: Pango's shared libraries are missing
        raise RenderUnavailable(
            f"reports cannot be rendered here: WeasyPrint is unavailable ({error}); "
            "`make install` and the Debian packages libpango-1.0-0 libpangoft2-1.0-0 provide it"
        ) from error
    return weasyprint


def render_pdf(
    html: str, *, title: str, issued_at: datetime, attachments: tuple[Attached, ...] = ()
) -> bytes:
    """The PDF of `html` (its stylesheets and images resolved from reports/), dated `issued_at`."""
    weasyprint = _weasyprint()
    when = issued_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    identifier = hashlib.sha256(html.encode("utf-8") + b"".join(a.content for a in attachments)).digest()[:16]
    options = {
        "pdf_variant": "pdf/a-3b",
        "pdf_tags": True,
        "pdf_identifier": identifier,
        "attachments": [
            weasyprint.Attachment(
                string=a.content,
                name=a.name,
                description=a.description,
                created=issued_at,
                modified=issued_at,
                relationship="Data",
            )
            for a in attachments
        ],
    }
    # WeasyPrint makes hundreds of thousands of small objects and frees them together: the cyclic
    # collector's passes over them took a fifth of a report's layout (measured on the demo), and
    # nothing cyclic outlives the render, so it is paused while it runs
    collecting = gc.isenabled()
    gc.disable()
    try:
        document = weasyprint.HTML(string=html, base_url=str(HERE), url_fetcher=_own_files()).render(
            font_config=_fonts(), **options
        )
        document.metadata.title = title
        document.metadata.created = when
        document.metadata.modified = when
        document.metadata.generator = "councilops"
        return document.write_pdf(**options)
    finally:
        if collecting:
            gc.enable()


def _own_files():
    """A fetcher of the report's own files only (its stylesheet and fonts under reports/) and of
    `data:` URLs: nothing in a report's HTML (a logo, a service's name) can make the render
    read another file or the network."""
    from weasyprint.urls import URLFetcher  # noqa: PLC0415

    class OwnFiles(URLFetcher):
        def fetch(self, url, headers=None):
            if url[:5].lower() == "file:":
                path = Path(url2pathname(urlparse(url).path)).resolve()
                if not path.is_relative_to(HERE.resolve()):
                    raise ValueError(f"a report reads only councilops's own files, not {path}")
            return super().fetch(url, headers)

    return OwnFiles(allowed_protocols=("file", "data"))


_FONT_CONFIG = None


def _fonts():
    global _FONT_CONFIG  # one configuration per process: building it reads the font files
    if _FONT_CONFIG is None:
        from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415

        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG
