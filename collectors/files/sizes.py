"""How the file readers measure and say what they read: a size in UTF-8 bytes, a bound in
words, a value quoted in a message (cut short when long). One place, so the CSV exports and the
change calendar say the same thing the same way."""

from __future__ import annotations

KiB, MiB = 1024, 1024 * 1024
SHOWN_CHARACTERS = 60  # of a value quoted in a message


def shown(value: str) -> str:
    """A value as a message quotes it: in quotes, and cut short when long."""
    if len(value) <= SHOWN_CHARACTERS:
        return repr(value)
    return f"{value[:SHOWN_CHARACTERS]!r}... ({len(value):,} characters)"


def utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def bound(size: int, *, with_bytes: bool = False) -> str:
    """A bound in bytes as a message says it: 64 MiB, 128 KiB (with the exact bytes, if asked)."""
    for unit, name in ((MiB, "MiB"), (KiB, "KiB")):
        if size >= unit and size % unit == 0:
            return f"{size // unit} {name}" + (f" ({size:,} bytes)" if with_bytes else "")
    return f"{size:,} bytes"
