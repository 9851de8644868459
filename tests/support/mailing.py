"""Sending test mail to a sandbox over SMTP."""
from __future__ import annotations

import smtplib

from sandbox_process import RunningSandbox


def send_smtp(sandbox: RunningSandbox, to: str, subject: str, body: str = "Hello") -> None:
    message = f"From: app@example.com\r\nTo: {to}\r\nSubject: {subject}\r\n\r\n{body}\r\n"
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        smtp.sendmail("app@example.com", [to], message.encode())

