"""The content checks (checks/service.py) over recent mail, read as pass or fail with the
problems found: an email passes unless one of its sections (HTML compatibility, links and
images, spam signals) fails."""
from __future__ import annotations

from typing import Any

from gclap_sandbox.checks.service import checks_for_email


def checks_of(email_ids: list[str]) -> list[dict[str, Any]]:
    """Each email's checks report (DB thread)."""
    return [checks_for_email(email_id) for email_id in email_ids]


def verdict(report: dict[str, Any]) -> tuple[bool, list[str]]:
    """(passes, problems): the failing sections' findings, named briefly."""
    problems: list[str] = []
    spam = report.get("spam") or {}
    if spam.get("verdict") == "fail":
        problems += [f"spam rule {rule['rule']}" for rule in spam.get("rules", [])]
    links = report.get("links") or {}
    if links.get("verdict") == "fail":
        codes = {problem["code"] for item in (*links.get("links", []), *links.get("images", []))
                 for problem in item.get("problems", []) if problem.get("severity") == "error"}
        problems += [f"link problem {code}" for code in sorted(codes)]
    html = report.get("html") or {}
    if html.get("verdict") == "fail":
        problems.append("HTML that mail clients do not support")
    return report.get("verdict") != "fail", problems
