"""Sanic's two routers, with the matching function they generate compiled once per process.

On start, each router writes the Python source of a `find_route` function for its routes and
compiles it (parse, unparse, compile: most of an app's start-up). Every sandbox has the same
routes, so the same source; its compiled code object is immutable and is kept per source text,
while the function made from it, and everything it reads (the router passed in on each call),
stays each app's own.
"""
from __future__ import annotations

import functools
from types import CodeType
from typing import Any

import sanic_routing.router as routing
from sanic.router import Router
from sanic.signals import SignalRouter


@functools.lru_cache(maxsize=16)
def _compiled(source: str) -> CodeType:
    return compile(source, "", "exec")


class _CompiledOnce:
    """Renders as sanic_routing does, then takes the compiled code from the per-process cache."""

    find_route_src: str
    _find_route: Any
    _matchers: Any

    def _render(self, do_compile: bool = True, do_optimize: bool = False) -> None:
        if do_optimize:  # rewrites the syntax tree first: left to sanic_routing
            super()._render(do_compile, do_optimize)  # type: ignore[misc]
            return
        super()._render(False, False)  # type: ignore[misc]  # writes find_route_src only
        if do_compile:
            names: dict[str, Any] = {}
            # The module's globals, as sanic_routing's own exec has them (NotFound, casts, re).
            exec(_compiled(self.find_route_src), vars(routing), names)
            self._find_route = names["find_route"]
            self._matchers = names.get("matchers")


class HttpRouter(_CompiledOnce, Router):
    pass


class EventRouter(_CompiledOnce, SignalRouter):
    pass


__all__ = ["EventRouter", "HttpRouter"]
