"""Write the demo estate as a TOML file a person can read: section comments, small records inline."""

from __future__ import annotations

import json
from datetime import date

SECTION_NOTES = {
    "estate": "The estate as a whole: its name, the provider's own council, the calendar it keeps.",
    "sites": "The two data centres, each with its own Prometheus (or Thanos, Mimir, VictoriaMetrics).",
    "councils": "The provider's own council and the client councils that buy its services.",
    "services": "What councils buy: where each runs, how it is probed, the data it protects.",
    "servers": "Hosts (hypervisor) and the virtual machines they carry: size, role (dr-standby is never called under-used), cost.",
    "contracts": "Per council and service, versioned by the month they take effect.",
    "dr_tests": "The disaster-recovery test register: evidence of recovery times.",
    "money": "Cost model, the pre-consolidation baseline, savings targets and investment.",
    "capacity": "Capacity rules: the hosts a consolidation plan packs onto (the demo's hypervisors).",
}

# Records of at most this many keys are written inline, one per line, rather than as [[tables]].
INLINE_RECORD_KEYS = 4


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _key(key: str) -> str:
    return key if key.replace("-", "").replace("_", "").isalnum() else json.dumps(key)


def _is_records(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _table(lines: list[str], path: str, table: dict, array: bool) -> None:
    lines.append(f"[[{path}]]" if array else f"[{path}]")
    nested: list[tuple[str, object]] = []
    for key, value in table.items():
        if _is_records(value) and any(len(item) > INLINE_RECORD_KEYS for item in value):
            nested.append((key, value))
        elif isinstance(value, dict) and (
            len(value) > INLINE_RECORD_KEYS or any(isinstance(v, (dict, list)) for v in value.values())
        ):
            nested.append((key, value))
        elif _is_records(value):
            lines.append(f"{_key(key)} = [")
            lines.extend(f"    {_value(item)}," for item in value)
            lines.append("]")
        else:
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in nested:
        lines.append("")
        if isinstance(value, dict):
            _table(lines, f"{path}.{key}", value, array=False)
        else:
            for i, item in enumerate(value):
                if i:
                    lines.append("")
                _table(lines, f"{path}.{key}", item, array=True)


def estate_toml(document: dict, header: str) -> str:
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    for section, value in document.items():
        lines += ["", "# " + "-" * 96, f"# {SECTION_NOTES.get(section, section)}", "# " + "-" * 96, ""]
        if isinstance(value, dict):
            _table(lines, section, value, array=False)
        else:
            for i, item in enumerate(value):
                if i:
                    lines.append("")
                _table(lines, section, item, array=True)
    return "\n".join(lines) + "\n"
