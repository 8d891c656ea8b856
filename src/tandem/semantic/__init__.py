"""The metric catalog: sources, measures and metrics declared once, and the engine."""
