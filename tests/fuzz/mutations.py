"""One mutation of a valid input: the families of bad input a tester found (issue 11).

Each strategy takes a valid text (an estate file, a backup report, a CMDB export, a calendar)
and draws one mutation of it: a value of the wrong type, a bound crossed, a field or the end
cut off, a byte spoiled, a row repeated, a date moved far away. What comes out is bytes, since
a spoiled byte need not leave UTF-8 behind.
"""

from __future__ import annotations

import re

from hypothesis import strategies as st

WRONG_VALUES = (
    '"text"',
    "[1, 2]",
    "{ a = 1 }",
    "true",
    "-1",
    "0",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "99999999999999999999",
    '""',
    '"2025-13"',
    "2025-04-01",
    "[]",
    '"' + "x" * 300 + '"',
)
FAR_DATES = ("0001", "1900", "1969", "2101", "9999")
NUMBER = re.compile(rb"(?<![\w.])\d+(\.\d+)?(?![\w])")
YEAR = re.compile(rb"(?<!\d)(19|20)\d\d(?!\d)")
FIELD_VALUES = (
    b"",
    b"-1",
    b"0",
    b"1e308",
    b"NaN",
    b"inf",
    b"99999999999",
    b"31/12/9999 23:59:59",
    b"01/01/1900 00:00:00",
    b"notadate",
    b'"unterminated',
    b'"a""b"',
    b"x" * 140_000,
    b"\x00",
    b"\xff\xfe",
    "Ünïcödé ✓".encode(),
)


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


@st.composite
def wrong_type(draw, data: bytes) -> bytes:
    """A `key = value` line's value replaced by one of another type or beyond any bound."""
    lines = _lines(data)
    candidates = [k for k, line in enumerate(lines) if re.match(rb"^\s*[A-Za-z_][\w.-]*\s*=\s*\S", line)]
    if not candidates:
        return data
    k = draw(st.sampled_from(candidates))
    key = lines[k].split(b"=", 1)[0]
    lines[k] = key + b"= " + draw(st.sampled_from(WRONG_VALUES)).encode()
    return b"\n".join(lines)


@st.composite
def crossed_bound(draw, data: bytes) -> bytes:
    """One number replaced by one past any sane bound (huge, negative, zero, fractional)."""
    found = list(NUMBER.finditer(data))
    if not found:
        return data
    match = draw(st.sampled_from(found))
    value = draw(st.sampled_from((b"0", b"-1", b"99999999999", b"1e308", b"0.5", b"-0", b"1" * 40)))
    return data[: match.start()] + value + data[match.end() :]


@st.composite
def cut(draw, data: bytes) -> bytes:
    """A line taken out, or the file cut short at any byte."""
    if draw(st.booleans()):
        lines = _lines(data)
        k = draw(st.integers(0, len(lines) - 1))
        return b"\n".join(lines[:k] + lines[k + 1 :])
    return data[: draw(st.integers(0, len(data)))]


@st.composite
def spoiled_byte(draw, data: bytes) -> bytes:
    """One byte replaced by any byte: a NUL, a stray quote, half a UTF-8 sequence."""
    if not data:
        return data
    k = draw(st.integers(0, len(data) - 1))
    return data[:k] + bytes([draw(st.integers(0, 255))]) + data[k + 1 :]


@st.composite
def repeated_row(draw, data: bytes) -> bytes:
    """A line written twice (a row repeated, a key or table twice)."""
    lines = _lines(data)
    k = draw(st.integers(0, len(lines) - 1))
    return b"\n".join(lines[: k + 1] + [lines[k]] + lines[k + 1 :])


@st.composite
def far_date(draw, data: bytes) -> bytes:
    """One year moved far away: year 1, 1900, 9999."""
    found = list(YEAR.finditer(data))
    if not found:
        return data
    match = draw(st.sampled_from(found))
    return data[: match.start()] + draw(st.sampled_from(FAR_DATES)).encode() + data[match.end() :]


@st.composite
def spoiled_field(draw, data: bytes, separator: bytes) -> bytes:
    """One field of one row (a CSV cell, an iCalendar value) replaced by a bad one."""
    lines = _lines(data)
    rows = [k for k, line in enumerate(lines) if k > 0 and separator in line]
    if not rows:
        return data
    k = draw(st.sampled_from(rows))
    if separator == b",":
        fields = lines[k].split(b",")
        fields[draw(st.integers(0, len(fields) - 1))] = draw(st.sampled_from(FIELD_VALUES))
        lines[k] = b",".join(fields)
    else:
        name = lines[k].split(separator, 1)[0]
        lines[k] = name + separator + draw(st.sampled_from(FIELD_VALUES))
    return b"\n".join(lines)


def one_mutation(data: bytes, separator: bytes | None = None):
    """Any one mutation of `data`."""
    families = [
        wrong_type(data),
        crossed_bound(data),
        cut(data),
        spoiled_byte(data),
        repeated_row(data),
        far_date(data),
    ]
    if separator is not None:
        families.append(spoiled_field(data, separator))
    return st.one_of(*families)
