"""The DKIM signer by itself: what it signs verifies with dkimpy whatever the line endings, also
after an SMTP hop turns bare LF into CRLF; a message it cannot sign is left alone."""
from __future__ import annotations

import re

import dkim
import pytest

from gclap_sandbox.domains.keys import new_key_pair
from gclap_sandbox.domains.signing import Signer


@pytest.fixture(scope="module")
def signer_and_record():
    pair = new_key_pair()
    return Signer("example.com", pair.selector, pair.private_pem), f"v=DKIM1; k=rsa; p={pair.public_b64}".encode()


MESSAGE = (b"From: Ana <ana@example.com>\nTo: bob@example.net\nSubject: A long subject that\n folds\n"
           b"List-Unsubscribe: <https://example.com/u>\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\n\n"
           b"Hello  there \n\n\n")


@pytest.mark.parametrize("line_end", [b"\n", b"\r\n"])
def test_a_signed_message_verifies_and_keeps_verifying_after_line_endings_change(signer_and_record, line_end):
    signer, record = signer_and_record
    message = MESSAGE.replace(b"\n", line_end)
    signed = signer.sign(message, 1767225600) + message
    assert signed.endswith(message)
    assert (b"\r\n" in signed) == (line_end == b"\r\n")  # the signature is written with the message's line ends

    def lookup(name: bytes, timeout: float = 5) -> bytes | None:
        return record if name.startswith(signer.selector + b"._domainkey.") else None

    assert dkim.verify(signed, dnsfunc=lookup)
    assert dkim.verify(re.sub(rb"\r?\n", b"\r\n", signed), dnsfunc=lookup)
    assert b"t=1767225600" in signed and b"list-unsubscribe-post" in signed.lower()
    assert signer.sign(message, 1767225600) == signer.sign(message, 1767225600)  # the same bytes every time


def test_a_message_without_from_cannot_be_signed(signer_and_record):
    signer, _ = signer_and_record
    with pytest.raises(ValueError):
        signer.sign(b"To: bob@example.net\r\nSubject: x\r\n\r\nbody\r\n", 0)
