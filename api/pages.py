"""HTML pages of the service: the landing page, the maps, node details and the docs.

* ``/`` — what the service is, headline numbers (``store.counts()``), links to everything;
* ``/maps/{kind}?…`` — a self-contained map page (parameters: :data:`viz.params.PARAMS`);
  ``download=1`` serves it as a file to keep (links absolute to this service, no filter form,
  ``view=`` the view to open at), ``embed=1`` the map alone for a hub's website (framed only by
  the origins of the ``frame_ancestors`` setting); the view itself (zoom, centre, selection,
  hidden categories) lives in the address's ``#`` fragment, read and written by the page;
* ``/nodes/{id}`` — a node's properties and neighbours, with links onward;
* ``/docs`` — the guides in ``docs/`` as HTML pages (``?raw=1``: the Markdown), and their
  screenshots.

Maps are built in a worker thread (igraph and numpy release the event loop) and the finished
HTML is kept in a small LRU keyed by the store's version and the query, so a page that is
reloaded or shared costs nothing until the data changes.
"""

from __future__ import annotations

import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse
from starlette.routing import BaseRoute, Route

from coco_atlas.graph.merge import RECORD as MERGED
from coco_atlas.graph.merge import history
from coco_atlas.graph.store import Store
from coco_atlas.schema import ACTOR_LABELS, SCHEMA
from coco_atlas.viz.i18n import N_, current, ngettext
from coco_atlas.viz.i18n import gettext as _

DOCS = Path(__file__).resolve().parents[1] / "docs"
CACHE_SIZE = 16
ACTORS = tuple(sorted(ACTOR_LABELS))
MAP_TITLES = {
    "ecosystem": (N_("The whole ecosystem"), N_("Every hub and company with their partnerships, "
                  "memberships and shared collaborations; by region when too large.")),
    "brokers": (N_("Brokers"), N_("Who bridges whom: actors sized by their brokerage, ties "
                "across sector groups highlighted.")),
    "gaps": (N_("Competence gaps"), N_("Regions coloured by the competences their actors need "
             "and nobody there offers.")),
}


def routes() -> list[BaseRoute]:
    """The page routes, mounted by :func:`api.app.create_app`."""
    return [
        Route("/", landing),
        Route("/maps", lambda r: RedirectResponse("/#maps")),
        Route("/maps/", lambda r: RedirectResponse("/#maps")),
        Route("/maps/{kind}", map_page),
        Route("/nodes/{node_id:path}", node_page),
        Route("/quality", quality_page),
        Route("/docs", docs_index),
        Route("/docs/{name:path}", docs_file),
    ]


def nav(current: str = "") -> list[dict[str, Any]]:
    items = [("ecosystem", N_("Ecosystem"), "/maps/ecosystem"),
             ("ego", N_("Ego map"), "/maps/ego"), ("brokers", N_("Brokers"), "/maps/brokers"),
             ("gaps", N_("Gaps"), "/maps/gaps"), ("charts", N_("Charts"), "/charts"),
             ("graphql", "GraphQL", "/graphql"), ("docs", N_("Docs"), "/docs")]
    return [{"text": _(t), "href": h, "current": k == current} for k, t, h in items]


# -- landing ---------------------------------------------------------------------------------
async def landing(request: Request) -> HTMLResponse:
    from coco_atlas.viz.page import render_page

    counts = await run_in_threadpool(_store(request).counts)
    labels, rels = counts["labels"], counts["relationships"]
    from coco_atlas.viz.words import collection_text

    numbers = [{"value": labels[lab.name], "text": collection_text(lab.name)}
               for lab in SCHEMA.labels if labels.get(lab.name)]
    numbers.append({"value": sum(rels.values()), "text": _("relationships")})
    maps = [{"href": f"/maps/{k}", "title": _(t), "text": _(d)}
            for k, (t, d) in MAP_TITLES.items()]
    more = [
        {"href": "/graphql", "title": _("GraphQL IDE"),
         "text": _("Query the graph: filters, paging, search, aggregates, paths.")},
        {"href": "/docs", "title": _("Documentation"),
         "text": _("Guides for map readers, researchers and operators.")},
        {"href": "/quality", "title": _("Data quality"),
         "text": _("What is missing or does not add up, with the records to fix.")},
        {"href": "/-/stats.json", "title": _("Counts as JSON"),
         "text": _("Nodes per label and relationships per type.")},
        {"href": "/-/schema.json", "title": _("Schema as JSON"),
         "text": _("Every label, relationship and property.")},
    ]
    html = render_page("landing.html", numbers=numbers, maps=maps, more=more, nav=nav(),
                       home="/", ego_action="/maps/ego")
    return _html(html)


# -- data quality ----------------------------------------------------------------------------
async def quality_page(request: Request) -> HTMLResponse:
    """The data-quality report (:mod:`graph.quality`) for data stewards, worst first."""
    from coco_atlas.graph.quality import quality
    from coco_atlas.viz.page import render_page

    store = _store(request)
    key = (await run_in_threadpool(lambda: store.version), "quality", current())
    html = _cache(request).get(key)
    if html is None:  # a few seconds on 50k actors (duplicates): once per store version
        report = await run_in_threadpool(quality, store, examples=10)
        findings = sorted(report.findings, key=lambda f: -f.count)
        completeness = sorted((c for c in report.completeness if c.share < 1),
                              key=lambda c: (not c.recommended, c.share, c.label, c.property))
        html = render_page("quality.html", findings=findings, completeness=completeness,
                           nav=nav(), home="/")
        _cache(request).put(key, html)
    return _html(html)


# -- maps ------------------------------------------------------------------------------------
async def map_page(request: Request) -> HTMLResponse:
    from coco_atlas.viz.kinds import MapNotFound
    from coco_atlas.viz.params import KINDS, MapError, parse

    kind = request.path_params["kind"]
    if kind not in KINDS:
        return _error(404, _("No such map"), _("There is no {kind!r} map; the maps are "
                      "{kinds}.").format(kind=kind, kinds=", ".join(KINDS)))
    raw = {k: request.query_params.getlist(k) for k in request.query_params if k != "lang"}
    try:
        page = _page_options(raw, request)
    except ValueError as e:
        return _error(400, _("This map cannot be drawn"), str(e))
    if kind == "ego" and not raw.get("id"):
        return await _choose_actor(request, raw.get("q", [""])[0])
    try:
        spec = parse(kind, raw)
    except MapError as e:
        return _error(400, _("This map cannot be drawn"), str(e))
    store = _store(request)
    version = await run_in_threadpool(lambda: store.version)
    key = (version, kind, tuple(sorted((k, tuple(v)) for k, v in raw.items())), page,
           current())  # the language: ?lang=, the reader's saved choice or their browser's
    cache = _cache(request)
    html = cache.get(key)
    if html is None:
        try:
            html = await run_in_threadpool(_render_map, store, spec, page)
        except MapNotFound as e:
            return _error(404, _("Not found"), str(e))
        except MapError as e:
            return _error(400, _("This map cannot be drawn"), str(e))
        cache.put(key, html)
    from coco_atlas.viz.page import map_csp

    response = _html(html, map_csp(), frame=page.frame)
    if page.download:
        response.headers["Content-Disposition"] = f'attachment; filename="coco-{kind}.html"'
    return response


@dataclass(frozen=True)
class _PageOptions:
    """How a map page is served, beside the map's own parameters: ``download=1`` (a file to
    keep: links absolute to ``base``, no filter form, the view ``view`` restored), ``embed=1``
    (inside a hub's website: map only); ``frame`` is the CSP frame-ancestors source list."""

    download: bool
    embed: bool
    view: str
    base: str
    frame: str


def _page_options(raw: dict[str, list[str]], request: Request) -> _PageOptions:
    from coco_atlas.api.headers import frame_ancestors

    flags = {}
    for name in ("download", "embed"):
        value = (raw.pop(name, None) or [""])[-1]
        if value not in ("", "0", "1"):
            raise ValueError(f"{name}: expected 1 or 0, got {value!r}")
        flags[name] = value == "1"
    view = (raw.pop("view", None) or [""])[-1]
    if len(view) > VIEW_MAX:
        raise ValueError(f"view: expected a saved view of at most {VIEW_MAX} characters, "
                         f"got {len(view):,}")
    setting = str(request.app.state.settings.get("frame_ancestors") or "")
    return _PageOptions(download=flags["download"], embed=flags["embed"], view=view,
                        base=str(request.base_url).rstrip("/"), frame=frame_ancestors(setting))


VIEW_MAX = 2_000  # characters of a saved view (#view=…&sel=…&hide=…)


def _render_map(store: Store, spec: Any, page: _PageOptions) -> str:
    """The served page, or the file to keep: a download's links lead to the service (its menu
    too), it has no filter form (that needs the service) and says which view it was saved at."""
    from coco_atlas.viz.kinds import build_map
    from coco_atlas.viz.page import Share, form_fields, render_map

    embeddable = page.frame != "'none'"
    if not page.download:
        data = build_map(store, spec)
        share = Share(embeddable=embeddable, embed=page.embed, download=not page.embed)
        return render_map(data, form=None if page.embed else form_fields(store, spec),
                          nav=nav(spec.kind), home="/", share=share)
    data = build_map(store, spec, link_base=page.base)
    link = f"{page.base}/maps/{spec.kind}?{urlencode(spec.query())}".rstrip("?")
    menu = [{**item, "href": page.base + item["href"]} for item in nav(spec.kind)]
    return render_map(data, nav=menu, home=page.base + "/",
                      share=Share(permalink=link, view=page.view, embeddable=embeddable))


async def _choose_actor(request: Request, q: str) -> HTMLResponse:
    from coco_atlas.viz.page import render_page

    found = await run_in_threadpool(_find_actors, _store(request), q)
    return _html(render_page("choose.html", q=q, found=found, nav=nav("ego"), home="/"))


def _find_actors(store: Store, q: str, first: int = 40) -> list[dict[str, str]]:
    """Actors whose name contains ``q``, ignoring case and accents (Kosice finds Košice)."""
    want = _fold(q.strip())
    if not want:
        return []
    names = store.property_values("name", list(ACTORS))
    hits = sorted((str(name), node_id) for node_id, name in names.items()
                  if want in _fold(str(name)))[:first]
    nodes = store.get_nodes([node_id for _, node_id in hits])
    return [{"name": name, "label": nodes[i].label if i in nodes else "",
             "country": str(nodes[i].props.get("country") or _("country unknown"))
             if i in nodes else "",
             "href": "/maps/ego?" + urlencode({"id": i})} for name, i in hits]


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c)).casefold()


# -- node details ----------------------------------------------------------------------------
async def node_page(request: Request) -> HTMLResponse:
    from coco_atlas.viz.page import render_page

    node_id = request.path_params["node_id"]
    store = _store(request)
    node = await run_in_threadpool(store.get_node, node_id)
    if node is None:
        return _error(404, _("Not found"), _("No node {id!r} in this store.").format(id=node_id))
    around = (await run_in_threadpool(store.neighbours, [node_id], None, "both"))[node_id]
    props = _properties(node)
    maps = []
    if node.label in ACTOR_LABELS:
        maps.append({"text": _("Ego map"), "href": "/maps/ego?" + urlencode({"id": node.id})})
        country = node.props.get("country")
        if country:
            maps.append({"text": _("Brokers of its country"),
                         "href": "/maps/brokers?" + urlencode({"country": country})})
    if node.label == "Region":
        maps.append({"text": _("Map of its actors"), "href": "/maps/ecosystem?" + urlencode(
            {"region": node.id})})
    from coco_atlas.viz.details import node_name, property_rows, relation_groups

    query = {k: request.query_params[k] for k in ("rel", "dir", "page")
             if k in request.query_params}
    from coco_atlas.viz.words import label_text

    html = render_page("node.html", name=node_name(node),
                       label=label_text(node.label),
                       props=await run_in_threadpool(property_rows, store, props),
                       relations=await run_in_threadpool(relation_groups, node_id, around,
                                                         query, store),
                       maps=maps, nav=nav(), home="/")
    return _html(html)


def _properties(node: Any) -> list[tuple[str, Any, bool]]:
    """(name, value, known) rows of a node's table: its values, and "unknown" for each
    recommended property it lacks (a hub without a country), so that a gap shows."""
    spec = SCHEMA.node_properties(node.label)
    values = {k: ", ".join(map(str, v)) if isinstance(v, list) else v
              for k, v in node.props.items() if k not in ("name", MERGED)}
    if node.props.get(MERGED):  # the undo record of merges: say what it means, not its JSON
        ids = [d for record in history(node) for d in record.get("drop", [])]
        values[MERGED] = ngettext(
            "{n} record merged into this one: {ids} (coco merge --undo restores it)",
            "{n} records merged into this one: {ids} (coco merge --undo restores them)",
            len(ids)).format(n=len(ids), ids=", ".join(ids))
    rows = [(k, v, True) for k, v in values.items()]
    rows += [(k, "unknown", False) for k in SCHEMA.recommended(node.label) if k not in values]
    return sorted(rows, key=lambda row: _order(spec, row[0]))


def _order(spec: dict[str, Any], name: str) -> tuple[bool, int, str]:
    """The label's own properties first, in schema order; provenance stamps last."""
    names = list(spec)
    stamped = name in spec and spec[name].stamped
    return (stamped, names.index(name) if name in names else len(names), name)


# -- docs ------------------------------------------------------------------------------------
def _doc_files() -> dict[str, Path]:
    if not DOCS.is_dir():
        return {}
    from coco_atlas.schema.languages import LANGUAGES

    found = [*DOCS.glob("*.md"), *DOCS.glob("img/*.png"), *DOCS.glob("img/*.jpg"),
             *(p for lang in LANGUAGES for p in DOCS.glob(f"{lang}/*.md"))]  # translations
    return {p.relative_to(DOCS).as_posix(): p for p in sorted(found)}


async def docs_index(request: Request) -> HTMLResponse:
    from coco_atlas.viz.page import render_page

    guides = [{"href": f"/docs/{name}", "title": name}
              for name in _doc_files() if name.endswith(".md")]
    return _html(render_page("docs.html", guides=guides, nav=nav("docs"), home="/"))


async def docs_file(request: Request) -> Any:
    path = _doc_files().get(request.path_params["name"])
    if path is None:
        return _error(404, _("Not found"), _("No such document."))
    if path.suffix in (".png", ".jpg"):
        return FileResponse(path, media_type="image/png" if path.suffix == ".png"
                            else "image/jpeg")
    text = path.read_text(encoding="utf-8")
    if request.query_params.get("raw"):
        return PlainTextResponse(text, media_type="text/markdown; charset=utf-8",
                                 headers={"X-Content-Type-Options": "nosniff"})
    from coco_atlas.viz.page import csp

    policy = csp(own_images=True)  # the guides show their screenshots from /docs/img
    return _html(render_doc(request.path_params["name"], text, policy), policy)


def render_doc(name: str, text: str, policy: str) -> str:
    """A guide as an HTML page: CommonMark with tables (markdown-it-py), raw HTML in the
    Markdown escaped rather than passed through, so a guide can never inject a script."""
    from markdown_it import MarkdownIt
    from markupsafe import Markup

    from coco_atlas.viz.page import render_page

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    title = next((line.lstrip("# ").strip() for line in text.splitlines()
                  if line.startswith("# ")), name)
    return render_page("doc.html", policy, name=name, title=title, body=Markup(body),
                       nav=nav("docs"), home="/")


# -- shared ----------------------------------------------------------------------------------
def _store(request: Request) -> Store:
    return request.app.state.store


def _html(html: str, policy: str | None = None, status: int = 200,
          frame: str = "'none'") -> HTMLResponse:
    from coco_atlas.viz.page import csp, headers

    return HTMLResponse(html, status_code=status, headers=dict(headers(policy or csp(), frame)))


def _error(status: int, title: str, message: str) -> HTMLResponse:
    from coco_atlas.viz.page import render_page

    return _html(render_page("error.html", title=title, message=message, nav=nav(), home="/"),
                 status=status)


class _Cache:
    """A small LRU of rendered map pages."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self.items: OrderedDict[Any, str] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any) -> str | None:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
            return None

    def put(self, key: Any, html: str) -> None:
        with self.lock:
            self.items[key] = html
            while len(self.items) > self.size:
                self.items.popitem(last=False)


def _cache(request: Request) -> _Cache:
    state = request.app.state
    cache: _Cache | None = getattr(state, "map_pages", None)
    if cache is None:
        cache = state.map_pages = _Cache()
    return cache

