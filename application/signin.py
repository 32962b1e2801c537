"""Sign-in rate limits (issue 13, item 4): per account and per address, so a guessing run is
slowed whichever it varies, and a refused attempt costs no password hash.

A failed sign-in is remembered against the username tried and the address it came from, for
`window_seconds`. While either has `per_account` (or `per_address`) failures inside the window, a
further attempt is refused without checking the password, and says when to try again: when the
oldest of those failures leaves the window. A refused attempt is not itself counted, so waiting
always works. A successful sign-in clears its account's failures (not its address's: one good
password must not reset a run against others). At most `max_tracked` usernames and addresses are
remembered, the least recently failed forgotten first, so memory stays bounded whatever is sent.
Thread-safe: the served app signs in from several threads.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from application.accounts import Account


@dataclass(frozen=True)
class Limits:
    per_account: int = 5  # failures within the window before an account's attempts are refused
    per_address: int = 20  # from one address, over every username it tries
    window_seconds: float = 15 * 60
    max_tracked: int = 10_000  # usernames and addresses remembered, each


@dataclass(frozen=True)
class SignInResult:
    account: Account | None  # signed in; None when refused or wrong
    retry_after_seconds: float | None = None  # set when refused for too many failures
    refused_for: str | None = None  # "account" or "address"


class SignInGuard:
    def __init__(self, limits: Limits = Limits(), clock: Callable[[], float] | None = None):
        self.limits = limits
        self._clock = clock or time.monotonic
        self._lock = threading.Lock()
        self._failures: dict[str, OrderedDict[str, deque[float]]] = {
            "account": OrderedDict(),
            "address": OrderedDict(),
        }
        self.failed = 0  # wrong name or password, counted for /metrics
        self.refused = 0  # refused for too many failures

    def sign_in(
        self, address: str, username: str, password: str, check: Callable[[str, str], Account | None]
    ) -> SignInResult:
        """`check(username, password)` (accounts.signed_in on a warehouse) runs only when neither
        the account nor the address is over its limit."""
        now = self._clock()
        with self._lock:
            for kind, key, limit in (
                ("account", username, self.limits.per_account),
                ("address", address, self.limits.per_address),
            ):
                recent = self._recent(kind, key, now)
                if len(recent) >= limit:
                    self.refused += 1
                    return SignInResult(None, recent[0] + self.limits.window_seconds - now, kind)
        account = check(username, password)  # outside the lock: a hash takes tens of milliseconds
        with self._lock:
            if account is None:
                self.failed += 1
                self._remember("account", username, now)
                self._remember("address", address, now)
            else:
                self._failures["account"].pop(username, None)
        return SignInResult(account)

    def _recent(self, kind: str, key: str, now: float) -> deque[float]:
        found = self._failures[kind].get(key, deque())
        while found and found[0] <= now - self.limits.window_seconds:
            found.popleft()
        return found

    def _remember(self, kind: str, key: str, now: float) -> None:
        table = self._failures[kind]
        found = table.pop(key, None) or deque()
        found.append(now)
        limit = self.limits.per_account if kind == "account" else self.limits.per_address
        while len(found) > limit:  # more than the limit is never needed to refuse
            found.popleft()
        table[key] = found  # the most recently failed last
        while len(table) > self.limits.max_tracked:
            table.popitem(last=False)
