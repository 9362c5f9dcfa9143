"""Interactive ecosystem maps (pyvis)."""
