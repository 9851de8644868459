"""The opt-in network checks, added on top of the stored report (on the event loop).

- `--link-check online`: each distinct web address of the links and images is requested (HEAD,
  then GET when HEAD is refused), at most LINK_CONCURRENCY at a time, each within
  LINK_TIMEOUT seconds; one that fails or answers 4xx/5xx gets a `broken` problem.
- `--spamassassin HOST:PORT`: spamd's report on the received message (spamd.py), kept per email
  in the sandbox's `checks-spamd` cache once it succeeded (a lasting one: spamd is asked once per
  email even when another process on the same database writes meanwhile).
"""
from __future__ import annotations

import asyncio
import copy
from typing import Any

import httpx

from gclap_sandbox.checks import spamd
from gclap_sandbox.checks.links import ERROR
from gclap_sandbox.checks.service import checks_for_email, worst
from gclap_sandbox.inbox import queries as inbox
from gclap_sandbox.storage.database import current

LINK_TIMEOUT = 5.0  # seconds per address (connect, each read, and in all)
LINK_CONCURRENCY = 8
MAX_ADDRESSES = 100  # addresses fetched per email; the rest are listed as not checked
MAX_REDIRECTS = 5
SPAMD_CACHE = "checks-spamd"
ONLINE = "online"


def _load(organization_id: str, email_id: str, with_raw: bool) -> tuple[dict[str, Any], bytes | None, Any]:
    """(report, received bytes when spamd needs them, spamd's stored answer) on the DB thread."""
    inbox.get_email(organization_id, email_id)  # 404 for another organization's or an unknown id
    report = checks_for_email(email_id)
    stored = current().cache(SPAMD_CACHE, lasting=True).get(email_id) if with_raw else None
    raw = bytes(inbox.content_of(email_id).raw) if with_raw and stored is None else None
    return report, raw, stored


def _remember(email_id: str, answer: dict[str, Any]) -> None:
    current().cache(SPAMD_CACHE, lasting=True)[email_id] = answer


async def full_report(ctx: Any, organization_id: str, email_id: str) -> dict[str, Any]:
    """The email's checks, with the network checks the sandbox was started with."""
    settings = ctx.settings
    address = settings.spamassassin
    stored_report, raw, stored_spamd = await ctx.db.run(_load, organization_id, email_id, address is not None)
    report = copy.deepcopy(stored_report)  # the cached report is shared: never change it
    if settings.link_check == ONLINE:
        await check_links_online(report["links"])
    if address is not None:
        answer = stored_spamd
        if answer is None:
            answer = await _ask_spamd(address, raw or b"")
            if "error" not in answer:
                await ctx.db.run(_remember, email_id, answer)
        spam = report["spam"]
        spam["spamassassin"] = answer
        if answer.get("is_spam"):
            spam["verdict"] = "fail"
    report["verdict"] = worst([report[section]["verdict"] for section in ("html", "links", "spam")])
    return report


async def _ask_spamd(address: tuple[str, int], raw: bytes) -> dict[str, Any]:
    try:
        return await spamd.report(address[0], address[1], raw)
    except spamd.SpamdError as exc:
        return {"error": str(exc)}


async def fetch_status(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    """What one address answers: its final status, or why it could not be reached."""
    try:
        async with asyncio.timeout(LINK_TIMEOUT):
            response = await client.head(url)
            if response.status_code in (405, 501) or response.status_code == 403:
                async with client.stream("GET", url) as streamed:  # headers only; the body is never read
                    response = streamed
        return {"url": url, "status": response.status_code, "ok": response.status_code < 400,
                "final_url": str(response.url), "error": None}
    except TimeoutError:
        return {"url": url, "status": None, "ok": False, "final_url": None,
                "error": f"No answer within {LINK_TIMEOUT:g} s."}
    except httpx.TooManyRedirects:
        return {"url": url, "status": None, "ok": False, "final_url": None,
                "error": f"More than {MAX_REDIRECTS} redirects."}
    except (httpx.HTTPError, OSError, ValueError) as exc:
        return {"url": url, "status": None, "ok": False, "final_url": None,
                "error": f"{type(exc).__name__}: {exc}".rstrip(": ")}


async def check_links_online(links: dict[str, Any]) -> None:
    """Fetch every distinct web address of `links` (a report section) and note broken ones in it."""
    items = [*links["links"], *links["images"]]
    addresses = list(dict.fromkeys(
        item.get("url") or item.get("src") for item in items
        if (item.get("url") or item.get("src") or "").lower().startswith(("http://", "https://"))))
    checked, skipped = addresses[:MAX_ADDRESSES], addresses[MAX_ADDRESSES:]
    gate = asyncio.Semaphore(LINK_CONCURRENCY)
    timeout = httpx.Timeout(LINK_TIMEOUT)
    async with httpx.AsyncClient(follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=timeout,
                                 trust_env=False, headers={"User-Agent": "gclap-sandbox link check"}) as client:
        async def one(url: str) -> dict[str, Any]:
            async with gate:
                return await fetch_status(client, url)

        results = await asyncio.gather(*(one(url) for url in checked))
    by_url = {result["url"]: result for result in results}
    for item in items:
        result = by_url.get(item.get("url") or item.get("src"))
        if result is not None and not result["ok"]:
            message = f"Answered {result['status']}." if result["status"] else result["error"]
            item["problems"].append({"code": "broken", "severity": ERROR, "message": message})
    every = [p for item in items for p in item["problems"]]
    links["problems"] = len(every)
    links["errors"] = sum(1 for p in every if p["severity"] == ERROR)
    links["warnings"] = links["problems"] - links["errors"]
    links["verdict"] = "fail" if links["errors"] else "warn" if every else "pass"
    links["online"] = {"checked": len(checked), "broken": sum(1 for r in results if not r["ok"]),
                       "not_checked": skipped, "results": results}
