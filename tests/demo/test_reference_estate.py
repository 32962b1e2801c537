"""The reference estate (the benchmarks' scale) is a valid estate file, checked without building
its 100 M rows of history: a mistake in it would only show in a benchmark run."""

from __future__ import annotations

from collectors.demo.catalogue.document import build_estate_document
from collectors.demo.estate_file import estate_toml
from collectors.demo.timeline import Anchors
from estate.load import check_estate_text
from tests.conftest import DEMO_NOW


def test_the_reference_estate_passes_the_check():
    document = build_estate_document("reference", 7, Anchors.for_clock(DEMO_NOW))
    estate, problems = check_estate_text(estate_toml(document, "# reference\n"), "reference.toml")
    assert problems == [] and estate is not None
    # every service runs at both sites there, so none has a recovery site
    assert all(s.sites == ("dc1", "dc2") and s.recovery_site is None for s in estate.services)
    assert len(estate.servers) == 2000
