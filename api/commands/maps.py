"""Map commands: ``coco map --kind ecosystem|ego|brokers|gaps [filters] --out FILE.html``.

The options are generated from :data:`viz.params.PARAMS`, the same table the ``/maps/...`` query
parameters and the docs come from; values go through the same :func:`viz.params.parse`, so the
command and the service accept and refuse exactly the same maps.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import click

from coco_atlas.api.click_words import formatted
from coco_atlas.api.commands.common import err, open_from, store_options
from coco_atlas.api.settings import BY_NAME as SETTINGS
from coco_atlas.viz.i18n import N_
from coco_atlas.viz.i18n import gettext as _
from coco_atlas.viz.params import KINDS, PARAMS, Param


def _map_command() -> click.Command:
    """``coco map``: its options are built from the declared parameters, in code."""

    # Decorators applied in code: the last one applied is listed first in --help.
    command = store_options(_map)
    default_base = f"http://{SETTINGS['host'].default}:{SETTINGS['port'].default}"
    command = click.option(
        "--link-base", default=default_base, show_default=True, metavar="URL",
        help=N_("Where the map's 'Details' links point: the COCO Atlas service that serves this "
             "store."))(command)
    for param in reversed(PARAMS):
        command = _option(param)(command)
    command = click.option("--out", "out", required=True, metavar="FILE.html",
                           type=click.Path(dir_okay=False, path_type=Path),
                           help=N_("The HTML file to write (one self-contained file)."))(command)
    command = click.option("--kind", type=click.Choice(KINDS), default="ecosystem",
                           show_default=True, help=N_("Which map."))(command)
    return click.command("map", help=N_(
        "Write one map as a self-contained HTML file that opens from disk, offline.\n\n"
        "Filters combine with AND; several values of one filter with OR (--country AT --country "
        "SI)."))(command)


def _option(param: Param) -> Any:
    help = filter_help(param)
    if param.kinds != KINDS:  # the maps that take it
        help = formatted(N_("{help} [{kinds} map]") if len(param.kinds) == 1 else
                         N_("{help} [{kinds} maps]"), help=help, kinds=", ".join(param.kinds))
    return click.option(f"--{param.name}", param.name, multiple=param.multiple,
                        metavar=param.metavar, help=help)


def filter_help(param: Param) -> str:
    """A filter option's help (``coco map``, ``coco chart``): the parameter's, then "Repeat for
    several." when it may be given more than once; each a message of its own, so that
    ``--help`` words both in the reader's language (:func:`api.click_words.formatted`)."""
    help = formatted(param.help, **dict(param.values))
    if param.multiple:
        help = formatted(N_("{help} Repeat for several."), help=help)
    return help


def _map(kind: str, out: Path, link_base: str, **values: Any) -> None:
    """``coco map`` (its help is given in :func:`_map_command`)."""
    from rich.markup import escape

    from coco_atlas.viz.kinds import build_map
    from coco_atlas.viz.page import Share, render_map
    from coco_atlas.viz.params import parse

    conn = {k: values.pop(k) for k in list(values) if k not in {p.name for p in PARAMS}}
    raw = {name: _as_list(v) for name, v in values.items() if v not in (None, ())}
    spec = parse(kind, raw)
    with open_from(conn) as store:
        data = build_map(store, spec, link_base=link_base)
    base = link_base.rstrip("/")
    permalink = f"{base}/maps/{kind}?{urlencode(spec.query())}".rstrip("?")
    _write(out, render_map(data, home=base + "/", share=Share(permalink=permalink)))
    from coco_atlas.viz.i18n import ngettext, number

    counts = ngettext("{n} node", "{n} nodes", len(data.nodes)).format(n=number(len(data.nodes)))
    ties = ngettext("{n} tie", "{n} ties", len(data.edges)).format(n=number(len(data.edges)))
    err.print(f"[green]✓[/] {escape(str(out))}: {escape(data.title)} ({counts}, {ties})",
              highlight=False)


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, (tuple, list)) else [str(value)]


def _write(path: Path, html: str) -> None:
    """Write all or nothing: a temporary file in the same folder, renamed over the target."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise click.ClickException(_("{file}: no such folder {folder}").format(file=path,
                                                                               folder=folder))
    fd, tmp = tempfile.mkstemp(prefix=".coco-map-", suffix=".html", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(html)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a map is for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


COMMANDS = (_map_command(),)
