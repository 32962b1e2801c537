"""The application layer: one module per question a user brings, each a function of (estate,
warehouse, period or as-of, scope) returning typed, immutable answers. The command line, the
dashboard and the reports call only this layer (and collectors/ for a collection run)."""
