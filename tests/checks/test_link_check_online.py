"""`--link-check online`: every web address is requested, and those that fail are flagged broken."""
from __future__ import annotations

import socket

from checks_helpers import checks_of, send_api


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


def test_links_that_answer_pass_and_links_that_fail_are_flagged_broken(launch, unique, link_target):
    sandbox = launch("--link-check", "online")
    dead = f"http://127.0.0.1:{_closed_port()}/nothing"
    base = link_target.url
    html = (f'<a href="{base}/ok">ok</a> <a href="{base}/moved">moved</a> <a href="{base}/gone">gone</a> '
            f'<a href="{base}/head-refused">head refused</a> <a href="{dead}">dead</a> '
            f'<a href="{base}/ok">ok again</a> <img src="{base}/gone" alt="x" width="1" height="1">'
            '<a href="mailto:a@example.com">mail</a>')
    with sandbox.client() as api:
        email = send_api(api, to=f"online-{unique}@example.com", subject="Links", text="x", html=html)
        links = checks_of(api, email["id"])["links"]
    online = links["online"]
    results = {result["url"]: result for result in online["results"]}
    assert set(results) == {f"{base}/ok", f"{base}/moved", f"{base}/gone", f"{base}/head-refused", dead}
    assert online["checked"] == 5 and online["broken"] == 2 and online["not_checked"] == []
    assert results[f"{base}/ok"]["status"] == 200
    assert results[f"{base}/moved"]["status"] == 200 and results[f"{base}/moved"]["final_url"] == f"{base}/ok"
    assert results[f"{base}/head-refused"]["status"] == 200  # HEAD refused, GET answered
    assert results[f"{base}/gone"]["status"] == 404
    assert results[dead]["status"] is None and results[dead]["error"]
    broken = {item.get("url") or item.get("src"): [p["message"] for p in item["problems"] if p["code"] == "broken"]
              for item in (*links["links"], *links["images"])}
    assert broken[f"{base}/gone"] == ["Answered 404."] and broken[dead] and not broken[f"{base}/ok"]
    assert links["verdict"] == "fail"
    # Each distinct address once (GET after a refused HEAD; the redirect's target too).
    assert sorted(link_target.requests) == sorted([
        ("HEAD", "/ok"), ("HEAD", "/moved"), ("HEAD", "/ok"), ("HEAD", "/gone"),
        ("HEAD", "/head-refused"), ("GET", "/head-refused")])
