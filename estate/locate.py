"""Line numbers for key paths in a TOML text, so a problem can say where it is.

tomllib gives values, not positions. This scanner follows table headers ([a.b], [[a.b]]) and
`key = value` lines, counting array-of-tables entries, and maps each key path, such as
("contracts", 4, "availability_target_percent"), to the line it is written on. Keys inside inline
tables or multi-line values fall back to the nearest enclosing key that was found.

It also bounds how deep a file nests (tables and lists inside one another), before and after
parsing, without recursion: tomllib recurses once per level of brackets and takes time that grows
with the square of a dotted key's length, and the checks after it walk the parsed values.
"""

from __future__ import annotations

import re
from typing import Any

KeyPath = tuple[str | int, ...]

MAX_DEPTH = 32  # tables and lists inside one another; the estate itself needs five

_LONGEST_KEY = 4096  # characters of a line searched for a table header or a key
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)
# the start of a key or header too long for those: enough of it to name it
_LONG_START = re.compile(
    r"""^\s*(\[?)\[?\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)"""
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
            head = line[:_LONGEST_KEY]  # a longer key is refused as too deep; the regexes stay quick
            header = _HEADER.match(head)
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
                self._record(current, number)
                continue
            key = _KEY.match(head)
            if not key and len(line) > _LONGEST_KEY and (start := _LONG_START.match(head)):
                names = tuple(_split_dotted(start[2]))[:_KEPT]
                current = names if start[1] else current  # a table header, or a key in the table
                self._record(names if start[1] else current + names, number)
                continue
            if key:
                self._record(current + tuple(_split_dotted(key[1])), number)
                rest = line[key.end() :]
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:
                        in_multiline = quote

    def _record(self, path: KeyPath, number: int) -> None:
        """`path` and the tables it implies (`[a.b]` makes a) are written on line `number`,
        unless an earlier line wrote them; deeper than the file may nest is not kept."""
        for length in range(1, min(len(path), _KEPT) + 1):
            self._lines.setdefault(path[:length], number)

    def line_of(self, path: KeyPath) -> int | None:
        """The line of `path`, or of its nearest enclosing key that was found."""
        for length in range(min(len(path), _KEPT), 0, -1):
            line = self._lines.get(tuple(path[:length]))
            if line is not None:
                return line
        return None

    def written_at(self, path: KeyPath) -> KeyPath:
        """The shortest part of `path` written on the same line as `path` itself: the key a
        reader finds on that line (`x` for a value nested inside `x = [[...]]`)."""
        line = self.line_of(path)
        for length in range(1, min(len(path), _KEPT) + 1):
            if self._lines.get(tuple(path[:length])) == line:
                return tuple(path[:length])
        return tuple(path[:_KEPT])

    def key_before(self, line: int) -> KeyPath:
        """The key written on `line`, or on the nearest line above it that has one (a value
        continued over several lines), shortest first; () when there is none."""
        best: tuple[int, KeyPath] | None = None
        for path, number in self._lines.items():
            if number <= line and (
                best is None or number > best[0] or (number == best[0] and len(path) < len(best[1]))
            ):
                best = (number, path)
        return best[1] if best else ()


_KEPT = MAX_DEPTH + 1  # enough to name a path that nests too deep

# What the nesting scan stops at: string openings, comments, brackets, and what ends a dotted key.
_TOKEN = re.compile(r'"""|' + r"'''|" + r"""["'#\[\]{}.,=\n]""")
_STRING_ENDS = {
    '"""': re.compile(r'(?:[^"\\]|\\.|"(?!""))*"""(?:"{1,2}(?!"))?', re.DOTALL),
    "'''": re.compile(r"(?:[^']|'(?!''))*'''(?:'{1,2}(?!'))?", re.DOTALL),
    '"': re.compile(r'(?:[^"\\\n]|\\.)*"'),
    "'": re.compile(r"[^'\n]*'"),
}


def too_deep_in_text(text: str, limit: int = MAX_DEPTH) -> int | None:
    """The first line where brackets nest, or a dotted key has parts, more than `limit` deep,
    or None; looked for before parsing, since that is what makes tomllib recurse or crawl.

    Strings and comments are skipped. Brackets and dotted keys deeper than this are each deeper
    than the file then nests, so this never refuses a file the check after parsing would pass.
    Text that is not TOML is left to the parser to report."""
    depth = dots = 0
    position = 0
    while (token := _TOKEN.search(text, position)) is not None:
        mark, position = token[0], token.end()
        if mark in _STRING_ENDS:
            end = _STRING_ENDS[mark].match(text, position)
            if end is None:
                return None  # an unterminated string: the parser says where
            position = end.end()
            continue
        if mark == "#":
            newline = text.find("\n", position)
            position = len(text) if newline < 0 else newline
            continue
        if mark == ".":
            dots += 1
            if dots > limit:  # a key of n + 1 parts nests n tables below where it is written
                return text.count("\n", 0, token.start()) + 1
            continue
        dots = 0
        if mark in "[{":
            depth += 1
            if depth > limit:
                return text.count("\n", 0, token.start()) + 1
        elif mark in "]}":
            depth = max(depth - 1, 0)
    return None


def too_deep_in_data(data: Any, limit: int = MAX_DEPTH) -> KeyPath | None:
    """The first table or list (in file order) nested more than `limit` deep in parsed TOML,
    as its key path, or None. No recursion, so any depth is safe."""
    stack: list[tuple[KeyPath, Any]] = [((), data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            children = [(path + (key,), value) for key, value in node.items()]
        elif isinstance(node, list):
            children = [(path + (index,), value) for index, value in enumerate(node)]
        else:
            continue
        if len(path) > limit:
            return path
        stack.extend(reversed(children))
    return None
