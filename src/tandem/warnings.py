"""Python warning categories, for callers who work with DataFrames rather than results.

Results carry their warnings as data (``MetricResult.warnings``); the DataFrame
conveniences of the facade re-emit them with these categories.
"""

from __future__ import annotations


class SmallSampleWarning(UserWarning):
    """A survey metric was computed from fewer responses than ``min_survey_responses``."""
