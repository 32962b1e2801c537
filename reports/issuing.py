"""What every issued report shares: the one-line error, the rendered bytes with their hash, the
canonical JSON of attached figures, and files written once, never over another."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from estate.model import Estate
from estate.snapshot import canonical_json as estate_json
from estate.snapshot import estate_sha256

FIRST_ISSUE = "first issue"


class ReportError(Exception):
    """A report that cannot be issued as asked, said in one line."""


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    sha256: str
    document: dict  # the figures, as attached


def figures_differ(prefix: str, before: dict, after: dict, fields) -> list[tuple[str, str, str]]:
    """(prefix + name, before, after) of each (name, key) in `fields` whose value differs: a
    revision's "what changed" rows."""
    return [
        (f"{prefix}{name}", str(before.get(key)), str(after.get(key)))
        for name, key in fields
        if before.get(key) != after.get(key)
    ]


def aware(moment: datetime) -> datetime:
    """A naive time from the warehouse is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def canonical_json(document: dict) -> bytes:
    """The attached figures: sorted keys, so the same figures give the same bytes."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n"


def write_once(path: Path, content: bytes) -> None:
    """Create the file whole, never overwriting one: written beside it first and linked into
    place (a link refuses a name that exists), so a failure part-way leaves no half file under
    the report's name. A file already there is refused (it is another archive's, or one this
    archive does not know of), and left as it is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with open(partial, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.link(partial, path)
    except FileExistsError:
        raise ReportError(
            f"{path} exists already and is not in this warehouse's archive: it is left as it is; move it "
            "away to issue this report"
        ) from None
    finally:
        partial.unlink(missing_ok=True)


def keep_estate(warehouse, estate: Estate, at: datetime) -> None:
    """Keep the snapshot of the estate a report is issued from (`verify` renders from it)."""
    warehouse.keep_estate_snapshot(estate_sha256(estate), estate_json(estate), at)


def estate_then(warehouse, sha256: str) -> Estate | None:
    """The estate a report was issued from, from its kept snapshot (None: not kept, or it no
    longer reads back to the same fingerprint under this version of councilops)."""
    kept = warehouse.estate_snapshot(sha256)
    if kept is None:
        return None
    try:
        estate = Estate.model_validate(json.loads(kept))
    except ValueError:
        return None
    return estate if estate_sha256(estate) == sha256 else None
