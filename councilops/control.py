"""The command line's side of the control endpoint: when `councilops serve` holds the
warehouse, a command is sent to it (councilops/serve.py) and its output printed here.

The control file beside the warehouse (`<warehouse>.control`, readable only by the user who
runs `serve`) gives the port and the token; the request goes to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import httpx

CONTROL_TIMEOUT_SECONDS = 6 * 3600  # a collection backfill can take hours; the server bounds its own work


def control_file(db: Path) -> Path:
    return db.with_name(db.name + ".control")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def forward(db: Path, arguments: list[str], stdin: str = "") -> int | None:
    """Run the command in the served process holding `db`, with what it had read of standard
    input; its exit status, or None when no served process answers for it (then the caller
    reports the warehouse as busy)."""
    path = control_file(Path(db))
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
        port, token, pid = int(found["port"]), str(found["token"]), int(found["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _alive(pid):
        return None
    print(f"councilops serve (process {pid}) holds the warehouse: running this there", file=sys.stderr)
    try:
        response = httpx.post(
            f"http://127.0.0.1:{port}/control/run",
            json={"arguments": arguments, "stdin": stdin},
            headers={"Authorization": f"Bearer {token}"},
            timeout=CONTROL_TIMEOUT_SECONDS,
        )
    except httpx.HTTPError as error:
        print(f"error: the served process did not answer: {error}", file=sys.stderr)
        return 2
    if response.status_code != 200:
        try:
            message = response.json().get("error", response.text)
        except ValueError:
            message = response.text
        print(f"error: the served process refused the command: {message}", file=sys.stderr)
        return 2
    answer = response.json()
    sys.stdout.write(answer.get("stdout", ""))
    sys.stderr.write(answer.get("stderr", ""))
    return int(answer.get("status", 2))
