"""Outage explanations: what operators and administrators say an outage was, for the council.

An outage is known by its service and the instant it began. An explanation names its cause
(one of `CAUSES`), an incident reference and a text; it is kept with who wrote it and when.
Writing again adds a version: the latest is shown, every version is kept, nothing is deleted.
Only an outage the writer can see in that month's figures can be explained (the dashboard
passes the outage from the month it shows; it is checked against the month here), and only by
an operator or an administrator. A council sees the explanations of its own services' outages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from application.accounts import Account
from estate.model import Estate
from estate.scope import Scope
from sla import calendar as cal

CAUSES = (
    "hardware",
    "software",
    "network",
    "power or cooling",
    "planned change overran",
    "unplanned change",
    "third-party supplier",
    "security incident",
    "monitoring fault (service was up)",
    "under investigation",
    "other",
)
WRITERS = ("administrator", "operator")
INCIDENT_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._/#:-]{0,63}")
MAX_TEXT = 2000  # characters of explanation: a paragraph for the council, not the incident log


class ExplanationError(ValueError):
    """An explanation that cannot be kept; the message says why."""


@dataclass(frozen=True)
class Explanation:
    service_id: str
    outage_start_utc: datetime
    outage_end_utc: datetime
    version: int
    cause: str
    incident_ref: str
    text: str
    written_by: str
    written_at_utc: datetime

    @property
    def shown(self) -> str:
        ref = f" ({self.incident_ref})" if self.incident_ref else ""
        return f"{self.cause}{ref}: {self.text}"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def explain(
    warehouse,
    estate: Estate,
    author: Account,
    scope: Scope,
    outage: tuple[str, int, int],
    cause: str,
    incident_ref: str,
    text: str,
    known_outages: Iterable[tuple[str, int, int]],
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Explanation:
    """Keep the next version of an outage's explanation. `outage` is (service id, start, end)
    in UTC seconds; it must be one of `known_outages` (the month's, as the writer's scope sees
    them)."""
    if author.role not in WRITERS:
        raise ExplanationError("only operators and administrators explain outages")
    service_id, start, end = outage
    if service_id not in {s.id for s in scope.services(estate)} or outage not in set(known_outages):
        raise ExplanationError("no such outage in the month shown")
    cause = (cause or "").strip()
    if cause not in CAUSES:
        raise ExplanationError(f"the cause is one of: {', '.join(CAUSES)}")
    incident_ref = (incident_ref or "").strip()
    if incident_ref and not INCIDENT_REF.fullmatch(incident_ref):
        raise ExplanationError("an incident reference is up to 64 letters, digits and . _ / # : -")
    text = (text or "").strip()
    if not text:
        raise ExplanationError("say what happened: the explanation is empty")
    if len(text) > MAX_TEXT:
        raise ExplanationError(f"an explanation is at most {MAX_TEXT:,} characters ({len(text):,} given)")
    at = clock()
    start_at, end_at = cal.from_utc_seconds(start), cal.from_utc_seconds(end)
    version = warehouse.add_explanation(
        service_id, start_at, end_at, cause, incident_ref, text, author.username, at
    )
    return Explanation(service_id, start_at, end_at, version, cause, incident_ref, text, author.username, at)


def explanations_for(
    warehouse, estate: Estate, scope: Scope, outages: Iterable[tuple[str, int, int]]
) -> dict[tuple[str, int], list[Explanation]]:
    """Every version (oldest first) of the explanations of these outages (service id, start,
    end in UTC seconds), keyed by (service id, start) as given, of the scope's services only.
    An outage clipped at a month's start (it began in the month before) finds the explanation
    of the outage it continues: the one of its service that began earlier and ran into it."""
    outages = list(outages)
    if not outages:
        return {}
    visible = {s.id for s in scope.services(estate)}
    services = sorted({service for service, _, _ in outages if service in visible})
    if not services:
        return {}
    lo = min(start for _, start, _ in outages)
    hi = max(end for _, _, end in outages)
    rows = warehouse.explanations(cal.from_utc_seconds(lo - 1), cal.from_utc_seconds(hi), services)
    by_outage: dict[tuple[str, int], list[Explanation]] = {}
    for row in rows:
        explanation = Explanation(
            row.service_id,
            _aware(row.outage_start_utc),
            _aware(row.outage_end_utc),
            row.version,
            row.cause,
            row.incident_ref,
            row.explanation,
            row.written_by,
            _aware(row.written_at_utc),
        )
        by_outage.setdefault((row.service_id, cal.utc_seconds(explanation.outage_start_utc)), []).append(
            explanation
        )
    found: dict[tuple[str, int], list[Explanation]] = {}
    for service, start, _end in outages:
        if service not in visible:
            continue
        if (service, start) in by_outage:
            found[(service, start)] = by_outage[(service, start)]
            continue
        # clipped at the month's start: the outage of this service that began before and ran into it
        earlier = [
            versions
            for (s, began), versions in by_outage.items()
            if s == service and began < start and cal.utc_seconds(versions[-1].outage_end_utc) >= start
        ]
        if earlier:
            found[(service, start)] = max(earlier, key=lambda v: cal.utc_seconds(v[0].outage_start_utc))
    return found
