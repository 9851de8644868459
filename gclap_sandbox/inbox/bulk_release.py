"""Releasing several captured emails upstream at once: one `release_email` each, in order.

Each email is sent to its own recipients through the relay (`serve --relay`), exactly as its
own Release button would; one refusal does not stop the others, and the answer says what
happened to each. Only emails named by id can be released together (a search or the whole
inbox cannot): a release reaches real mailboxes and cannot be called back.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gclap_sandbox.errors import ApiError, Conflict
from gclap_sandbox.relay.release import release_email

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext

MAX_RELEASE = 100  # emails in one bulk release: each one is a round trip to the upstream server


def upstream(ctx: AppContext) -> str | None:
    """The relay server a release goes to, as the confirmation names it; None when not configured."""
    return ctx.relay.target.display if ctx.relay is not None else None


async def release_many(ctx: AppContext, organization_id: str, email_ids: list[str],
                       confirmed_upstream: str | None = None) -> dict[str, Any]:
    """Release each email; raises before sending anything when relaying is off or the upstream changed."""
    server = upstream(ctx)
    if server is None:
        raise Conflict("Relaying is not configured; start the sandbox with --relay smtp://host:port.",
                       slug="relay-not-configured")
    if confirmed_upstream is not None and confirmed_upstream != server:
        raise Conflict(f"The relay server is {server}, not the {confirmed_upstream} you confirmed; "
                       "nothing was sent.", slug="relay-upstream-changed", upstream=server)
    results: list[dict[str, Any]] = []
    for email_id in dict.fromkeys(email_ids):  # an id given twice is sent once
        try:
            job = await release_email(ctx, organization_id, email_id, None)
        except ApiError as exc:
            results.append({"id": email_id, "released": False, "problem": exc.to_problem()})
        else:
            results.append({"id": email_id, "released": True, "status": job["status"],
                            "recipients": job["recipients"], "skipped": job.get("skipped", [])})
    released = sum(1 for r in results if r["released"])
    return {"upstream": server, "released": released, "failed": len(results) - released, "results": results}
