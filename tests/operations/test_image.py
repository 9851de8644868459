"""The image as `docker run` starts it: non-root, OCI labels, ENTRYPOINT `gclap-sandbox serve` with
arguments added after the image name, env vars honoured, and the HEALTHCHECK command probing it.
Without a container engine here, the image's exact command line runs against this installation
(the same check .ci/run makes against the built wheel)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dockerfile import read

ROOT = Path(__file__).resolve().parents[2]


def test_the_image_runs_serve_as_a_user_with_its_defaults_in_env_vars():
    image = read(ROOT / "Dockerfile")
    assert image.user == "10001:10001"
    assert image.entrypoint == ["gclap-sandbox", "serve"] and image.cmd == []
    assert image.env["GCLAP_SANDBOX_HTTP"] == "0.0.0.0:8000" and image.env["GCLAP_SANDBOX_SMTP"] == "0.0.0.0:1025"
    assert image.env["GCLAP_SANDBOX_DB"] == "/data/sandbox.sqlite3"
    assert image.healthcheck[:2] == ["gclap-sandbox", "readyz"]
    assert image.labels["org.opencontainers.image.title"] == "gclap-sandbox"


def test_the_entrypoint_command_line_starts_and_passes_its_health_check():
    result = subprocess.run([sys.executable, str(ROOT / ".ci" / "check_image.py"), str(ROOT / "Dockerfile"),
                             "--bin", str(Path(sys.executable).parent)],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "health check: ready:" in result.stdout
