"""Small graphs whose change over time is worked out by hand, shared by the trends, compare
and training-impact tests of the analyses, the CLI and GraphQL."""

from __future__ import annotations

from coco_atlas.graph.store import Store
from coco_atlas.schema import Edge, Node
from tests.conftest import company, edge, region


def build_changes(store: Store) -> None:
    """Four companies in two NUTS 2 regions of Austria:

    ====  =======  =====  =================
    id    group    where  lifetime
    ====  =======  =====  =================
    c1    cci      AT13   2015 –
    c2    am       AT13   2015 –
    c3    cci      AT22   2020 –
    c4    am       AT22   2015 – 2020 (closed)
    ====  =======  =====  =================

    Ties: c1–c4 partners 2018..2020; c1–c2 partners since 2020; c1 and c3 in collaboration k1
    (2021). Needs and offers: c1 needs s1 since 2018, c2 offers s1 since 2021; c3 needs s2 since
    2020, c4 offers s2 (until it closes).
    """
    store.upsert_nodes([
        region("AT", "Österreich", 0), region("AT1", "Ostösterreich", 1), region("AT13", "Wien"),
        region("AT2", "Südösterreich", 1), region("AT22", "Steiermark"),
        Node("R90", "Sector", {"name": "Creative arts", "level": 2, "isCCI": True}),
        Node("C26", "Sector", {"name": "Electronics", "level": 2,
                               "isAdvancedManufacturing": True}),
        company("c1", "Atelier Eins", foundedYear=2015),
        company("c2", "Zwei Fertigung", foundedYear=2015),
        company("c3", "Drei Studio", foundedYear=2020),
        company("c4", "Vier Werke", foundedYear=2015, closedYear=2020),
        Node("k1", "Collaboration", {"name": "Pilot 2021", "startDate": "2021-01-01",
                                     "endDate": "2021-12-31"}),
        Node("s1", "Competence", {"name": "Service design"}),
        Node("s2", "Competence", {"name": "Rapid prototyping"}),
    ], source="t")
    store.upsert_edges([
        edge("AT1", "PART_OF", "AT"), edge("AT13", "PART_OF", "AT1"),
        edge("AT2", "PART_OF", "AT"), edge("AT22", "PART_OF", "AT2"),
        edge("c1", "LOCATED_IN", "AT13"), edge("c2", "LOCATED_IN", "AT13"),
        edge("c3", "LOCATED_IN", "AT22"), edge("c4", "LOCATED_IN", "AT22"),
        edge("c1", "IN_SECTOR", "R90"), edge("c3", "IN_SECTOR", "R90"),
        edge("c2", "IN_SECTOR", "C26"), edge("c4", "IN_SECTOR", "C26"),
        edge("c1", "PARTNERS_WITH", "c4", since=2018, until=2020),
        edge("c1", "PARTNERS_WITH", "c2", since=2020),
        edge("c1", "PARTICIPATES_IN", "k1"), edge("c3", "PARTICIPATES_IN", "k1"),
        edge("c1", "NEEDS", "s1", since=2018), edge("c2", "OFFERS", "s1", since=2021),
        edge("c3", "NEEDS", "s2", since=2020), edge("c4", "OFFERS", "s2"),
    ], source="t")


def firm(cid: str, *, size: str | None = "micro", sector: str = "R90",
         founded: int = 2010) -> tuple[Node, Edge]:
    props = {"foundedYear": founded, **({"sizeClass": size} if size else {})}
    return company(cid, cid.upper(), **props), edge(cid, "IN_SECTOR", sector)


def collaboration(kid: str, start: str, end: str, *who: str) -> tuple[Node, list[Edge]]:
    return (Node(kid, "Collaboration", {"name": kid, "startDate": start, "endDate": end}),
            [edge(w, "PARTICIPATES_IN", kid) for w in who])


def build_trainings(store: Store) -> None:
    """Stratum (cci, AT, micro): attendees a1..a10 of t1 (2020, teaches s1) and comparison
    companies c1..c10. a0 attended too but has no size class; c11 attended t2 in 2019 (so is
    no comparison within two years of 2020); c12 was founded in 2021. m1, m2: manufacturers.

    Offers of s1: a1..a6 since 2021 (new), a7 since 2018 (already had it); c1, c2 since 2021;
    c3 since 2024 (after the window). Collaborations: a1–m1 (k1, 2021), a2–m1 (k2, 2021),
    a3–m2 (k3, 2022): cross-sector; c4–m1 (k4, 2023): after the window; c5–c6 (k5, 2021): both
    cci, not cross-sector. Nobody brokers in 2020 or 2022 (no actor is between two others)."""
    nodes: list[Node] = [
        Node("R90", "Sector", {"name": "Creative arts", "level": 2, "isCCI": True}),
        Node("C26", "Sector", {"name": "Electronics", "level": 2,
                               "isAdvancedManufacturing": True}),
        Node("s1", "Competence", {"name": "Service design"}),
        Node("t1", "Training", {"name": "Design for manufacturing", "startDate": "2020-03-01",
                                "area": "technology-development"}),
        Node("t2", "Training", {"name": "Future of making", "startDate": "2019-05-01",
                                "area": "future-trends"}),
    ]
    edges: list[Edge] = [edge("t1", "TEACHES", "s1")]
    ids = [f"a{i}" for i in range(1, 11)] + [f"c{i}" for i in range(1, 12)]
    for cid in ids:
        n, e = firm(cid)
        nodes.append(n)
        edges.append(e)
    for cid, kw in (("a0", {"size": None}), ("c12", {"founded": 2021}),
                    ("m1", {"sector": "C26", "size": "large"}),
                    ("m2", {"sector": "C26", "size": "large"})):
        n, e = firm(cid, **kw)  # type: ignore[arg-type]
        nodes.append(n)
        edges.append(e)
    edges += [edge(f"a{i}", "ATTENDED", "t1", year=2020) for i in range(0, 11)]
    edges += [edge("c11", "ATTENDED", "t2", year=2019)]
    edges += [edge(f"a{i}", "OFFERS", "s1", since=2021) for i in range(1, 7)]
    edges += [edge("a7", "OFFERS", "s1", since=2018), edge("c1", "OFFERS", "s1", since=2021),
              edge("c2", "OFFERS", "s1", since=2021), edge("c3", "OFFERS", "s1", since=2024)]
    for kid, start, end, who in (("k1", "2021-05-01", "2021-12-31", ("a1", "m1")),
                                 ("k2", "2021-06-01", "2021-12-31", ("a2", "m1")),
                                 ("k3", "2022-02-01", "2022-12-31", ("a3", "m2")),
                                 ("k4", "2023-01-01", "2023-12-31", ("c4", "m1")),
                                 ("k5", "2021-01-01", "2021-12-31", ("c5", "c6"))):
        n, es = collaboration(kid, start, end, *who)
        nodes.append(n)
        edges += es
    store.upsert_nodes(nodes, source="t")
    store.upsert_edges(edges, source="t")
