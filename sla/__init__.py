"""Service-level rules (availability, outages, error budgets, RPO, credits): pure functions."""
