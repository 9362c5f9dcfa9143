"""The pages of the service over HTTP: landing page, maps, node details, docs, refusals."""

from __future__ import annotations

import base64
import hashlib
import re
from html import unescape
from pathlib import Path

import httpx
import pytest

from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.viz.words import words
from tests.mapdata import EXTERNAL, payload


def get(demo_url: str, path: str, **params: str) -> httpx.Response:
    return httpx.get(demo_url + path, params=params, timeout=60)


def test_landing_page_says_what_it_is_and_counts(demo_url: str, demo_db: Path) -> None:
    r = get(demo_url, "/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    with EmbeddedStore(demo_db) as s:
        counts = s.counts()
    text = unescape(re.sub(r"<[^>]+>", " ", r.text))
    for label, word in (("Hub", "hubs"), ("Company", "companies"),
                        ("Collaboration", "collaborations")):
        assert re.search(rf"{counts['labels'][label]:,}\s+{word}", text), word
    assert f"{sum(counts['relationships'].values()):,}" in text
    assert "Cultural and Creative Industries" in text
    for link in ("/maps/ecosystem", "/maps/brokers", "/maps/gaps", "/graphql", "/docs"):
        assert f'href="{link}"' in r.text, link
    assert "script-src 'none'" in r.headers["content-security-policy"]


@pytest.mark.parametrize("path, params", [
    ("/maps/ecosystem", {}), ("/maps/ecosystem", {"aggregate": "community"}),
    ("/maps/ego", {"id": "demo-hub-00001"}), ("/maps/brokers", {"country": "SK"}),
    ("/maps/gaps", {}),
])
def test_maps_are_served_self_contained(demo_url: str, path: str,
                                        params: dict[str, str]) -> None:
    r = get(demo_url, path, **params)
    assert r.status_code == 200, r.text[:500]
    assert not EXTERNAL.findall(r.text)
    policy = r.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src" not in policy
    # the page's own inline scripts may run (vis-network, svgcanvas, the page's…), no other
    for script in re.findall("^<script>(.*?)</script>$", r.text, re.M | re.S):
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert payload(r.text)["nodes"], "an empty map"
    assert 'name="country"' in r.text  # the filter form


def test_filter_form_keeps_the_current_filters(demo_url: str) -> None:
    r = get(demo_url, "/maps/ecosystem", country="AT", years="2020-2022")
    assert '<option value="AT" selected>' in r.text
    assert 'value="2020-2022"' in r.text


def test_download_is_an_attachment(demo_url: str) -> None:
    r = get(demo_url, "/maps/gaps", download="1")
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="coco-gaps.html"'


@pytest.mark.parametrize("path, params, status, message", [
    ("/maps/ecosystem", {"country": "Austria"}, 400, "country: expected ISO 3166"),
    ("/maps/ecosystem", {"contry": "AT"}, 400, "unknown parameter 'contry'"),
    ("/maps/ecosystem", {"region": "XX99"}, 400, "region: 'XX99' not found"),
    ("/maps/ego", {"id": "nobody"}, 404, "no actor 'nobody'"),
    ("/maps/atlas", {}, 404, "no 'atlas' map"),
    ("/nodes/nobody", {}, 404, "No node 'nobody'"),
    ("/docs/%2E%2E/pyproject.toml", {}, 404, "No such document"),
    ("/docs/secrets.md", {}, 404, "No such document"),
])
def test_refusals_say_what_was_wrong(demo_url: str, path: str, params: dict[str, str],
                                     status: int, message: str) -> None:
    r = get(demo_url, path, **params)
    assert r.status_code == status
    assert message.lower() in unescape(r.text).lower()
    assert "Traceback" not in r.text


def test_ego_page_without_id_finds_actors_by_name(demo_url: str) -> None:
    r = get(demo_url, "/maps/ego", q="kreätiv")  # any case, any accents
    assert r.status_code == 200
    links = re.findall(r'href="(/maps/ego\?id=[^"]+)"', r.text)
    assert links and all("demo-hub-" in link for link in links)


def test_node_page_lists_properties_and_neighbours(demo_url: str, demo_db: Path) -> None:
    with EmbeddedStore(demo_db) as s:
        node = s.get_node("demo-hub-00002")
        around = s.neighbours(["demo-hub-00002"], None, "both")["demo-hub-00002"]
    assert node is not None
    r = get(demo_url, "/nodes/demo-hub-00002")
    assert r.status_code == 200
    text = unescape(r.text)
    # in people's words (issue 13): "Creative hub", "Members", not creative-hub, MEMBER_OF
    assert node.props["name"] in text and words(node.props["kind"]) in text
    assert "Members <span" in text and "(MEMBER_OF)" not in text
    members = [nb for nb in around if nb.edge.type == "MEMBER_OF"]
    assert f"({len(members):,})" in text
    assert 'href="/maps/ego?id=demo-hub-00002"' in r.text


def test_region_node_links_to_its_map(demo_url: str) -> None:
    r = get(demo_url, "/nodes/AT13")
    assert r.status_code == 200 and 'href="/maps/ecosystem?region=AT13"' in r.text


def test_docs_are_listed_and_served(demo_url: str) -> None:
    r = get(demo_url, "/docs")
    assert r.status_code == 200 and 'href="/docs/maps.md"' in r.text
    page = get(demo_url, "/docs/maps.md")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<h1>" in page.text and "<code>coco map" in page.text and "<script" not in page.text
    assert "<table>" in get(demo_url, "/docs/formats.md").text  # GitHub-style tables render
    assert "img-src 'self' data:" in page.headers["content-security-policy"]  # screenshots
    md = get(demo_url, "/docs/maps.md", raw="1")
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert "coco map" in md.text and md.text.startswith("# ")
