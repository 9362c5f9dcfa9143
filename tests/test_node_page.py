"""Node pages over HTTP, read as a person would: headings and property names in words, not
schema identifiers, and every neighbour reachable by following "… and N more".

Expected neighbours come from the Store contract (``neighbours``), never from the page code.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import httpx

from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.schema import SCHEMA

LINK = re.compile(r'<a href="([^"]+)"[^>]*>([^<]*)</a>')
SECTION = re.compile(r'<section class="relation" id="([^"]+)".*?</section>', re.S)
CAMEL = re.compile(r"\b[a-z]+[A-Z][A-Za-z]*\b")  # foundedYear, partneredBy



def page(demo_url: str, path: str) -> str:
    r = httpx.get(urljoin(demo_url, path), timeout=60)
    assert r.status_code == 200, r.text[:300]
    return r.text


def visible(html: str) -> str:
    """The page's text, tags and attributes left out."""
    body = html.split("<main", 1)[1]
    return unescape(re.sub(r"<[^>]+>", " ", body))


def busiest(demo_db: Path, label: str) -> tuple[str, dict[tuple[str, str], int]]:
    """The node of ``label`` with the most neighbours, and how many it has per relationship
    type and direction (a partnership counted once, whichever way it is stored)."""
    with EmbeddedStore(demo_db) as s:
        ids = [n.id for n in s.iter_nodes(label)]
        around = s.neighbours(ids, None, "both")
    best = max(ids, key=lambda i: (len(around[i]), i))
    counts: dict[tuple[str, str], int] = {}
    for nb in around[best]:
        both = SCHEMA.rel(nb.edge.type).symmetric or nb.edge.type == "PARTNERS_WITH"
        way = "both" if both else nb.direction
        counts[(nb.edge.type, way)] = counts.get((nb.edge.type, way), 0) + 1
    return best, counts


def test_a_company_page_speaks_in_words(demo_url: str, demo_db: Path) -> None:
    company, _ = busiest(demo_db, "Company")
    html = page(demo_url, f"/nodes/{company}")
    text = visible(html)
    for identifier in ("PARTNERS_WITH", "partneredBy", "MEMBER_OF", "OFFERS", "LOCATED_IN",
                       "foundedYear", "sizeClass", "updatedAt"):
        assert identifier not in text, identifier
    assert not CAMEL.findall(text), CAMEL.findall(text)
    assert "Founded" in text and "Located in" in text
    with EmbeddedStore(demo_db) as s:
        node = s.get_node(company)
        assert node is not None
        country = s.get_node(node.props["country"])
    assert country is not None  # the demo's countries are NUTS 0 regions
    # named in the reader's language by the Unicode CLDR (Babel's locale data), not by the
    # NUTS 0 name in the country's own language (issue 15)
    from babel import Locale

    assert f"{Locale('en').territories[country.id]} ({country.id})" in text
    # a partnership is one group, whichever way it was stored
    assert len(re.findall(r">\s*Partners\s*<span", html)) <= 1


def test_every_neighbour_is_reachable_through_more(demo_url: str, demo_db: Path) -> None:
    region, counts = busiest(demo_db, "Region")
    (rel, way), total = max(counts.items(), key=lambda kv: kv[1])
    assert total > 50, "the demo region should have more neighbours than one page shows"
    path, seen, pages = f"/nodes/{region}", [], 0
    while path is not None:
        html = page(demo_url, path)
        section = next(m.group(0) for m in SECTION.finditer(html) if m.group(1) == f"{rel}-{way}")
        items = re.findall(r'<li><a href="/nodes/([^"]+)"', section)
        seen += items
        more = [unescape(h) for h, t in LINK.findall(section) if "more" in t]
        if more:
            assert re.search(rf"… and {total - len(seen):,} more", section)
        path = more[0] if more else None
        pages += 1
        assert pages < 100
    assert len(seen) == total and len(set(seen)) == total
    assert pages == -(-total // 50)
    # and back: the last page links to the one before it
    assert 'rel="prev"' in section
