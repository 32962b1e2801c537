"""Pages kept per state of the warehouse and kind of viewer (dashboard/page_cache.py): a page
asked again is served from what was kept, never across councils or roles, and laid out afresh
after a write."""

from __future__ import annotations

from dashboard.page_cache import PageCache, page_request
from tests.dashboard.conftest import page_callback, sign_in


def test_kept_per_council_and_role_and_forgotten_on_a_write(demo_app):
    pages = demo_app.app.councilops_pages
    fylde, wyre, operator = demo_app.client(), demo_app.client(), demo_app.client()
    sign_in(fylde, "viewer-fylde")
    sign_in(wyre, "viewer-wyre")
    sign_in(operator, "operator")
    first = page_callback(fylde, "/council", "?month=2026-09").get_data()
    hits = pages.hits
    again = page_callback(fylde, "/council", "?month=2026-09").get_data()
    assert again == first and pages.hits == hits + 1  # the second from what was kept
    other = page_callback(wyre, "/council", "?month=2026-09").get_data()
    assert b"Wyre Council" in other and b"Fylde Council" not in other  # never another council's
    assert b"Fylde Council" in first and b"Wyre Council" not in first
    as_operator = page_callback(operator, "/council", "?council=fylde&month=2026-09").get_data()
    assert as_operator != first  # another role, another key (and a provider's view)
    demo_app.served.answers.touched()  # a write: what was laid out before is stale
    hits = pages.hits
    page_callback(fylde, "/council", "?month=2026-09")
    assert pages.hits == hits


def test_which_requests_are_page_requests():
    body = {
        "output": ".._pages_content.children..._pages_store.data..",
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": "/council"},
            {"id": "_pages_location", "property": "search", "value": "?month=2026-10"},
        ],
    }
    assert page_request(body) == ("/council", "?month=2026-10")
    assert page_request({**body, "output": "coverage-check-result.children"}) is None
    assert (
        page_request({**body, "inputs": [{"id": "_pages_location", "property": "pathname", "value": 7}]})
        is None
    )
    assert page_request("nonsense") is None
    assert PageCache.key("/admin", "", None, "administrator", 3) is None  # the accounts: never kept
