"""docker/ is not built here (no Docker engine): its files are parsed and their references checked."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

DOCKER = Path(__file__).resolve().parents[1] / "docker"


def test_compose_file_parses_and_mounts_files_that_exist():
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))
    assert {"prometheus-dc1", "prometheus-dc2", "councilops"} <= set(compose["services"])
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DOCKER / source).exists(), source


def test_prometheus_configs_parse_and_label_their_site():
    for site in ("dc1", "dc2"):
        config = yaml.safe_load((DOCKER / f"prometheus-{site}.yml").read_text(encoding="utf-8"))
        assert config["global"]["external_labels"]["site"] == site
        assert {job["job_name"] for job in config["scrape_configs"]} == {"node", "blackbox", "councilops"}
        targets = {job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]}
        assert targets["node"] == [f"node-exporter-{site}:9100"]  # each site its own exporters
        assert targets["councilops"] == ["councilops:8050"]


def test_the_compose_file_runs_serve_beside_a_prometheus_and_exporters_per_site():
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    for site in ("dc1", "dc2"):
        assert {f"prometheus-{site}", f"node-exporter-{site}", f"blackbox-exporter-{site}"} <= set(services)
    assert services["councilops"]["ports"] == ["127.0.0.1:8050:8050"]
    dockerfile = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    assert "councilops serve --host 0.0.0.0 --port 8050" in dockerfile and "HEALTHCHECK" in dockerfile


def test_the_image_holds_every_package():
    import tomllib

    root = DOCKER.parent
    packages = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "packages"
    ]["find"]["include"]
    copied = set(re.findall(r"^COPY (\w+) ", (DOCKER / "Dockerfile").read_text(encoding="utf-8"), re.M))
    assert {p.rstrip("*") for p in packages} <= copied


def test_dockerfile_copies_only_what_exists():
    root = DOCKER.parent
    for line in (DOCKER / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if match := re.match(r"COPY (.+) \S+$", line):
            for source in match[1].split():
                assert (root / source).exists(), source


def test_prometheus_configs_pass_promtool():
    """The docker Prometheus configurations are valid for the Prometheus the tests run."""
    import subprocess

    from tests.conftest import require_program

    promtool = require_program("promtool")
    for site in ("dc1", "dc2"):
        result = subprocess.run(
            [promtool, "check", "config", str(DOCKER / f"prometheus-{site}.yml")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "SUCCESS" in result.stdout
