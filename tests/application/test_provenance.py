"""Every answer records what produced it; the estate's fingerprint follows its content."""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version

from application.provenance import provenance_of
from estate import load_estate
from tests.conftest import SMALL_ESTATE


def test_provenance_names_the_estate_snapshot_and_the_versions():
    estate = load_estate(SMALL_ESTATE)
    found = provenance_of(estate)
    # the SHA-256 of the canonical JSON, worked out here the long way
    canonical = json.dumps(estate.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    assert found.estate_sha256 == hashlib.sha256(canonical.encode()).hexdigest()
    assert (found.holidays_version, found.duckdb_version, found.polars_version) == (
        version("holidays"),
        version("duckdb"),
        version("polars"),
    )
    assert provenance_of(estate) is found  # worked out once per estate
    changed = estate.model_copy(update={"dr_tests": ()})
    assert provenance_of(changed).estate_sha256 != found.estate_sha256  # another content, another print
