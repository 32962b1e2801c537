"""Capacity rules (utilisation profiles, under-use, time remaining, site loss): pure functions."""
