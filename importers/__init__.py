"""Importers and exporters: the data people already have, in and out of a store."""
