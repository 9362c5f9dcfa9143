"""The one declarative property-graph schema of COCO Atlas; every other layer derives from it."""

from coco_atlas.schema.model import ACTOR_LABELS, NORMALISED, SCHEMA, TRAINING_AREAS
from coco_atlas.schema.records import Edge, Node, Problem, ValidationError
from coco_atlas.schema.types import NodeLabel, Property, PropType, RelType, Schema, Validity

__all__ = [
    "ACTOR_LABELS",
    "NORMALISED",
    "SCHEMA",
    "TRAINING_AREAS",
    "Edge",
    "Node",
    "NodeLabel",
    "Problem",
    "PropType",
    "Property",
    "RelType",
    "Schema",
    "ValidationError",
    "Validity",
]
