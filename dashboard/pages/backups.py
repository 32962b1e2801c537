"""Backups and DR: each protected dataset's recovery point against its RPO this month, the
breaches, backup job success, replication lag between the sites, and the DR-test register
against each RTO. All from the month's service levels (docs/sla.md), for every council."""

from __future__ import annotations

from dash import html

from dashboard.access import OPERATORS, NotFound, Page
from dashboard.components import chart, chooser, grid, heading, kept, month_nav, tile, tiles
from dashboard.figures import lines
from dashboard.pages import common
from presentation.formats import day, duration, percent_down
from presentation.render import Column, text
from sla import calendar as cal


def layout(viewer, served, month: str | None = None, dataset: str | None = None, **_):
    month, months = common.chosen_month(served, month)
    report = served.answers.month(month, viewer.scope)
    # a dataset belongs to a service, which several councils' contracts may cover: once each
    datasets, replication, rto = {}, {}, {}
    for row in report.rows:
        if row.rpo is not None:
            for d in row.rpo.datasets:
                datasets.setdefault(d.dataset_id, (row, d))
            for r in row.rpo.replication:
                replication.setdefault((r.dataset_id, r.from_site_id, r.to_site_id), (row, r))
        if row.rto is not None:
            rto.setdefault(row.service_id, (row, row.rto))
    items = sorted(datasets.values(), key=lambda x: (-sum(b - a for a, b in x[1].breaches), x[1].dataset_id))
    breached = [x for x in items if x[1].breaches]
    if dataset is not None and dataset not in datasets:
        raise NotFound(f"dataset {dataset}")
    chosen = dataset or (items[0][1].dataset_id if items else None)
    attempted = sum(d.jobs.attempted for _, d in items)
    succeeded = sum(d.jobs.succeeded for _, d in items)
    columns = (
        text("dataset", lambda x: x[1].dataset_id),
        text("service", lambda x: x[0].service_name),
        text("site", lambda x: x[1].site_id),
        Column("RPO", "hours", lambda x: x[0].rpo.rpo_hours),
        Column(
            "recovery point age at month end",
            "seconds",
            lambda x: x[1].recovery_point_age_at_end_seconds,
            lambda v: "none" if v is None else duration(v),
        ),
        Column("time over the RPO", "seconds", lambda x: sum(b - a for a, b in x[1].breaches), duration),
        Column("breaches", "", lambda x: len(x[1].breaches)),
        Column("jobs", "", lambda x: x[1].jobs.attempted),
        Column("failed", "", lambda x: x[1].jobs.failed),
        Column(
            "job success",
            "percent",
            lambda x: None if x[1].jobs.success_rate is None else percent_down(x[1].jobs.success_rate, 2),
        ),
    )
    lag_columns = (
        text("dataset", lambda x: x[1].dataset_id),
        text("from", lambda x: x[1].from_site_id),
        text("to", lambda x: x[1].to_site_id),
        Column(
            "largest lag",
            "seconds",
            lambda x: x[1].max_lag_seconds,
            lambda v: "not measured" if v is None else duration(round(v)),
        ),
        Column("time over the RPO", "seconds", lambda x: sum(b - a for a, b in x[1].breaches), duration),
    )
    tests = sorted(served.estate.dr_tests, key=lambda t: (t.date, t.service), reverse=True)
    rto_of = {service: r for service, (_, r) in rto.items()}
    dr_columns = (
        text("date", lambda t: day(t.date)),
        text("service", lambda t: t.service),
        text("recovered at", lambda t: t.recovered_at_site),
        Column("recovery", "minutes", lambda t: t.measured_recovery_minutes),
        Column("RTO", "hours", lambda t: rto_of[t.service].rto_hours if t.service in rto_of else None),
        text(
            "within the RTO",
            lambda t: (
                "n/a"
                if t.service not in rto_of
                else (
                    "yes"
                    if t.passed and t.measured_recovery_minutes <= 60 * rto_of[t.service].rto_hours
                    else "NO"
                )
            ),
        ),
        text("notes", lambda t: t.notes),
    )
    return html.Div(
        [
            heading("Backups and DR", f"Recovery points against each contract's RPO in {month}."),
            month_nav("/backups", month, months),
            tiles(
                [
                    tile("Protected datasets", str(len(items))),
                    tile(
                        "Over their RPO at some time",
                        str(len(breached)),
                        state="missed" if breached else "met",
                    ),
                    tile("Backup jobs succeeded", f"{succeeded:,} of {attempted:,}"),
                    tile("DR tests on record", str(len(tests))),
                ]
            ),
            html.P(
                "A dataset's recovery point is its newest good backup (success or warning) or its replica at the other "
                "site, whichever is newer; time over the RPO is when that point was older than the RPO.",
                className="small text-body-secondary",
            ),
            # laid out once per month's answer (the chosen dataset's chart once per dataset)
            kept(
                served,
                ("backups-age", month, chosen, viewer.scope.council_id),
                month,
                lambda: _age_chart(served, viewer, month, items, chosen),
            ),
            kept(
                served,
                ("backups-grids", month, viewer.scope.council_id),
                month,
                lambda: html.Div(
                    [
                        grid(
                            "backups-datasets",
                            columns,
                            items,
                            file_name=f"recovery-points-{month}.csv",
                            title="Datasets (most time over the RPO first)",
                        ),
                        grid(
                            "backups-replication",
                            lag_columns,
                            list(replication.values()),
                            file_name=f"replication-lag-{month}.csv",
                            title="Replication between the sites",
                        )
                        if replication
                        else html.P("No dataset is replicated."),
                        grid(
                            "backups-dr-tests",
                            dr_columns,
                            tests,
                            file_name="dr-tests.csv",
                            title="The DR-test register",
                        )
                        if tests
                        else html.P("No DR test is on record."),
                    ]
                ),
            ),
        ]
    )


def _age_chart(served, viewer, month, items, chosen):
    if chosen is None:
        return html.P("No dataset is protected under a contract this month.")
    row, _ = next(x for x in items if x[1].dataset_id == chosen)
    history = served.answers.recovery_ages(month, chosen, viewer.scope)
    tz = common.zone(served)
    hours = [
        cal.from_utc_seconds(t).astimezone(tz).strftime("%Y-%m-%d %H:%M") for t in history.hour_starts_utc
    ]
    ages = [None if a is None else a / 3600 for a in history.highest_age_seconds]
    series = {"highest age in the hour": ages}
    if history.replicated_to:
        series["from the backups alone"] = [
            None if a is None else a / 3600 for a in history.backup_highest_age_seconds
        ]
    series["RPO"] = [row.rpo.rpo_hours] * len(hours)
    over = sum(1 for a in history.highest_age_seconds if a is not None and a > row.rpo.rpo_hours * 3600)
    source = (
        f"its backups and its replica at {history.replicated_to}" if history.replicated_to else "its backups"
    )
    return html.Section(
        [
            chooser(
                "dataset",
                "Dataset shown",
                [
                    (
                        d.dataset_id,
                        f"{d.dataset_id} · {r.service_name}" + (" · over its RPO" if d.breaches else ""),
                    )
                    for r, d in items
                ],
                chosen,
            ),
            chart(
                "backups-age",
                lines(
                    hours,
                    series,
                    "recovery point age (hours)",
                    f"hour ({tz.key})",
                    dashed=("RPO",),
                ),
                f"{chosen}: recovery point age through {month}",
                f"The highest age reached in each hour: the time since the newest recovery point from {source}, "
                f"against the RPO of {row.rpo.rpo_hours:g} hours; {over} hour(s) over it. A gap is an hour "
                "before any recovery point is known."
                + (
                    " The backups alone are drawn too: a replica copies a deletion or corruption within seconds."
                    if history.replicated_to
                    else ""
                ),
            ),
        ],
        className="mb-4",
    )


PAGE = Page(module=__name__, path="/backups", name="Backups and DR", roles=OPERATORS, layout=layout, order=5)
