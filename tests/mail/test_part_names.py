"""Attachment names come back as the sender wrote them, however the client encoded them, and
downloads carry them in Content-Disposition (RFC 6266)."""
from __future__ import annotations

import base64
import smtplib
from email.message import EmailMessage
from urllib.parse import unquote

import aiosmtplib
import httpx
import pytest
from helpers import emails_to, run_async

NAME = "dätä.csv"
CSV = b"name,city\r\nAna,S\xc3\xa3o Paulo\r\n"


def _with_attachment(to: str, subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "app@example.com", to, subject
    msg.set_content("The export is attached.")
    msg.add_attachment(CSV, maintype="text", subtype="csv", filename=NAME)
    return msg


def _raw_with_part_header(to: str, subject: str, part_headers: str) -> bytes:
    """A message whose attachment part has exactly `part_headers` (written as UTF-8)."""
    return (f"From: app@example.com\r\nTo: {to}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
            "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the file.\r\n"
            f"--b1\r\n{part_headers}\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            f"{base64.b64encode(CSV).decode()}\r\n--b1--\r\n").encode("utf-8")


def _only_attachment(api: httpx.Client, to: str) -> tuple[dict, dict]:
    [summary] = emails_to(api, to)
    email = api.get(f"/api/v1/emails/{summary['id']}/").json()
    [attachment] = email["attachments"]
    return email, attachment


def _download_name(response: httpx.Response) -> tuple[str, str]:
    """(ASCII fallback, exact name) from a Content-Disposition header."""
    params = dict(part.strip().split("=", 1) for part in response.headers["content-disposition"].split(";")[1:])
    assert params["filename*"].startswith("UTF-8''")
    return params["filename"].strip('"'), unquote(params["filename*"].removeprefix("UTF-8''"))


def test_aiosmtplib_smtputf8_attachment_name_is_listed_and_downloaded_as_written(sandbox, api, unique):
    # A UTF-8 recipient makes aiosmtplib use SMTPUTF8, writing the part header in raw UTF-8.
    to = f"jö-{unique}@example.com"
    run_async(aiosmtplib.send(_with_attachment(to, "export"), hostname=sandbox.smtp_host, port=sandbox.smtp_port))
    email, attachment = _only_attachment(api, to)
    assert f'filename="{NAME}"'.encode() in api.get(email["raw_url"]).content  # really raw UTF-8
    assert attachment["filename"] == NAME and attachment["content_type"] == "text/csv"
    download = api.get(attachment["download_url"])
    assert download.status_code == 200 and download.content == CSV
    assert _download_name(download) == ("data.csv", NAME)


def test_smtplib_send_message_with_smtputf8_keeps_the_name(sandbox, api, unique):
    to = f"jö-{unique}@example.com"
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        smtp.send_message(_with_attachment(to, "export"), mail_options=["SMTPUTF8"])
    _, attachment = _only_attachment(api, to)
    assert attachment["filename"] == NAME


@pytest.mark.parametrize("part_headers", [
    f'Content-Type: text/csv\r\nContent-Disposition: attachment; filename="{NAME}"',  # raw UTF-8 (swaks)
    "Content-Type: text/csv\r\nContent-Disposition: attachment; filename*=utf-8''d%C3%A4t%C3%A4.csv",  # RFC 2231
    "Content-Type: text/csv\r\nContent-Disposition: attachment;\r\n filename*0*=utf-8''d%C3%A4;\r\n filename*1*=t%C3%A4.csv",
    "Content-Type: text/csv\r\nContent-Disposition: attachment; filename=\"=?utf-8?b?ZMOkdMOkLmNzdg==?=\"",  # RFC 2047
    f'Content-Type: text/csv; name="{NAME}"\r\nContent-Disposition: attachment',  # only Content-Type's name
], ids=["raw-utf8", "rfc2231", "rfc2231-continued", "rfc2047", "content-type-name"])
def test_every_encoding_of_a_part_name_gives_the_same_name(sandbox, api, unique, part_headers):
    to = f"names-{unique}@example.com"
    raw = _raw_with_part_header(to, "names", part_headers)
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        smtp.sendmail("app@example.com", [to], raw, mail_options=["SMTPUTF8"] if not raw.isascii() else [])
    email, attachment = _only_attachment(api, to)
    assert api.get(email["raw_url"]).content == raw
    assert attachment["filename"] == NAME
    assert _download_name(api.get(attachment["download_url"]))[1] == NAME


def test_the_inbox_page_and_its_download_use_the_name(sandbox, api, unique):
    to = f"jö-{unique}@example.com"
    run_async(aiosmtplib.send(_with_attachment(to, "export"), hostname=sandbox.smtp_host, port=sandbox.smtp_port))
    email, attachment = _only_attachment(api, to)
    with httpx.Client(base_url=sandbox.extra["listen_url"]) as ui:
        page = ui.get(f"/emails/{email['id']}")
        assert page.status_code == 200 and NAME in page.text and "\ufffd" not in page.text
        download = ui.get(f"/ui/emails/{email['id']}/attachments/{attachment['id']}")
    assert download.content == CSV and _download_name(download) == ("data.csv", NAME)


def test_a_name_with_path_separators_is_downloaded_under_a_safe_name(sandbox, api, unique):
    to = f"paths-{unique}@example.com"
    response = api.post("/api/v1/emails/send/", json={
        "to": to, "subject": "paths", "text": "x",
        "attachments": [{"filename": "../../etc/pass\"wd", "content": base64.b64encode(b"x").decode()}]})
    assert response.status_code == 202, response.text
    _, attachment = _only_attachment(api, to)
    assert attachment["filename"] == "../../etc/pass\"wd"  # listed as sent
    fallback, exact = _download_name(api.get(attachment["download_url"]))
    assert "/" not in exact and '"' not in exact and "/" not in fallback and exact == ".._.._etc_pass_wd"
