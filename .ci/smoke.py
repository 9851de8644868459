"""Smoke-test an installed gclap-sandbox: free ports, one email by REST and one by SMTP, both
listed; then the seed's quick start, unchanged except for the key, against the default port."""
from __future__ import annotations

import json
import os
import smtplib
import socket
import subprocess
import sys
import tempfile
from email.message import EmailMessage

import requests


def start(executable: str, *args: str) -> tuple[subprocess.Popen, dict]:
    process = subprocess.Popen([executable, "serve", *args], stdout=subprocess.PIPE,
                               stderr=tempfile.TemporaryFile(), text=True)
    line = process.stdout.readline()
    if not line:
        raise SystemExit(f"serve {args} printed no ready line (exit {process.wait()})")
    return process, json.loads(line)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(15)
    process.stdout.close()


def free_port_8000() -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", 8000)) != 0


def main(executable: str) -> None:
    process, ready = start(executable, "--http", "0", "--smtp", "0", "--db", ":memory:")
    try:
        headers = {"Authorization": f"Bearer {ready['api_key']}"}
        sent = requests.post(f"{ready['http_url']}/api/v1/emails/send/", headers=headers,
                             json={"to": "rest@example.com", "subject": "by REST", "text": "hi"}, timeout=10)
        assert sent.status_code == 202, sent.text
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = "ci@example.com", "smtp@example.com", "by SMTP"
        msg.set_content("hi")
        with smtplib.SMTP(ready["smtp_host"], ready["smtp_port"], timeout=10) as smtp:
            smtp.send_message(msg)
        sendmail = os.path.join(os.path.dirname(executable), "gclap-sendmail")
        piped = subprocess.run([sendmail, "-t", "-i", "--smtp", f"127.0.0.1:{ready['smtp_port']}"], timeout=30,
                               input=b"From: ci@example.com\nTo: cron@example.com\nSubject: by sendmail\n\nhi\n")
        assert piped.returncode == 0, piped.returncode
        listed = requests.get(f"{ready['http_url']}/api/v1/emails/", headers=headers, timeout=10).json()
        subjects = sorted(e["subject"] for e in listed["results"])
        assert subjects == ["by REST", "by SMTP", "by sendmail"], subjects
        print("installed wheel: REST, SMTP and gclap-sendmail mail captured and listed")
    finally:
        stop(process)

    if not free_port_8000():
        print("port 8000 is busy here; skipping the seed quick start on the default port")
        return
    process, ready = start(executable, "--smtp", "0", "--db", ":memory:")
    try:
        YOUR_API_KEY = ready["api_key"]
        # The seed's quick start, verbatim but for the key.
        response = requests.post(
            'http://localhost:8000/api/v1/emails/send/',
            headers={
                'Authorization': f'Bearer {YOUR_API_KEY}',
                'Content-Type': 'application/json'
            },
            json={
                'to': 'user@example.com',
                'subject': 'Welcome to Gclap!',
                'html': '<h1>Hello!</h1><p>Thanks for joining.</p>',
                'from_email': 'hello@yourdomain.com'
            }
        )
        print(response.json())
        assert response.status_code == 202 and response.json()["to"] == ["user@example.com"]
        print("seed quick start: OK on http://localhost:8000")
    finally:
        stop(process)


if __name__ == "__main__":
    main(sys.argv[1])
