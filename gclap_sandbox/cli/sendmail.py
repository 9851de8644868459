"""`gclap-sendmail` (and `gclap-sandbox sendmail`): a sendmail-compatible command that hands the
message on stdin to a running sandbox over SMTP, so PHP's mail(), Rails' :sendmail, cron and
`git send-email` work unchanged.

Options as sendmail's: recipients as arguments; `-t` adds the To, Cc and Bcc headers' addresses;
`-f ADDR` (or `-r`) the envelope sender; `-F NAME` the full name of an added From line; `-i` /
`-oi` a line of a single dot does not end the message. Other sendmail options are accepted and
ignored. `--smtp HOST:PORT` (GCLAP_SANDBOX_SMTP, as `serve` reads it) says where the sandbox is;
`--api-key` (GCLAP_SANDBOX_API_KEY) signs in with SMTP AUTH when given.

The message travels with BDAT (the sandbox offers CHUNKING), so its bytes land exactly as read:
CRLF or LF, dot lines, no final line break. Only a message without a From line gains one, as
sendmail adds it. Exit codes are sendmail's (sysexits.h).
"""
from __future__ import annotations

import getopt
import getpass
import os
import re
import smtplib
import socket
import sys
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import formataddr, getaddresses
from typing import BinaryIO, Sequence

from gclap_sandbox.settings import DEFAULT_SMTP, parse_addr

ENV = "GCLAP_SANDBOX_"
EX_OK, EX_USAGE, EX_DATAERR, EX_NOUSER = 0, 64, 65, 67
EX_UNAVAILABLE, EX_SOFTWARE, EX_IOERR, EX_TEMPFAIL, EX_NOPERM = 69, 70, 74, 75, 77
# sendmail's option letters ("x:" takes a value); those not handled below are accepted and ignored.
SHORT_OPTIONS = "B:b:C:cd:e:F:f:GIh:iL:mN:nO:o:p:q:R:r:stUV:vX:"
LONG_OPTIONS = ["smtp=", "api-key=", "timeout=", "help"]
USAGE = ("usage: gclap-sendmail [-t] [-i] [-f sender] [-F name] [--smtp HOST:PORT] [--api-key KEY] "
         "[recipient ...] < message")


class Failure(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Invocation:
    recipients: list[str] = field(default_factory=list)
    from_headers: bool = False  # -t
    sender: str | None = None  # -f / -r
    full_name: str | None = None  # -F
    ignore_dots: bool = False  # -i / -oi
    smtp: str = ""
    api_key: str | None = None
    timeout: float = 30.0
    verbose: bool = False
    no_op: bool = False  # -q, -bi: nothing to do for a sandbox


def parse_arguments(argv: Sequence[str]) -> Invocation:
    try:
        options, arguments = getopt.gnu_getopt(list(argv), SHORT_OPTIONS, LONG_OPTIONS)
    except getopt.GetoptError as exc:
        raise Failure(EX_USAGE, f"{exc}\n{USAGE}") from None
    run = Invocation(smtp=os.environ.get(ENV + "SMTP") or DEFAULT_SMTP,
                     api_key=os.environ.get(ENV + "API_KEY") or None)
    for name, value in options:
        if name == "--help":
            raise Failure(EX_OK, USAGE)
        elif name == "-t":
            run.from_headers = True
        elif name == "-i" or (name == "-o" and value == "i"):
            run.ignore_dots = True
        elif name in ("-f", "-r"):
            run.sender = value
        elif name == "-F":
            run.full_name = value
        elif name == "-v":
            run.verbose = True
        elif name == "--smtp":
            run.smtp = value
        elif name == "--api-key":
            run.api_key = value or None
        elif name == "--timeout":
            try:
                run.timeout = float(value)
            except ValueError:
                raise Failure(EX_USAGE, f"--timeout takes seconds, got {value!r}") from None
        elif name == "-q" or name == "-I" or (name == "-b" and value in ("i", "p", "q")):
            run.no_op = True  # queue runs, alias rebuilds, queue listings: no queue here
        elif name == "-b" and value != "m":
            raise Failure(EX_USAGE, f"-b{value} is not supported: gclap-sendmail only delivers (-bm)")
    run.recipients = _addresses(arguments)
    return run


def _addresses(values: Sequence[str]) -> list[str]:
    return [address for _, address in getaddresses(list(values)) if address]


def read_message(stream: BinaryIO, ignore_dots: bool) -> bytes:
    """stdin as bytes; without -i a line holding only a dot ends the message, as in sendmail."""
    if ignore_dots:
        return stream.read()
    lines = []
    for line in iter(stream.readline, b""):
        if line in (b".\n", b".\r\n", b"."):
            break
        lines.append(line)
    return b"".join(lines)


def header_recipients(raw: bytes) -> list[str]:
    headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
    return _addresses([str(v) for name in ("To", "Cc", "Bcc") for v in headers.get_all(name, [])])


def _from_header(raw: bytes) -> str | None:
    values = BytesHeaderParser(policy=compat32).parsebytes(raw).get_all("From", [])
    found = _addresses([str(v) for v in values])
    return found[0] if found else None


def _default_sender() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no login name (a container user without passwd entry)
        user = "nobody"
    return f"{user}@{socket.gethostname() or 'localhost'}"


def with_from_line(raw: bytes, sender: str, full_name: str | None) -> bytes:
    """The message with a From line in front, in the message's own line ending."""
    ending = b"\r\n" if b"\r\n" in raw.split(b"\n", 1)[0] + b"\n" else b"\n"
    return f"From: {formataddr((full_name or '', sender))}".encode() + ending + raw


def _stuffed(raw: bytes) -> bytes:
    """DATA's transparency, for a server without BDAT: a dot more at the start of each line."""
    body = re.sub(rb"(^|\r\n)\.", rb"\1..", raw)
    return body + (b"" if body.endswith(b"\r\n") else b"\r\n") + b".\r\n"


def deliver(run: Invocation, sender: str, recipients: list[str], raw: bytes) -> list[str]:
    """Hand the message over; return the recipients refused (the rest got it)."""
    try:
        host, port = parse_addr(run.smtp)
    except ValueError as exc:
        raise Failure(EX_USAGE, f"--smtp / {ENV}SMTP: {exc}") from None
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # serve's any-address: connect locally
    try:
        with smtplib.SMTP(host, port, local_hostname="localhost", timeout=run.timeout) as smtp:
            return _transaction(smtp, run, sender, recipients, raw)
    except smtplib.SMTPServerDisconnected as exc:
        raise Failure(EX_TEMPFAIL, f"the sandbox at {host}:{port} closed the connection ({exc})") from None
    except (OSError, smtplib.SMTPConnectError) as exc:
        raise Failure(EX_TEMPFAIL, f"cannot reach the sandbox's SMTP server at {host}:{port} ({exc}); "
                      f"is `gclap-sandbox serve` running? Point --smtp or {ENV}SMTP at it") from None


def _transaction(smtp: smtplib.SMTP, run: Invocation, sender: str, recipients: list[str], raw: bytes) -> list[str]:
    smtp.ehlo()
    if run.api_key and smtp.has_extn("auth"):
        try:
            smtp.login("apikey", run.api_key)
        except smtplib.SMTPAuthenticationError as exc:
            raise Failure(EX_NOPERM, f"the sandbox refused the API key: {_reply(exc.smtp_code, exc.smtp_error)}") from None
    options = []
    if any(b > 127 for b in raw) and smtp.has_extn("8bitmime"):
        options.append("BODY=8BITMIME")
    if not all(part.isascii() for part in (sender, *recipients)) and smtp.has_extn("smtputf8"):
        options.append("SMTPUTF8")
    _expect(smtp.mail(sender, options), 250, "MAIL FROM")
    refused = []
    for recipient in recipients:
        code, message = smtp.rcpt(recipient)
        if code not in (250, 251):
            refused.append(f"{recipient}: {_reply(code, message)}")
    if len(refused) == len(recipients):
        raise Failure(EX_NOUSER if all(r.split(": ", 1)[1].startswith("5") for r in refused) else EX_TEMPFAIL,
                      "no recipient was accepted: " + "; ".join(refused))
    if smtp.has_extn("chunking"):
        smtp.putcmd("bdat", f"{len(raw)} LAST")
        smtp.send(raw)
    else:
        _expect(smtp.docmd("data"), 354, "DATA")
        smtp.send(_stuffed(raw))
    _expect(smtp.getreply(), 250, "the message")
    if run.verbose:
        print(f"gclap-sendmail: handed over to {', '.join(recipients)}", file=sys.stderr)
    return refused


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {text}".replace("\n", " ")


def _expect(reply: tuple[int, bytes], wanted: int, what: str) -> None:
    code, message = reply
    if code == wanted:
        return
    exit_code = EX_TEMPFAIL if 400 <= code < 500 else EX_NOPERM if code == 530 else EX_UNAVAILABLE
    raise Failure(exit_code, f"the sandbox refused {what}: {_reply(code, message)}")


def run(argv: Sequence[str], stdin: BinaryIO) -> int:
    """The whole command: parse, read, hand over. Prints one line per problem on stderr."""
    try:
        invocation = parse_arguments(argv)
        if invocation.no_op:
            return EX_OK
        try:
            raw = read_message(stdin, invocation.ignore_dots)
        except OSError as exc:
            raise Failure(EX_IOERR, f"cannot read the message from stdin ({exc})") from None
        recipients = list(invocation.recipients)
        if invocation.from_headers:
            recipients += header_recipients(raw)
        recipients = list(dict.fromkeys(recipients))  # once each, in order
        if not recipients:
            raise Failure(EX_USAGE, "no recipients: give them as arguments, or use -t to read the "
                          "To, Cc and Bcc headers")
        header_from = _from_header(raw)
        sender = invocation.sender or header_from or _default_sender()
        if header_from is None:
            raw = with_from_line(raw, sender, invocation.full_name)
        refused = deliver(invocation, sender, recipients, raw)
    except Failure as failure:
        print(f"gclap-sendmail: {failure}" if failure.code else str(failure),
              file=sys.stderr if failure.code else sys.stdout)
        return failure.code
    for line in refused:
        print(f"gclap-sendmail: refused {line}", file=sys.stderr)
    return EX_NOUSER if refused else EX_OK


def main(argv: Sequence[str] | None = None) -> None:
    """The `gclap-sendmail` console script."""
    raise SystemExit(run(sys.argv[1:] if argv is None else argv, sys.stdin.buffer))


def _click_command():  # type: ignore[no-untyped-def]
    import click

    @click.command("sendmail", add_help_option=False,
                   context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
    @click.argument("arguments", nargs=-1, type=click.UNPROCESSED)
    def sendmail(arguments: tuple[str, ...]) -> None:
        """sendmail-compatible: hand the message on stdin to a running sandbox over SMTP
        (-t, -i/-oi, -f, -F, recipients as arguments; --smtp HOST:PORT). Also installed as
        `gclap-sendmail`."""
        raise SystemExit(run(arguments, click.get_binary_stream("stdin")))

    return sendmail


sendmail_command = _click_command()

__all__ = ["main", "run", "sendmail_command"]
