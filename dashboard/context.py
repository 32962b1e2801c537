"""What the served app is given: the estate, the answers, the sign-in guard, the settings.

`councilops serve` builds one `Served` around the warehouse it owns; the tests build their own
with a clock and a warehouse of their choosing. Nothing here reads a request.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from application.answers import Answers
from application.signin import SignInGuard
from estate.model import Estate

IDLE_TIMEOUT_SECONDS = 30 * 60  # a session unused this long is signed out (NCSC: short for shared PCs)
LONGEST_SESSION_SECONDS = 12 * 3600  # and any session after a working day, used or not


@dataclass(frozen=True)
class WebSettings:
    secret_key: bytes  # signs the session cookies; from the secret file beside the warehouse
    secure_cookies: bool = False  # True behind TLS: cookies are then sent over HTTPS only
    idle_timeout_seconds: int = IDLE_TIMEOUT_SECONDS
    longest_session_seconds: int = LONGEST_SESSION_SECONDS
    # single sign-on through a reverse proxy: the header naming the signed-in user, honoured only
    # from these addresses; off (None) by default
    trusted_user_header: str | None = None
    trusted_proxies: tuple[str, ...] = ()
    # who may read /metrics (no council's figures are in it, but the collection's state is)
    metrics_from: tuple[str, ...] = ("127.0.0.1/32", "::1/128")

    def from_trusted_proxy(self, address: str | None) -> bool:
        return _within(address, self.trusted_proxies)

    def may_read_metrics(self, address: str | None) -> bool:
        return _within(address, self.metrics_from)


def _within(address: str | None, networks: tuple[str, ...]) -> bool:
    if not address or not networks:
        return False
    try:
        where = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(where in ipaddress.ip_network(n, strict=False) for n in networks)


@dataclass
class Served:
    """One served process's state, shared by every request thread."""

    estate: Estate
    warehouse: object  # the owner's Warehouse; each request works on a cursor of its own
    answers: Answers
    settings: WebSettings
    clock: Callable[[], datetime]
    guard: SignInGuard = field(default_factory=SignInGuard)
    # the explanation writer, the collection's state and the like are added by `serve`
    collection_state: Callable[[], dict] = lambda: {}
