"""Read what a Dockerfile says an image runs: ENV, USER, LABELs, ENTRYPOINT, CMD and the
HEALTHCHECK command. Used by the tests and by .ci/check_image.py, which start that exact command
line against an installed sandbox when no container engine is at hand."""
from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Image:
    env: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    user: str = "root"
    entrypoint: list[str] = field(default_factory=list)
    cmd: list[str] = field(default_factory=list)
    healthcheck: list[str] = field(default_factory=list)

    @property
    def command_line(self) -> list[str]:
        """What `docker run IMAGE` runs."""
        return [*self.entrypoint, *self.cmd]


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        joined.append(current + stripped)
        current = ""
    return [(line.split(None, 1)[0].upper(), (line.split(None, 1) + [""])[1]) for line in joined]


def _pairs(arguments: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in shlex.split(arguments))


def _exec_form(arguments: str, instruction: str) -> list[str]:
    if not arguments.startswith("["):
        raise ValueError(f"{instruction} must use the exec form (a JSON array): {arguments}")
    return json.loads(arguments)


def read(path: str | Path) -> Image:
    image = Image()
    for instruction, arguments in _instructions(Path(path).read_text(encoding="utf-8")):
        if instruction == "ENV":
            image.env.update(_pairs(arguments))
        elif instruction == "LABEL":
            image.labels.update(_pairs(arguments))
        elif instruction == "USER":
            image.user = arguments.strip()
        elif instruction == "ENTRYPOINT":
            image.entrypoint = _exec_form(arguments, instruction)
        elif instruction == "CMD":
            image.cmd = _exec_form(arguments, instruction)
        elif instruction == "HEALTHCHECK":
            options, _, command = arguments.partition("CMD ")
            image.healthcheck = _exec_form(command.strip(), "HEALTHCHECK CMD")
    return image


__all__ = ["Image", "read"]
