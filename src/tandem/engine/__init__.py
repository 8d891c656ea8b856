"""Computing a metric query on a store: one aggregate per source, the grid of periods and
groups, the formulas; cuts, the result cache, fingerprints and explanations."""
