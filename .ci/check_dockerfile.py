"""Check that the Dockerfile's CMD is a valid `gclap-sandbox` invocation (no Docker engine here)."""
from __future__ import annotations

import json
import sys

import click

from gclap_sandbox.cli.commands import main as cli


def docker_cmd(path: str) -> list[str]:
    lines = [line.strip() for line in open(path, encoding="utf-8")]
    cmd = [line for line in lines if line.startswith("CMD [")]  # HEALTHCHECK has its own CMD
    if len(cmd) != 1:
        raise SystemExit(f"expected exactly one CMD line in {path}, found {len(cmd)}")
    return json.loads(cmd[0][4:])  # exec form: a JSON array


def main(path: str) -> None:
    argv = docker_cmd(path)
    assert argv[0] == "gclap-sandbox", argv
    group_ctx = cli.make_context("gclap-sandbox", argv[1:2], resilient_parsing=False)
    command = cli.get_command(group_ctx, argv[1])
    if command is None:
        raise SystemExit(f"unknown command {argv[1]!r} in CMD")
    try:
        ctx = command.make_context(argv[1], argv[2:], parent=group_ctx)
    except click.UsageError as exc:
        raise SystemExit(f"Dockerfile CMD is not a valid invocation: {exc}") from None
    print(f"Dockerfile CMD parses: {' '.join(argv)} -> {ctx.params}")


if __name__ == "__main__":
    main(sys.argv[1])
