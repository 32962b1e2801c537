"""Rules that relate one part of the estate file to another.

They run on the parsed TOML (plain dicts and lists), tolerating parts that are missing or of the
wrong type, so that one run reports broken references alongside structural problems elsewhere.
Each finding is a key path and a message; the loader adds the file and line.

One mistake is one finding. The loader passes the paths whose values are structurally broken
(`broken`): a finding about such a value, or worked out from one (`Finding.needs`), is left out,
since the structural problem is its root. Every use of one unknown id is one finding, at its
first use; and when the id looks like a misspelling of an id defined but never used (or of an
entry whose id is broken or a duplicate), the finding is at that definition instead, since that
is where the mistake is: a council misspelt in [[councils]] is one problem, not one per contract
and service that names the council.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from estate.locate import KeyPath
from estate.model import MEASURED_CATEGORIES


@dataclass(frozen=True)
class Finding:
    path: KeyPath
    message: str
    needs: tuple[KeyPath, ...] = ()  # the other values it is worked out from


def _items(data: dict, key: str) -> list[tuple[int, dict]]:
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def _ids(data: dict, key: str) -> set[str]:
    return {item["id"] for _, item in _items(data, key) if isinstance(item.get("id"), str)}


def _duplicates(entries: list[tuple[KeyPath, Any]], label: str) -> Iterator[Finding]:
    for path, value, first in _repeats(entries):
        yield Finding(path, f"duplicate {label} {value!r}: already used at {_show(first)}")


def _repeats(entries: list[tuple[KeyPath, Any]]) -> Iterator[tuple[KeyPath, str, KeyPath]]:
    """(path, value, path of its first use) of each value used again."""
    counts = Counter(value for _, value in entries if isinstance(value, str))
    first_at: dict[str, KeyPath] = {}
    for path, value in entries:
        if not isinstance(value, str) or counts[value] < 2:
            continue
        if value in first_at:
            yield path, value, first_at[value]
        else:
            first_at[value] = path


def _show(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _some(paths: list[KeyPath], shown: int = 3) -> str:
    text = ", ".join(_show(p) for p in paths[:shown])
    return text + (f" and {len(paths) - shown} more" if len(paths) > shown else "")


def _known(ids: Collection[str], shown: int = 10) -> str:
    known = sorted(ids)
    text = ", ".join(known[:shown]) or "none are defined"
    return text + (f" and {len(known) - shown} more" if len(known) > shown else "")


def _close(value: str, candidates: Collection[str]) -> str | None:
    """The candidate `value` is most likely a misspelling of, or None."""
    lowered = {c.lower(): c for c in candidates}
    close = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


_KINDS = {"site": "sites", "council": "councils", "service": "services"}  # id kind -> where defined


class _References:
    """Every use of a site, council or service id, so that the unknown ones are reported once."""

    def __init__(self, data: dict, broken: set[KeyPath]):
        self.data, self.broken = data, broken
        self.defined = {kind: _ids(data, key) for kind, key in _KINDS.items()}
        self.uses: dict[str, list[tuple[KeyPath, str]]] = {kind: [] for kind in _KINDS}

    def use(self, kind: str, path: KeyPath, value: Any) -> None:
        if isinstance(value, str) and path not in self.broken:
            self.uses[kind].append((path, value))

    def each(self, kind: str, path: KeyPath, values: Any) -> None:
        if isinstance(values, list):
            for index, value in enumerate(values):
                self.use(kind, path + (index,), value)

    def all_known(self, kind: str, values: Any) -> bool:
        """Whether every id in `values` is one the estate defines (so checks built on them hold)."""
        return isinstance(values, list) and all(
            not isinstance(v, str) or v in self.defined[kind] for v in values
        )

    def findings(self) -> Iterator[Finding]:
        for kind, key in _KINDS.items():
            yield from self._findings(kind, key)

    def _findings(self, kind: str, key: str) -> Iterator[Finding]:
        repeats = {
            path: (value, first)
            for path, value, first in _repeats(
                [((key, i, "id"), item.get("id")) for i, item in _items(self.data, key)]
            )
        }
        for path, root in self._unknown_ids(kind, key, repeats):
            if root is not None:
                yield root
            repeats.pop(path, None)  # said by the root, or by the id's own problem
        for path, (duplicate, first) in repeats.items():
            yield Finding(path, f"duplicate {kind} id {duplicate!r}: already used at {_show(first)}")

    def _unknown_ids(
        self, kind: str, key: str, repeats: dict[KeyPath, tuple[str, KeyPath]]
    ) -> Iterator[tuple[KeyPath, Finding | None]]:
        """One finding per unknown id, with the definition it is about, if any."""
        if (key,) in self.broken:  # no list of them to resolve against: that is the one problem
            return
        known = self.defined[kind]
        unknown: dict[str, list[KeyPath]] = {}
        for path, value in self.uses[kind]:
            if value not in known:
                unknown.setdefault(value, []).append(path)
        if not unknown:
            return
        used = {value for _, value in self.uses[kind]}
        entries = self.data.get(key) if isinstance(self.data.get(key), list) else []
        unused: dict[str, KeyPath] = {}  # definitions an unknown id may misspell: ids used nowhere ...
        idless: list[KeyPath] = []  # ... or entries whose own id is broken, missing or a duplicate
        for index, item in enumerate(entries):
            path = (key, index, "id")
            value = item.get("id") if isinstance(item, dict) else None
            if path in repeats or not isinstance(value, str) or {path, (key, index)} & self.broken:
                idless.append(path)
            if isinstance(value, str) and value not in used and path not in repeats:
                unused.setdefault(value, path)
        unpaired: list[tuple[str, list[KeyPath]]] = []
        for value, paths in unknown.items():
            close = _close(value, unused)
            definition = unused.get(close) if close else None
            if definition is not None and definition in idless:
                del unused[close]  # its own problem says it: the uses are derived from it
                idless.remove(definition)
                yield definition, None
            elif definition is not None and len(paths) > 1:  # the odd one out is the misspelling
                del unused[close]
                yield (
                    definition,
                    Finding(
                        definition,
                        f"{kind} id {close!r} is used nowhere, while {value!r}, which is not defined, is "
                        f"used {_times(paths)} (at {_some(paths)}): did you mean {value!r}?",
                    ),
                )
            else:
                unpaired.append((value, paths))
        if len(unpaired) == 1 and len(idless) == 1:  # the one broken entry is the one missing id
            (value, paths), path = unpaired[0], idless[0]
            if path in repeats:
                duplicate, first = repeats[path]
                yield (
                    path,
                    Finding(
                        path,
                        f"duplicate {kind} id {duplicate!r}: already used at {_show(first)}; and {value!r}, "
                        f"which is not defined, is used {_times(paths)} (at {_some(paths)}): was this one "
                        f"meant to be {value!r}?",
                    ),
                )
            else:
                yield path, None  # the entry's own problem says it
            return
        for value, paths in unpaired:
            close = _close(value, known)
            hint = f"; did you mean {close!r}?" if close else ""
            also = f"; also used at {_some(paths[1:])}" if len(paths) > 1 else ""
            yield (
                paths[0],
                Finding(paths[0], f"unknown {kind} {value!r} (known: {_known(known)}){also}{hint}"),
            )


def _times(paths: list[KeyPath]) -> str:
    return "once" if len(paths) == 1 else f"{len(paths)} times"


def check_references(data: dict, broken: Collection[KeyPath] = ()) -> list[Finding]:
    """The findings about `data`, leaving out those about, or worked out from, a `broken` path."""
    broken_set = set(broken)
    holding_broken = {path[:length] for path in broken_set for length in range(1, len(path) + 1)}

    def within_broken(path: KeyPath) -> bool:
        return any(path[:length] in broken_set for length in range(1, len(path) + 1))

    refs = _References(data, broken_set)
    findings = list(_check(data, refs))  # first: it records every use of an id
    findings += refs.findings()
    return [
        finding
        for finding in findings
        if not within_broken(finding.path)  # the value itself is broken: that is the one problem
        and not any(need in holding_broken or within_broken(need) for need in finding.needs)
    ]


def _check(data: dict, refs: _References) -> Iterator[Finding]:
    sites = refs.defined["site"]

    # duplicate site, council and service ids are the references' (a duplicate may be a misspelling)
    yield from _duplicates(
        [(("servers", i, "id"), s.get("id")) for i, s in _items(data, "servers")], "server id"
    )
    datasets = [
        (("services", i, "datasets", j, "id"), dataset.get("id"))
        for i, service in _items(data, "services")
        for j, dataset in _items(service, "datasets")
    ]
    yield from _duplicates(datasets, "dataset id")

    estate = data.get("estate") if isinstance(data.get("estate"), dict) else {}
    refs.use("council", ("estate", "provider_council"), estate.get("provider_council"))

    services_by_id: dict[str, tuple[int, dict]] = {}
    for i, service in _items(data, "services"):
        here = ("services", i)
        if isinstance(service.get("id"), str):
            services_by_id.setdefault(service["id"], (i, service))
        refs.each("site", here + ("sites",), service.get("sites"))
        refs.each("council", here + ("councils",), service.get("councils"))
        service_sites = service.get("sites") if isinstance(service.get("sites"), list) else []
        mode, site_count = service.get("mode"), len(service_sites)
        if mode == "single-site" and site_count != 1:
            yield Finding(
                here + ("mode",),
                f"a single-site service runs at exactly one site, not {site_count}",
                needs=(here + ("sites",),),
            )
        if mode in ("active-active", "active-passive") and site_count != 2:
            yield Finding(
                here + ("mode",),
                f"an {mode} service runs at two sites, not {site_count}",
                needs=(here + ("sites",),),
            )
        if (
            service.get("tenancy") == "dedicated"
            and isinstance(service.get("councils"), list)
            and len(service["councils"]) != 1
        ):
            yield Finding(
                here + ("councils",),
                f"a dedicated service belongs to exactly one council, not {len(service['councils'])}",
                needs=(here + ("councils",),),
            )
        recovery = service.get("recovery_site")
        if recovery is not None:
            refs.use("site", here + ("recovery_site",), recovery)
            if mode != "single-site":
                yield Finding(
                    here + ("recovery_site",),
                    f"only a single-site service has a recovery site: an {mode} service already runs at both",
                    needs=(here + ("mode",),),
                )
            elif isinstance(recovery, str) and recovery in service_sites:
                yield Finding(
                    here + ("recovery_site",),
                    f"{recovery!r} is where the service runs: its recovery site is the other one",
                    needs=(here + ("sites",),),
                )
        probed_at: dict[str, int] = {}
        for j, endpoint in _items(service, "endpoints"):
            site = endpoint.get("site")
            if isinstance(site, str) and site in probed_at:
                # an endpoint's id is service@site: a second one would share it and merge two probes
                yield Finding(
                    here + ("endpoints", j, "site"),
                    f"a second endpoint at site {site!r}: a service has one endpoint per site "
                    f"(endpoints[{probed_at[site]}] is already probed there)",
                )
            elif isinstance(site, str):
                probed_at[site] = j
            if isinstance(site, str) and site in sites and site not in service_sites:
                if refs.all_known("site", service.get("sites")):  # else the service's sites are wrong
                    yield Finding(
                        here + ("endpoints", j, "site"),
                        (
                            f"the endpoint is probed at site {site!r}, where the service does not run "
                            f"(it runs at {', '.join(map(str, service_sites))})"
                        ),
                        needs=(here + ("sites",),),
                    )
            else:
                refs.use("site", here + ("endpoints", j, "site"), site)
        for j, dataset in _items(service, "datasets"):
            refs.use("site", here + ("datasets", j, "site"), dataset.get("site"))
            refs.use("site", here + ("datasets", j, "replicated_to"), dataset.get("replicated_to"))
            if dataset.get("replicated_to") is not None and dataset.get("replicated_to") == dataset.get(
                "site"
            ):
                yield Finding(
                    here + ("datasets", j, "replicated_to"),
                    f"the dataset is replicated to its own site {dataset.get('site')!r}: a replica is at the other site",
                    needs=(here + ("datasets", j, "site"),),
                )

    for i, server in _items(data, "servers"):
        refs.use("site", ("servers", i, "site"), server.get("site"))
        refs.each("service", ("servers", i, "services"), server.get("services"))
    for i, discovery in _items(data, "server_discovery"):
        refs.use("site", ("server_discovery", i, "site"), discovery.get("site"))
    for i, test in _items(data, "dr_tests"):
        refs.use("service", ("dr_tests", i, "service"), test.get("service"))
        refs.use("site", ("dr_tests", i, "recovered_at_site"), test.get("recovered_at_site"))

    yield from _check_contracts(data, refs, services_by_id)
    yield from _check_money(data, refs)


def _check_contracts(
    data: dict, refs: _References, services_by_id: dict[str, tuple[int, dict]]
) -> Iterator[Finding]:
    councils, services = refs.defined["council"], refs.defined["service"]
    versions: dict[tuple[str, str], list[tuple[int, str, str | None]]] = {}
    for i, contract in _items(data, "contracts"):
        here = ("contracts", i)
        council, service = contract.get("council"), contract.get("service")
        council, service = (v if isinstance(v, str) else None for v in (council, service))  # else broken
        refs.use("council", here + ("council",), council)
        refs.use("service", here + ("service",), service)
        service_index, service_data = services_by_id.get(service, (None, {}))
        users = service_data.get("councils")
        if (
            council in councils
            and service in services
            and refs.all_known("council", users)  # else the service's list is what is wrong
            and council not in users
        ):
            yield Finding(
                here + ("council",),
                (
                    f"council {council!r} has a contract for service {service!r} but is not among the "
                    f"councils the service lists ({', '.join(map(str, users))})"
                ),
                needs=(("services", service_index, "councils"),),
            )
        start, until = contract.get("effective_from"), contract.get("effective_until")
        months = (here + ("effective_from",), here + ("effective_until",))
        if isinstance(start, str) and isinstance(council, str) and isinstance(service, str):
            if not any(path in refs.broken for path in months):  # a version needs real months
                versions.setdefault((council, service), []).append(
                    (i, start, until if isinstance(until, str) else None)
                )
        if isinstance(start, str) and isinstance(until, str) and until < start:
            yield Finding(
                here + ("effective_until",),
                f"the contract ends ({until}) before it starts ({start})",
                needs=months,
            )
        if (
            contract.get("rpo_hours") is not None
            and service in services
            and not _items(service_data, "datasets")
        ):
            yield Finding(
                here + ("rpo_hours",),
                f"an RPO for service {service!r}, which protects no dataset: nothing would be measured "
                "against it (add the service's [[services.datasets]], or remove rpo_hours)",
            )
        if _items(contract, "credit_tiers") and contract.get("monthly_charge_gbp") is None:
            yield Finding(
                here + ("monthly_charge_gbp",),
                "the contract has credit tiers, so it needs monthly_charge_gbp: credits are a share of it",
            )
        tiers = [t.get("below_percent") for _, t in _items(contract, "credit_tiers")]
        numeric = [t for t in tiers if isinstance(t, (int, float)) and not isinstance(t, bool)]
        if numeric != sorted(numeric, reverse=True):
            yield Finding(
                here + ("credit_tiers",),
                "credit tiers must be listed from the highest below_percent down",
                needs=(here + ("credit_tiers",),),
            )

    for (council, service), entries in versions.items():
        entries.sort(key=lambda entry: entry[1])
        for (i, start, until), (j, next_start, _) in zip(entries, entries[1:], strict=False):
            if start == next_start:
                yield Finding(
                    ("contracts", j, "effective_from"),
                    (
                        f"overlapping contract versions for {council}/{service}: contracts[{i}] also "
                        f"takes effect in {start}"
                    ),
                )
            elif until is not None and until >= next_start:
                yield Finding(
                    ("contracts", j, "effective_from"),
                    (
                        f"overlapping contract versions for {council}/{service}: contracts[{i}] runs "
                        f"{start} to {until}, past this version's start {next_start}"
                    ),
                )


def _check_ledger_categories(money: dict, baseline: dict) -> Iterator[Finding]:
    """The ledger's categories: servers, storage and power are measured (their baseline is the
    inventories); every other category's baseline items agree on cashable, and an actual or a
    piece of evidence names a category the baseline has."""
    recorded: dict[str, tuple[KeyPath, Any]] = {}
    # an actual's category is checked against these: with one of them broken it is not said again
    categories: list[tuple[KeyPath, Any]] = [(("money", "baseline", "items"), None)] + [
        (("money", "baseline", "items", i, "category"), item.get("category"))
        for i, item in _items(baseline, "items")
    ]
    for i, item in _items(baseline, "items"):
        here = ("money", "baseline", "items", i, "category")
        category = item.get("category")
        if not isinstance(category, str):
            continue
        if category in MEASURED_CATEGORIES:
            source = "money.baseline.storage_arrays" if category == "storage" else "money.baseline.servers"
            yield Finding(
                here,
                f"{category!r} is measured: its baseline comes from {source} (and the cost model), "
                "not from an item",
            )
            continue
        cashable = item.get("cashable", True)
        if category in recorded and recorded[category][1] != cashable:
            yield Finding(
                ("money", "baseline", "items", i, "cashable"),
                f"the {category!r} items disagree on cashable: {_show(recorded[category][0])} says "
                f"{'true' if recorded[category][1] else 'false'}; a category is cashable or not",
            )
        recorded.setdefault(category, (("money", "baseline", "items", i, "cashable"), cashable))
    known = ", ".join(sorted(recorded)) or "none"
    for key in ("actuals", "evidence"):
        for i, entry in _items(money, key):
            category = entry.get("category")
            if isinstance(category, str) and category not in recorded:
                measured = category in MEASURED_CATEGORIES
                yield Finding(
                    ("money", key, i, "category"),
                    f"{category!r} is measured from the warehouse and the inventories, not recorded"
                    if measured
                    else f"no baseline item has category {category!r} (recorded categories: {known})",
                    needs=tuple(p for p, _ in categories),
                )
    actuals = [
        (("money", "actuals", i, "category"), f"{a.get('financial_year')} {a.get('category')}")
        for i, a in _items(money, "actuals")
    ]
    yield from _duplicates(actuals, "actual for the year and category")
    register = [
        (
            ("money", "savings_register", i, "category"),
            f"{r.get('financial_year')} {r.get('category')} {'cashable' if r.get('cashable', True) else 'non-cashable'}",
        )
        for i, r in _items(money, "savings_register")
    ]
    yield from _duplicates(register, "savings register entry for the year and category")


def _check_money(data: dict, refs: _References) -> Iterator[Finding]:
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
                refs.use("site", ("money", "baseline", "servers", i, "site"), server.get("site"))
        arrays = [
            (("money", "baseline", "storage_arrays", i, "id"), a.get("id"))
            for i, a in _items(baseline, "storage_arrays")
        ]
        yield from _duplicates(arrays, "storage array id")
    yield from _check_ledger_categories(money, baseline if isinstance(baseline, dict) else {})
    years = [
        (("money", "savings_targets", i, "financial_year"), t.get("financial_year"))
        for i, t in _items(money, "savings_targets")
    ]
    yield from _duplicates(years, "savings target for financial year")
    shares = money.get("fixed_shares_percent")
    here = ("money", "fixed_shares_percent")
    if isinstance(shares, dict):
        for council in shares:
            refs.use("council", here + (council,), council)
        if money.get("shared_cost_split") == "fixed-shares" and set(shares) <= refs.defined["council"]:
            # (with a council it does not know, the table is wrong at its root: that is said)
            try:
                total = sum(Decimal(str(v)) for v in shares.values() if not isinstance(v, bool))
            except InvalidOperation:
                return
            if total != 100:
                yield Finding(here, f"fixed shares add up to {total} %, not 100 %", needs=(here,))
    elif money.get("shared_cost_split") == "fixed-shares":
        yield Finding(
            ("money", "shared_cost_split"),
            "fixed-shares needs a [money.fixed_shares_percent] table",
            needs=(here,),
        )
