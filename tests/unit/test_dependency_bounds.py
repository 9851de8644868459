"""Every runtime dependency has a tested lower bound and stops before the next major version;
CI's constraints file pins exactly those lower bounds; the package says it is typed and a pytest plugin."""
from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def bounds(requirement: Requirement) -> tuple[Version, Version]:
    operators = {spec.operator: Version(spec.version) for spec in requirement.specifier}
    assert set(operators) == {">=", "<"}, f"{requirement}: give exactly >=LOWEST,<NEXT_MAJOR"
    return operators[">="], operators["<"]


def runtime_requirements() -> list[Requirement]:
    return [Requirement(line) for line in PROJECT["dependencies"]]


def test_every_runtime_dependency_stops_before_a_next_major_version():
    for requirement in runtime_requirements():
        lowest, upper = bounds(requirement)
        assert upper == Version(str(upper.major)) and upper.major > lowest.major, (
            f"{requirement}: the upper bound is a major version above the lower one")


def test_the_lowest_constraints_pin_every_lower_bound():
    pinned = {}
    for line in (ROOT / ".ci" / "lowest-constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            [spec] = requirement.specifier
            assert spec.operator == "==", line
            pinned[canonicalize_name(requirement.name)] = Version(spec.version)
    expected = {canonicalize_name(r.name): bounds(r)[0] for r in runtime_requirements()}
    assert pinned == expected


def test_the_package_is_typed_and_a_pytest_plugin():
    assert (ROOT / "gclap_sandbox" / "py.typed").is_file()
    assert {"Framework :: Pytest", "Typing :: Typed"} <= set(PROJECT["classifiers"])
    assert PROJECT["entry-points"]["pytest11"] == {"gclap_sandbox": "gclap_sandbox.pytest_plugin"}
