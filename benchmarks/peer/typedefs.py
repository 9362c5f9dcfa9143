"""Type definitions for the Neo4j GraphQL Library peer, generated from :data:`schema.SCHEMA`.

The peer reads the nodes COCO Atlas wrote (every node carries its label and ``Entity``), so
its types are COCO's labels with their plain properties, and its relationship fields COCO's
whose other end is one label of the same set (``Company.offers``, ``Hub.members``).
Dates are left out (the benchmark's queries ask for none).

    python benchmarks/peer/typedefs.py > typedefs.graphql
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from coco_atlas.api.graphql import spec
from coco_atlas.schema import SCHEMA, PropType

LABELS = ("Hub", "Company", "Competence")  # what the benchmark's queries read
SCALARS = {PropType.STRING: "String", PropType.INT: "Int", PropType.FLOAT: "Float",
           PropType.BOOL: "Boolean", PropType.STRING_LIST: "[String!]"}


def typedefs(labels: tuple[str, ...] = LABELS) -> str:
    out = []
    for label in labels:
        lines = ["  id: ID!"]
        for name, prop in SCHEMA.node_properties(label).items():
            if prop.type in SCALARS and name != "id":
                lines.append(f"  {name}: {SCALARS[prop.type]}{'!' if prop.required else ''}")
        for rf in spec.rel_fields(label):
            if rf.single in labels and rf.direction in ("out", "in"):
                lines.append(f"  {rf.name}: [{rf.single}!]! @relationship(type: "
                             f"\"{rf.rel}\", direction: {rf.direction.upper()})")
        out.append(f"type {label} @node(labels: [\"{label}\", \"Entity\"]) {{\n"
                   + "\n".join(lines) + "\n}\n")
    return "\n".join(out)


if __name__ == "__main__":
    print(typedefs())
