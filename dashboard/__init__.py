"""The Dash web app (councilops serve)."""
