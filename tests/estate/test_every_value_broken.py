"""Every value of the small estate replaced, in turn, by each of a family of wrong values.

Whatever the value, `check` answers and never crashes; each problem names a line and speaks the
estate file's language (never pydantic's wording, never a Python repr such as datetime.date(...)
or Decimal('...')); and one wrong value is one problem.
"""

from __future__ import annotations

import re

import pytest

from estate.load import check_estate_text
from tests.conftest import SMALL_ESTATE

WRONG_VALUES = (
    '"text"',
    '""',
    '"Dc1"',
    "[1, 2]",
    "[]",
    '["dc9"]',
    "{ a = 1 }",
    "true",
    "-1",
    "0",
    "1e308",
    "nan",
    "inf",
    "99999999999999999999",
    "2025-04-01",
    "2026-03-15T10:00:00",
    "10:00:00",
    '"2025-13"',
    '"0000-01"',
    '"9999-12"',
)

# What pydantic or Python would have said, and the estate's messages never do.
NOT_OUR_WORDS = re.compile(
    r"datetime\.|Decimal\(|\{'|\bTrue\b|\bFalse\b|\bNone\b|[Ii]nput should|[Ss]tring should|[Tt]uple|"
    r"dictionary|instance of|after validation|Value error|Decimal input"
)

# A replacement that is two mistakes: the active-active service's two sites become one unknown.
TWO_MISTAKES = {('sites = ["dc1", "dc2"]', '["dc9"]')}

VALUE_LINES = [
    (number, match[1], match[2])
    for number, line in enumerate(SMALL_ESTATE.read_text(encoding="utf-8").splitlines())
    if (match := re.match(r"^(\s*[A-Za-z0-9_.]+\s*=\s*)(.+)$", line))
]


@pytest.mark.parametrize(
    ("number", "key", "value"), VALUE_LINES, ids=[f"line {n + 1}" for n, _, _ in VALUE_LINES]
)
def test_every_wrong_value_is_one_clear_located_problem(small_estate_text, number, key, value):
    lines = small_estate_text.splitlines()
    for wrong in WRONG_VALUES:
        text = "\n".join([*lines[:number], key + wrong, *lines[number + 1 :]]) + "\n"
        _, problems = check_estate_text(text, "estate.toml")
        said = "\n".join(map(str, problems))
        assert all(p.line is not None for p in problems), said
        assert not NOT_OUR_WORDS.search(said), said
        most = 2 if (f"{key}{value}".strip(), wrong) in TWO_MISTAKES else 1
        assert len(problems) <= most, f"{key}{wrong}:\n{said}"
