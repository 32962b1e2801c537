"""Line numbers for key paths in a TOML text, so a problem can say where it is.

tomllib gives values, not positions. This scanner follows table headers ([a.b], [[a.b]]) and
`key = value` lines, counting array-of-tables entries, and maps each key path, such as
("contracts", 4, "availability_target_percent"), to the line it is written on. Keys inside inline
tables or multi-line values fall back to the nearest enclosing key that was found.
"""

from __future__ import annotations

import re

KeyPath = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)


def _split_dotted(text: str) -> list[str]:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", text)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


class KeyLines:
    def __init__(self, toml_text: str):
        self._lines: dict[KeyPath, int] = {}
        array_lengths: dict[KeyPath, int] = {}
        current: KeyPath = ()
        in_multiline: str | None = None
        for number, line in enumerate(toml_text.splitlines(), start=1):
            if in_multiline:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            header = _HEADER.match(line)
            if header:
                is_array = header[1] == "[["
                path: list[str | int] = []
                names = _split_dotted(header[2])
                for position, name in enumerate(names):
                    path.append(name)
                    last = position == len(names) - 1
                    if last and is_array:
                        key = tuple(path)
                        array_lengths[key] = array_lengths.get(key, 0) + 1
                        path.append(array_lengths[key] - 1)
                    elif not last and tuple(path) in array_lengths:
                        path.append(array_lengths[tuple(path)] - 1)
                current = tuple(path)
                self._lines.setdefault(current, number)
                continue
            key = _KEY.match(line)
            if key:
                self._lines.setdefault(current + tuple(_split_dotted(key[1])), number)
                rest = line[key.end() :]
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:
                        in_multiline = quote

    def line_of(self, path: KeyPath) -> int | None:
        """The line of `path`, or of its nearest enclosing key that was found."""
        for length in range(len(path), 0, -1):
            line = self._lines.get(tuple(path[:length]))
            if line is not None:
                return line
        return None
