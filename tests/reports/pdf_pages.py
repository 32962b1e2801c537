"""Reading a rendered PDF back: its text (pypdf) and its pages as PNGs (pdftoppm), kept as the
run's artefacts in build/report-pages/ to look at."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

from pypdf import PdfReader

from tests.conftest import require_program

PAGES = Path(__file__).resolve().parents[2] / "build" / "report-pages"


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def pages_as_png(pdf: Path, name: str) -> None:
    """Every page as a PNG (pdftoppm), kept as the run's artefacts: look at them."""
    program = require_program("pdftoppm")
    PAGES.mkdir(parents=True, exist_ok=True)
    for old in PAGES.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run([program, "-r", "60", "-png", str(pdf), str(PAGES / name)], check=True)
    made = sorted(PAGES.glob(f"{name}-*.png"))
    assert len(made) == len(PdfReader(str(pdf)).pages) and all(p.stat().st_size > 2_000 for p in made)
