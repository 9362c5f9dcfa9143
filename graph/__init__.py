"""Stores, projections and analytics of the COCO Atlas property graph."""
