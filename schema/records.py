"""Plain records that cross layer boundaries: a node, an edge, and a validation problem."""

from __future__ import annotations

from typing import Any, NamedTuple

from coco_atlas.schema.messages import N_, Join, Msg, Np_, Num, lazy


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
    """One thing wrong with the input: where it is, which field, what was expected, what came.

    ``where`` and ``expected`` are English text, or :class:`~schema.messages.Msg` s worded in
    the reader's language when the problem is shown (``str(problem)``); ``field`` is a name.
    """

    where: str
    field: str
    expected: str
    got: Any = None

    def __str__(self) -> str:
        return str(self.message())

    def message(self) -> Msg:
        """The problem as one sentence, worded where it is shown."""
        values: dict[str, Any] = {"where": self.where, "field": self.field,
                                  "expected": lazy(self.expected)}
        if self.got is not None:
            values["got"] = _short(self.got)
            return Msg(N_("{where}: field '{field}' expected {expected}, got {got}")
                       if self.field else N_("{where}: expected {expected}, got {got}"),
                       **values)
        return Msg(N_("{where}: field '{field}' expected {expected}") if self.field
                   else N_("{where}: expected {expected}"), **values)



class ValidationError(ValueError):
    """Raised with every problem found; nothing was written. Its text is worded in the
    reader's language when it is shown (``str(error)``); ``args[0]`` is the English one."""

    SHOWN = 20

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(self.message().english())

    def __str__(self) -> str:
        return str(self.message())

    def message(self) -> Msg:
        problems = self.problems
        lines = [p.message() for p in problems[:self.SHOWN]]
        if len(problems) > self.SHOWN:
            lines.append(Msg(N_("… and {n} more"), n=Num(len(problems) - self.SHOWN)))
        return _listed(Msg(Np_("{n} problem", "{n} problems"), n=len(problems)), lines)


def _listed(head: Msg, lines: list[Msg]) -> Msg:
    """A heading and its lines, one message: "3 problems:\n  …\n  …"."""
    return Join(head, ":", *(part for line in lines for part in ("\n  ", line)))


def _short(value: Any) -> str:
    if isinstance(value, Msg):  # a summary of a long text: "Lorem…" (3,000 characters)
        return value
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def node_where(node_id: Any, label: Any) -> str:
    return Msg(N_("node {key} ({label})"), key=_key(node_id), label=label)


def edge_where(source: Any, rel: Any, target: Any) -> str:
    return Msg(N_("edge {source} -[{type}]-> {target}"), source=_key(source), type=rel,
               target=_key(target))


def _key(value: Any) -> Any:
    """A key as messages show it: quoted, cut when too long to read (or to echo back)."""
    if isinstance(value, str) and len(value) > 80:
        return Msg(N_("{start}… ({n} characters)"), start=repr(value[:60]), n=Num(len(value)))
    return repr(value)
