"""Importers and exporters: the data people already have, in and out of a store.

Reading: :mod:`~importers.readers` (CSV, JSON Lines, XLSX), :mod:`~importers.xmlstream` (GEXF,
GraphML), then :mod:`~importers.records` (columns to nodes and edges, with their rows) and
:mod:`~importers.load` (all-or-nothing, idempotent writing; problems by file, row, column).
Formats: :mod:`~importers.tables`, :mod:`~importers.kumu`, :mod:`~importers.gephi`
(:mod:`~importers.gexf`, :mod:`~importers.graphml`), :mod:`~importers.esco`,
:mod:`~importers.reference`. Writing: :mod:`~importers.export` with :mod:`~importers.select`
(filters). The formats, column by column: ``docs/formats.md``.
"""
