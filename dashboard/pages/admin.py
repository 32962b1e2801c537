"""Administration: the accounts and their roles (administrators only). Accounts are made,
removed and given new passwords with `councilops users` (it runs in `serve` while it runs)."""

from __future__ import annotations

from dash import html

from application.accounts import accounts
from dashboard.access import ADMINISTRATORS, Page
from dashboard.components import grid, heading
from dashboard.pages import common
from presentation.formats import local_time
from presentation.render import text


def layout(viewer, served, **_):
    tz = common.zone(served)
    with served.warehouse.cursor() as warehouse:
        found = accounts(warehouse)
    names = {c.id: c.name for c in served.estate.councils}
    columns = (
        text("username", lambda a: a.username),
        text("role", lambda a: a.role),
        text("council", lambda a: names.get(a.council_id, "") if a.council_id else "every council"),
        text("made", lambda a: local_time(a.created_at_utc, tz)),
        text("password set", lambda a: local_time(a.password_set_utc, tz)),
    )
    return html.Div(
        [
            heading(
                "Administration", f"{len(found)} account(s). Passwords are kept only as argon2id hashes."
            ),
            grid("admin-accounts", columns, found, file_name="accounts.csv", title="Accounts"),
            html.Section(
                [
                    html.H2("Managing accounts", className="h5"),
                    html.P("On the server, as the user that runs councilops serve:"),
                    html.Pre(
                        "councilops users add NAME --role ROLE [--council ID]\n"
                        "councilops users passwd NAME\n"
                        "councilops users remove NAME\n"
                        "councilops users list",
                        className="border rounded p-2",
                    ),
                    html.P(
                        "A removed account, or one whose password changes, is signed out at its next request.",
                        className="small text-body-secondary",
                    ),
                ]
            ),
        ]
    )


PAGE = Page(
    module=__name__, path="/admin", name="Administration", roles=ADMINISTRATORS, layout=layout, order=8
)
