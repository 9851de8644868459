"""Check the image: build and run it where a container engine works; otherwise run the image's
exact command line (ENTRYPOINT + CMD, with its ENV) and its HEALTHCHECK against the installed
wheel. Either way: non-root, OCI labels, arguments after the image name reach `serve`, env vars
are honoured, and the health check passes once the sandbox is ready.

    check_image.py DOCKERFILE --bin VENV/bin              # no container engine
    check_image.py DOCKERFILE --engine docker|podman      # build and run the image
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
from dockerfile import Image, read  # noqa: E402
from serve_subprocess import read_line  # noqa: E402

LABELS = ("org.opencontainers.image.title", "org.opencontainers.image.source",
          "org.opencontainers.image.licenses", "org.opencontainers.image.version")
DEADLINE = 60  # seconds for a start or a health check to come good; a safety net, not a measure


def check_static(image: Image) -> None:
    assert image.user.split(":")[0] not in ("", "root", "0"), f"the image runs as {image.user!r}"
    assert image.entrypoint[:2] == ["gclap-sandbox", "serve"], image.entrypoint
    assert "--db" not in image.cmd, "a --db flag in CMD would beat GCLAP_SANDBOX_DB"
    assert image.healthcheck[:2] == ["gclap-sandbox", "readyz"], image.healthcheck
    missing = [label for label in LABELS if label not in image.labels]
    assert not missing, f"OCI labels missing: {missing}"
    print(f"Dockerfile: user {image.user}, entrypoint {image.command_line}, health check {image.healthcheck}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def check_command_line(image: Image, bin_dir: Path) -> None:
    """Start the entrypoint as the image would (plus `--seed 5`, as `docker run IMAGE --seed 5`),
    moving its ports and database with env vars as a user would with -e, then probe it."""
    with tempfile.TemporaryDirectory() as data:
        db = os.path.join(data, "sandbox.sqlite3")
        env = {**os.environ, **image.env, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
               "GCLAP_SANDBOX_HTTP": f"127.0.0.1:{_free_port()}", "GCLAP_SANDBOX_SMTP": f"127.0.0.1:{_free_port()}",
               "GCLAP_SANDBOX_DB": db}
        process = subprocess.Popen([*image.command_line, "--seed", "5"], env=env, cwd=data,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            ready = json.loads(read_line(process.stdout, DEADLINE) or "null")
            assert ready is not None, f"no ready line: {process.stderr.read()}"
            assert ready["db"] == db, f"GCLAP_SANDBOX_DB was not honoured: {ready}"
            probe = subprocess.run(image.healthcheck, env=env, capture_output=True, text=True, timeout=DEADLINE)
            assert probe.returncode == 0, f"health check failed: {probe.stdout}{probe.stderr}"
            print(f"entrypoint started: {ready['http_url']}, database {ready['db']}; health check: {probe.stdout.strip()}")
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(DEADLINE)
        assert code == 0, f"serve exited {code} on SIGTERM"
        after = subprocess.run(image.healthcheck, env=env, capture_output=True, text=True, timeout=DEADLINE)
        assert after.returncode == 1, "the health check passed with the sandbox stopped"


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def check_container(engine: str, context: Path) -> None:
    tag = "gclap-sandbox:ci"
    subprocess.run([engine, "build", "-t", tag, str(context)], check=True)
    name = f"gclap-ci-{os.getpid()}"
    _run(engine, "run", "-d", "--name", name, "-e", "GCLAP_SANDBOX_DB=/tmp/from-env.sqlite3", tag, "--seed", "5")
    try:
        assert _run(engine, "exec", name, "id", "-u") != "0", "the container runs as root"
        deadline = time.monotonic() + DEADLINE
        status = ""
        while status != "healthy" and time.monotonic() < deadline:
            time.sleep(1)
            status = _run(engine, "inspect", "--format", "{{.State.Health.Status}}", name)
        assert status == "healthy", f"health: {status}; log: {_run(engine, 'logs', name)}"
        ready = json.loads(_run(engine, "logs", name).splitlines()[0])
        assert ready["db"] == "/tmp/from-env.sqlite3", f"GCLAP_SANDBOX_DB was not honoured: {ready}"
        print(f"{engine}: image built, healthy, non-root, env honoured")
    finally:
        subprocess.run([engine, "rm", "-f", name], capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dockerfile", type=Path)
    parser.add_argument("--bin", type=Path, help="a virtual environment's bin folder with gclap-sandbox")
    parser.add_argument("--engine", help="docker or podman: build and run the image")
    args = parser.parse_args()
    image = read(args.dockerfile)
    check_static(image)
    if args.engine:
        check_container(args.engine, args.dockerfile.resolve().parent)
    else:
        check_command_line(image, args.bin.resolve())


if __name__ == "__main__":
    main()
