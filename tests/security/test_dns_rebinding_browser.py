"""DNS rebinding in a real browser: a page from an attacker's name that resolves to 127.0.0.1
cannot read the docs (and the key in them), list the mail or create a key.

The attack as it happens: the attacker's page is served from the attacker's server
(Playwright answers that one document request), then the name resolves to 127.0.0.1 (Chromium's
--host-resolver-rules, as a rebinding DNS server would), so the page's own same-origin requests
reach the sandbox. Chromium's local-network checks are switched off, as browsers without them
(Firefox, Safari, older Chromium) behave: only the sandbox's Host check is left to stop it.
"""
from __future__ import annotations

from typing import Iterator
from urllib.parse import urlsplit

import pytest
from browser_support import CHROMIUM_ARGS, WAIT_MS, find_chromium
from ui_helpers import send_api

ATTACKER = "rebind.attacker.example"

# What the attacker's page tries, with its own origin's relative URLs.
ATTACK = """async (apiKey) => {
  const read = async (path, init) => {
    const r = await fetch(path, init);
    return {status: r.status, type: r.headers.get('content-type'), body: await r.text()};
  };
  const docs = await read('/docs');
  const inbox = await read('/');
  const rows = await read('/ui/api/emails/rows');
  const list = await read('/api/v1/emails/', {headers: {Authorization: 'Bearer ' + apiKey}});
  const keysPage = await read('/settings/api-keys');
  const token = (keysPage.body.match(/name="csrf-token" content="([^"]+)"/) || [])[1] || '';
  const created = await read('/ui/api/keys', {method: 'POST', body: JSON.stringify({name: 'rebound'}),
    headers: {'Content-Type': 'application/json', 'X-CSRF-Token': token}});
  return {docs, inbox, rows, list, keysPage, created};
}"""


@pytest.fixture(scope="module")
def rebinding_browser(browser) -> Iterator:
    """A second Chromium whose resolver sends the attacker's name to 127.0.0.1."""
    args = [*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {ATTACKER} 127.0.0.1",
            "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests"]
    rebinding = browser.browser_type.launch(executable_path=find_chromium(), args=args)
    yield rebinding
    rebinding.close()


@pytest.fixture
def rebinding_page(rebinding_browser) -> Iterator:
    context = rebinding_browser.new_context()
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    yield page
    context.close()


def test_a_rebound_page_cannot_read_the_docs_list_mail_or_create_a_key(sandbox, api, rebinding_page, unique):
    send_api(api, subject=f"secret-{unique}")
    port = urlsplit(sandbox.http_url).port
    origin = f"http://{ATTACKER}:{port}"
    rebinding_page.route(origin + "/cats.html", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<!doctype html><title>Cute cats</title><p>Meow."))
    rebinding_page.goto(origin + "/cats.html")
    # Even an attacker who somehow knows the key gets nothing through the rebound name.
    seen = rebinding_page.evaluate(ATTACK, sandbox.api_key)
    for name, answer in seen.items():
        assert answer["status"] == 421, (name, answer)
        assert sandbox.api_key not in answer["body"] and unique not in answer["body"], name
    assert seen["list"]["type"].startswith("application/problem+json")
    assert seen["docs"]["type"].startswith("text/html")
    names = [key["name"] for key in api.get("/api/v1/accounts/api-keys/").json()["results"]]
    assert "rebound" not in names


def test_the_same_browser_still_uses_the_sandbox_by_its_own_names(sandbox, rebinding_page):
    """The control: only the name differs, so the refusal above is the Host check."""
    port = urlsplit(sandbox.http_url).port
    for base in (f"http://127.0.0.1:{port}", f"http://localhost:{port}"):
        rebinding_page.goto(base + "/docs")
        assert sandbox.api_key in rebinding_page.content()
