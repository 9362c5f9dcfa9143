"""Groups of ``coco`` subcommands, one module per area; each exposes its Click commands as
``COMMANDS``, which :mod:`api.cli` adds to the ``coco`` group. Shared options live in
:mod:`api.commands.common`."""
