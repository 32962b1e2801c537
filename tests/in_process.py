"""The command line as a user runs it, in this process: faster than a subprocess for the many
runs the fuzz suite and the bad-option tests make, and as strict (COUNCILOPS_DEBUG=1 raises an
unexpected exception instead of turning it into a line)."""

from __future__ import annotations

import io
import os
import sys
from contextlib import redirect_stderr, redirect_stdout
from unittest import mock

from councilops.cli import main


def run(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `councilops ARGS` with `env` added to the environment."""
    out, err = io.StringIO(), io.StringIO()
    environment = {"COUNCILOPS_DEBUG": "1", "COLUMNS": "160", **env}
    with (
        mock.patch.object(sys, "argv", ["councilops", *args]),
        mock.patch.dict(os.environ, environment),
        redirect_stdout(out),
        redirect_stderr(err),
    ):
        try:
            main()
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    return code, out.getvalue(), err.getvalue()
