"""Sign-in rate limits (issue 13, item 4), worked by hand on a clock the test moves."""

from __future__ import annotations

from datetime import UTC, datetime

from application.accounts import Account
from application.signin import Limits, SignInGuard

WHEN = datetime(2026, 12, 1, tzinfo=UTC)
ALICE = Account("alice", "manager", None, WHEN, WHEN)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Check:
    """alice's password is 'right'; counts the checks made (each would be an argon2 hash)."""

    def __init__(self):
        self.calls = 0

    def __call__(self, username: str, password: str):
        self.calls += 1
        return ALICE if (username, password) == ("alice", "right") else None


def test_five_failures_refuse_the_account_until_the_first_leaves_the_window():
    clock, check = Clock(), Check()
    guard = SignInGuard(Limits(per_account=5, per_address=100, window_seconds=900), clock)
    for k in range(5):  # failures at 1000, 1010, ..., 1040
        clock.now = 1000 + 10 * k
        assert guard.sign_in("10.0.0.1", "alice", "wrong", check).account is None
    clock.now = 1100
    refused = guard.sign_in("10.0.0.9", "alice", "right", check)  # even the right password, from elsewhere
    # the first failure (1000) leaves the 900 s window at 1900: 800 s from 1100
    assert (refused.account, refused.retry_after_seconds, refused.refused_for) == (None, 800.0, "account")
    assert check.calls == 5 and guard.refused == 1 and guard.failed == 5  # refused: no hash spent
    clock.now = 1900  # the failure at 1000 is out; four remain
    assert guard.sign_in("10.0.0.9", "alice", "right", check).account == ALICE
    # a success clears the account's failures: five more are allowed before the next refusal
    for _ in range(5):
        assert guard.sign_in("10.0.0.9", "alice", "wrong", check).retry_after_seconds is None
    assert guard.sign_in("10.0.0.9", "alice", "right", check).refused_for == "account"


def test_one_address_trying_many_names_is_refused_by_its_address():
    clock, check = Clock(), Check()
    guard = SignInGuard(Limits(per_account=5, per_address=20, window_seconds=900), clock)
    for k in range(20):  # twenty names, one failure each: no account reaches five
        assert guard.sign_in("192.0.2.7", f"user{k}", "guess", check).refused_for is None
    refused = guard.sign_in("192.0.2.7", "alice", "right", check)
    assert refused.refused_for == "address" and refused.retry_after_seconds == 900.0
    assert guard.sign_in("192.0.2.8", "alice", "right", check).account == ALICE  # another address


def test_what_is_remembered_is_bounded_whatever_is_sent():
    clock, check = Clock(), Check()
    guard = SignInGuard(Limits(per_account=5, per_address=5, window_seconds=900, max_tracked=100), clock)
    for k in range(1000):
        guard.sign_in(f"198.51.100.{k}", f"name{k}", "x", check)
    assert len(guard._failures["account"]) == 100 and len(guard._failures["address"]) == 100
    assert "name999" in guard._failures["account"] and "name0" not in guard._failures["account"]
