"""Who may see what: the signed-in user's scope, applied where the rows are read.

A provider role (administrator, operator, capacity planner, manager) sees every council; a
council viewer sees one. Every application function takes a `Scope` and reads only the rows it
allows, so a council-scoped call never loads another council's rows (Grafana #22742 is what
happens when the rule is bolted onto each screen instead):

- a council's **services** are those it buys (the service lists the council);
- its **endpoints** and **datasets** are those of its services;
- its **servers** are the ones dedicated to it: every service the server runs is bought by that
  council alone. A shared server carries other councils' work, so its figures are the provider's.

Questions about the whole estate (time remaining per site, the site-loss check, the
consolidation plan, savings, collection health) are the provider's: a council scope is refused
with `OutOfScope` before anything is read.
"""

from __future__ import annotations

from dataclasses import dataclass

from estate.model import Council, Estate, Server, Service


class OutOfScope(Exception):
    """The question is not one the caller's scope may ask."""


@dataclass(frozen=True)
class Scope:
    council_id: str | None  # None: every council (the provider's roles)

    @classmethod
    def provider(cls) -> Scope:
        return cls(None)

    @classmethod
    def council(cls, council_id: str) -> Scope:
        return cls(council_id)

    @property
    def is_provider(self) -> bool:
        return self.council_id is None

    def check(self, estate: Estate) -> None:
        """A council scope names a council of the estate (UnknownId otherwise)."""
        if self.council_id is not None:
            estate.council(self.council_id)

    def require_provider(self, question: str) -> None:
        if not self.is_provider:
            raise OutOfScope(f"{question} covers the whole estate: it is for the provider's roles only")

    def councils(self, estate: Estate) -> tuple[Council, ...]:
        self.check(estate)
        return tuple(c for c in estate.councils if self.council_id in (None, c.id))

    def services(self, estate: Estate) -> tuple[Service, ...]:
        self.check(estate)
        return tuple(s for s in estate.services if self.council_id is None or self.council_id in s.councils)

    def servers(self, estate: Estate) -> tuple[Server, ...]:
        self.check(estate)
        if self.council_id is None:
            return estate.servers
        buyers = {s.id: s.councils for s in estate.services}
        return tuple(
            server
            for server in estate.servers
            if server.services and all(buyers[s] == (self.council_id,) for s in server.services)
        )

    def endpoint_ids(self, estate: Estate) -> list[str] | None:
        """The endpoint ids (`service@site`) it may read, None for every one."""
        if self.is_provider:
            return None
        return sorted({f"{s.id}@{e.site}" for s in self.services(estate) for e in s.endpoints})

    def service_ids(self, estate: Estate) -> list[str] | None:
        return None if self.is_provider else sorted(s.id for s in self.services(estate))

    def dataset_ids(self, estate: Estate) -> list[str] | None:
        if self.is_provider:
            return None
        return sorted(d.id for s in self.services(estate) for d in s.datasets)

    def server_ids(self, estate: Estate) -> list[str] | None:
        return None if self.is_provider else sorted(s.id for s in self.servers(estate))


PROVIDER = Scope.provider()
