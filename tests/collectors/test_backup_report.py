"""The Veeam-style backup report: rows loaded, bad rows rejected with line and reason, the
header checked, re-loading idempotent; and the command line around it."""

from __future__ import annotations

from datetime import datetime

import pytest

from collectors.files.backup_report import ReportError, read_backup_report, write_jobs
from estate import load_estate
from tests.conftest import SMALL_ESTATE
from tests.test_cli import run
from warehouse import Warehouse


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
    assert write_jobs(loaded, warehouse, estate.estate.time_zone) == {dataset.site: 3}
    write_jobs(loaded, warehouse, estate.estate.time_zone)
    assert warehouse.row_counts()["backup_jobs"] == 3


def test_the_load_command_reports_counts_and_rejects(tmp_path, estate):
    dataset = a_dataset(estate)
    file = tmp_path / "veeam.csv"
    file.write_text("\ufeff" + report(dataset.id), encoding="utf-8")
    env = {"COUNCILOPS_CONFIG": str(SMALL_ESTATE), "COUNCILOPS_DB": str(tmp_path / "w.duckdb")}
    result = run("load", "backups", str(file), env=env)
    assert result.returncode == 1  # rows were rejected: the input has problems
    assert (
        f"{file}: 3 jobs loaded ({dataset.site} 3), 4 rejected, 1 unfinished sessions skipped"
        in result.stdout
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
    write_jobs(read_backup_report(partial, "partial.csv", estate), warehouse, estate.estate.time_zone)
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
