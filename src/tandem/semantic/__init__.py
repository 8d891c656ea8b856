"""Metric definitions as data: sources of fact rows, measures, metrics of a few kinds
over a small formula language, gathered into one validated ``Catalog``; the calendar, paid
coverage and dimensions as Ibis expressions. Imports no database or web code."""
