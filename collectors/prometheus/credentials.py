"""A site's credentials, read from where the estate says (an environment variable or a file).

The estate file names where a secret is, never the secret itself. Both HTTP clients of a site
(`source`, httpx, for the measured bulk path; `metadata`, prometheus-api-client, for the small
metadata queries) read it through here, so a missing secret is the same one-line message.
The secrets are kept out of every repr, so they cannot reach a message or a log by accident.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from estate.model import BasicAuth, BearerAuth, Site


class SourceConfigError(ValueError):
    """The site's settings cannot be used (a secret missing); the message names the site and key."""


def read_secret(
    site: Site, key: str, env_name: str | None, file_name: str | None, environ: Mapping[str, str]
) -> str:
    """The secret `key` (password, token) from the environment variable or the file named."""
    if env_name:
        if env_name not in environ:
            raise SourceConfigError(f"site {site.id}: auth.{key}_env names {env_name!r}, which is not set")
        return environ[env_name]
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise SourceConfigError(
                f"site {site.id}: auth.{key}_file {file_name!r}: {error.strerror}"
            ) from None
    raise SourceConfigError(f"site {site.id}: auth needs {key}_env or {key}_file")


@dataclass(frozen=True)
class Credentials:
    """What a request to the site carries: basic auth, a bearer token, or nothing."""

    username: str | None = None
    password: str | None = field(default=None, repr=False)
    bearer_token: str | None = field(default=None, repr=False)

    @property
    def basic(self) -> tuple[str, str] | None:
        return (self.username, self.password or "") if self.username is not None else None


def credentials_for(site: Site, environ: Mapping[str, str]) -> Credentials:
    """The site's credentials; SourceConfigError when a secret it names cannot be read."""
    if isinstance(site.auth, BasicAuth):
        password = read_secret(site, "password", site.auth.password_env, site.auth.password_file, environ)
        return Credentials(username=site.auth.username, password=password)
    if isinstance(site.auth, BearerAuth):
        token = read_secret(site, "token", site.auth.token_env, site.auth.token_file, environ)
        return Credentials(bearer_token=token)
    return Credentials()


def tls_settings(site: Site) -> tuple[bool | str, str | tuple[str, str] | None]:
    """(verify, client certificate) as both HTTP clients take them: verify is False when
    `insecure_skip_verify`, else the CA file, else True; the certificate is (cert, key), the
    cert file alone, or None."""
    if site.tls is None:
        return True, None
    verify: bool | str = False if site.tls.insecure_skip_verify else (site.tls.ca_file or True)
    cert: str | tuple[str, str] | None = None
    if site.tls.cert_file:
        cert = (site.tls.cert_file, site.tls.key_file) if site.tls.key_file else site.tls.cert_file
    return verify, cert
