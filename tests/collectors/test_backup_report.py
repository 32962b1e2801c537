"""The Veeam-style backup report: rows loaded, bad rows rejected with line and reason, the
header checked, re-loading idempotent; and the command line around it."""

from __future__ import annotations

from datetime import datetime

import pytest

from collectors.files.backup_report import ReportError, read_backup_report, write_jobs
from estate import load_estate
from tests.conftest import SMALL_ESTATE
from tests.test_cli import run
from warehouse import Replacement, Warehouse


@pytest.fixture(scope="module")
def estate():
    return load_estate(SMALL_ESTATE)


def a_dataset(estate):
    return next(d for s in estate.services for d in s.datasets)


def report(dataset_id: str) -> str:
    return "\n".join(
        [
            "Job Name,Object Name,Status,Start Time,End Time,Duration,Transferred",
            f"Nightly,{dataset_id},Success,22/11/2026 01:00:05,22/11/2026 01:35:40,00:35:35,12.1 GB",  # line 2
            f"Nightly,{dataset_id},Warning,23/11/2026 01:00:00,23/11/2026 01:20:00,00:20:00,11.9 GB",  # line 3
            f"Nightly,{dataset_id},Failed,2026-11-24 01:00:00,2026-11-24 01:05:00,00:05:00,0 B",  # line 4
            "Nightly,no-such-dataset,Success,25/11/2026 01:00:00,25/11/2026 01:10:00,,",  # line 5
            f"Nightly,{dataset_id},Sucess,26/11/2026 01:00:00,26/11/2026 01:10:00,,",  # line 6
            f"Nightly,{dataset_id},Success,31/11/2026 01:00:00,31/11/2026 01:10:00,,",  # line 7
            f"Nightly,{dataset_id},Success,27/11/2026 02:00:00,27/11/2026 01:10:00,,",  # line 8
            f"Nightly,{dataset_id},Running,28/11/2026 01:00:00,,,",  # line 9
        ]
    )


def test_good_rows_load_and_each_bad_row_is_rejected_with_its_line(estate):
    dataset = a_dataset(estate)
    loaded = read_backup_report(report(dataset.id), "veeam.csv", estate)
    assert [(j.status, j.dataset_id, j.site_id) for j in loaded.jobs] == [
        ("success", dataset.id, dataset.site),
        ("warning", dataset.id, dataset.site),
        ("failed", dataset.id, dataset.site),
    ]
    # 22/11/2026 01:35:40 in London (GMT in November) is 01:35:40 UTC.
    assert loaded.jobs[0].finished_at_utc == datetime(2026, 11, 22, 1, 35, 40)
    assert [line for line, _ in loaded.rejected] == [5, 6, 7, 8]
    reasons = dict(loaded.rejected)
    assert reasons[5] == "Object Name 'no-such-dataset' is no dataset of the estate"
    assert reasons[6] == "Status 'Sucess' is not Success, Warning or Failed"
    assert "'31/11/2026 01:00:00' is not a date and time" in reasons[7]
    assert reasons[8] == "End Time is before Start Time"
    assert loaded.skipped == [(9, "session not finished (status 'Running')")]


def test_a_summer_time_is_converted_to_utc(estate):
    dataset = a_dataset(estate)
    text = f"Job Name,Object Name,Status,Start Time,End Time\nJ,{dataset.id},Success,01/07/2026 01:00:00,01/07/2026 01:30:00\n"
    (job,) = read_backup_report(text, "f.csv", estate).jobs
    assert job.finished_at_utc == datetime(2026, 7, 1, 0, 30)  # BST is UTC+1


def test_a_file_without_a_column_is_refused_naming_it(estate):
    with pytest.raises(ReportError, match=r"^f.csv:1: the header has no 'Status' column"):
        read_backup_report("Job Name,Object Name,Start Time,End Time\n", "f.csv", estate)


def test_loading_the_same_report_twice_is_the_same_as_once(estate, warehouse):
    dataset = a_dataset(estate)
    loaded = read_backup_report(report(dataset.id), "veeam.csv", estate)
    assert write_jobs(loaded, warehouse, estate.estate.time_zone) == {dataset.site: Replacement(added=3)}
    # the same report again: the same three runs, held already, none added or removed
    assert write_jobs(loaded, warehouse, estate.estate.time_zone) == {dataset.site: Replacement(unchanged=3)}
    assert warehouse.row_counts()["backup_jobs"] == 3


def test_the_load_command_reports_counts_and_rejects(tmp_path, estate):
    dataset = a_dataset(estate)
    file = tmp_path / "veeam.csv"
    file.write_text("\ufeff" + report(dataset.id), encoding="utf-8")
    env = {"COUNCILOPS_CONFIG": str(SMALL_ESTATE), "COUNCILOPS_DB": str(tmp_path / "w.duckdb")}
    Warehouse.open(tmp_path / "w.duckdb", create=True).close()
    result = run("load", "backups", str(file), env=env)
    assert result.returncode == 1  # rows were rejected: the input has problems
    assert (
        f"{file}: 3 jobs loaded ({dataset.site} 3): 3 added, 0 changed, 0 unchanged, 0 removed; 4 rejected, "
        "1 unfinished session skipped" in result.stdout
    )
    assert f"{file}:5: rejected: Object Name 'no-such-dataset' is no dataset of the estate" in result.stderr
    with Warehouse.open(tmp_path / "w.duckdb", read_only=True) as warehouse:
        assert warehouse.row_counts()["backup_jobs"] == 3


HEADER = "Job Name,Object Name,Status,Start Time,End Time,Duration,Transferred"


def jobs_held(warehouse) -> list[tuple]:
    return warehouse.query(
        "SELECT job_name, strftime(finished_at_utc, '%Y-%m-%d') FROM backup_jobs ORDER BY ALL"
    ).rows()


def test_a_partial_export_replaces_only_the_jobs_it_contains(estate, warehouse):
    # A full export of two jobs over three nights, then an export of one job on one night: only
    # that job's result that night is replaced; the other job's three results stay.
    dataset = a_dataset(estate)
    full = "\n".join(
        [HEADER]
        + [
            f"{job},{dataset.id},Success,2{day}/11/2026 01:00:00,2{day}/11/2026 01:30:00,,"
            for job in ("Finance nightly", "Council Tax nightly")
            for day in (2, 3, 4)
        ]
    )
    write_jobs(read_backup_report(full, "full.csv", estate), warehouse, estate.estate.time_zone)
    assert len(jobs_held(warehouse)) == 6
    partial = "\n".join(
        [HEADER, f"Finance nightly,{dataset.id},Failed,23/11/2026 01:00:00,23/11/2026 01:05:00,,"]
    )
    done = write_jobs(read_backup_report(partial, "partial.csv", estate), warehouse, estate.estate.time_zone)
    # the Finance run of the 23rd, held as a success, now failed: one changed; nothing else touched
    assert done == {dataset.site: Replacement(changed=1)}
    assert jobs_held(warehouse) == [
        ("Council Tax nightly", "2026-11-22"),
        ("Council Tax nightly", "2026-11-23"),
        ("Council Tax nightly", "2026-11-24"),
        ("Finance nightly", "2026-11-22"),
        ("Finance nightly", "2026-11-23"),
        ("Finance nightly", "2026-11-24"),
    ]
    statuses = warehouse.query(
        "SELECT status FROM backup_jobs WHERE job_name = 'Finance nightly' ORDER BY finished_at_utc"
    )["status"].to_list()
    assert statuses == ["success", "failed", "success"]  # the 23rd's result replaced, and only it
    # re-run that night at 02:00: the report's run of the 23rd is a new one and the 01:00 run it
    # no longer lists is removed, the load says so
    rerun = "\n".join(
        [HEADER, f"Finance nightly,{dataset.id},Success,23/11/2026 02:00:00,23/11/2026 02:20:00,,"]
    )
    done = write_jobs(read_backup_report(rerun, "rerun.csv", estate), warehouse, estate.estate.time_zone)
    assert done == {dataset.site: Replacement(added=1, removed=1)}
    assert len(jobs_held(warehouse)) == 6


def test_a_row_far_before_the_rest_is_rejected_and_cannot_widen_the_span(estate, warehouse):
    dataset = a_dataset(estate)
    earlier = "\n".join([HEADER, f"Nightly,{dataset.id},Success,01/06/2026 01:00:00,01/06/2026 01:30:00,,"])
    write_jobs(read_backup_report(earlier, "june.csv", estate), warehouse, estate.estate.time_zone)
    typo = "\n".join(
        [
            HEADER,
            f"Nightly,{dataset.id},Success,01/01/1900 01:00:00,01/01/1900 01:30:00,,",  # line 2
            f"Nightly,{dataset.id},Success,01/01/2000 01:00:00,01/01/2000 01:30:00,,",  # line 3
            f"Nightly,{dataset.id},Success,22/11/2026 01:00:00,22/11/2026 01:30:00,,",  # line 4
        ]
    )
    loaded = read_backup_report(typo, "typo.csv", estate)
    assert [line for line, _ in loaded.rejected] == [2, 3]
    assert "outside the years 1970-2100" in loaded.rejected[0][1]
    assert "more than 400 days before the report's latest job (2026-11-22)" in loaded.rejected[1][1]
    write_jobs(loaded, warehouse, estate.estate.time_zone)
    assert jobs_held(warehouse) == [("Nightly", "2026-06-01"), ("Nightly", "2026-11-22")]  # June kept


# Bad input, row by row: each bad row is rejected with its line and a plain reason naming the
# column, the good rows around it load, and only a file that cannot be read at all is refused.

COLUMNS = "Job Name,Object Name,Status,Start Time,End Time"


def good(dataset_id: str, day: int, job: str = "Nightly") -> str:
    return f"{job},{dataset_id},Success,{day:02d}/11/2026 01:00:00,{day:02d}/11/2026 01:30:00"


def loaded_days(loaded) -> list[tuple[int, int]]:
    """(line, day of November) of each job loaded."""
    return [(j.line, j.finished_at_utc.day) for j in loaded.jobs]


def test_an_unterminated_quote_rejects_its_row_and_the_rows_after_it_still_load(estate):
    dataset = a_dataset(estate)
    to_the_end = "\n".join(
        [
            COLUMNS,
            good(dataset.id, 1),  # 2
            f'Nightly,"{dataset.id},Success,02/11/2026 01:00:00,02/11/2026 01:30:00',  # 3: never closes
            good(dataset.id, 3),  # 4
            good(dataset.id, 4),  # 5
        ]
    )
    loaded = read_backup_report(to_the_end, "f.csv", estate)
    assert loaded.rejected == [
        (
            3,
            "unterminated quote: the quoted Object Name that starts on this line does not close before "
            "the end of the file; the lines after it were read as rows of their own",
        )
    ]
    assert loaded_days(loaded) == [(2, 1), (4, 3), (5, 4)]
    assert loaded.rows == 4
    # A quote that closes, but only after more than MAX_ROW_LINES lines, is unterminated too: the
    # 150 rows after it load; a quoted field over a few lines (a Details column) is a field.
    many = "\n".join(
        [
            COLUMNS + ",Details",
            f'"Nightly,{dataset.id},Success,01/11/2026 01:00:00,01/11/2026 01:30:00,',  # 2
            *[good(dataset.id, 1 + i % 28, f"Job {i}") + "," for i in range(150)],  # 3-152
            good(dataset.id, 29) + ',"Processing\nfinished, 2 warnings"',  # 153-154: one row
            good(dataset.id, 30) + ",",  # 155
        ]
    )
    loaded = read_backup_report(many, "f.csv", estate)
    assert loaded.rejected == [
        (
            2,
            "unterminated quote: the quoted Job Name that starts on this line runs over more than 100 "
            "lines; the lines after it were read as rows of their own",
        )
    ]
    assert [j.line for j in loaded.jobs] == [*range(3, 154), 155]
    assert loaded_days(loaded)[-2:] == [(153, 29), (155, 30)]


def test_text_after_a_closing_quote_rejects_its_row(estate):
    dataset = a_dataset(estate)
    text = "\n".join(
        [
            COLUMNS,
            f'Nightly,"{dataset.id}"x,Success,01/11/2026 01:00:00,01/11/2026 01:30:00',  # 2
            f'"Nightly, ""full""",{dataset.id},Success,02/11/2026 01:00:00,02/11/2026 01:30:00',  # 3
        ]
    )
    loaded = read_backup_report(text, "f.csv", estate)
    assert loaded.rejected == [
        (
            2,
            "Object Name: text after the closing quote of a quoted field "
            '(a quote inside a quoted field is written twice: "")',
        )
    ]
    assert [(j.line, j.job_name) for j in loaded.jobs] == [(3, 'Nightly, "full"')]


def test_a_row_with_fewer_or_more_fields_than_the_header_is_rejected(estate):
    dataset = a_dataset(estate)
    text = "\n".join(
        [
            COLUMNS,
            good(dataset.id, 1),  # 2
            f"Nightly,{dataset.id},Success",  # 3: no times; was an "unfinished session"
            good(dataset.id, 2) + ",extra",  # 4
            "Nightly",  # 5
            good(dataset.id, 3),  # 6
        ]
    )
    loaded = read_backup_report(text, "f.csv", estate)
    assert loaded.rejected == [
        (3, "has 3 fields, the header has 5"),
        (4, "has 6 fields, the header has 5"),
        (5, "has 1 field, the header has 5"),
    ]
    assert loaded.skipped == []
    assert loaded_days(loaded) == [(2, 1), (6, 3)]


def test_a_header_naming_a_column_twice_is_refused_naming_it(estate):
    dataset = a_dataset(estate)
    with pytest.raises(ReportError) as refused:
        read_backup_report(f"{COLUMNS},Status\n{good(dataset.id, 1)},Failed\n", "f.csv", estate)
    assert str(refused.value) == (
        "f.csv:1: the header has more than one column named 'Status' (columns 3 and 6): "
        "which to read is ambiguous"
    )
    # Two columns the report does not read (two empty names: trailing commas) are no ambiguity.
    loaded = read_backup_report(f"{COLUMNS},,\n{good(dataset.id, 1)},,\n", "f.csv", estate)
    assert (loaded.rejected, loaded_days(loaded)) == ([], [(2, 1)])


def test_a_time_outside_1970_2100_is_rejected_before_any_conversion(estate, warehouse):
    dataset = a_dataset(estate)
    text = "\n".join(
        [
            COLUMNS,
            f"Nightly,{dataset.id},Success,31/12/9999 23:59:59,31/12/9999 23:59:59",  # 2
            f"Nightly,{dataset.id},Success,01/11/2026 01:00:00,31/12/9999 23:59:59",  # 3
            f"Nightly,{dataset.id},Success,0001-01-01 00:00:00,01/11/2026 01:00:00",  # 4
            good(dataset.id, 1),  # 5
        ]
    )
    loaded = read_backup_report(text, "f.csv", estate)
    assert loaded.rejected == [
        (2, "Start Time '31/12/9999 23:59:59' is outside the years 1970-2100"),
        (3, "End Time '31/12/9999 23:59:59' is outside the years 1970-2100"),
        (4, "Start Time '0001-01-01 00:00:00' is outside the years 1970-2100"),
    ]
    assert loaded_days(loaded) == [(5, 1)]
    assert write_jobs(loaded, warehouse, estate.estate.time_zone) == {dataset.site: Replacement(added=1)}


def test_a_field_over_128_kib_rejects_its_row_and_a_file_over_64_mib_is_refused(estate):
    import csv

    from collectors.files.csv_table import MAX_FIELD_BYTES, MAX_FILE_BYTES

    dataset = a_dataset(estate)
    limit_before = csv.field_size_limit()
    text = "\n".join(
        [
            COLUMNS,
            good(dataset.id, 1, job="J" * MAX_FIELD_BYTES),  # 2: at the bound, loads
            good(dataset.id, 2, job="J" * (MAX_FIELD_BYTES + 1)),  # 3
            good(dataset.id, 3, job="é" * (MAX_FIELD_BYTES // 2 + 1)),  # 4: 2 bytes each in UTF-8
            good(dataset.id, 4) + "," + "x" * 200_000,  # 5: over the bound and a field too many
            f'Nightly,{dataset.id},Success,05/11/2026 01:00:00,"{"9" * 300_000}"',  # 6: quoted
            good(dataset.id, 6),  # 7
        ]
    )
    loaded = read_backup_report(text, "f.csv", estate)
    assert loaded.rejected == [
        (3, "Job Name is 131,073 bytes, over the 128 KiB a field may be"),
        (4, "Job Name is 131,074 bytes, over the 128 KiB a field may be"),
        (5, "has 6 fields, the header has 5"),
        (6, "End Time is 300,000 bytes, over the 128 KiB a field may be"),
    ]
    assert [(j.line, len(j.job_name)) for j in loaded.jobs] == [(2, MAX_FIELD_BYTES), (7, 7)]
    assert csv.field_size_limit() == limit_before  # the process-wide limit is restored
    assert MAX_FILE_BYTES == 64 * 1024 * 1024
    with pytest.raises(ReportError) as refused:
        read_backup_report(COLUMNS + "\n" + "x" * MAX_FILE_BYTES, "big.csv", estate)
    assert str(refused.value) == (
        "big.csv: the file is 67,108,912 bytes, over the 64 MiB that can be read at once: export it in parts"
    )


def test_a_file_at_the_size_bound_loads_and_a_byte_over_is_refused(estate):
    from estate.model import Limits

    dataset = a_dataset(estate)
    text = f"{COLUMNS}\n{good(dataset.id, 1, job='Nightly é' + 'x' * 1000)}\n"  # é: two bytes in UTF-8
    # the estate's [limits] file_max_bytes, set to this file's size
    estate = estate.model_copy(update={"limits": Limits(file_max_bytes=len(text.encode()))})
    assert loaded_days(read_backup_report(text, "f.csv", estate)) == [(2, 1)]
    with pytest.raises(ReportError) as refused:
        read_backup_report(text + " ", "f.csv", estate)
    size = len(text.encode())
    assert str(refused.value) == (
        f"f.csv: the file is {size + 1:,} bytes, over the {size:,} bytes that can be read at once: export it in parts"
    )


def test_blank_lines_and_empty_rows_are_ignored_and_rows_keep_their_lines(estate):
    dataset = a_dataset(estate)
    text = "\n".join(["", COLUMNS, "", good(dataset.id, 1), ",,,,", "   ", good(dataset.id, 2), "", ""])
    loaded = read_backup_report(text, "f.csv", estate)
    assert (loaded.rejected, loaded.skipped, loaded_days(loaded), loaded.rows) == (
        [],
        [],
        [(4, 1), (7, 2)],
        2,
    )


def test_a_header_only_file_loads_zero_rows_and_says_so(tmp_path, estate):
    for text in (COLUMNS, COLUMNS + "\r\n", "\ufeff" + COLUMNS + "\n\n"):
        loaded = read_backup_report(text, "f.csv", estate)
        assert (loaded.jobs, loaded.rejected, loaded.skipped, loaded.rows) == ([], [], [], 0)
    file = tmp_path / "veeam.csv"
    file.write_text(COLUMNS + "\n", encoding="utf-8")
    env = {"COUNCILOPS_CONFIG": str(SMALL_ESTATE), "COUNCILOPS_DB": str(tmp_path / "w.duckdb")}
    Warehouse.open(tmp_path / "w.duckdb", create=True).close()
    result = run("load", "backups", str(file), env=env)
    assert result.returncode == 0
    assert (
        f"{file}: 0 jobs loaded (none): 0 added, 0 changed, 0 unchanged, 0 removed; 0 rejected, "
        "0 unfinished sessions skipped" in result.stdout
    )


@pytest.mark.parametrize("text", ["", "\ufeff", "\n\n", "\ufeff\r\n", ",,,\n"])
def test_an_empty_file_or_only_a_byte_order_mark_is_refused(estate, text):
    with pytest.raises(ReportError) as refused:
        read_backup_report(text, "f.csv", estate)
    assert str(refused.value) == "f.csv:1: the file is empty: it has no header row"


@pytest.mark.parametrize(
    ("header", "why"),
    [
        (
            'Job Name,"Object Name,Status,Start Time,End Time\nNightly,x,Success,,\n',
            "unterminated quote: the quoted column 2 that starts on this line does not close before the "
            "end of the file",
        ),
        (
            "J\x00o\x00b\x00 \x00N\x00a\x00m\x00e\x00,\x00\n",
            "column 1 contains a NUL character (a UTF-16 file? export it as UTF-8)",
        ),
        (f"{COLUMNS},{'D' * 200_000}\n", "column 6 is 200,000 bytes, over the 128 KiB a field may be"),
    ],
)
def test_a_header_that_cannot_be_read_is_refused(estate, header, why):
    with pytest.raises(ReportError) as refused:
        read_backup_report(header, "f.csv", estate)
    assert str(refused.value) == f"f.csv:1: the header cannot be read: {why}"


def test_crlf_and_cr_line_endings_read_as_lf(estate):
    dataset = a_dataset(estate)
    lf = "\n".join([COLUMNS, good(dataset.id, 1), "Nightly,nowhere,Success,,", good(dataset.id, 2)]) + "\n"
    for text in (lf, lf.replace("\n", "\r\n"), lf.replace("\n", "\r")):
        loaded = read_backup_report(text, "f.csv", estate)
        assert loaded_days(loaded) == [(2, 1), (4, 2)]
        assert loaded.rejected == [(3, "Object Name 'nowhere' is no dataset of the estate")]
        assert loaded.jobs[0].job_name == "Nightly"  # no stray \r


def test_a_nul_character_in_a_field_rejects_its_row(estate):
    dataset = a_dataset(estate)
    text = "\n".join(
        [
            COLUMNS,
            good(dataset.id, 1),  # 2
            f"Nightly,{dataset.id}\x00,Success,02/11/2026 01:00:00,02/11/2026 01:30:00",  # 3
            "\x00\x00\x00\x00,,,,",  # 4: a block of zeros, as a crash leaves
            good(dataset.id, 3),  # 5
        ]
    )
    loaded = read_backup_report(text, "f.csv", estate)
    assert loaded.rejected == [
        (3, "Object Name contains a NUL character (a damaged file, or not a text export?)"),
        (4, "Job Name contains a NUL character (a damaged file, or not a text export?)"),
    ]
    assert loaded_days(loaded) == [(2, 1), (5, 3)]


def test_impossible_dates_times_with_letters_and_empty_names_are_rejected(estate):
    dataset = a_dataset(estate)
    text = "\n".join(
        [
            COLUMNS,
            f"Nightly,{dataset.id},Success,31/02/2026 01:00:00,31/02/2026 01:30:00",  # 2
            f"Nightly,{dataset.id},Success,01/11/2026 01:0a:00,01/11/2026 01:30:00",  # 3
            f"Nightly,{dataset.id},Success,01/11/2026 01:00:00,noon",  # 4
            f"Nightly,{dataset.id},Success,,01/11/2026 01:30:00",  # 5
            "Nightly,  ,Success,01/11/2026 01:00:00,01/11/2026 01:30:00",  # 6
            f"Nightly,{dataset.id},Success,०१/११/२०२६ ०१:००:००,01/11/2026 01:30:00",  # 7: Devanagari digits
            good(dataset.id, 1, job=""),  # 8: no job name: the dataset's id
            good(dataset.id, 2),  # 9
        ]
    )
    loaded = read_backup_report(text, "f.csv", estate)
    not_a_time = "is not a date and time (dd/mm/yyyy hh:mm:ss or yyyy-mm-dd hh:mm:ss)"
    assert loaded.rejected == [
        (2, f"Start Time '31/02/2026 01:00:00' {not_a_time}"),
        (3, f"Start Time '01/11/2026 01:0a:00' {not_a_time}"),
        (4, f"End Time 'noon' {not_a_time}"),
        (5, "Start Time is empty"),
        (6, "Object Name is empty"),
        (7, f"Start Time '०१/११/२०२६ ०१:००:००' {not_a_time}"),
    ]
    assert [(j.line, j.job_name, j.finished_at_utc.day) for j in loaded.jobs] == [
        (8, dataset.id, 1),
        (9, "Nightly", 2),
    ]


def test_a_long_value_is_cut_short_in_its_message(estate):
    dataset = a_dataset(estate)
    text = f"{COLUMNS}\nNightly,{dataset.id},{'S' * 1000},01/11/2026 01:00:00,01/11/2026 01:30:00\n"
    (rejected,) = read_backup_report(text, "f.csv", estate).rejected
    assert rejected == (2, f"Status {'S' * 60!r}... (1,000 characters) is not Success, Warning or Failed")


def test_a_row_written_twice_is_rejected_so_a_night_is_not_counted_twice(estate, warehouse):
    # found by the fuzz suite: a repeated row loaded the same run twice
    dataset = a_dataset(estate)
    row = f"Nightly,{dataset.id},Success,22/11/2026 01:00:05,22/11/2026 01:35:40,,"
    text = "\n".join(
        [HEADER, row, f"Nightly,{dataset.id},Warning,23/11/2026 01:00:00,23/11/2026 01:20:00,,", row]
    )
    loaded = read_backup_report(text, "f.csv", estate)
    assert loaded.rejected == [(4, f"the same run as line 2 (Nightly, {dataset.id}, same Start Time)")]
    assert write_jobs(loaded, warehouse, estate.estate.time_zone) == {dataset.site: Replacement(added=2)}
    assert warehouse.row_counts()["backup_jobs"] == 2
