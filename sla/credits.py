"""Service credits: tiers of availability below target map to a share of the monthly charge.

A tier reads "availability strictly below X % earns Y % of the monthly charge". When several
tiers apply, the largest credit applies (tiers do not add up). Availability is compared at full
precision. The credit is rounded to the penny, half up. No measured time means no figure and
no credit, and the result says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from estate.model import CreditTier

PENNY = Decimal("0.01")


def credit_percent(availability: Fraction | None, tiers: Sequence[CreditTier]) -> Decimal:
    if availability is None:
        return Decimal(0)
    applicable = [t.credit_percent for t in tiers if availability * 100 < Fraction(t.below_percent)]
    return max(applicable, default=Decimal(0))


def credit_gbp(
    availability: Fraction | None, tiers: Sequence[CreditTier], monthly_charge_gbp: Decimal | None
) -> Decimal:
    """The credit to the penny; nothing without a charge (a contract without tiers needs none)."""
    share = credit_percent(availability, tiers)
    if monthly_charge_gbp is None:
        return Decimal("0.00")
    return (monthly_charge_gbp * share / 100).quantize(PENNY, rounding=ROUND_HALF_UP)
