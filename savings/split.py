"""Splitting a shared cost across councils so that the parts add up to the total to the penny.

Each council's exact share (total x its weight / all weights) is rounded down to the penny; the
pennies left over go one each to the councils with the largest remainders (ties: the larger
weight, then the council id). This is the largest-remainder method: no council is ever more
than a penny from its exact share, and the parts always add up to the total.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

PENNY = Decimal("0.01")


def split(total: Decimal, weights: Mapping[str, Fraction | Decimal | int | float]) -> dict[str, Decimal]:
    """`total` (pounds, to the penny, may be negative) split in proportion to `weights`."""
    exact_weights = {
        k: Fraction(v) if not isinstance(v, float) else Fraction(Decimal(repr(v))) for k, v in weights.items()
    }
    if any(w < 0 for w in exact_weights.values()):
        raise ValueError("weights must not be negative")
    whole = sum(exact_weights.values(), Fraction(0))
    if not exact_weights:
        raise ValueError("nobody to split the cost between")
    if whole == 0:  # nothing measured: split evenly rather than not at all
        exact_weights = dict.fromkeys(exact_weights, Fraction(1))
        whole = Fraction(len(exact_weights))
    pennies = int((total / PENNY).to_integral_value())
    if Decimal(pennies) * PENNY != total:
        raise ValueError(f"{total} is not a whole number of pennies")
    sign = -1 if pennies < 0 else 1
    pennies = abs(pennies)
    shares = {k: Fraction(pennies) * w / whole for k, w in exact_weights.items()}
    floors = {k: int(s.__floor__()) for k, s in shares.items()}
    left = pennies - sum(floors.values())
    order = sorted(shares, key=lambda k: (-(shares[k] - floors[k]), -exact_weights[k], k))
    for k in order[:left]:
        floors[k] += 1
    return {k: (Decimal(sign * floors[k]) * PENNY).quantize(PENNY, rounding=ROUND_FLOOR) for k in weights}
