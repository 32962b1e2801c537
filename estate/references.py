"""Rules that relate one part of the estate file to another.

They run on the parsed TOML (plain dicts and lists), tolerating parts that are missing or of the
wrong type, so that one run reports broken references alongside structural problems elsewhere.
Each finding is (key path, message); the loader adds the file and line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from estate.locate import KeyPath

Finding = tuple[KeyPath, str]


def _items(data: dict, key: str) -> list[tuple[int, dict]]:
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def _ids(data: dict, key: str) -> set[str]:
    return {item["id"] for _, item in _items(data, key) if isinstance(item.get("id"), str)}


def _duplicates(entries: list[tuple[KeyPath, Any]], label: str) -> Iterator[Finding]:
    counts = Counter(value for _, value in entries if isinstance(value, str))
    first_at: dict[str, KeyPath] = {}
    for path, value in entries:
        if not isinstance(value, str) or counts[value] < 2:
            continue
        if value in first_at:
            yield path, f"duplicate {label} {value!r}: already used at {_show(first_at[value])}"
        else:
            first_at[value] = path


def _show(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _unknown(path: KeyPath, value: Any, known: set[str], what: str) -> Iterator[Finding]:
    if isinstance(value, str) and value not in known:
        choices = ", ".join(sorted(known)) or "none are defined"
        yield path, f"unknown {what} {value!r} (known: {choices})"


def _each_reference(path: KeyPath, values: Any, known: set[str], what: str) -> Iterator[Finding]:
    if isinstance(values, list):
        for index, value in enumerate(values):
            yield from _unknown(path + (index,), value, known, what)


def check_references(data: dict) -> list[Finding]:
    return list(_check(data))


def _check(data: dict) -> Iterator[Finding]:
    sites, councils, services = _ids(data, "sites"), _ids(data, "councils"), _ids(data, "services")

    for key, label in (
        ("sites", "site id"),
        ("councils", "council id"),
        ("services", "service id"),
        ("servers", "server id"),
    ):
        yield from _duplicates([((key, i, "id"), item.get("id")) for i, item in _items(data, key)], label)
    datasets = [
        (("services", i, "datasets", j, "id"), dataset.get("id"))
        for i, service in _items(data, "services")
        for j, dataset in _items(service, "datasets")
    ]
    yield from _duplicates(datasets, "dataset id")

    estate = data.get("estate") if isinstance(data.get("estate"), dict) else {}
    yield from _unknown(("estate", "provider_council"), estate.get("provider_council"), councils, "council")

    services_by_id: dict[str, dict] = {}
    for i, service in _items(data, "services"):
        here = ("services", i)
        services_by_id.setdefault(service.get("id"), service)
        yield from _each_reference(here + ("sites",), service.get("sites"), sites, "site")
        yield from _each_reference(here + ("councils",), service.get("councils"), councils, "council")
        service_sites = service.get("sites") if isinstance(service.get("sites"), list) else []
        mode, site_count = service.get("mode"), len(service_sites)
        if mode == "single-site" and site_count != 1:
            yield (
                here + ("mode",),
                f"a single-site service runs at exactly one site, not {site_count}",
            )
        if mode in ("active-active", "active-passive") and site_count != 2:
            yield here + ("mode",), f"an {mode} service runs at two sites, not {site_count}"
        if (
            service.get("tenancy") == "dedicated"
            and isinstance(service.get("councils"), list)
            and len(service["councils"]) != 1
        ):
            yield (
                here + ("councils",),
                (f"a dedicated service belongs to exactly one council, not {len(service['councils'])}"),
            )
        probed_at: dict[str, int] = {}
        for j, endpoint in _items(service, "endpoints"):
            site = endpoint.get("site")
            if isinstance(site, str) and site in probed_at:
                # an endpoint's id is service@site: a second one would share it and merge two probes
                yield (
                    here + ("endpoints", j, "site"),
                    f"a second endpoint at site {site!r}: a service has one endpoint per site "
                    f"(endpoints[{probed_at[site]}] is already probed there)",
                )
            elif isinstance(site, str):
                probed_at[site] = j
            if isinstance(site, str) and site in sites and site not in service_sites:
                yield (
                    here + ("endpoints", j, "site"),
                    (
                        f"the endpoint is probed at site {site!r}, where the service does not run "
                        f"(it runs at {', '.join(map(str, service_sites))})"
                    ),
                )
            else:
                yield from _unknown(here + ("endpoints", j, "site"), site, sites, "site")
        for j, dataset in _items(service, "datasets"):
            yield from _unknown(here + ("datasets", j, "site"), dataset.get("site"), sites, "site")
            yield from _unknown(
                here + ("datasets", j, "replicated_to"), dataset.get("replicated_to"), sites, "site"
            )
            if dataset.get("replicated_to") is not None and dataset.get("replicated_to") == dataset.get(
                "site"
            ):
                yield (
                    here + ("datasets", j, "replicated_to"),
                    f"the dataset is replicated to its own site {dataset.get('site')!r}: a replica is at the other site",
                )

    for i, server in _items(data, "servers"):
        yield from _unknown(("servers", i, "site"), server.get("site"), sites, "site")
        yield from _each_reference(("servers", i, "services"), server.get("services"), services, "service")
    for i, discovery in _items(data, "server_discovery"):
        yield from _unknown(("server_discovery", i, "site"), discovery.get("site"), sites, "site")
    for i, test in _items(data, "dr_tests"):
        yield from _unknown(("dr_tests", i, "service"), test.get("service"), services, "service")
        yield from _unknown(
            ("dr_tests", i, "recovered_at_site"), test.get("recovered_at_site"), sites, "site"
        )

    yield from _check_contracts(data, councils, services, services_by_id)
    yield from _check_money(data, councils, sites)


def _check_contracts(
    data: dict, councils: set[str], services: set[str], services_by_id: dict[str, dict]
) -> Iterator[Finding]:
    versions: dict[tuple[str, str], list[tuple[int, str, str | None]]] = {}
    for i, contract in _items(data, "contracts"):
        here = ("contracts", i)
        council, service = contract.get("council"), contract.get("service")
        yield from _unknown(here + ("council",), council, councils, "council")
        yield from _unknown(here + ("service",), service, services, "service")
        users = services_by_id.get(service, {}).get("councils")
        if council in councils and service in services and isinstance(users, list) and council not in users:
            yield (
                here + ("council",),
                (
                    f"council {council!r} has a contract for service {service!r} but is not among the "
                    f"councils the service lists ({', '.join(map(str, users))})"
                ),
            )
        start, until = contract.get("effective_from"), contract.get("effective_until")
        if isinstance(start, str) and isinstance(council, str) and isinstance(service, str):
            versions.setdefault((council, service), []).append(
                (i, start, until if isinstance(until, str) else None)
            )
        if isinstance(start, str) and isinstance(until, str) and until < start:
            yield (
                here + ("effective_until",),
                f"the contract ends ({until}) before it starts ({start})",
            )
        service_data = services_by_id.get(service, {})
        if (
            contract.get("rpo_hours") is not None
            and service in services
            and not _items(service_data, "datasets")
        ):
            yield (
                here + ("rpo_hours",),
                f"an RPO for service {service!r}, which protects no dataset: nothing would be measured "
                "against it (add the service's [[services.datasets]], or remove rpo_hours)",
            )
        if _items(contract, "credit_tiers") and contract.get("monthly_charge_gbp") is None:
            yield (
                here + ("monthly_charge_gbp",),
                "the contract has credit tiers, so it needs monthly_charge_gbp: credits are a share of it",
            )
        tiers = [t.get("below_percent") for _, t in _items(contract, "credit_tiers")]
        numeric = [t for t in tiers if isinstance(t, (int, float))]
        if numeric != sorted(numeric, reverse=True):
            yield (
                here + ("credit_tiers",),
                "credit tiers must be listed from the highest below_percent down",
            )

    for (council, service), entries in versions.items():
        entries.sort(key=lambda entry: entry[1])
        for (i, start, until), (j, next_start, _) in zip(entries, entries[1:], strict=False):
            if start == next_start:
                yield (
                    ("contracts", j, "effective_from"),
                    (
                        f"overlapping contract versions for {council}/{service}: contracts[{i}] also "
                        f"takes effect in {start}"
                    ),
                )
            elif until is not None and until >= next_start:
                yield (
                    ("contracts", j, "effective_from"),
                    (
                        f"overlapping contract versions for {council}/{service}: contracts[{i}] runs "
                        f"{start} to {until}, past this version's start {next_start}"
                    ),
                )


def _check_money(data: dict, councils: set[str], sites: set[str]) -> Iterator[Finding]:
    money = data.get("money")
    if not isinstance(money, dict):
        return
    baseline = money.get("baseline")
    if isinstance(baseline, dict):
        servers = [
            (("money", "baseline", "servers", i, "id"), s.get("id")) for i, s in _items(baseline, "servers")
        ]
        yield from _duplicates(servers, "baseline server id")
        for i, server in _items(baseline, "servers"):
            if server.get("site") is not None:
                yield from _unknown(
                    ("money", "baseline", "servers", i, "site"), server.get("site"), sites, "site"
                )
    years = [
        (("money", "savings_targets", i, "financial_year"), t.get("financial_year"))
        for i, t in _items(money, "savings_targets")
    ]
    yield from _duplicates(years, "savings target for financial year")
    shares = money.get("fixed_shares_percent")
    if isinstance(shares, dict):
        for council in shares:
            yield from _unknown(("money", "fixed_shares_percent", council), council, councils, "council")
        if money.get("shared_cost_split") == "fixed-shares":
            try:
                total = sum(Decimal(str(v)) for v in shares.values())
            except InvalidOperation:
                return
            if total != 100:
                yield (
                    ("money", "fixed_shares_percent"),
                    f"fixed shares add up to {total} %, not 100 %",
                )
    elif money.get("shared_cost_split") == "fixed-shares":
        yield (
            ("money", "shared_cost_split"),
            "fixed-shares needs a [money.fixed_shares_percent] table",
        )
