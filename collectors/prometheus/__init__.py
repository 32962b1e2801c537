"""Collecting from a site's Prometheus (or anything that speaks its HTTP API: Thanos, Mimir,
VictoriaMetrics). Issue 3 builds this package; so far it holds the answer parser."""
