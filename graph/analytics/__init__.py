"""Brokerage and gap analysis: who bridges the ecosystem, and which links are missing.

Modules, each named after what it computes: :mod:`~graph.analytics.network` (the actor network
projection, cached per store version), :mod:`~graph.analytics.groups` (sector group, country,
region …), :mod:`~graph.analytics.brokerage` (Gould–Fernandez roles),
:mod:`~graph.analytics.structural_holes` (Burt), :mod:`~graph.analytics.betweenness` (exact,
cross-group, sampled), :mod:`~graph.analytics.mixing` (attribute mixing),
:mod:`~graph.analytics.gaps` (needed versus offered competences),
:mod:`~graph.analytics.introductions` (suggested introductions),
:mod:`~graph.analytics.change` and :mod:`~graph.analytics.impact` (change over time, training
impact) and :mod:`~graph.analytics.reference` (slow, obviously correct versions the tests compare
against). The analyses return frozen dataclasses (:mod:`~graph.analytics.results`), named as
the GraphQL types' fields, whose ``to_json()`` is what ``coco … --json`` prints.
"""
