"""Chart command: ``coco chart brokers|gaps|ties|all [filters] --out FILE.svg|.png|.html``.

The filter options are the maps' (:data:`viz.params.PARAMS`) and go through the same parser as
the ``/charts`` pages (:func:`viz.charts.parse_chart`), so the command and the service accept and
refuse the same charts. The file's type follows its extension: an SVG or a PNG (2×) picture with
its title, source and date, or a self-contained HTML page (with ``all``: the three charts) whose
exports work from disk.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from coco_atlas.api.click_words import formatted
from coco_atlas.api.commands.common import err, open_from, store_options
from coco_atlas.api.commands.maps import filter_help
from coco_atlas.api.settings import BY_NAME as SETTINGS
from coco_atlas.viz.i18n import N_
from coco_atlas.viz.i18n import gettext as _
from coco_atlas.viz.params import BY_NAME

SUFFIXES = (".svg", ".png", ".html")


def _chart_command() -> click.Command:
    """``coco chart``: its options are built from the declared parameters, in code."""
    from coco_atlas.viz.charts import DEFAULT_LIMIT, KINDS, MAX_LIMIT, PARAMS

    command = store_options(_chart)
    default_base = f"http://{SETTINGS['host'].default}:{SETTINGS['port'].default}"
    command = click.option(
        "--link-base", default=default_base, show_default=True, metavar="URL",
        help=N_("Where an HTML page's links to the maps point: the COCO Atlas service that serves "
             "this store."))(command)
    command = click.option(
        "--limit", type=str, default=None, metavar="N",
        help=formatted(N_("At most this many actors ranked (brokers) or regions shown (gaps), 1 "
                          "to {most} (default {default})."), most=MAX_LIMIT,
                       default=DEFAULT_LIMIT))(command)
    for name in reversed([p for p in PARAMS["all"] if p != "limit"]):
        param = BY_NAME[name]
        help = filter_help(param)
        if name == "level":  # the chart that takes it, by its name: no words to translate
            help = formatted("{help} [{kinds}]", help=help, kinds="gaps")
        command = click.option(f"--{name}", name, multiple=param.multiple,
                               metavar=param.metavar, help=help)(command)
    command = click.option(
        "--out", "out", required=True, metavar="FILE",
        type=click.Path(dir_okay=False, path_type=Path),
        help=N_("The file to write: FILE.svg or FILE.png (one chart) or FILE.html (a page, with "
             "'all' the three charts)."))(command)
    command = click.argument("kind", type=click.Choice([*KINDS, "all"]))(command)
    return click.command("chart", help=N_(
        "Write a chart: the top brokers, the competence gaps by region and competence group, or "
        "the actors and ties per year, as SVG, PNG (2×) or a self-contained HTML page.\n\n"
        "Filters combine with AND; several values of one filter with OR (--country AT --country "
        "SI)."))(command)


def _chart(kind: str, out: Path, link_base: str, **values: Any) -> None:
    """``coco chart`` (its help is given in :func:`_chart_command`)."""
    from rich.markup import escape

    from coco_atlas.api.commands.maps import _as_list
    from coco_atlas.viz.charts import KINDS, build_chart, parse_chart

    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise click.BadParameter(_("expected a file name ending in {suffixes}, got {name}").format(
            suffixes=", ".join(SUFFIXES), name=repr(out.name)), param_hint="--out")
    if kind == "all" and suffix != ".html":
        raise click.BadParameter(_("'all' draws the three charts on one page: write it to a "
                                   ".html file, or name one chart for an SVG or PNG"),
                                 param_hint="--out")
    conn = {k: values.pop(k) for k in list(values) if k not in {*BY_NAME, "limit"}}
    raw = {name: _as_list(v) for name, v in values.items() if v not in (None, ())}
    chart = parse_chart(kind, raw)
    kinds = KINDS if kind == "all" else (kind,)
    with open_from(conn) as store:
        charts = [build_chart(store, k, chart) for k in kinds]
    _save(out, suffix, charts, chart, link_base)
    err.print(f"[green]✓[/] {escape(str(out))}: "
              f"{escape('; '.join(c.title for c in charts))}", highlight=False)


def _save(out: Path, suffix: str, charts: list[Any], chart: Any, link_base: str) -> None:
    from coco_atlas.api.commands.maps import _write
    from coco_atlas.viz.chart_draw import png, svg
    from coco_atlas.viz.chart_page import render_charts

    if suffix == ".html":
        _write(out, render_charts(charts, chart, form=None, base=link_base.rstrip("/"),
                                  home=link_base.rstrip("/") + "/"))
    elif suffix == ".svg":
        _write(out, svg(charts[0]))
    else:
        _write_bytes(out, png(charts[0]))


def _write_bytes(path: Path, data: bytes) -> None:
    """All or nothing, like the maps' files: a temporary file renamed over the target."""
    import os
    import tempfile

    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise click.ClickException(_("{file}: no such folder {folder}").format(file=path,
                                                                               folder=folder))
    fd, tmp = tempfile.mkstemp(prefix=".coco-chart-", suffix=path.suffix, dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


COMMANDS = (_chart_command(),)
