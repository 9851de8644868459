"""gclap-sandbox: a local stand-in for the Gclap email API."""

__version__ = "0.1.0"
