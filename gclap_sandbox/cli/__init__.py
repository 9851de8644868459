"""The `gclap-sandbox` command line: `serve`, and thin clients of a running sandbox."""

from gclap_sandbox.cli.commands import main

__all__ = ["main"]
