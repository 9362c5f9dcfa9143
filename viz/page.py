"""HTML pages: self-contained map pages, the landing page, node pages and error pages.

A map page is one HTML file that needs nothing else: vis-network's script and stylesheet are read
from the installed pyvis wheel (its ``lib/vis-*`` folder) and inlined; the map's data is a JSON
block; fonts are the system's. A Content-Security-Policy allows exactly the page's own scripts
(by their SHA-256) and no connection anywhere, so a page that tried to fetch something would be
stopped by the browser, not merely not ask.

Templates are Jinja2 with autoescaping; data goes into the page as JSON with ``<``, ``>`` and
``&`` escaped (as Jinja's ``tojson`` does), so names from user data cannot close the script block.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import orjson
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from coco_atlas.graph.search import FOLD_LETTERS
from coco_atlas.viz.build import MapData, to_network


@dataclass(frozen=True)
class Assets:
    vis_js: str
    vis_css: str
    page_js: str
    css: str
    svg_js: str  # svgcanvas: a Canvas 2D context that writes SVG, for the SVG export
    geo_js: str = ""  # geographic maps: outlines and areas under the nodes (viz/geo.py)
    tables_js: str = ""  # the ranked table and the gap panel (viz/ranked.py)
    timeline_js: str = ""  # the map in time: year slider, play, before/after (viz/timeline.py)
    points_js: str = ""  # many actors on a geographic map: a point layer (viz/geo.py)

    @property
    def script_hashes(self) -> tuple[str, ...]:
        return tuple(_sha256(s) for s in (self.vis_js, self.svg_js, self.page_js,
                                          self.geo_js, self.tables_js, self.timeline_js,
                                          self.points_js))


@cache
def assets() -> Assets:
    """vis-network from the installed pyvis package, and this package's own script and styles."""
    vis = vis_folder()
    here = files("coco_atlas.viz") / "templates"
    out = Assets(vis_js=(vis / "vis-network.min.js").read_text(encoding="utf-8"),
                 vis_css=(vis / "vis-network.css").read_text(encoding="utf-8"),
                 page_js=(here / "map.js").read_text(encoding="utf-8"),
                 css=(here / "style.css").read_text(encoding="utf-8"),
                 svg_js=_svgcanvas(),
                 geo_js=(here / "geo.js").read_text(encoding="utf-8"),
                 tables_js=(here / "tables.js").read_text(encoding="utf-8"),
                 timeline_js=(here / "timeline.js").read_text(encoding="utf-8"),
                 points_js=(here / "points.js").read_text(encoding="utf-8"))
    for name, text, end in (("vis-network.min.js", out.vis_js, "</script"),
                            ("svgcanvas.js", out.svg_js, "</script"),
                            ("vis-network.css", out.vis_css, "</style")):
        if end in text.lower():  # would end the inline block early
            raise RuntimeError(f"{name} contains {end}> and cannot be inlined")
    return out


def _svgcanvas() -> str:
    """svgcanvas (npm, MIT; the maintained fork of gliffy's canvas2svg): its CommonJS build
    wrapped so that it defines ``window.SvgCanvas`` and nothing else."""
    from coco_atlas.viz.vendor import npm_file

    code = npm_file("svgcanvas", "dist/svgcanvas.js").read_text(encoding="utf-8")
    return f"(function () {{ var exports = {{}};\n{code}\nwindow.SvgCanvas = exports; }})();"


def vis_folder() -> Path:
    """The newest ``vis-<version>`` folder of the installed pyvis package's ``lib/``."""
    lib = Path(str(files("pyvis"))) / "lib"
    found = [p for p in lib.glob("vis-*") if (p / "vis-network.min.js").is_file()]
    if not found:
        raise RuntimeError(f"vis-network not found in {lib}: is pyvis installed?")
    return max(found, key=lambda p: tuple(int(x) for x in re.findall(r"\d+", p.name)))


@cache
def environment() -> Environment:
    """Jinja with gettext (``{{ _("…") }}``, ``{% trans %}``) in the request's language
    (viz/i18n.py), numbers in its format, and its language switch."""
    from coco_atlas.viz import i18n

    env = Environment(loader=PackageLoader("coco_atlas.viz", "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True, extensions=["jinja2.ext.i18n"])
    env.policies["ext.i18n.trimmed"] = True  # messages without the template's line breaks
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["num"] = i18n.number
    env.filters["percent"] = i18n.percent
    from coco_atlas.viz.words import finding_text, label_text, property_text

    env.globals.update(current_lang=i18n.current, language_switch=i18n.switch,
                       finding_text=finding_text, label_text=label_text,
                       property_text=property_text)
    return env


def csp(script_hashes: tuple[str, ...] = (), *, own_images: bool = False) -> str:
    """The page's Content-Security-Policy: nothing may be fetched (but the service's own images
    when ``own_images``), only its own scripts run."""
    scripts = " ".join(f"'sha256-{h}'" for h in script_hashes) or "'none'"
    images = "'self' data:" if own_images else "data:"
    return (f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; "
            f"img-src {images}; base-uri 'none'; form-action 'self'")


def map_csp() -> str:
    """The policy of a map page: its own inline scripts, nothing else."""
    return csp(assets().script_hashes)


@dataclass(frozen=True)
class Share:
    """How a map page is shared. ``permalink``: the service's address of this map (filters in
    the query), for a page that is a file (``coco map``, a download) and so cannot take its own
    address; None when served (the page's address is the link). ``view``: the view to restore
    when the address has no ``#`` fragment (the view a download was saved at). ``embeddable``:
    the operator lets some sites frame the maps. ``embed``: drawn inside such a frame, map only.
    ``download``: the served page offers itself as a file."""

    permalink: str | None = None
    view: str = ""
    embeddable: bool = False
    embed: bool = False
    download: bool = False


def render_map(data: MapData, *, form: list[dict[str, Any]] | None = None,
               nav: list[dict[str, Any]] | None = None, home: str = "/",
               share: Share | None = None) -> str:
    """The map as one self-contained HTML page.

    ``form`` (the server's filter form) and ``nav`` (links to the other maps) are given when the
    page is served; a file written by ``coco map`` has neither and describes its filters instead.
    """
    net = to_network(data)  # pyvis holds the nodes, edges and options
    a = assets()
    share = share or Share()
    from coco_atlas.viz.i18n import day, script_words

    today = date.today()
    meta = {**data.meta, "permalink": share.permalink, "view": share.view,
            "embeddable": share.embeddable, "drawn": today.isoformat(), "drawnText": day(today)}
    table, gaps = meta.pop("table", None), meta.pop("gaps", None)  # in the page as HTML / JSON
    trend = meta.pop("timelineChart", None)  # an inline SVG in the panel (viz/timeline.py)
    # the Find box folds names as the server's search does (graph.search.fold)
    payload = {"nodes": net.nodes, "edges": net.edges, "options": net.options,
               "meta": {**meta, "fold": FOLD_LETTERS}}
    return environment().get_template("map.html").render(
        title=net.heading, meta=meta, legend=data.meta.get("legend", {}), form=form,
        nav=nav or [], home=home, share=share, csp=csp(a.script_hashes), css=Markup(a.css),
        vis_css=Markup(a.vis_css), vis_js=Markup(a.vis_js), svg_js=Markup(a.svg_js),
        page_js=Markup(a.page_js), geo_js=Markup(a.geo_js), tables_js=Markup(a.tables_js),
        timeline_js=Markup(a.timeline_js), points_js=Markup(a.points_js),
        trend=Markup(trend) if trend else None,
        table=table, gaps=gaps, data_json=Markup(json_for_html(payload)),
        switch=[] if share.permalink or share.embed else None,  # a file has no address to keep
        words_json=Markup(json_for_html(script_words())))


def render_page(template: str, policy: str | None = None, **context: Any) -> str:
    """A plain page (landing, node details, errors): no scripts at all."""
    return environment().get_template(template).render(csp=policy or csp(),
                                                       css=Markup(assets().css), **context)


def json_for_html(value: Any) -> str:
    """JSON safe inside a ``<script>`` element: ``<``, ``>`` and ``&`` as unicode escapes."""
    text = orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY).decode()
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def headers(html_csp: str, frame_ancestors: str = "'none'") -> Mapping[str, str]:
    """Response headers for a served page (the CSP also travels as a header, where
    ``frame-ancestors`` is honoured: 'none', or the origins that may embed a map)."""
    return {"Content-Security-Policy": f"{html_csp}; frame-ancestors {frame_ancestors}",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def form_fields(store: Any, spec: Any) -> list[dict[str, Any]]:
    """The filter form of a served map: one field per parameter the map takes, filled in with
    the current values, with the choices this store offers (countries, regions, groups…)."""
    from coco_atlas.graph.analytics.groups import SECTOR_GROUPS, UNKNOWN
    from coco_atlas.graph.analytics.network import actor_network
    from coco_atlas.viz.actors import actor_table
    from coco_atlas.viz.kinds import FIELD_TEXT, brokerage_measures, form_words
    from coco_atlas.viz.params import (
        ACTOR_SIZES,
        AGGREGATES,
        BY_NAME,
        COLOURS,
        LAYOUTS,
        NUTS_LEVELS,
        as_text,
    )

    table = actor_table(store, actor_network(store).ids)
    any_ = [("", "any")]
    regions = sorted((r, f"{r} {table.regions.names.get(r, '')}")
                     for r, lvl in table.region_level.items() if lvl <= 2)
    choices: dict[str, list[tuple[str, str]] | None] = {
        "country": any_ + [(c, c) for c in sorted(set(table.country.tolist()) - {""})],
        "region": any_ + regions,
        "group": any_ + [(g, g) for g in (*SECTOR_GROUPS, UNKNOWN)],
        "label": any_ + [(x, x) for x in sorted(set(table.labels.tolist()))],
        "aggregate": [(a, a) for a in AGGREGATES],
        "level": [(str(v), f"NUTS {v}") for v in NUTS_LEVELS],
        "colour": [(c, c) for c in COLOURS],
        "size": [(s, s) for s in (brokerage_measures() if spec.kind == "brokers" else ACTOR_SIZES)],
        "hops": [(str(h), str(h)) for h in (1, 2, 3)],
        "layout": [(v, v) for v in LAYOUTS],
    }
    people, helps = form_words(table, spec)  # choices in people's words, measures explained
    choices.update(people)
    placeholders = {"sector": "NACE code, e.g. J58", "years": "e.g. 2019-2023",
                    "timeline": "e.g. 2015-2026",
                    "limit": f"{spec.limit:,}"}
    fields = []
    for p in (p for p in BY_NAME.values() if spec.kind in p.kinds):
        value = as_text(getattr(spec, p.name))
        options = choices.get(p.name)
        if options is not None and value not in {v for v, _ in options}:
            options = [*options, (value, value)]
        fields.append({"name": p.name, "label": FIELD_TEXT.get(p.name, p.name.capitalize()),
                       "value": value,
                       "options": options, "placeholder": placeholders.get(p.name, ""),
                       "help": helps.get(p.name, ""),
                       "type": "hidden" if p.name == "id" else "text"})
    return fields
