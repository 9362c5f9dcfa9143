"""Brokerage and gap analysis commands (coco brokers, coco gaps, coco introductions)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add this area's commands to the ``coco`` group."""
