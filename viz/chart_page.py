"""The charts page: one HTML page with one chart or the three, each with its exports and table.

The page has no script at all (the charts are SVG drawn on the server, :mod:`viz.chart_draw`), so
its Content-Security-Policy is the plain pages' one: nothing fetched, nothing run. Served, a
chart's SVG and PNG exports are links to ``/charts/KIND.svg|.png`` with the same filters; in a
file written by ``coco chart --out FILE.html`` they are ``data:`` links inside the file, so it
exports from disk too. Each chart's figures are a table under it (WCAG 2.2 SC 1.1.1).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from coco_atlas.graph.store import Store
from coco_atlas.viz.chart_draw import inline_svg, png, svg
from coco_atlas.viz.charts import ABOUT, KINDS, PARAMS, TITLES, Chart, ChartSpec
from coco_atlas.viz.i18n import N_
from coco_atlas.viz.i18n import gettext as _

HEADING = N_("Charts")
INTRO = N_("The brokers, competence gaps and ties of the maps as charts to look at, print or "
           "put in a report.")
FOOTER = N_("Each chart is drawn on the server from the same analyses as the maps; its exports "
            "carry its title, source and date.")


def render_charts(charts: Sequence[Chart], chart: ChartSpec, *, form: list[dict[str, Any]] | None,
                  nav: list[dict[str, Any]] | None = None, home: str = "/",
                  base: str = "") -> str:
    """The page of ``charts``. With ``form`` (served) exports are links to the service's
    export URLs; without (a file) they are embedded ``data:`` links."""
    from coco_atlas.viz.page import csp, render_page

    query = chart.query()
    items = [_item(c, query, served=form is not None, single=len(charts) == 1, base=base)
             for c in charts]
    heading = charts[0].title if len(charts) == 1 else _(HEADING)
    return render_page("charts.html", csp(), heading=heading, intro=_(INTRO),
                       filters=charts[0].filters if charts else [], form=form, charts=items,
                       footer=_(FOOTER), nav=nav or [], home=home)


def _item(c: Chart, query: dict[str, str], *, served: bool, single: bool,
          base: str) -> dict[str, Any]:
    own = {k: v for k, v in query.items() if k in PARAMS[c.kind]}
    q = f"?{urlencode(own)}" if own else ""
    name = f"coco-{c.kind}"
    if served:
        exports = [{"text": "SVG", "href": f"{base}/charts/{c.kind}.svg{q}",
                    "filename": f"{name}.svg"},
                   {"text": "PNG (2×)", "href": f"{base}/charts/{c.kind}.png{q}",
                    "filename": f"{name}.png"}]
    else:
        exports = [{"text": "SVG", "filename": f"{name}.svg", "href": "data:image/svg+xml;base64,"
                    + base64.b64encode(svg(c).encode("utf-8")).decode()},
                   {"text": "PNG (2×)", "filename": f"{name}.png",
                    "href": "data:image/png;base64," + base64.b64encode(png(c)).decode()}]
    map_kind = {"brokers": "brokers", "gaps": "gaps", "ties": "ecosystem"}[c.kind]
    map_q = {k: v for k, v in query.items() if k != "limit"}
    links = [{"text": _("The map"), "href": f"{base}/maps/{map_kind}"
              + (f"?{urlencode(map_q)}" if map_q else "")}] if served or base else []
    numeric = [bool(c.table.rows) and all(isinstance(r[i], (int, float)) for r in c.table.rows)
               for i in range(len(c.table.columns))]
    return {"kind": c.kind, "title": c.title, "about": ABOUT[c.kind], "summary": c.summary,
            "svg": Markup(inline_svg(c, prefix=f"{c.kind}-")), "notes": c.notes,
            "exports": exports, "links": links, "table": c.table, "numeric": numeric,
            "page": None if single or not served else f"{base}/charts/{c.kind}{q}"}


def chart_form(store: Store, chart: ChartSpec) -> list[dict[str, Any]]:
    """The filter fields of a served chart page: the map form's fields this chart takes, with
    the same choices, and how many bars or regions."""
    from coco_atlas.viz.page import form_fields

    spec = chart.spec
    allowed = PARAMS[chart.kind]
    fields = [f for f in form_fields(store, spec) if f["name"] in allowed and f["name"] != "limit"]
    if "limit" in allowed:
        fields.append({"name": "limit", "label": _("Bars / regions"), "value": str(chart.limit),
                       "options": None, "placeholder": "20", "type": "text"})
    return fields


def titles() -> list[dict[str, str]]:
    """Links to each chart for the landing page and the navigation."""
    return [{"href": f"/charts/{k}", "title": TITLES[k], "text": ABOUT[k]} for k in KINDS]
