"""Endpoint labels read off the CRM app's own routes: a route's `name` is its label.

The ledger and fault rules count requests by label (`query`, `search`, `batch_read`...). Rather than a
second table of path patterns beside the app's routes, the label of a request is the name of the route
that answers it, found the way Starlette's router finds it: the first route whose path and method match;
failing that, the first whose path matches (Starlette answers that one 405). A request no route matches
gets the dialect's `unmatched_label`.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.routing import BaseRoute, Match, Route
from starlette.types import Scope


def route_label(routes: Sequence[BaseRoute], scope: Scope) -> str | None:
    """The name of the route Starlette would dispatch `scope` to (None when no route's path matches)."""
    partial: str | None = None
    path, method = _route_path(scope), scope.get("method", "GET")
    for route in routes:
        match = _match(route, scope, path, method)
        if match is Match.FULL:
            return _name(route)
        if match is Match.PARTIAL and partial is None:
            partial = _name(route)
    return partial


def _route_path(scope: Scope) -> str:
    """The path routes match against: the request path below the app's root path, as Starlette takes it."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


def _match(route: BaseRoute, scope: Scope, path: str, method: str) -> Match:
    """`route.matches(scope)` without building the child scope (this runs on every request)."""
    if not isinstance(route, Route):
        return route.matches(scope)[0]
    if route.path_regex.match(path) is None:
        return Match.NONE
    return Match.FULL if route.methods is None or method in route.methods else Match.PARTIAL


def _name(route: BaseRoute) -> str | None:
    return route.name if isinstance(route, Route) else getattr(route, "name", None)


def unlabelled(routes: Sequence[BaseRoute], labels: set[str] | frozenset[str]) -> list[str]:
    """Paths of routes whose name is not one of `labels` (a route left with its handler's name)."""
    return [f"{sorted(route.methods or [])} {route.path}" for route in routes
            if isinstance(route, Route) and route.name not in labels]
