"""Pages laid out once per state of the warehouse, for each kind of viewer.

A page's layout depends only on the page and its query, the viewer's scope and role, and the
answers it shows; so the answer to Dash's page callback is kept, keyed by all of those and by
the answers' generation (`Answers.generation`, moved on by every write the process makes: a
collection, a load, an explanation). A council viewer's key holds their council, so nothing laid
out for one council is ever served to another. The Administration page (the accounts) is never
kept. At most `KEPT` answers are kept, the least recently used going first.

The static files Dash serves (fingerprinted scripts and styles) are compressed once each
(`StaticCompressed`, flask-compress's cache), not on every load.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

PAGES_OUTPUT = ".._pages_content.children..._pages_store.data.."
NEVER_KEPT = ("/admin",)
KEPT = 256  # answers of up to ~200 KB each: at most ~50 MB


def page_callback_body(path: str, search: str = "") -> dict:
    """The body dash-renderer posts to lay out the page at `path` with `search` (what
    `page_request` reads back): for the tests and the benchmark, which post it themselves."""
    return {
        "output": PAGES_OUTPUT,
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }


def page_request(body) -> tuple[str, str] | None:
    """(pathname, search) of a page callback's body; None for any other callback."""
    if not isinstance(body, dict) or body.get("output") != PAGES_OUTPUT:
        return None
    values = {}
    for item in body.get("inputs") or []:
        if isinstance(item, dict) and item.get("id") == "_pages_location":
            values[item.get("property")] = item.get("value")
    path, search = values.get("pathname"), values.get("search") or ""
    if not isinstance(path, str) or not isinstance(search, str) or len(path) + len(search) > 512:
        return None
    return path, search


class PageCache:
    def __init__(self):
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple, bytes] = OrderedDict()
        self.hits = 0

    @staticmethod
    def key(path: str, search: str, council_id: str | None, role: str, generation: int) -> tuple | None:
        if path in NEVER_KEPT:
            return None
        return (path, search, council_id, role, generation)

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                self.hits += 1
            return found

    def put(self, key: tuple, body: bytes) -> None:
        with self._lock:
            self._kept[key] = body
            self._kept.move_to_end(key)
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)


STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/")


class StaticCompressed:
    """flask-compress's cache, for static files only: everything else is compressed afresh."""

    def __init__(self):
        self._lock = threading.Lock()
        self._kept: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._kept.get(key)

    def set(self, key: str, value: bytes) -> None:
        if key.split(";", 1)[-1].startswith(STATIC_PREFIXES) and len(self._kept) < 1024:
            with self._lock:
                self._kept[key] = value


def static_key(request) -> str:
    return request.full_path
