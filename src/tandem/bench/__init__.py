"""Tandem against the alternatives: pandas and hand-written SQL (``tandem bench``)."""
