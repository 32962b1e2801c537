"""The callbacks' JSON through orjson in one pass (dashboard/fast_json.py) parses to exactly what
plotly's encoder gives, on every page the demo lays out, with plotly's escapes."""

from __future__ import annotations

import json
from decimal import Decimal

import dash._callback
import numpy as np
from plotly.io._json import to_json_plotly

from dashboard import fast_json
from dashboard.pages import PAGES
from tests.dashboard.conftest import page_callback, sign_in

QUERIES = {
    "/council": "?council=fylde&month=2026-10",
    "/service": "?service=email&month=2026-10",
    "/backups": "?month=2026-10&dataset=finance-db",
    "/capacity": "?server=dc1-council-tax-app01",
}


def test_every_page_encodes_as_plotly_encodes_it(demo_app, monkeypatch):
    compared = []

    def both(value):
        fast = fast_json.to_json(value)
        assert json.loads(fast) == json.loads(to_json_plotly(value))
        assert "</" not in fast and "\u2028" not in fast  # safe inside a script element too
        compared.append(len(fast))
        return fast

    monkeypatch.setattr(dash._callback, "to_json", both)
    client = demo_app.client()
    sign_in(client, "admin")
    for page in PAGES:
        demo_app.served.answers.touched()  # laid out afresh, not served from the page cache
        response = page_callback(client, page.path, QUERIES.get(page.path, ""))
        assert response.status_code == 200, page.path
    assert len(compared) == len(PAGES) and min(compared) > 1000


def test_what_orjson_cannot_encode_goes_to_plotly():
    value = {"a": Decimal("1.5"), "b": np.array([1.0, np.nan]), "c": "</script>"}
    assert fast_json.to_json(value) == to_json_plotly(value)
    plain = {"b": np.array([1.0, np.nan]), "c": "</script>\u2028"}
    assert json.loads(fast_json.to_json(plain)) == json.loads(to_json_plotly(plain))
    assert "</" not in fast_json.to_json(plain)
