"""Sending test mail to a sandbox over SMTP or the API, now or after a delay."""
from __future__ import annotations

import smtplib
import threading

from sandbox_process import RunningSandbox


def send_smtp(sandbox: RunningSandbox, to: str, subject: str, body: str = "Hello") -> None:
    message = f"From: app@example.com\r\nTo: {to}\r\nSubject: {subject}\r\n\r\n{body}\r\n"
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        smtp.sendmail("app@example.com", [to], message.encode())


def send_later(delay: float, sandbox: RunningSandbox, to: str, subject: str) -> threading.Thread:
    """Send in a background thread after `delay` seconds (join it before the test ends)."""
    timer = threading.Timer(delay, send_smtp, args=(sandbox, to, subject))
    timer.start()
    return timer
