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

import gc
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).parent


class RenderUnavailable(RuntimeError):
    """WeasyPrint or the libraries under it (Pango) are missing on this machine."""


@dataclass(frozen=True)
class Attached:
    name: str  # file name inside the PDF
    content: bytes
    description: str
    media_type: str


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
        document = weasyprint.HTML(string=html, base_url=str(HERE)).render(font_config=_fonts(), **options)
        document.metadata.title = title
        document.metadata.created = when
        document.metadata.modified = when
        document.metadata.generator = "councilops"
        return document.write_pdf(**options)
    finally:
        if collecting:
            gc.enable()


_FONT_CONFIG = None


def _fonts():
    global _FONT_CONFIG  # one configuration per process: building it reads the font files
    if _FONT_CONFIG is None:
        from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415

        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG
