"""Survey metrics: NPS, CSAT and CES, each with the counts behind it.

Responses are placed in the period of ``responded_at``. Scales are enforced at
load (NPS 0–10, CSAT the knob scale, CES 1–7). A row resting on fewer than
``min_survey_responses`` responses raises a SmallSampleWarning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tandem.semantic.dimensions import OwnDimension
from tandem.semantic.types import (
    Agg,
    Direction,
    Measure,
    Metric,
    Percent,
    Simple,
    Source,
    Team,
    Unit,
)

if TYPE_CHECKING:
    import ibis

    from tandem.semantic.types import Facts

ALL_TEAMS = (Team.MARKETING, Team.SALES, Team.SERVICE)


def survey_responses(f: Facts) -> ibis.Table:
    r = f.table("survey_responses")
    placed = f.place(r, r.responded_at)
    k = f.knobs
    return placed.select(
        "response_id",
        "account_id",
        "contact_id",
        "period_key",
        "survey",
        "score",
        "responded_at",
        "touchpoint",
        csat_satisfied=(placed.survey == "csat") & (placed.score >= k.csat_threshold),
        ces_easy=(placed.survey == "ces") & (placed.score >= k.ces_easy_threshold),
    )


def _is(survey: str) -> Measure:
    return Measure(
        f"{survey}_responses",
        "survey_responses",
        Agg.COUNT,
        f"{survey.upper()} responses in the period",
        where=lambda t: t.survey == survey,
    )


MEASURES = (
    _is("nps"),
    Measure(
        "promoters",
        "survey_responses",
        Agg.COUNT,
        "NPS responses scoring 9 or 10",
        where=lambda t: (t.survey == "nps") & (t.score >= 9),
    ),
    Measure(
        "passives",
        "survey_responses",
        Agg.COUNT,
        "NPS responses scoring 7 or 8",
        where=lambda t: (t.survey == "nps") & t.score.between(7, 8),
    ),
    Measure(
        "detractors",
        "survey_responses",
        Agg.COUNT,
        "NPS responses scoring 0 to 6",
        where=lambda t: (t.survey == "nps") & (t.score <= 6),
    ),
    _is("csat"),
    Measure(
        "satisfied",
        "survey_responses",
        Agg.COUNT,
        "CSAT responses at or above csat_threshold",
        where=lambda t: t.csat_satisfied,
    ),
    _is("ces"),
    Measure(
        "ces_mean_score",
        "survey_responses",
        Agg.MEAN,
        "Mean CES score (1–7)",
        expr=lambda t: t.score,
        where=lambda t: t.survey == "ces",
    ),
    Measure(
        "ces_score_sq_sum",
        "survey_responses",
        Agg.SUM,
        "Σ of squared CES scores (with the mean and count, the scores' variance)",
        expr=lambda t: t.score * t.score,
        where=lambda t: t.survey == "ces",
    ),
    Measure(
        "ces_easy",
        "survey_responses",
        Agg.COUNT,
        "CES responses at or above ces_easy_threshold",
        where=lambda t: t.ces_easy,
    ),
)

SOURCES = (
    Source(
        "survey_responses",
        survey_responses,
        "One row per survey response in the period.",
        dimensions=(
            OwnDimension(
                "survey.touchpoint",
                "survey_responses",
                "touchpoint",
                "Where in the customer's journey the survey was asked",
                aliases=("touchpoint",),
            ),
        ),
    ),
)

METRICS = (
    Metric(
        slug="nps",
        name="Net Promoter Score",
        unit=Unit.SCORE,
        direction=Direction.HIGHER,
        teams=ALL_TEAMS,
        description="100 × (promoters − detractors) / NPS responses, on the 0–10 scale: promoters "
        "score 9–10, passives 7–8, detractors 0–6. Ranges from −100 to 100. No value without "
        "responses.",
        measures=("promoters", "passives", "detractors", "nps_responses"),
        kind=Percent("promoters - detractors", "nps_responses"),
        knobs=("min_survey_responses",),
        seeds=("000", "001", "002", "003"),
        domain="surveys",
        sample="nps_responses",
    ),
    Metric(
        slug="csat",
        name="Customer satisfaction (CSAT)",
        unit=Unit.PERCENT,
        direction=Direction.HIGHER,
        teams=ALL_TEAMS,
        description="100 × CSAT responses scoring at or above csat_threshold (default 4 on the "
        "1–5 scale) / CSAT responses. 62 satisfied of 100 responses gives 62. No value without "
        "responses.",
        measures=("satisfied", "csat_responses"),
        kind=Percent("satisfied", "csat_responses"),
        knobs=("csat_scale_min", "csat_scale_max", "csat_threshold", "min_survey_responses"),
        seeds=("002", "003"),
        domain="surveys",
        sample="csat_responses",
    ),
    Metric(
        slug="ces",
        name="Customer effort score (CES)",
        unit=Unit.SCORE,
        direction=Direction.HIGHER,
        teams=ALL_TEAMS,
        description="Mean CES score on the 1–7 scale, higher = easier. Beside it: the share of "
        "scores at or above ces_easy_threshold (default 5). No value without responses.",
        measures=("ces_mean_score", "ces_easy", "ces_responses", "ces_score_sq_sum"),
        kind=Simple("ces_mean_score"),
        extras=(("easy_percent", Percent("ces_easy", "ces_responses")),),
        knobs=("ces_easy_threshold", "min_survey_responses"),
        seeds=("002",),
        domain="surveys",
        sample="ces_responses",
    ),
)
