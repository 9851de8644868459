"""The docker-compose example of a shared sandbox (examples/shared-sandbox/) says only what the
program understands: every setting it gives is one `serve` reads, its database URL is one `--db`
takes, and HAProxy forwards to the services and ports the compose file and the image define."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from dockerfile import read as read_dockerfile

from gclap_sandbox.cli.commands import serve
from gclap_sandbox.settings import database_location

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "shared-sandbox"


def compose() -> dict:
    return yaml.safe_load((EXAMPLE / "docker-compose.yml").read_text())


def sandbox_services() -> dict[str, dict]:
    return {name: service for name, service in compose()["services"].items() if service.get("image") == "gclap-sandbox"}


def test_the_example_runs_two_sandbox_processes_on_one_postgresql_database() -> None:
    services = sandbox_services()
    assert len(services) == 2
    urls = {service["environment"]["GCLAP_SANDBOX_DB"] for service in services.values()}
    assert len(urls) == 1
    assert database_location(urls.pop()).startswith("postgresql://")


def test_every_setting_the_example_gives_is_one_serve_reads() -> None:
    read = {param.envvar for param in serve.params if param.envvar}
    for name, service in sandbox_services().items():
        given = set(service["environment"])
        assert given <= read, f"{name}: {sorted(given - read)} are not settings of serve"


def test_haproxy_forwards_to_the_sandbox_services_on_the_ports_the_image_listens_on() -> None:
    image = read_dockerfile(ROOT / "Dockerfile")
    ports = {image.env["GCLAP_SANDBOX_HTTP"].rsplit(":", 1)[1], image.env["GCLAP_SANDBOX_SMTP"].rsplit(":", 1)[1]}
    config = (EXAMPLE / "haproxy.cfg").read_text()
    servers = set(re.findall(r"^\s*server \S+ ([\w-]+):(\d+)", config, re.MULTILINE))
    assert servers == {(name, port) for name in sandbox_services() for port in ports}
    published = {mapping.split(":")[0] for mapping in compose()["services"]["sandbox"]["ports"]}
    assert published == ports
    assert set(re.findall(r"^\s*bind :(\d+)", config, re.MULTILINE)) == ports


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy is not installed here")
def test_haproxy_accepts_the_example_configuration() -> None:
    checked = subprocess.run(["haproxy", "-c", "-f", str(EXAMPLE / "haproxy.cfg")],
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
