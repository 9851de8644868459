"""The read side of automation for the web UI: workflows with their run counts in a fixed number
of queries, and the names of the templates and lists a workflow refers to (DB thread)."""
from __future__ import annotations

from typing import Any

import peewee

from gclap_sandbox.automation import definition
from gclap_sandbox.automation.describe import Names
from gclap_sandbox.automation.workflows import workflow_dict
from gclap_sandbox.models import ContactList, Template, Workflow, WorkflowRun


def workflows_page(organization_id: str, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """A page of workflows, newest first, each with `runs` (status -> count); two queries in all."""
    query = Workflow.select().where(Workflow.organization == organization_id)
    rows = list(query.order_by(Workflow.created_at.desc(), Workflow.id).offset(offset).limit(limit))
    counts: dict[str, dict[str, int]] = {row.id: {} for row in rows}
    if rows:
        grouped = (WorkflowRun.select(WorkflowRun.workflow, WorkflowRun.status, peewee.fn.COUNT(WorkflowRun.id))
                   .where(WorkflowRun.workflow.in_(list(counts)))
                   .group_by(WorkflowRun.workflow, WorkflowRun.status).tuples())
        for workflow_id, status, count in grouped:
            counts[workflow_id][status] = count
    return query.count(), [workflow_dict(row, counts[row.id]) for row in rows]


def referenced_names(organization_id: str, workflows: list[dict[str, Any]]) -> Names:
    """(kind, id) -> name for every template and list these workflows' triggers and steps name."""
    wanted: dict[str, set[str]] = {"template": set(), "list": set()}
    for workflow in workflows:
        for kind, row_id in definition.referenced_ids(workflow["trigger"], workflow["steps"]).values():
            wanted[kind].add(row_id)
    names: Names = {}
    for kind, model in (("template", Template), ("list", ContactList)):
        if wanted[kind]:
            for row_id, name in (model.select(model.id, model.name)
                                 .where((model.organization == organization_id) & model.id.in_(list(wanted[kind])))
                                 .tuples()):
                names[(kind, row_id)] = name
    return names
