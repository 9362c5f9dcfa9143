"""Groups of ``coco`` subcommands, one module per area; each exposes ``register(group)``."""
