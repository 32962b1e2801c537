"""The estate's fingerprint: its canonical JSON and that text's SHA-256, the same for the same
content however the file is laid out. Figures record it, so a figure can be traced to the
configuration that produced it; the warehouse keeps each distinct snapshot under it."""

from __future__ import annotations

import hashlib
import json

from estate.model import Estate


def canonical_json(estate: Estate) -> str:
    return json.dumps(estate.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


def estate_sha256(estate: Estate) -> str:
    return hashlib.sha256(canonical_json(estate).encode()).hexdigest()
