"""Parsing helpers shared by the sources: names, fields, file formats, deal rules."""
