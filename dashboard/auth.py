"""Who is asking: sessions, sign-in and sign-out, CSRF, and the gate every request passes.

- A session is Flask's signed cookie (HttpOnly, SameSite=Lax, Secure behind TLS) holding the
  username, when the password it was opened with was set, a CSRF token and when it was last used.
  On every request the account is read again: an account removed, or its password changed,
  ends its sessions at once; an idle or over-long session is signed out.
- The scope comes from the account (`application.accounts.scope_of`), never from the request.
  `current()` is how every page and callback gets it.
- Every POST carries the session's CSRF token: Dash's renderer sends the `_csrf_token` cookie
  back as the `X-CSRFToken` header, the sign-in and sign-out forms as a field.
- A request without a valid session gets nothing but the sign-in page (pages) or a 401
  (callbacks, layouts, downloads), and is logged; so is every refusal.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import flask
from flask import Flask, g, redirect, render_template_string, request, session

from application import accounts
from application.accounts import Account, scope_of
from dashboard.context import Served
from estate.scope import Scope

SECURITY = logging.getLogger("councilops.security")

CSRF_COOKIE = "_csrf_token"
CSRF_HEADER = "X-CSRFToken"
SIGN_IN = "/signin"
SIGN_OUT = "/signout"
# reachable without a session: the sign-in page, its stylesheet, the health check and metrics
# (metrics are limited to configured addresses in the app); nothing here holds a council's data.
# The control endpoint has a check of its own (loopback and its token: councilops/serve.py).
OPEN_PATHS = (
    SIGN_IN,
    "/healthz",
    "/metrics",
    "/assets/vendor/bootstrap.min.css",
    "/assets/signin.css",
    "/control/run",
)
MAX_FIELD = 1024  # characters of a username or password read from the form


@dataclass(frozen=True)
class Viewer:
    """The signed-in user of this request."""

    account: Account
    scope: Scope

    @property
    def role(self) -> str:
        return self.account.role

    @property
    def username(self) -> str:
        return self.account.username


def current() -> Viewer:
    """The signed-in user of the request being served (the gate has set it: no page or callback
    runs without one)."""
    viewer = g.get("viewer")
    if viewer is None:  # the gate refuses such a request before any page or callback runs
        raise PermissionError("no signed-in user")
    return viewer


def refused(what: str, **details) -> None:
    """Log a refused request: who, from where, what."""
    viewer = g.get("viewer")
    who = viewer.username if viewer else "-"
    extra = " ".join(f"{k}={v!r}" for k, v in details.items())
    SECURITY.warning(
        "refused %s: user=%s address=%s %s %s %s",
        what,
        who,
        request.remote_addr,
        request.method,
        request.path,
        extra,
    )
    counter = flask.current_app.config.get("COUNCILOPS_REFUSED")
    if counter is not None:
        counter.labels(what).inc()


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def _csrf_ok(sent: str | None) -> bool:
    expected = session.get("csrf")
    return bool(expected and sent and hmac.compare_digest(expected, sent))


SIGN_IN_PAGE = """<!doctype html>
<html lang="en" data-bs-theme="light">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in - councilops</title>
<link rel="stylesheet" href="/assets/vendor/bootstrap.min.css">
<link rel="stylesheet" href="/assets/signin.css">
</head>
<body>
<main class="signin container">
  <h1 class="h3 mb-3">councilops</h1>
  <p class="text-body-secondary">Service levels, capacity and savings of the shared IT service.</p>
  {% if message %}<div class="alert alert-{{ kind }}" role="alert">{{ message }}</div>{% endif %}
  <form method="post" action="/signin">
    <input type="hidden" name="csrf" value="{{ csrf }}">
    <input type="hidden" name="next" value="{{ next }}">
    <div class="mb-3">
      <label class="form-label" for="username">Username</label>
      <input class="form-control" id="username" name="username" autocomplete="username" required
             maxlength="64" value="{{ username }}" autofocus>
    </div>
    <div class="mb-3">
      <label class="form-label" for="password">Password</label>
      <input class="form-control" id="password" name="password" type="password"
             autocomplete="current-password" required maxlength="1024">
    </div>
    <button class="btn btn-primary" type="submit">Sign in</button>
  </form>
</main>
</body>
</html>"""


def _sign_in_page(message: str = "", kind: str = "danger", username: str = "", status: int = 200):
    page = render_template_string(
        SIGN_IN_PAGE,
        message=message,
        kind=kind,
        csrf=_csrf_token(),
        next=_safe_next(request.values.get("next")),
        username=username,
    )
    return flask.Response(page, status=status, mimetype="text/html")


def install(server: Flask, served: Served) -> None:
    """The gate, the sign-in and sign-out routes, and the cookie settings, on the Flask server."""
    settings = served.settings
    server.secret_key = settings.secret_key
    server.config.update(
        SESSION_COOKIE_NAME="councilops_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=settings.longest_session_seconds,
        MAX_CONTENT_LENGTH=1024 * 1024,  # a callback's inputs are small; nothing bigger is read
    )

    def account_of_session() -> Account | None:
        username = session.get("user")
        if not username:
            return None
        now = time.time()
        if now - session.get("seen", 0) > settings.idle_timeout_seconds:
            return None
        if now - session.get("since", 0) > settings.longest_session_seconds:
            return None
        with served.warehouse.cursor() as warehouse:
            found = accounts.account(warehouse, username)
        if found is None or found.password_set_utc.isoformat() != session.get("password_set"):
            return None  # removed, or its password changed since this session began
        session["seen"] = now
        return found

    def account_of_proxy() -> Account | None:
        if not settings.trusted_user_header or not settings.from_trusted_proxy(request.remote_addr):
            return None
        username = request.headers.get(settings.trusted_user_header, "")[:64].strip().lower()
        if not username:
            return None
        with served.warehouse.cursor() as warehouse:
            return accounts.account(warehouse, username)

    @server.before_request
    def gate():
        g.viewer = None
        if request.path in OPEN_PATHS:
            return None
        account = account_of_proxy() or account_of_session()
        if account is None:
            had_session = bool(session.get("user"))
            if had_session:
                session.clear()
            if request.method == "GET" and not request.path.startswith("/_"):
                target = request.full_path if request.query_string else request.path
                return redirect(f"{SIGN_IN}?next={quote(target, safe='')}")
            refused("request without a session", had_session=had_session)
            return flask.Response('{"error": "sign in first"}', status=401, mimetype="application/json")
        g.viewer = Viewer(account, scope_of(account))
        if request.method not in ("GET", "HEAD") and not _csrf_ok(
            request.headers.get(CSRF_HEADER) or request.form.get("csrf")
        ):
            refused("POST without the session's CSRF token")
            return flask.Response(
                '{"error": "CSRF token missing or wrong"}', status=403, mimetype="application/json"
            )
        return None

    @server.after_request
    def csrf_cookie(response: flask.Response) -> flask.Response:
        if "csrf" in session:
            # readable by the page's script (not HttpOnly): dash-renderer sends it back as a header
            response.set_cookie(
                CSRF_COOKIE,
                session["csrf"],
                samesite="Strict",
                secure=settings.secure_cookies,
                httponly=False,
            )
        return response

    @server.route(SIGN_IN, methods=["GET", "POST"])
    def sign_in():
        if request.method == "GET":
            return _sign_in_page()
        if not _csrf_ok(request.form.get("csrf")):
            refused("sign-in without the page's CSRF token")
            return _sign_in_page("The sign-in form had expired; please try again.", status=400)
        username = request.form.get("username", "")[:MAX_FIELD].strip().lower()
        password = request.form.get("password", "")[:MAX_FIELD]
        address = request.remote_addr or "-"

        def check(name: str, secret: str):
            with served.warehouse.cursor() as warehouse:
                return accounts.signed_in(warehouse, name, secret)

        result = served.guard.sign_in(address, username, password, check)
        if result.account is None:
            if result.retry_after_seconds is not None:
                minutes = max(1, round(result.retry_after_seconds / 60))
                refused("sign-in over its limit", username=username, limit=result.refused_for)
                return _sign_in_page(
                    f"Too many failed sign-ins; try again in {minutes} minute(s).",
                    username=username,
                    status=429,
                )
            SECURITY.info("sign-in failed: username=%r address=%s", username, address)
            return _sign_in_page(
                "That username and password do not match an account.", username=username, status=401
            )
        target = _safe_next(request.form.get("next"))
        session.clear()  # a new session on signing in: nothing carried over from before
        session.permanent = True
        now = time.time()
        session.update(
            user=result.account.username,
            password_set=result.account.password_set_utc.isoformat(),
            since=now,
            seen=now,
            csrf=secrets.token_urlsafe(32),
        )
        SECURITY.info("signed in: username=%r role=%s address=%s", username, result.account.role, address)
        return redirect(target)

    @server.route(SIGN_OUT, methods=["POST"])
    def sign_out():
        viewer = g.get("viewer")
        session.clear()
        if viewer is not None:
            SECURITY.info("signed out: username=%r", viewer.username)
        response = redirect(SIGN_IN)
        response.delete_cookie(CSRF_COOKIE)
        return response
