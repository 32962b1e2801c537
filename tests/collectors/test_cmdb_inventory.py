"""The CMDB's server inventory: rows loaded, bad rows rejected with line and reason, snapshots
replaced by day, and the estate reconciled with it finding by finding; the command around it."""

from __future__ import annotations

import json
from datetime import date

import pytest

from application.inventory import Finding, reconcile
from collectors.files.cmdb_inventory import InventoryError, inventory_frame, read_inventory
from estate import load_estate
from tests.conftest import SMALL_ESTATE
from tests.test_cli import run
from warehouse import Warehouse

HEADER = "name,sys_class_name,location,install_status,virtual,cpu_count,cpu_core_count,ram,disk_space,os"
# The small estate lists dc1-ctax-app01 (dc1, virtual, 8 cores, 32 GiB, 200 GiB) and
# dc2-dr-ctax (dc2, physical, 16 cores, 64 GiB, no storage figure).
EXPORT = "\n".join(
    [
        HEADER,
        "dc1-ctax-app01,cmdb_ci_linux_server,Site one,Installed,true,8,8,32768,200,Linux",  # 2: as listed
        "DC2-DR-CTAX,cmdb_ci_linux_server,dc2,1,false,2,12,65536,,Linux",  # 3: 12 cores, not 16
        "dc1-old-web01,cmdb_ci_linux_server,dc1,Retired,true,2,2,4096,50,Linux",  # 4: retired, fine
        "dc1-shadow01,cmdb_ci_win_server,dc1,Installed,true,4,4,8192,100,Windows",  # 5: not costed
        "dc9-app01,cmdb_ci_linux_server,dc9,Installed,true,4,4,8192,100,Linux",  # 6
        "dc1-app07,cmdb_ci_linux_server,dc1,Instaled,true,4,4,8192,100,Linux",  # 7
        "dc1-app08,cmdb_ci_linux_server,dc1,Installed,true,four,,8192,100,Linux",  # 8
        "dc1-app09,cmdb_ci_linux_server,dc1,Installed,true,4,4,,100,Linux",  # 9
        "dc1-shadow01,cmdb_ci_win_server,dc1,Installed,true,4,4,8192,100,Windows",  # 10
        "dc1-app10,cmdb_ci_linux_server,dc1,Installed,maybe,4,4,8192,100,Linux",  # 11
        'dc2-app02,cmdb_ci_vmware_instance,Site two,In Maintenance,,2,2,"16,384",80,Linux',  # 12
    ]
)


@pytest.fixture(scope="module")
def estate():
    return load_estate(SMALL_ESTATE)


def test_good_rows_load_and_each_bad_row_is_rejected_with_its_line(estate):
    loaded = read_inventory(EXPORT, "cmdb.csv", estate)
    assert [
        (s.line, s.server_id, s.site_id, s.kind, s.cores, s.memory_gib, s.storage_gib, s.status)
        for s in loaded.servers
    ] == [
        (2, "dc1-ctax-app01", "dc1", "virtual", 8, 32.0, 200.0, "Installed"),
        (3, "dc2-dr-ctax", "dc2", "physical", 12, 64.0, None, "Installed"),  # code 1; cores over count
        (4, "dc1-old-web01", "dc1", "virtual", 2, 4.0, 50.0, "Retired"),
        (5, "dc1-shadow01", "dc1", "virtual", 4, 8.0, 100.0, "Installed"),
        (12, "dc2-app02", "dc2", "virtual", 2, 16.0, 80.0, "In Maintenance"),  # by class; "16,384" MB
    ]
    assert [s.in_service for s in loaded.servers] == [True, True, False, True, True]
    assert loaded.rejected == [
        (6, "location 'dc9' is no site of the estate"),
        (
            7,
            "install_status 'Instaled' is not one of Installed, On Order, In Maintenance, Pending Install, "
            "Pending Repair, In Stock, Retired, Stolen, Absent",
        ),
        (8, "cpu_core_count 'four' is not a whole number of cores above 0"),
        (9, "ram (MB) '' is not a number"),
        (10, "dc1-shadow01 is already on line 5"),
        (11, "virtual 'maybe' is not true or false"),
    ]


def test_a_file_without_a_column_is_refused_naming_it(estate):
    with pytest.raises(
        InventoryError, match=r"cmdb.csv:1: the header has no 'ram', 'cpu_core_count or cpu_count' column"
    ):
        read_inventory("name,location,install_status\nx,dc1,Installed\n", "cmdb.csv", estate)


def test_the_estate_is_reconciled_with_the_cmdb(estate, warehouse):
    loaded = read_inventory(EXPORT, "cmdb.csv", estate)
    warehouse.replace_server_inventory(date(2026, 11, 22), "cmdb.csv", inventory_frame(loaded))
    findings = reconcile(estate, warehouse.server_inventory().iter_rows(named=True))
    assert findings == [
        # in service in the CMDB and not costed or watched here; the retired one is no finding
        Finding("dc1-shadow01", "dc1", "not in the estate", "", "Installed", 5),
        Finding("dc2-app02", "dc2", "not in the estate", "", "In Maintenance", 12),
        Finding("dc2-dr-ctax", "dc2", "cores", "16", "12", 3),
    ]


def test_retired_resized_and_missing_servers_are_found(estate):
    rows = [
        # dc1-ctax-app01 retired in the CMDB, with half the memory, and 210 GiB of disk: 5 % over
        # the estate's 200 (more than 1 %); dc2-dr-ctax not in the CMDB at all
        dict(
            server_id="dc1-ctax-app01",
            site_id="dc2",
            kind="physical",
            cores=8,
            memory_gib=16.0,
            storage_gib=210.0,
            status="Retired",
            in_service=False,
            source_line=2,
        ),
    ]
    assert reconcile(estate, rows) == [
        Finding("dc1-ctax-app01", "dc1", "kind", "virtual", "physical", 2),
        Finding("dc1-ctax-app01", "dc1", "memory_gib", "32.0", "16.0", 2),
        Finding("dc1-ctax-app01", "dc1", "not in service in the CMDB", "listed", "Retired", 2),
        Finding("dc1-ctax-app01", "dc1", "site", "dc1", "dc2", 2),
        Finding("dc1-ctax-app01", "dc1", "storage_gib", "200.0", "210.0", 2),
        Finding("dc2-dr-ctax", "dc2", "not in the CMDB", "listed", "", None),
    ]
    # 1 % either way is the same disk
    rows[0].update(site_id="dc1", kind="virtual", memory_gib=32.0, storage_gib=202.0, in_service=True)
    assert [f.finding for f in reconcile(estate, rows)] == ["not in the CMDB"]


def test_loading_the_same_day_again_replaces_it_and_another_day_is_kept(estate, warehouse):
    loaded = read_inventory(EXPORT, "cmdb.csv", estate)
    for _ in range(2):
        assert warehouse.replace_server_inventory(date(2026, 11, 1), "a.csv", inventory_frame(loaded)) == 5
    warehouse.replace_server_inventory(date(2026, 11, 22), "b.csv", inventory_frame(loaded))
    assert warehouse.row_counts()["server_inventory"] == 10
    assert warehouse.server_inventory()["snapshot_date"].unique().to_list() == [date(2026, 11, 22)]
    assert warehouse.server_inventory(date(2026, 11, 1))["source"].unique().to_list() == ["a.csv"]


def test_the_load_command_reports_counts_rejects_and_differences(tmp_path):
    file = tmp_path / "cmdb.csv"
    file.write_text("\ufeff" + EXPORT, encoding="utf-8")
    env = {"COUNCILOPS_CONFIG": str(SMALL_ESTATE), "COUNCILOPS_DB": str(tmp_path / "w.duckdb")}
    result = run("load", "inventory", str(file), "--as-of", "2026-11-22", env=env)
    assert result.returncode == 1  # rows were rejected
    assert (
        f"{file}: 5 servers loaded for 2026-11-22 (4 in service), 6 rejected; 3 differences from the estate"
        in result.stdout
    )
    assert f"{file}:6: rejected: location 'dc9' is no site of the estate" in result.stderr
    assert "dc1-shadow01" in result.stdout and "not in the estate" in result.stdout
    as_json = run("load", "inventory", str(file), "--as-of", "2026-11-22", "--format", "json", env=env)
    data = json.loads(as_json.stdout)
    assert data["snapshot_date"] == "2026-11-22"
    assert data["servers_loaded"] == 5 and len(data["rejected"]) == 6  # what the table's summary says
    assert {"line": 6, "reason": "location 'dc9' is no site of the estate"} in data["rejected"]
    assert [(f["server_id"], f["finding"]) for f in data["findings"]] == [
        ("dc1-shadow01", "not in the estate"),
        ("dc2-app02", "not in the estate"),
        ("dc2-dr-ctax", "cores"),
    ]
    with Warehouse.open(tmp_path / "w.duckdb", read_only=True) as warehouse:
        assert warehouse.row_counts()["server_inventory"] == 5  # the day replaced, not doubled


def test_a_file_that_is_not_utf8_is_named_with_its_line(tmp_path):
    from tests.test_cli import run

    export = tmp_path / "cmdb.csv"
    export.write_bytes(
        HEADER.encode()
        + b"\ndc1-ctax-app01,cmdb_ci_server,dc1,Installed,true,8,8,32768,200,Linux\n\xff\xfe\n"
    )
    env = {"COUNCILOPS_CONFIG": str(SMALL_ESTATE), "COUNCILOPS_DB": str(tmp_path / "w.duckdb")}
    result = run("load", "inventory", str(export), env=env)
    assert result.returncode == 1
    assert f"{export}:3: not UTF-8: byte 0xff" in result.stderr and "Traceback" not in result.stderr
