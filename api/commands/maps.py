"""Map commands (coco map ...)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add this area's commands to the ``coco`` group."""
