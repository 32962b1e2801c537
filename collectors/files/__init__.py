"""Sources a provider has beside Prometheus: exported files (backup reports, CMDB, change calendar)."""
