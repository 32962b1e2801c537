"""PDF reports: context (pure), templates, rendering and the archive of issued reports."""
