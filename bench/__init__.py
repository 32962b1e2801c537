"""Benchmarks that print ratios against a baseline measured in the same run (docs/performance.md).

Run each from the project root as a module, e.g. `python -m bench.collect_backfill`, so the test
harness it reuses (tests.collectors.prometheus_server) imports as a package.
"""
