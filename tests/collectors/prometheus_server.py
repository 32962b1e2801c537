"""A real Prometheus for tests: generated history backfilled with promtool, served on 127.0.0.1.

Measured on this machine: blocks are made with
`--max-block-duration=1458h` (the default made a small file take 500 s instead of seconds),
retention counts from the newest block so it is set to ten years, timestamps are seconds,
samples of a series must be in time order, and the file must end with `# EOF`.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import require_program

CONFIG = "global:\n  scrape_interval: 60s\nscrape_configs: []\n"


@dataclass(frozen=True)
class Metric:
    """One series: name, labels and (time in seconds, value) samples in time order."""

    name: str
    labels: dict[str, str]
    samples: Sequence[tuple[int, float]]


def openmetrics(metrics: Sequence[Metric]) -> str:
    """The OpenMetrics text promtool backfills from: series grouped by metric family."""
    lines: list[str] = []
    families: dict[str, list[Metric]] = {}
    for metric in metrics:
        families.setdefault(metric.name, []).append(metric)
    for name, members in families.items():
        lines.append(f"# TYPE {name} gauge")
        for metric in members:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(metric.labels.items()))
            for seconds, value in metric.samples:
                lines.append(f"{name}{{{labels}}} {value!r} {seconds}")
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def backfill(source: Path, data: Path, timeout_s: float = 3600) -> None:
    """Blocks from an OpenMetrics file into the TSDB folder `data`."""
    promtool = require_program("promtool")
    data.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            promtool,
            "tsdb",
            "create-blocks-from",
            "--max-block-duration=1458h",
            "openmetrics",
            str(source),
            str(data),
        ],
        check=True,
        capture_output=True,
        timeout=timeout_s,
    )


@contextmanager
def serve(data: Path, folder: Path, timeout_s: float = 60) -> Iterator[str]:
    """Run Prometheus on the TSDB in `data` on a free 127.0.0.1 port; yield its URL."""
    prometheus = require_program("prometheus")
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "prometheus.yml"
    config.write_text(CONFIG, encoding="utf-8")
    port = _free_port()
    log = (folder / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [
            prometheus,
            f"--config.file={config}",
            f"--storage.tsdb.path={data}",
            "--storage.tsdb.retention.time=3650d",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"Prometheus did not start: {(folder / 'prometheus.log').read_text()[-2000:]}"
                )
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@contextmanager
def prometheus_with(metrics: Sequence[Metric], folder: Path, timeout_s: float = 60) -> Iterator[str]:
    """Backfill `metrics` into a fresh TSDB in `folder`, run Prometheus on it, yield its URL."""
    require_program("prometheus")
    data = folder / "data"
    data.mkdir(parents=True)
    source = folder / "history.om"
    source.write_text(openmetrics(metrics), encoding="utf-8")
    backfill(source, data, timeout_s=300)
    with serve(data, folder, timeout_s) as url:
        yield url
