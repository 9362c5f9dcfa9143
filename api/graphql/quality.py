"""``dataQuality`` on the Query root: the report of :mod:`graph.quality` for data stewards.

Built once per store version (it reads every label's properties) and shared by the requests of
that version; the records of each finding resolve as nodes through the request's DataLoader.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from coco_atlas.api.graphql.errors import bad_input
from coco_atlas.api.graphql.nodes import NodeInterface
from coco_atlas.api.graphql.results import load_objects
from coco_atlas.graph.quality import KINDS, quality
from coco_atlas.schema.messages import N_, Msg

__all__ = ["FIELDS"]

MAX_EXAMPLES = 100


@strawberry.type(description="How many nodes of a label have a value for one property.")
class PropertyCompleteness:
    label: str
    property: str
    known: int = strawberry.field(description="Nodes with a value.")
    total: int = strawberry.field(description="Nodes of the label.")
    share: float = strawberry.field(description="known / total (1 when there are none).")
    recommended: bool = strawberry.field(description=(
        "Whether the schema says every such node should have it."))


@strawberry.type(description="One kind of problem in the data, with the first records that "
                             "have it (by id).")
class QualityFinding:
    kind: str = strawberry.field(description="One of " + ", ".join(KINDS) + ".")
    title: str = strawberry.field(description="What it is, in words.")
    count: int = strawberry.field(description="How many records have it.")
    example_ids: strawberry.Private[list[str]]

    @strawberry.field(description="The first records that have it (`examples` of them).")
    async def records(self, info: Info) -> list[NodeInterface]:
        return await load_objects(info, self.example_ids)


@strawberry.type(description="The data-quality report: what is known, what is missing, what "
                             "does not add up (docs/analysis.md, 'Data quality').")
class DataQuality:
    completeness: list[PropertyCompleteness]
    findings: list[QualityFinding]


def resolve_data_quality(info: Info, examples: int = 10) -> DataQuality:
    if not 0 <= examples <= MAX_EXAMPLES:
        raise bad_input("dataQuality", "examples", Msg(N_("from {low} to {high}"), low=0,
                                                       high=MAX_EXAMPLES), examples)
    ctx = info.context
    report: Any = ctx.cached(("quality", examples),
                             lambda: quality(ctx.store, examples=examples))
    return DataQuality(
        completeness=[PropertyCompleteness(label=c.label, property=c.property, known=c.known,
                                           total=c.total, share=c.share,
                                           recommended=c.recommended)
                      for c in report.completeness],
        findings=[QualityFinding(kind=f.kind, title=f.title, count=f.count,
                                 example_ids=f.examples) for f in report.findings])


FIELDS: dict[str, Any] = {
    "data_quality": strawberry.field(resolver=resolve_data_quality, name="dataQuality",
                                     description=(
        "Completeness per label and property, actors without a region or a sector, actors "
        "whose country is not their region's, isolated actors: each with its count and the "
        "first `examples` records (default 10).")),
}
