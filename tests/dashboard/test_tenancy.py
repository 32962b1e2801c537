"""Tenancy: a council viewer gets nothing of another council, whatever the request says, and
every crafted request is refused and logged. Requests go through Flask's test client to the
real app (the gate, Dash's callback dispatch, the pages) on the demo warehouse.

What counts as "another council's": the other councils' ids and names, and the ids and names
of services that do not list the viewer's council, all worked out here from the estate file."""

from __future__ import annotations

import logging

import pytest

from tests.dashboard.conftest import PASSWORD, VIEWER, VIEWER_COUNCIL, page_callback, sign_in

SECURITY = "councilops.security"


def others(estate, council_id: str) -> set[str]:
    """Strings that name another council or a service that is not this council's."""
    found = set()
    for council in estate.councils:
        if council.id != council_id:
            found |= {council.name, f'"{council.id}"', f"council={council.id}"}
    for service in estate.services:
        if council_id not in service.councils:
            found |= {service.name, f'"{service.id}"'}
    return found


def assert_nothing_of_others(body: str, estate, council_id: str = VIEWER_COUNCIL) -> None:
    leaked = sorted(s for s in others(estate, council_id) if s in body)
    assert not leaked, f"another council's data in the answer: {leaked[:5]}"


@pytest.fixture
def viewer(demo_app):
    client = demo_app.client()
    response = sign_in(client, VIEWER)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    return client


def test_the_others_are_many(demo_app):
    # the check below means something only if there are other councils' names to leak
    names = others(demo_app.estate, VIEWER_COUNCIL)
    assert len([c for c in demo_app.estate.councils if c.id != VIEWER_COUNCIL]) == 6
    assert len(names) >= 20


def test_without_a_session_nothing_but_the_sign_in_page(demo_app, caplog):
    client = demo_app.client()
    page = client.get("/council?council=wyre")
    assert page.status_code == 302 and page.headers["Location"].startswith("/signin?next=")
    with caplog.at_level(logging.WARNING, logger=SECURITY):
        for response in (
            client.get("/_dash-layout"),
            client.get("/_dash-dependencies"),
            page_callback(client, "/council", "?council=wyre"),
        ):
            assert response.status_code == 401
            assert_nothing_of_others(response.get_data(as_text=True), demo_app.estate, council_id="")
    assert sum("request without a session" in r.getMessage() for r in caplog.records) == 3


def test_a_wrong_password_and_a_wrong_name_read_alike(demo_app):
    client = demo_app.client("10.0.0.7")
    wrong_password = sign_in(client, VIEWER, "not the password at all")
    wrong_name = sign_in(client, "nobody-of-that-name", PASSWORD)
    assert wrong_password.status_code == wrong_name.status_code == 401
    text = "That username and password do not match an account."
    assert text in wrong_password.get_data(as_text=True) and text in wrong_name.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still not signed in


def test_the_viewer_sees_their_own_council(viewer, demo_app):
    response = page_callback(viewer, "/council", "?month=2026-10")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Fylde Council" in body and "Not found" not in body
    assert_nothing_of_others(body, demo_app.estate)
    overview = page_callback(viewer, "/", "")
    assert "Fylde Council" in overview.get_data(as_text=True)  # a viewer lands on their council
    assert_nothing_of_others(overview.get_data(as_text=True), demo_app.estate)


@pytest.mark.parametrize(
    ("path", "search"),
    [
        ("/council", "?council=wyre"),  # an edited URL
        ("/council", "?council=wyre&month=2026-10"),
        ("/council", "?council=fylde&council=wyre"),  # the parameter twice
        ("/council", "?council=WYRE"),  # not an id's form
        ("/service", "?service=wyre-intranet"),  # another council's service
        ("/", "?council=wyre"),
        ("/backups", "?dataset=wyre-cemeteries-db"),  # another council's dataset, on a provider's page
        ("/capacity", "?server=dc1-council-tax-app01"),
        ("/capacity", ""),  # the provider's pages
        ("/under-used", ""),
        ("/backups", ""),
        ("/savings", ""),
        ("/coverage", ""),
        ("/admin", ""),
    ],
)
def test_a_crafted_page_request_gets_nothing_and_is_logged(viewer, demo_app, caplog, path, search):
    with caplog.at_level(logging.WARNING, logger=SECURITY):
        response = page_callback(viewer, path, search)
    body = response.get_data(as_text=True)
    assert_nothing_of_others(body, demo_app.estate)
    assert "Not found" in body
    assert any(r.name == SECURITY and "refused" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("account", "path", "search", "shown"),
    [
        (
            "operator",
            "/backups",
            "?month=2026-10&dataset=finance-db",
            "finance-db: recovery point age through 2026-10",
        ),
        ("operator", "/backups", "?dataset=no-such-dataset", None),
        ("operator", "/backups", "?dataset=Finance-DB", None),  # not an id's form
        (
            "planner",
            "/capacity",
            "?server=dc1-council-tax-app01",
            "dc1-council-tax-app01: CPU use by hour of week",
        ),
        ("planner", "/capacity", "?server=no-such-server", None),
    ],
)
def test_a_chosen_dataset_or_server_is_shown_or_not_found(demo_app, account, path, search, shown):
    client = demo_app.client()
    sign_in(client, account)
    body = page_callback(client, path, search).get_data(as_text=True)
    if shown is None:
        assert "Not found" in body
    else:
        assert shown in body and "Not found" not in body


def test_a_callback_without_the_csrf_token_is_refused(viewer, demo_app, caplog):
    with caplog.at_level(logging.WARNING, logger=SECURITY):
        missing = page_callback(viewer, "/council", "", csrf="")
        wrong = page_callback(viewer, "/council", "", csrf="x" * 43)
    assert missing.status_code == wrong.status_code == 403
    assert sum("CSRF" in r.getMessage() for r in caplog.records) == 2


def test_a_forged_pattern_matching_callback_sends_no_rows(viewer, demo_app):
    # the one pattern-matching callback: its answer is which grid to export, never rows
    body = {
        "output": '{"name":["ALL"],"type":"grid"}.exportDataAsCsv',
        "outputs": [{"id": {"name": "wyre-secret", "type": "grid"}, "property": "exportDataAsCsv"}],
        "inputs": [
            [
                {"id": {"name": "wyre-secret", "type": "grid-csv"}, "property": "n_clicks", "value": 1},
            ]
        ],
        "state": [
            [
                {
                    "id": {"name": "wyre-secret", "type": "grid"},
                    "property": "id",
                    "value": {"name": "wyre", "type": "grid"},
                }
            ]
        ],
        "changedPropIds": ['{"name":"wyre-secret","type":"grid-csv"}.n_clicks'],
    }
    response = viewer.post(
        "/_dash-update-component", json=body, headers={"X-CSRFToken": viewer.get_cookie("_csrf_token").value}
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert_nothing_of_others(text, demo_app.estate)
    # its whole answer: whether each grid named should export; never a row
    answered = response.get_json()["response"]
    assert answered and all(set(props) == {"exportDataAsCsv"} for props in answered.values())
    assert all(isinstance(props["exportDataAsCsv"], bool) for props in answered.values())


def test_a_malformed_callback_is_refused_not_an_error(viewer, caplog):
    body = {
        "output": "_pages_dummy.children",
        "outputs": [[1]],
        "inputs": "nonsense",
        "state": 7,
        "changedPropIds": [],
    }
    with caplog.at_level(logging.WARNING, logger=SECURITY):
        response = viewer.post(
            "/_dash-update-component",
            json=body,
            headers={"X-CSRFToken": viewer.get_cookie("_csrf_token").value},
        )
    assert response.status_code == 400 and "Traceback" not in response.get_data(as_text=True)
    assert any("a malformed callback" in r.getMessage() for r in caplog.records)


def test_a_callback_that_does_not_exist_is_refused_not_an_error(viewer, caplog):
    body = {
        "output": "..made-up.children..",
        "outputs": [{"id": "made-up", "property": "children"}],
        "inputs": [],
        "state": [],
        "changedPropIds": [],
    }
    with caplog.at_level(logging.WARNING, logger=SECURITY):
        response = viewer.post(
            "/_dash-update-component",
            json=body,
            headers={"X-CSRFToken": viewer.get_cookie("_csrf_token").value},
        )
    assert response.status_code == 400
    assert any("a callback that does not exist" in r.getMessage() for r in caplog.records)


def test_signing_out_ends_the_session(viewer):
    csrf = viewer.get_cookie("_csrf_token").value
    assert viewer.post("/signout", data={"csrf": csrf}).status_code == 302
    assert page_callback(viewer, "/council", "", csrf=csrf).status_code == 401


def test_metrics_only_from_configured_addresses(demo_app):
    assert demo_app.client("10.1.2.3").get("/metrics").status_code == 403
    local = demo_app.client("127.0.0.1").get("/metrics")
    assert local.status_code == 200 and "councilops_signin_failures_total" in local.get_data(as_text=True)


def test_security_headers_on_every_answer(viewer):
    response = viewer.get("/")
    policy = response.headers["Content-Security-Policy"]
    scripts = policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and "'self'" in scripts and "'unsafe-inline'" not in scripts
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_session_cookie_is_http_only_and_same_site(demo_app):
    client = demo_app.client()
    signed = sign_in(client, VIEWER)
    cookies = signed.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("councilops_session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    csrf_cookie = next(c for c in cookies if c.startswith("_csrf_token="))
    assert "HttpOnly" not in csrf_cookie and "SameSite=Strict" in csrf_cookie  # dash-renderer reads it


def explain_callback(client, outage: str, text: str, search: str):
    """The save-explanation callback, posted as dash-renderer posts it."""
    grid = '{"name":"council-outages","type":"grid"}'
    body = {
        "output": f"..explain-result.children...{grid}.rowData..",
        "outputs": [
            {"id": "explain-result", "property": "children"},
            {"id": {"name": "council-outages", "type": "grid"}, "property": "rowData"},
        ],
        "inputs": [{"id": "explain-save", "property": "n_clicks", "value": 1}],
        "state": [
            {"id": "explain-outage", "property": "value", "value": outage},
            {"id": "explain-cause", "property": "value", "value": "hardware"},
            {"id": "explain-ref", "property": "value", "value": "INC-7"},
            {"id": "explain-text", "property": "value", "value": text},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["explain-save.n_clicks"],
    }
    return client.post(
        "/_dash-update-component", json=body, headers={"X-CSRFToken": client.get_cookie("_csrf_token").value}
    )


def test_an_operators_explanation_reaches_the_council_and_no_other(demo_app, caplog):
    from estate.scope import Scope

    report = demo_app.served.answers.month("2026-10", Scope.council(VIEWER_COUNCIL))
    services = {s.id: s for s in demo_app.estate.services}
    # an outage of a service of fylde's that some other council does not have
    row, outage = next(
        (r, o)
        for r in report.rows
        for o in r.outages
        if any(c.id not in services[r.service_id].councils for c in demo_app.estate.councils)
    )
    outsider = next(c.id for c in demo_app.estate.councils if c.id not in services[row.service_id].councils)
    value = f"{row.service_id}|{outage.start}|{outage.end}"
    text = "A failed disk controller at dc1, replaced the same day."

    # the council viewer cannot write one, whatever the callback says
    viewer = demo_app.client()
    sign_in(viewer, VIEWER)
    with caplog.at_level(logging.WARNING, logger=SECURITY):
        forged = explain_callback(viewer, value, "forged by the viewer", "?month=2026-10")
    assert "Not found" in forged.get_data(as_text=True)
    assert any("may not write" in r.getMessage() for r in caplog.records)

    operator = demo_app.client()
    sign_in(operator, "operator")
    # an outage that is not one of the month's is refused
    wrong = explain_callback(
        operator,
        f"{row.service_id}|{outage.start + 1}|{outage.end}",
        text,
        f"?council={VIEWER_COUNCIL}&month=2026-10",
    )
    assert "No such outage in the month shown" in wrong.get_data(as_text=True)
    saved = explain_callback(operator, value, text, f"?council={VIEWER_COUNCIL}&month=2026-10")
    assert "Saved (version 1)" in saved.get_data(as_text=True)
    assert text in saved.get_data(as_text=True)  # the grid's rows come back with it

    seen = page_callback(viewer, "/council", "?month=2026-10").get_data(as_text=True)
    assert text in seen and "forged by the viewer" not in seen
    other = demo_app.client()
    sign_in(other, f"viewer-{outsider}")
    assert text not in page_callback(other, "/council", "?month=2026-10").get_data(as_text=True)
