"""The dashboard's fixtures: a copy of the session's demo warehouse with an account per role,
the app on it (Flask's test client for requests, waitress on a free port for the browser)."""

from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from application.accounts import add_account
from application.answers import Answers
from dashboard.app import create_app
from dashboard.context import Served, WebSettings
from dashboard.page_cache import page_callback_body
from estate import load_estate
from tests.conftest import DEMO_NOW
from warehouse import Warehouse

PASSWORD = "correct horse battery staple"  # every test account's: the tests sign in as each
PROVIDER_ACCOUNTS = {
    "admin": "administrator",
    "operator": "operator",
    "planner": "capacity-planner",
    "manager": "manager",
}
VIEWER = "viewer-fylde"  # the council viewer most tests sign in as
VIEWER_COUNCIL = "fylde"


@dataclass
class DemoApp:
    folder: Path
    served: Served
    app: object
    estate: object

    def client(self, address: str = "127.0.0.1"):
        client = self.app.server.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        return client


def _accounts(warehouse, estate) -> None:
    for name, role in PROVIDER_ACCOUNTS.items():
        add_account(warehouse, estate, name, role, None, PASSWORD)
    for council in estate.councils:
        add_account(warehouse, estate, f"viewer-{council.id}", "council-viewer", council.id, PASSWORD)


@pytest.fixture(scope="session")
def demo_app(demo_build, tmp_path_factory):
    """The demo behind the app, on a copy of the session's warehouse (the app holds it for
    writing, as `serve` does; the other tests read the original)."""
    paths, _truth = demo_build
    folder = tmp_path_factory.mktemp("dashboard")
    shutil.copy(paths.estate, folder / "estate.toml")
    shutil.copy(paths.warehouse, folder / "warehouse.duckdb")
    estate = load_estate(folder / "estate.toml")
    warehouse = Warehouse.open(folder / "warehouse.duckdb")
    _accounts(warehouse, estate)
    served = Served(
        estate=estate,
        warehouse=warehouse,
        answers=Answers(estate, warehouse, lambda: DEMO_NOW),
        settings=WebSettings(secret_key=b"k" * 32),
        clock=lambda: DEMO_NOW,
    )
    app = create_app(served)
    yield DemoApp(folder, served, app, estate)
    warehouse.close()


@pytest.fixture(scope="session")
def demo_server(demo_app):
    """The app on waitress at a free port on 127.0.0.1, as `serve` runs it: its base URL."""
    import waitress

    server = waitress.create_server(demo_app.app.server, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


def csrf_of(client) -> str:
    cookie = client.get_cookie("_csrf_token")
    return cookie.value if cookie else ""


def sign_in(client, username: str, password: str = PASSWORD):
    """Sign in through the form, as a browser does; returns the response to the POST."""
    client.get("/signin")
    return client.post(
        "/signin", data={"username": username, "password": password, "csrf": csrf_of(client), "next": "/"}
    )


def page_callback(client, path: str, search: str = "", *, csrf: str | None = None):
    """The callback Dash Pages runs to lay a page out, posted as dash-renderer posts it."""
    body = page_callback_body(path, search)
    headers = {"X-CSRFToken": csrf_of(client) if csrf is None else csrf}
    return client.post("/_dash-update-component", json=body, headers=headers)
