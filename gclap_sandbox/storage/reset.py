"""Wiping the sandbox between tests: captured data only, or everything.

Each model says what a reset does to it with its `reset_scope` class attribute ("data":
wiped by every reset; "config": kept unless everything goes). Tables are emptied children
first, following foreign keys, so the order is right whatever models other modules add.
"""
from __future__ import annotations

from typing import Iterable

from gclap_sandbox.storage import fulltext
from gclap_sandbox.storage.database import BaseModel

SCOPES = ("data", "config")


def deletion_order(models: Iterable[type[BaseModel]]) -> list[type[BaseModel]]:
    """Models ordered so that every model comes before the models it references."""
    models = list(dict.fromkeys(models))
    remaining = set(models)
    ordered: list[type[BaseModel]] = []
    while remaining:
        # A model is safe to empty once no remaining model references it.
        referenced = {rel for m in remaining for rel in m._meta.refs.values() if rel is not m}
        ready = [m for m in models if m in remaining and m not in referenced]
        if not ready:  # a reference cycle: break it in declaration order (CASCADE cleans up)
            ready = [next(m for m in models if m in remaining)]
        ordered.extend(ready)
        remaining.difference_update(ready)
    return ordered


def models_to_wipe(everything: bool) -> list[type[BaseModel]]:
    import gclap_sandbox.models  # noqa: F401  (registers every model)

    unknown = [m.__name__ for m in BaseModel.registry if m.reset_scope not in SCOPES]
    if unknown:
        raise ValueError(f"reset_scope must be one of {SCOPES}: {', '.join(unknown)}")
    chosen = [m for m in BaseModel.registry if everything or m.reset_scope == "data"]
    return deletion_order(chosen)


def wipe(everything: bool) -> dict[str, int]:
    """Empty the chosen tables (DB thread, one transaction); rows deleted per table."""
    fulltext.forget_all()  # every reset empties the mail, so its search index goes first, at once
    return {model._meta.table_name: model.delete().execute() for model in models_to_wipe(everything)}
