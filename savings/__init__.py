"""Savings rules (cost model, savings against target, per-council split): pure functions."""
