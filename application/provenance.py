"""What produced a figure: recorded on every answer, so a figure issued in a report can be
reproduced later (the same estate snapshot, the same package and the same bank holidays)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from estate.model import Estate
from estate.snapshot import estate_sha256


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


@dataclass(frozen=True)
class Provenance:
    estate_sha256: str
    councilops_version: str
    holidays_version: str  # an update can move a bank holiday and so a past month's scheduled time
    duckdb_version: str
    polars_version: str

    def document(self) -> dict:
        return dict(vars(self))


_RECENT: list[tuple[Estate, Provenance]] = []  # a few estates with theirs, newest last
_RECENT_KEPT = 4
_RECENT_LOCK = threading.Lock()


def provenance_of(estate: Estate) -> Provenance:
    """The estate's provenance, worked out once per estate object: its SHA-256 is of the whole
    canonical document (0.09 s for the reference estate's), and every answer records it. The
    estate is immutable, so the same object always has the same fingerprint."""
    with _RECENT_LOCK:
        for known, provenance in _RECENT:
            if known is estate:
                return provenance
    provenance = Provenance(
        estate_sha256(estate),
        _version("councilops"),
        _version("holidays"),
        _version("duckdb"),
        _version("polars"),
    )
    with _RECENT_LOCK:
        _RECENT.append((estate, provenance))
        del _RECENT[:-_RECENT_KEPT]
    return provenance
