"""Start a real `gclap-sandbox serve` in a subprocess and read its ready line.

The launcher lives in the package (the pytest plugin uses it too); this module keeps the
name the tests import.
"""
from __future__ import annotations

from gclap_sandbox.launcher import RunningSandbox, start_sandbox

__all__ = ["RunningSandbox", "start_sandbox"]
