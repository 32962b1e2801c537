"""Fuzzing every entry point that takes a file or a command line (issue 11, item 6).

Each example starts from a valid input, makes one mutation (tests/fuzz/mutations.py) and runs
the command in this process, with COUNCILOPS_DEBUG=1 so that an unexpected exception is raised
(and fails the example) instead of being turned into a line. For every outcome:

- the exit status is 0 (the mutation left a valid input), 1 (the input has problems) or 2
  (usage, or something needed is missing);
- a non-zero exit says why on stderr, every line naming where: the file (and line), or the
  option, or `error:` with the warehouse or the id;
- the warehouse changed only as the load says: every other table is as it was, the loaded
  table's other rows are as they were, and its row count moved by exactly what was added less
  what was removed.

`make test` runs a bounded number of examples (the "ci" profile); `make fuzz` runs many more
(COUNCILOPS_FUZZ=many).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SMALL_ESTATE
from tests.fuzz.mutations import one_mutation
from tests.in_process import run
from warehouse import Warehouse

settings.register_profile(
    "ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.register_profile(
    "many", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PROFILE = "many" if os.environ.get("COUNCILOPS_FUZZ") == "many" else "ci"

DATASET = "council-tax-db"  # the small estate's dataset, at dc1

BACKUP_REPORT = "\n".join(
    [
        "Job Name,Object Name,Status,Start Time,End Time,Duration,Transferred",
        f"Nightly,{DATASET},Success,22/11/2026 01:00:05,22/11/2026 01:35:40,00:35:35,12.1 GB",
        f"Nightly,{DATASET},Warning,23/11/2026 01:00:00,23/11/2026 01:20:00,00:20:00,11.9 GB",
        f"Nightly,{DATASET},Failed,2026-11-24 01:00:00,2026-11-24 01:05:00,00:05:00,0 B",
        f"Weekly,{DATASET},Success,21/11/2026 03:00:00,21/11/2026 04:10:00,01:10:00,80 GB",
        f"Nightly,{DATASET},Running,25/11/2026 01:00:00,,,",
    ]
).encode()

CMDB_EXPORT = "\n".join(
    [
        "name,sys_class_name,location,install_status,virtual,cpu_count,cpu_core_count,ram,disk_space,os",
        "dc1-ctax-app01,cmdb_ci_linux_server,dc1,Installed,true,8,8,32768,200,Linux",
        "dc2-dr-ctax,cmdb_ci_linux_server,dc2,Installed,false,16,16,65536,,Linux",
        "dc1-old-web01,cmdb_ci_linux_server,dc1,Retired,true,2,2,4096,50,Linux",
    ]
).encode()

CALENDAR = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Council IT//Change Calendar//EN
BEGIN:VEVENT
UID:chg-1001
SUMMARY:Council Tax database patching
CATEGORIES:council-tax
DTSTART;TZID=Europe/London:20261014T200000
DTEND;TZID=Europe/London:20261014T220000
END:VEVENT
BEGIN:VEVENT
UID:chg-1002
SUMMARY:Weekly email maintenance
CATEGORIES:Email
DTSTART;TZID=Europe/London:20261004T030000
DTEND;TZID=Europe/London:20261004T040000
RRULE:FREQ=WEEKLY;BYDAY=SU;COUNT=5
EXDATE;TZID=Europe/London:20261018T030000
END:VEVENT
BEGIN:VEVENT
UID:chg-1003
SUMMARY:Data centre power test
CATEGORIES:council-tax,email
DTSTART;VALUE=DATE:20261107
DTEND;VALUE=DATE:20261108
END:VEVENT
END:VCALENDAR
""".replace(b"\n", b"\r\n")

CALENDAR_WINDOW = ["--from", "2026-09-01T00:00:00Z", "--until", "2026-12-31T00:00:00Z"]


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted: what a before/after comparison needs."""
    with duckdb.connect(str(db), read_only=True) as connection:
        tables = [
            t for (t,) in connection.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()
        ]
        return {
            t: connection.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall()  # noqa: S608
            for t in tables
            if t not in ("schema_migrations", "collection_runs")
        }


@pytest.fixture(scope="module")
def base_warehouse(tmp_path_factory) -> Path:
    """The small estate's warehouse with one valid load of each file in it: what a mutated load
    must leave alone, apart from what it supersedes."""
    folder = tmp_path_factory.mktemp("fuzz-base")
    db = folder / "warehouse.duckdb"
    Warehouse.open(db, create=True).close()
    env = {"COUNCILOPS_CONFIG": str(SMALL_ESTATE), "COUNCILOPS_DB": str(db)}
    for name, data, command in (
        ("backups.csv", BACKUP_REPORT, ["load", "backups"]),
        ("cmdb.csv", CMDB_EXPORT, ["load", "inventory", "--as-of", "2026-11-22"]),
        ("changes.ics", CALENDAR, ["load", "changes", *CALENDAR_WINDOW]),
    ):
        (folder / name).write_bytes(data)
        code, out, err = run([*command, str(folder / name)], env)
        assert code == 0, (name, out, err)
    return db


def fresh_copy(base: Path, tmp_path: Path, k: list[int]) -> Path:
    k[0] += 1
    copy = tmp_path / f"w{k[0]}.duckdb"
    shutil.copyfile(base, copy)
    return copy


SUMMARY = re.compile(r"(\d+) added, (\d+) changed, (\d+) unchanged, (\d+) removed")


def check_said_where(code: int, err: str, file: Path) -> None:
    """A refusal or a rejected row is said, each line naming the file (and where in it)."""
    assert code in (0, 1, 2), (code, err)
    lines = [line for line in err.splitlines() if line.strip()]
    if code != 0:
        assert lines, "a non-zero exit says why"
    for line in lines:
        assert line.startswith(f"{file}"), line
    assert "Traceback" not in err


def check_changed_only_by_the_load(before: dict, after: dict, table: str, out: str, untouched) -> None:
    """Every other table as it was; the loaded table's rows outside what the load covers as they
    were; its count moved by what the load says it added and removed."""
    for name in before:
        if name != table:
            assert after[name] == before[name], f"{name} changed"
    assert [r for r in after[table] if untouched(r)] == [r for r in before[table] if untouched(r)]
    said = SUMMARY.search(out)
    if said is None:  # nothing loaded (refused whole, or no row accepted): nothing changed
        assert after[table] == before[table]
    else:
        added, _, _, removed = map(int, said.groups())
        assert len(after[table]) == len(before[table]) + added - removed


@settings(settings.get_profile(PROFILE))
@given(data=one_mutation(BACKUP_REPORT, b","))
def test_a_mutated_backup_report(base_warehouse, tmp_path, data):
    db = fresh_copy(base_warehouse, tmp_path, counter)
    file = tmp_path / "veeam.csv"
    file.write_bytes(data)
    before = snapshot(db)
    code, out, err = run(
        ["load", "backups", str(file)], {"COUNCILOPS_CONFIG": str(SMALL_ESTATE), "COUNCILOPS_DB": str(db)}
    )
    check_said_where(code, err, file)
    # the jobs the file names (a row without a Job Name is its dataset's job)
    named = re.findall(r"^([^,\n]*),([^,\n]*)", data.decode("utf-8", "replace"), re.M)
    jobs = {(job.strip() or dataset.strip()) for job, dataset in named} - {"Job Name"}
    jobs |= {job.strip().strip('"').replace('""', '"').strip() for job in jobs}  # as CSV unquotes it
    after = snapshot(db)
    # backup_jobs columns: dataset_id, site_id, source, job_name, ...: a job the file does not name stays
    check_changed_only_by_the_load(before, after, "backup_jobs", out, lambda row: row[3] not in jobs)
    db.unlink()


@settings(settings.get_profile(PROFILE))
@given(data=one_mutation(CMDB_EXPORT, b","))
def test_a_mutated_cmdb_export(base_warehouse, tmp_path, data):
    db = fresh_copy(base_warehouse, tmp_path, counter)
    file = tmp_path / "cmdb.csv"
    file.write_bytes(data)
    before = snapshot(db)
    code, out, err = run(
        ["load", "inventory", str(file), "--as-of", "2026-11-23"],
        {"COUNCILOPS_CONFIG": str(SMALL_ESTATE), "COUNCILOPS_DB": str(db)},
    )
    # the findings table goes to stdout; the rejected rows and refusals to stderr
    check_said_where(code, err, file)
    after = snapshot(db)
    # server_inventory's first column is the snapshot's day: another day's inventory stays
    check_changed_only_by_the_load(
        before, after, "server_inventory", out, lambda row: str(row[0]) != "2026-11-23"
    )
    db.unlink()


@settings(settings.get_profile(PROFILE))
@given(data=one_mutation(CALENDAR, b":"))
def test_a_mutated_change_calendar(base_warehouse, tmp_path, data):
    db = fresh_copy(base_warehouse, tmp_path, counter)
    file = tmp_path / "changes.ics"
    file.write_bytes(data)
    before = snapshot(db)
    code, out, err = run(
        ["load", "changes", str(file), *CALENDAR_WINDOW],
        {"COUNCILOPS_CONFIG": str(SMALL_ESTATE), "COUNCILOPS_DB": str(db)},
    )
    check_said_where(code, err, file)
    after = snapshot(db)
    named = {c.strip().lower() for c in re.findall(r"CATEGORIES:([^\r\n]*)", data.decode("utf-8", "replace"))}
    services = {s for group in named for s in group.split(",")}
    # maintenance_windows columns: service_id, ...: a service no event names keeps its windows
    check_changed_only_by_the_load(
        before, after, "maintenance_windows", out, lambda row: row[0].lower() not in services
    )
    db.unlink()


@settings(settings.get_profile(PROFILE))
@given(data=one_mutation(SMALL_ESTATE.read_bytes()))
def test_a_mutated_estate_file(tmp_path, data):
    config = tmp_path / "estate.toml"
    config.write_bytes(data)
    code, out, err = run(["check", "--config", str(config)], {})
    assert code in (0, 1), (code, err)
    lines = [line for line in err.splitlines() if line.strip()]
    if code == 1:
        assert lines and out == ""
        for line in lines:
            assert line.startswith(f"{config}"), line
    else:
        assert out.startswith(f"{config}: ok (")
    assert "Traceback" not in err


MONTHS = st.sampled_from(
    ["2026-10", "2026-13", "2026-00", "9999-12", "0000-01", "1969-12", "2026-1", "", "x", "2026-10-01"]
)
TIMES = st.sampled_from(
    [
        "2026-11-22T10:00:00Z",
        "2026-11-22",
        "0001-01-01",
        "9999-12-31T23:59:59",
        "1969-12-31T23:00:00Z",
        "2026-11-22T10:00:00+25:00",
        "2026-02-30",
        "yesterday",
        "",
        "2101-01-01",
    ]
)
IDS = st.sampled_from(
    ["fylde", "blackpool", "dc1", "dc1-ctax-app01", "email", "nobody", "", "x" * 500, "FYLDE", "../../etc"]
)


@st.composite
def command_lines(draw) -> list[str]:
    """A command line from the valid forms, each option's value drawn from valid and mutated ones."""
    form = draw(
        st.sampled_from(
            [
                lambda: ["sla", "--month", draw(MONTHS)],
                lambda: ["sla", "--month", draw(MONTHS), "--council", draw(IDS), "--format", "json"],
                lambda: ["capacity", "underused", "--as-of", draw(TIMES)],
                lambda: ["capacity", "timeleft", "--as-of", draw(TIMES)],
                lambda: ["capacity", "site-loss", "--as-of", draw(TIMES)],
                lambda: ["capacity", "consolidate", "--as-of", draw(TIMES), "--format", "json"],
                lambda: ["capacity", "profile", "--server", draw(IDS), "--as-of", draw(TIMES)],
                lambda: ["capacity", "profile", "--council", draw(IDS)],
                lambda: ["savings", "--as-of", draw(TIMES)],
                lambda: ["status", "--format", draw(st.sampled_from(["json", "table", "xml"]))],
                lambda: ["collect", "--since", draw(TIMES), "--until", draw(TIMES), "--site", draw(IDS)],
                lambda: ["load", "inventory", "/nonexistent.csv", "--as-of", draw(TIMES)],
                lambda: [
                    "demo",
                    "--seed",
                    draw(st.sampled_from(["-1", "4294967296", "x"])),
                    "--now",
                    draw(TIMES),
                ],
                lambda: ["sla", "--month", draw(MONTHS), "--bogus-option"],
                lambda: [
                    "report",
                    "list",
                    "--council",
                    draw(IDS),
                    "--format",
                    draw(st.sampled_from(["json", "x"])),
                ],
                lambda: [
                    "report",
                    "verify",
                    draw(st.sampled_from(["/nonexistent.pdf", "/etc/hostname", ""])),
                ],
                lambda: ["report", "--month", draw(MONTHS), "--council", draw(IDS), "--reason", "x"],
                lambda: [draw(st.sampled_from(["slaa", "capacity", "load", "reports"]))],
            ]
        )
    )
    return form()


def collect_fails_fast(tmp_path: Path) -> Path:
    """The small estate with dc1 at a port nothing listens on, tried once: a collect fails at once."""
    config = tmp_path / "estate.toml"
    text = SMALL_ESTATE.read_text(encoding="utf-8").replace(
        'prometheus_url = "http://127.0.0.1:19091"',
        'prometheus_url = "http://127.0.0.1:9"\nretry_attempts = 1',
    )
    config.write_text(text, encoding="utf-8")
    return config


@settings(settings.get_profile(PROFILE))
@given(args=command_lines())
def test_a_command_line_from_valid_and_mutated_values(base_warehouse, tmp_path, args):
    db = fresh_copy(base_warehouse, tmp_path, counter)
    before = snapshot(db)
    config = collect_fails_fast(tmp_path)
    code, out, err = run(args, {"COUNCILOPS_CONFIG": str(config), "COUNCILOPS_DB": str(db)})
    assert code in (0, 1, 2), (args, code, err)
    assert "Traceback" not in err
    if code != 0:
        first = err.strip().splitlines()[0] if err.strip() else ""
        # a usage error names the option or command (click), anything else is one `error:` line
        # or a line naming the file it is about
        assert first.startswith(("Usage:", "error: ", "Error: ", "site ", "/nonexistent.csv")) or re.match(
            r"^\S+:\d*:? ", first
        ), (args, err)
    if args[0] != "collect":
        assert snapshot(db) == before, args  # questions never write
    db.unlink()


counter = [0]
