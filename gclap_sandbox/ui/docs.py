"""The /docs page: the seed's Gclap API documentation, with examples that run here.

The seed text ships in `web/docs/gclap-api-docs.txt`. Its Python example is taken from that
file and pre-filled with this sandbox's URL (and, on loopback, its default key), and curl and
SMTP versions of the same send are added, so a copy-paste works as it is.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from gclap_sandbox.ui.webroot import web_root

SEED_URL = "http://localhost:8000"
KEY_PLACEHOLDER = "YOUR_API_KEY"


@lru_cache(maxsize=1)
def seed_text() -> str:
    return (web_root() / "docs" / "gclap-api-docs.txt").read_text(encoding="utf-8")


def seed_python_example(text: str) -> str:
    """The seed's Python snippet: from `import requests` to `print(response.json())`."""
    start = text.index("import requests")
    end = text.index("print(response.json())", start) + len("print(response.json())")
    return text[start:end]


def prefill(snippet: str, base_url: str, api_key: str | None) -> str:
    snippet = snippet.replace(SEED_URL, base_url)
    return snippet.replace(KEY_PLACEHOLDER, api_key) if api_key else snippet


def curl_example(base_url: str, api_key: str) -> str:
    return (f"curl -X POST {base_url}/api/v1/emails/send/ \\\n"
            f"  -H 'Authorization: Bearer {api_key}' \\\n"
            "  -H 'Content-Type: application/json' \\\n"
            "  -d '{\"to\": \"user@example.com\", \"subject\": \"Welcome to Gclap!\",\n"
            "       \"html\": \"<h1>Hello!</h1><p>Thanks for joining.</p>\",\n"
            "       \"from_email\": \"hello@yourdomain.com\"}'")


def smtp_example(smtp_host: str, smtp_port: int) -> str:
    host = "localhost" if smtp_host in ("127.0.0.1", "0.0.0.0", "::1", "::") else smtp_host
    return ("import smtplib\nfrom email.message import EmailMessage\n\n"
            "msg = EmailMessage()\n"
            "msg['From'] = 'hello@yourdomain.com'\n"
            "msg['To'] = 'user@example.com'\n"
            "msg['Subject'] = 'Welcome to Gclap!'\n"
            "msg.set_content('Thanks for joining.')\n\n"
            f"with smtplib.SMTP('{host}', {smtp_port}) as smtp:\n"
            "    smtp.send_message(msg)")


def docs_context(base_url: str, api_key: str | None, smtp_host: str, smtp_port: int) -> dict[str, Any]:
    key = api_key or KEY_PLACEHOLDER
    return {
        "base_url": base_url,
        "api_key": api_key,
        "python_example": prefill(seed_python_example(seed_text()), base_url, api_key),
        "curl_example": curl_example(base_url, key),
        "smtp_example": smtp_example(smtp_host, smtp_port),
        "auth_header": f"Authorization: Bearer {key}",
    }
