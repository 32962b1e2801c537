"""docs/configuration.md documents every key of the model, and only those; the example is current."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from estate import check_estate_file
from estate.model import Estate

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "blackpool-estate.toml"
EXAMPLE_NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _models_in(annotation) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found = []
    for argument in getattr(annotation, "__args__", ()) or ():
        found += _models_in(argument)
    return found


def model_keys(model: type[BaseModel] = Estate, prefix: str = "") -> set[str]:
    keys = set()
    for name, field in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        keys.add(path)
        for inner in _models_in(field.annotation):  # both auth schemes, for example
            keys |= model_keys(inner, path)
    return keys


def documented_keys() -> set[str]:
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([a-z0-9_.]+)` \|", text, flags=re.MULTILINE))


def test_every_key_is_documented_and_every_documented_key_exists():
    # top-level sections are documented by their headings, not as rows
    expected = {k for k in model_keys() if "." in k}
    documented = documented_keys()
    assert sorted(expected - documented) == [], "keys missing from docs/configuration.md"
    assert sorted(documented - expected) == [], "docs/configuration.md names keys the model lacks"


def test_the_shipped_example_passes_the_check():
    estate, problems = check_estate_file(EXAMPLE)
    assert problems == []
    assert estate.estate.provider_council == "blackpool"
    assert {"fylde", "rochdale"} <= {c.id for c in estate.councils}
    assert len(estate.councils) >= 6 and len(estate.services) >= 20 and len(estate.servers) >= 150


def test_the_shipped_example_is_what_the_demo_writes():
    """Regenerate with: python -c 'from tests.estate.test_docs_in_step import write_example; write_example()'."""
    from collectors.demo import estate_file_text

    assert EXAMPLE.read_text(encoding="utf-8") == estate_file_text("default", 2026, EXAMPLE_NOW)


def write_example() -> None:
    from collectors.demo import estate_file_text

    EXAMPLE.write_text(estate_file_text("default", 2026, EXAMPLE_NOW), encoding="utf-8")
