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
        (8, "cpu_count 'four' is not a whole number of cores from 1 to 4096"),  # cpu_core_count empty
        (9, "ram (MB) is empty"),
        (10, "name 'dc1-shadow01' is already on line 5"),
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
        assert (
            warehouse.replace_server_inventory(date(2026, 11, 1), "a.csv", inventory_frame(loaded)).written
            == 5
        )
    warehouse.replace_server_inventory(date(2026, 11, 22), "b.csv", inventory_frame(loaded))
    assert warehouse.row_counts()["server_inventory"] == 10
    assert warehouse.server_inventory()["snapshot_date"].unique().to_list() == [date(2026, 11, 22)]
    assert warehouse.server_inventory(date(2026, 11, 1))["source"].unique().to_list() == ["a.csv"]


def test_the_load_command_reports_counts_rejects_and_differences(tmp_path):
    file = tmp_path / "cmdb.csv"
    file.write_text("\ufeff" + EXPORT, encoding="utf-8")
    env = {"COUNCILOPS_CONFIG": str(SMALL_ESTATE), "COUNCILOPS_DB": str(tmp_path / "w.duckdb")}
    Warehouse.open(tmp_path / "w.duckdb", create=True).close()
    result = run("load", "inventory", str(file), "--as-of", "2026-11-22", env=env)
    assert result.returncode == 1  # rows were rejected
    assert (
        f"{file}: 5 servers loaded for 2026-11-22 (4 in service): 5 added, 0 changed, 0 unchanged, 0 removed; "
        "6 rejected; 3 differences from the estate" in result.stdout
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


# Bad input, row by row: each bad row is rejected with its line and a plain reason naming the
# column (and, for a number, its bound), the good rows around it load, and only a file that
# cannot be read at all is refused.


def server(name: str, cores: str = "4", ram: str = "8192", disk: str = "100", cpu_count: str = "") -> str:
    """A row of HEADER for a server in dc1 (10 fields)."""
    return f"{name},cmdb_ci_linux_server,dc1,Installed,true,{cpu_count},{cores},{ram},{disk},Linux"


def loaded_servers(loaded) -> list[tuple[int, str]]:
    return [(s.line, s.server_id) for s in loaded.servers]


def test_numbers_outside_their_bounds_are_rejected_naming_the_column_and_the_bound(estate, warehouse):
    rows = [
        server("dc1-a", cores="99999999999"),  # 2
        server("dc1-b", cores="0"),  # 3
        server("dc1-c", cores="-4"),  # 4
        server("dc1-d", cores="4097"),  # 5
        server("dc1-e", cores="4.0"),  # 6
        server("dc1-f", cores="１２"),  # 7: full-width digits
        server("dc1-g", cores="", cpu_count="9" * 5000),  # 8: cpu_count used when cpu_core_count is empty
        server("dc1-h", ram="NaN"),  # 9
        server("dc1-i", ram="inf"),  # 10
        server("dc1-j", ram="1e308"),  # 11
        server("dc1-k", ram="-8192"),  # 12
        server("dc1-l", ram="0"),  # 13
        server("dc1-m", ram="67108865"),  # 14
        server("dc1-n", ram="1_024"),  # 15
        server("dc1-o", disk="1e308"),  # 16
        server("dc1-p", disk="16777217"),  # 17
        server("dc1-q", disk="nan"),  # 18
        server("dc1-r", disk="-1"),  # 19
        server("dc1-big", cores="4096", ram='"67,108,864"', disk="16777216"),  # 20: at the bounds
        server("dc1-small", cores="1", ram="1.6384e4", disk="0.5"),  # 21
        server("dc1-empty", cores=""),  # 22
    ]
    loaded = read_inventory("\n".join([HEADER, *rows]), "cmdb.csv", estate)
    cores = "is not a whole number of cores from 1 to 4096"
    ram = "is not a number above 0 and at most 67,108,864 (64 TiB)"
    disk = "is not a number above 0 and at most 16,777,216 (16 PiB)"
    assert loaded.rejected == [
        (2, f"cpu_core_count '99999999999' {cores}"),
        (3, f"cpu_core_count '0' {cores}"),
        (4, f"cpu_core_count '-4' {cores}"),
        (5, f"cpu_core_count '4097' {cores}"),
        (6, f"cpu_core_count '4.0' {cores}"),
        (7, f"cpu_core_count '１２' {cores}"),
        (8, f"cpu_count {'9' * 60!r}... (5,000 characters) {cores}"),
        (9, f"ram (MB) 'NaN' {ram}"),
        (10, f"ram (MB) 'inf' {ram}"),
        (11, f"ram (MB) '1e308' {ram}"),
        (12, f"ram (MB) '-8192' {ram}"),
        (13, f"ram (MB) '0' {ram}"),
        (14, f"ram (MB) '67108865' {ram}"),
        (15, f"ram (MB) '1_024' {ram}"),
        (16, f"disk_space (GB) '1e308' {disk}"),
        (17, f"disk_space (GB) '16777217' {disk}"),
        (18, f"disk_space (GB) 'nan' {disk}"),
        (19, f"disk_space (GB) '-1' {disk}"),
        (22, "cpu_core_count and cpu_count are empty"),
    ]
    assert [(s.line, s.server_id, s.cores, s.memory_gib, s.storage_gib) for s in loaded.servers] == [
        (20, "dc1-big", 4096, 65536.0, 16777216.0),
        (21, "dc1-small", 1, 16.0, 0.5),
    ]
    assert (
        warehouse.replace_server_inventory(date(2026, 11, 22), "cmdb.csv", inventory_frame(loaded)).written
        == 2
    )


def test_an_unterminated_quote_rejects_its_row_and_the_rows_after_it_still_load(estate):
    text = "\n".join([HEADER, server("dc1-a"), server('"dc1-b'), server("dc1-c"), server("dc1-d")])
    loaded = read_inventory(text, "cmdb.csv", estate)
    assert loaded.rejected == [
        (
            3,
            "unterminated quote: the quoted name that starts on this line does not close before the end "
            "of the file; the lines after it were read as rows of their own",
        )
    ]
    assert loaded_servers(loaded) == [(2, "dc1-a"), (4, "dc1-c"), (5, "dc1-d")]
    # a quoted field over two lines is a field, not an unterminated quote
    multi_line = "\n".join(
        [HEADER, server("dc1-a").replace(",Linux", ',"Linux\nServer 2022"'), server("dc1-b")]
    )
    assert loaded_servers(read_inventory(multi_line, "cmdb.csv", estate)) == [(2, "dc1-a"), (4, "dc1-b")]


def test_a_row_with_fewer_or_more_fields_than_the_header_is_rejected(estate):
    text = "\n".join(
        [HEADER, server("dc1-a"), "dc1-b,cmdb_ci_linux_server,dc1", server("dc1-c") + ",x", server("dc1-d")]
    )
    loaded = read_inventory(text, "cmdb.csv", estate)
    assert loaded.rejected == [
        (3, "has 3 fields, the header has 10"),
        (4, "has 11 fields, the header has 10"),
    ]
    assert loaded_servers(loaded) == [(2, "dc1-a"), (5, "dc1-d")]


def test_a_header_naming_a_column_twice_is_refused_naming_it(estate):
    with pytest.raises(InventoryError) as refused:
        read_inventory(f"{HEADER},RAM,ram\n{server('dc1-a')},1,2\n", "cmdb.csv", estate)
    assert str(refused.value) == (
        "cmdb.csv:1: the header has more than one column named 'ram' (columns 8, 11 and 12): "
        "which to read is ambiguous"
    )
    # a column not read (os) twice is no ambiguity
    loaded = read_inventory(f"{HEADER},os\n{server('dc1-a')},Linux\n", "cmdb.csv", estate)
    assert (loaded.rejected, loaded_servers(loaded)) == ([], [(2, "dc1-a")])


def test_a_field_over_128_kib_rejects_its_row_and_a_file_over_64_mib_is_refused(estate):
    text = "\n".join(
        [HEADER, server("dc1-a"), server("dc1-b").replace("Linux", "L" * (128 * 1024 + 1)), server("dc1-c")]
    )
    loaded = read_inventory(text, "cmdb.csv", estate)
    assert loaded.rejected == [(3, "os is 131,073 bytes, over the 128 KiB a field may be")]
    assert loaded_servers(loaded) == [(2, "dc1-a"), (4, "dc1-c")]
    with pytest.raises(InventoryError, match=r"^cmdb.csv: the file is 67,108,9\d\d bytes, over the 64 MiB"):
        read_inventory(HEADER + "\n" + "x" * 64 * 1024 * 1024, "cmdb.csv", estate)


def test_blank_lines_crlf_and_a_byte_order_mark_read_as_plain_lines(estate):
    lf = "\n".join(["", HEADER, "", server("dc1-a"), ",,,,,,,,,", server("dc1-b"), ""])
    for text in (lf, "\ufeff" + lf.replace("\n", "\r\n"), lf.replace("\n", "\r")):
        loaded = read_inventory(text, "cmdb.csv", estate)
        assert (loaded.rejected, loaded_servers(loaded), loaded.rows) == ([], [(4, "dc1-a"), (6, "dc1-b")], 2)
        assert loaded.servers[0].status == "Installed"


def test_a_header_only_file_loads_zero_servers_and_an_empty_one_is_refused(estate):
    loaded = read_inventory(HEADER + "\r\n", "cmdb.csv", estate)
    assert (loaded.servers, loaded.rejected, loaded.rows) == ([], [], 0)
    assert inventory_frame(loaded).height == 0
    for empty in ("", "\ufeff", "\n \n"):
        with pytest.raises(InventoryError) as refused:
            read_inventory(empty, "cmdb.csv", estate)
        assert str(refused.value) == "cmdb.csv:1: the file is empty: it has no header row"


def test_a_nul_character_in_a_field_rejects_its_row(estate):
    text = "\n".join([HEADER, server("dc1-a"), server("dc1-b\x00"), server("dc1-c")])
    loaded = read_inventory(text, "cmdb.csv", estate)
    assert loaded.rejected == [(3, "name contains a NUL character (a damaged file, or not a text export?)")]
    assert loaded_servers(loaded) == [(2, "dc1-a"), (4, "dc1-c")]


def test_a_header_only_export_replaces_nothing_and_compares_nothing(tmp_path):
    from tests.test_cli import run

    db = tmp_path / "w.duckdb"
    Warehouse.open(db, create=True).close()
    env = {"COUNCILOPS_CONFIG": str(SMALL_ESTATE), "COUNCILOPS_DB": str(db)}
    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER + "\n", encoding="utf-8")
    first = run("load", "inventory", str(empty), "--as-of", "2026-11-22", env=env)
    # a failed export must not make every server "not in the CMDB"
    assert first.returncode == 0
    assert (
        f"{empty}: no server loaded, so the inventory of 2026-11-22 was left as it was; 0 rejected; "
        "no CMDB inventory held for 2026-11-22 to compare the estate with" in first.stdout
    )
    full = tmp_path / "cmdb.csv"
    full.write_text(EXPORT, encoding="utf-8")
    run("load", "inventory", str(full), "--as-of", "2026-11-22", env=env)
    again = run("load", "inventory", str(empty), "--as-of", "2026-11-22", env=env)
    assert (
        "left as it was; 0 rejected; 3 differences from the estate" in again.stdout
    )  # the day's export stands
    with Warehouse.open(db, read_only=True) as warehouse:
        assert warehouse.row_counts()["server_inventory"] == 5
