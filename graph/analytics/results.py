"""What the analyses return: frozen, slotted dataclasses, and their JSON form.

The analyses used to return camelCase dicts, which the GraphQL layer re-mapped key by key into
its types and the CLI printed as they were. Now each returns a tree of dataclasses (subclasses of
:class:`Result`) whose snake_case fields are named as the GraphQL types' Python fields, so those
types are built from them by name (:func:`api.graphql.types_common.typed`), and Python callers
read attributes a type checker knows. :meth:`Result.to_json` gives the old dicts back, byte for
byte once dumped — ``coco … --json`` and every page that prints them keep their output:

* a field's key is its name in camelCase (``effective_size`` → ``effectiveSize``), without the
  trailing underscore of a name that is a Python keyword (``from_`` → ``from``);
* keys come in the order the fields are declared (``json.dumps`` keeps it);
* nested results, lists, tuples (as lists) and dicts (keys as they are: they are data, such as
  group names) are converted all the way down;
* a field declared with ``field(default=None, metadata=OMITTED_IF_NONE)`` leaves its key out
  while it is None (a key the JSON has only sometimes, such as a period's ``groups``).
"""

from __future__ import annotations

from dataclasses import Field, fields
from types import MappingProxyType
from typing import Any, ClassVar

__all__ = ["OMITTED_IF_NONE", "Result", "json_name", "plain"]

OMITTED_IF_NONE = MappingProxyType({"omit_if_none": True})  # a field's metadata (module notes)


class Result:
    """Base of the analyses' result dataclasses (declare them ``frozen=True, slots=True``)."""

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

    def to_json(self) -> dict[str, Any]:
        """The result as plain data with camelCase keys (module notes)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None and f.metadata.get("omit_if_none"):
                continue
            out[json_name(f.name)] = plain(value)
        return out


def plain(value: Any) -> Any:
    """``value`` with every :class:`Result` in it turned into its JSON form."""
    if isinstance(value, Result):
        return value.to_json()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def json_name(name: str) -> str:
    """The JSON key of a field: ``epsilon_normalised`` → ``epsilonNormalised``, ``from_`` →
    ``from``.

    >>> json_name("open_gaps_by_region"), json_name("from_"), json_name("ratio")
    ('openGapsByRegion', 'from', 'ratio')
    """
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)
