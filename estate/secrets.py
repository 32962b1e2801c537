"""Secrets never live in the estate file, a message, a log or the warehouse.

`url_secret` says why a URL carries a credential (user information, or a query parameter that
looks like a token); `redacted` blanks anything that looks like one in a text about to be
shown or stored: a second line of defence behind the check that refuses them in the file."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

SECRET_NAMES = re.compile(r"(token|key|password|passwd|pwd|secret|auth|signature|sig)", re.IGNORECASE)
_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/@\s:]*(:[^/@\s]*)?@", re.IGNORECASE)
_QUERY_SECRET = re.compile(
    r"([?&;](?:[a-z0-9_.-]*(?:token|key|password|passwd|pwd|secret|auth|signature|sig)[a-z0-9_.-]*)=)[^&\s'\"]+",
    re.IGNORECASE,
)


def url_secret(url: str) -> str | None:
    """Why `url` carries a credential, or None."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        return "it carries a user name or password"
    for name, _ in parse_qsl(parts.query, keep_blank_values=True):
        if SECRET_NAMES.search(name):
            return f"its query carries {name!r}"
    return None


def redacted(text: str) -> str:
    """`text` with URL user information and secret-looking query values replaced by ***."""
    return _QUERY_SECRET.sub(r"\1***", _USERINFO.sub(r"\1***@", text))
