"""Sending the mail the content-check tests look at, and reading its checks."""
from __future__ import annotations

import smtplib
from typing import Any

import httpx

# An image-only marketing email, sent over SMTP as an application might: no text part, no
# unsubscribe, no Message-ID or Date, a shouting subject and a link whose text shows another domain.
IMAGE_ONLY_MARKETING = (
    "From: Deals <deals@shop.example>\r\n"
    "To: {to}\r\n"
    "Subject: HUGE SALE TODAY ONLY!!!\r\n"
    "X-Gclap-Category: marketing\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<html><body>\r\n"
    "<a href=\"https://bit.ly/3xYz\"><img src=\"http://203.0.113.7/banner.png\"></a>\r\n"
    "<p><a href=\"https://deals.shop.example/login\">www.yourbank.com</a></p>\r\n"
    "</body></html>\r\n")


def send_raw(sandbox: Any, to: str, raw: str | bytes) -> None:
    data = raw.encode() if isinstance(raw, str) else raw
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port, timeout=30) as smtp:
        smtp.sendmail("sender@shop.example", [to], data)


def only_email_to(api: httpx.Client, to: str) -> dict:
    response = api.get("/api/v1/emails/", params={"to": to})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) == 1, results
    return results[0]


def send_api(api: httpx.Client, **body: Any) -> dict:
    response = api.post("/api/v1/emails/send/", json=body)
    assert response.status_code == 202, response.text
    return response.json()


def checks_of(api: httpx.Client, email_id: str) -> dict:
    response = api.get(f"/api/v1/emails/{email_id}/checks/")
    assert response.status_code == 200, response.text
    return response.json()


def problems_by_address(section: dict) -> dict[str, set[str]]:
    """Link URL or image src -> the codes of its problems."""
    found: dict[str, set[str]] = {}
    for item in section["links"]:
        found.setdefault(item["url"], set()).update(p["code"] for p in item["problems"])
    for item in section["images"]:
        found.setdefault(item["src"], set()).update(p["code"] for p in item["problems"])
    return found
