"""The decoded view of a raw message: text parts readable, binary parts summarised."""
from __future__ import annotations

from email.message import EmailMessage

from gclap_sandbox.mail.decoded import decode_parts


def _message() -> bytes:
    msg = EmailMessage()
    msg["Subject"] = "=?utf-8?q?Caf=C3=A9?="
    msg["From"] = "a@example.com"
    msg.set_content("Grüße aus Köln " * 10, cte="quoted-printable")
    msg.add_alternative("<p>Grüße</p>", subtype="html", cte="base64")
    msg.add_attachment(b"\x89PNG\r\n\x1a\n" + bytes(100), maintype="image", subtype="png", filename="dot.png")
    return msg.as_bytes()


def test_quoted_printable_and_base64_text_parts_read_as_text_and_binary_parts_as_a_summary():
    parts, skipped = decode_parts(_message())
    assert skipped == 0
    assert [(p.depth, p.content_type) for p in parts] == [
        (0, "multipart/mixed"), (1, "multipart/alternative"), (2, "text/plain"), (2, "text/html"), (1, "image/png")]
    assert ("Subject", "Café") in parts[0].headers
    plain, html, image = parts[2], parts[3], parts[4]
    assert plain.encoding == "quoted-printable" and plain.text.startswith("Grüße aus Köln")
    assert html.encoding == "base64" and html.text.strip() == "<p>Grüße</p>"
    assert image.text is None and image.size == 108 and image.filename == "dot.png"
    assert parts[0].children == 2


def test_garbage_decodes_to_what_parses_without_raising():
    parts, _ = decode_parts(b"\xff\xfe not a message at all")
    assert isinstance(parts, list)


def test_a_huge_text_part_is_cut_and_the_whole_message_shows_at_most_the_overall_budget():
    from gclap_sandbox.mail import decoded

    msg = EmailMessage()
    msg["Subject"] = "big"
    msg.set_content("a" * (decoded.TEXT_LIMIT + 10))
    for n in range(6):
        msg.add_attachment(("b" * decoded.TEXT_LIMIT), subtype="plain", filename=f"{n}.txt")
    parts, _ = decode_parts(msg.as_bytes())
    texts = [p for p in parts if p.text is not None]
    assert texts[0].truncated and len(texts[0].text) == decoded.TEXT_LIMIT
    assert sum(len(p.text) for p in texts) == decoded.TOTAL_TEXT_LIMIT
    assert texts[-1].text == "" and texts[-1].truncated
