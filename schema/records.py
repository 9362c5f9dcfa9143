"""Plain records that cross layer boundaries: a node, an edge, and a validation problem."""

from __future__ import annotations

from typing import Any, NamedTuple


class Node(NamedTuple):
    """A node as written to or read from a store. ``props`` excludes ``id`` and the label."""

    id: str
    label: str
    props: dict[str, Any]


class Edge(NamedTuple):
    """A relationship, keyed by (source, type, target): one edge of a type between two nodes."""

    source: str
    type: str
    target: str
    props: dict[str, Any]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source, self.type, self.target)


class Problem(NamedTuple):
    """One thing wrong with the input: where it is, which field, what was expected, what came."""

    where: str
    field: str
    expected: str
    got: Any = None

    def __str__(self) -> str:
        got = "" if self.got is None else f", got {_short(self.got)}"
        fld = f" field '{self.field}'" if self.field else ""
        return f"{self.where}:{fld} expected {self.expected}{got}"


class ValidationError(ValueError):
    """Raised with every problem found; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        head = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        lines = [str(p) for p in problems[:20]]
        if len(problems) > 20:
            lines.append(f"… and {len(problems) - 20} more")
        super().__init__(head + ":\n  " + "\n  ".join(lines))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def node_where(node_id: Any, label: Any) -> str:
    return f"node {_key(node_id)} ({label})"


def edge_where(source: Any, rel: Any, target: Any) -> str:
    return f"edge {_key(source)} -[{rel}]-> {_key(target)}"


def _key(value: Any) -> str:
    """A key as messages show it: quoted, cut when too long to read (or to echo back)."""
    if isinstance(value, str) and len(value) > 80:
        return f"{value[:60]!r}… ({len(value):,} characters)"
    return repr(value)
