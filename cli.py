#!/usr/bin/env python
"""Run gclap-sandbox from a checkout, like Django's manage.py: `python cli.py serve`."""
from gclap_sandbox.cli.commands import main

if __name__ == "__main__":
    main()
