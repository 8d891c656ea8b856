"""Survey metrics (NPS, CSAT, CES) against values worked out by hand.

Responses belong to the month of ``responded_at`` (UTC). Periods are months
unless a test says otherwise.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tandem.warnings import SmallSampleWarning
from tests.seed import row, values


def responses(survey: str, scores: list[int], at: str, account: str = "A", tag: str = ""):
    """One response per score, all for ``account`` at ``at``."""
    return [
        {
            "response_id": f"{survey}{tag}-{i}",
            "account_id": account,
            "survey": survey,
            "score": s,
            "responded_at": at,
        }
        for i, s in enumerate(scores)
    ]


def test_nps_counts_each_band_at_its_edges(seeded):
    """NPS responses in March 2024: 10, 9, 9 | 8, 7 | 6, 0.

    promoters (9–10) = 3, passives (7–8) = 2, detractors (0–6) = 2, responses = 7.
    NPS = 100 × (3 − 2) / 7 = 14.2857…
    Not counted in March: a CSAT 5 in March (other survey), a 10 at 2024-02-29 23:59:59
    (February) and a 0 at 2024-04-01 00:00 (April). The 6 at 2024-03-31 23:59 is March.
    """
    rows = (
        responses("nps", [10, 9, 9, 8, 7, 0], "2024-03-10T12:00")
        + responses("nps", [6], "2024-03-31T23:59", tag="late")
        + responses("csat", [5], "2024-03-10")
        + responses("nps", [10], "2024-02-29T23:59:59", tag="feb")
        + responses("nps", [0], "2024-04-01T00:00", tag="apr")
    )
    ws = seeded({"survey_responses": rows})
    nps = row(ws, "nps", "2024-03")
    assert (nps["promoters"], nps["passives"], nps["detractors"]) == (3, 2, 2)
    assert nps["nps_responses"] == 7
    assert nps["value"] == pytest.approx(100 / 7)
    assert row(ws, "nps", "2024-02")["value"] == 100
    assert row(ws, "nps", "2024-04")["value"] == -100


def test_nps_without_responses_has_no_value_but_zero_counts(seeded):
    """Only March 2024 has responses (one 9): January and February have no NPS and counts 0;
    March is 100 × (1 − 0) / 1 = 100."""
    ws = seeded({"survey_responses": responses("nps", [9], "2024-03-05")})
    assert values(ws, "nps", start="2024-01", end="2024-03") == [None, None, 100]
    rows = ws.metric("nps", start="2024-01", end="2024-03")
    assert rows["nps_responses"].tolist() == [0, 0, 1]
    assert rows["promoters"].tolist() == [0, 0, 1]


def test_csat_worked_example_from_the_seeds(seeded):
    """Seed 003: 62 of 100 responses rate 4 or 5 → CSAT 62.

    100 CSAT responses in March 2024: 31 × 5, 31 × 4, 20 × 3, 18 × 1.
    satisfied (≥ 4) = 31 + 31 = 62; CSAT = 100 × 62 / 100 = 62.
    An NPS 10 in the same month is not a CSAT response.
    """
    scores = [5] * 31 + [4] * 31 + [3] * 20 + [1] * 18
    ws = seeded(
        {
            "survey_responses": responses("csat", scores, "2024-03-15")
            + responses("nps", [10], "2024-03-15")
        }
    )
    csat = row(ws, "csat", "2024-03")
    assert (csat["satisfied"], csat["csat_responses"]) == (62, 100)
    assert csat["value"] == 62


def test_csat_threshold_knob(seeded):
    """Same 100 responses, csat_threshold = 5: satisfied = the 31 fives → CSAT 31."""
    scores = [5] * 31 + [4] * 31 + [3] * 20 + [1] * 18
    ws = seeded({"survey_responses": responses("csat", scores, "2024-03-15")}, csat_threshold=5)
    csat = row(ws, "csat", "2024-03")
    assert (csat["satisfied"], csat["csat_responses"]) == (31, 100)
    assert csat["value"] == 31


def test_csat_on_a_ten_point_scale(seeded):
    """csat_scale 1–10 with csat_threshold 8. Scores 10, 8, 7, 3, 9 in March 2024:
    satisfied (≥ 8) = 10, 8, 9 = 3 of 5 → CSAT 60. (On the default threshold 4 it would be
    4 of 5 = 80, so the knob is what decides.)"""
    ws = seeded(
        {"survey_responses": responses("csat", [10, 8, 7, 3, 9], "2024-03-15")},
        csat_scale_min=1,
        csat_scale_max=10,
        csat_threshold=8,
    )
    csat = row(ws, "csat", "2024-03")
    assert (csat["satisfied"], csat["csat_responses"]) == (3, 5)
    assert csat["value"] == 60


def test_csat_threshold_outside_the_scale_is_refused(seeded):
    """Threshold 6 on the default 1–5 scale could never be reached: refused, not computed."""
    with pytest.raises(ValidationError, match="csat_threshold"):
        seeded({}, csat_threshold=6)


def test_ces_mean_and_easy_share(seeded):
    """CES responses in March 2024: 7, 6, 5, 4, 2, 1.

    mean = (7 + 6 + 5 + 4 + 2 + 1) / 6 = 25 / 6 = 4.1667;
    easy (≥ 5) = 7, 6, 5 = 3 of 6 → easy_percent 50.
    An NPS 0 the same month is ignored (it would pull the mean down).
    """
    ws = seeded(
        {
            "survey_responses": responses("ces", [7, 6, 5, 4, 2, 1], "2024-03-20")
            + responses("nps", [0], "2024-03-20")
        }
    )
    ces = row(ws, "ces", "2024-03")
    assert ces["value"] == pytest.approx(25 / 6)
    assert ces["ces_mean_score"] == pytest.approx(25 / 6)
    assert (ces["ces_easy"], ces["ces_responses"]) == (3, 6)
    assert ces["easy_percent"] == 50


def test_ces_easy_threshold_knob(seeded):
    """Same responses with ces_easy_threshold = 6: easy = 7, 6 = 2 of 6 → 33.33…;
    the mean does not depend on the knob: 25 / 6."""
    ws = seeded(
        {"survey_responses": responses("ces", [7, 6, 5, 4, 2, 1], "2024-03-20")},
        ces_easy_threshold=6,
    )
    ces = row(ws, "ces", "2024-03")
    assert ces["ces_easy"] == 2
    assert ces["easy_percent"] == pytest.approx(100 * 2 / 6)
    assert ces["value"] == pytest.approx(25 / 6)


def test_ces_without_responses_has_no_mean(seeded):
    """No CES response in February 2024: mean and easy share have no value, count 0."""
    ws = seeded({"survey_responses": responses("ces", [5], "2024-03-20")})
    feb = row(ws, "ces", "2024-02")
    assert feb["value"] is None
    assert feb["easy_percent"] is None
    assert feb["ces_responses"] == 0


def test_small_sample_warning_names_the_thin_rows(seeded):
    """min_survey_responses = 30. March 2024: 29 NPS responses (all 9) → warned;
    April: 30 responses → enough; May: none → no value, nothing to warn about.
    So exactly 1 of the 3 rows is thin. The value is still computed: March = 100."""
    ws = seeded(
        {
            "survey_responses": responses("nps", [9] * 29, "2024-03-10", tag="m")
            + responses("nps", [9] * 30, "2024-04-10", tag="a")
        },
        min_survey_responses=30,
    )
    with pytest.warns(SmallSampleWarning, match=r"1 of 3 rows .* fewer than 30"):
        rows = ws.metric("nps", start="2024-03", end="2024-05")
    assert rows["nps_responses"].tolist() == [29, 30, 0]
    assert rows["value"].tolist()[:2] == [100, 100]


def test_enough_responses_raise_no_warning(seeded):
    """April 2024 alone rests on 30 responses = min_survey_responses: no warning (the test
    run turns any warning into an error)."""
    ws = seeded(
        {"survey_responses": responses("csat", [4] * 30, "2024-04-10")},
        min_survey_responses=30,
    )
    assert row(ws, "csat", "2024-04")["value"] == 100


def test_small_sample_warning_for_csat_and_ces(seeded):
    """One CSAT and one CES response in March 2024 with min_survey_responses = 30: each metric
    warns on its own sample."""
    ws = seeded(
        {
            "survey_responses": responses("csat", [5], "2024-03-10")
            + responses("ces", [7], "2024-03-10")
        },
        min_survey_responses=30,
    )
    with pytest.warns(SmallSampleWarning, match="csat"):
        ws.metric("csat", start="2024-03", end="2024-03")
    with pytest.warns(SmallSampleWarning, match="ces"):
        ws.metric("ces", start="2024-03", end="2024-03")


def test_nps_by_segment_counts_add_up(seeded):
    """March 2024, by segment:

    Enterprise (E1, E2): 10, 9, 3        → promoters 2, detractors 1, responses 3, NPS 33.33…
    SMB (S1):            7, 8, 0, 1       → promoters 0, detractors 2, responses 4, NPS −50
    no segment (N1):     9                → promoters 1, responses 1, NPS 100
    Overall: promoters 3, detractors 3, responses 8 → NPS 0; the counts per segment add up
    to the overall counts.
    """
    ws = seeded(
        {
            "accounts": [
                {
                    "account_id": "E1",
                    "name": "E1",
                    "segment": "Enterprise",
                    "created_at": "2020-01-01",
                },
                {
                    "account_id": "E2",
                    "name": "E2",
                    "segment": "Enterprise",
                    "created_at": "2020-01-01",
                },
                {"account_id": "S1", "name": "S1", "segment": "SMB", "created_at": "2020-01-01"},
                {"account_id": "N1", "name": "N1", "created_at": "2020-01-01"},
            ],
            "survey_responses": responses("nps", [10, 3], "2024-03-02", "E1", "e1")
            + responses("nps", [9], "2024-03-02", "E2", "e2")
            + responses("nps", [7, 8, 0, 1], "2024-03-02", "S1", "s1")
            + responses("nps", [9], "2024-03-02", "N1", "n1"),
        }
    )
    cut = ws.metric("nps", by=["segment"], start="2024-03", end="2024-03")
    # A missing segment is its own group, shown empty (pandas: NaN).
    by = {
        (r["segment"] if isinstance(r["segment"], str) else None): r for r in cut.to_dict("records")
    }
    assert set(by) == {"Enterprise", "SMB", None}
    assert by["Enterprise"]["value"] == pytest.approx(100 / 3)
    assert by["SMB"]["value"] == -50
    assert by[None]["value"] == 100
    overall = row(ws, "nps", "2024-03")
    assert overall["value"] == 0
    for count in ("promoters", "passives", "detractors", "nps_responses"):
        assert cut[count].sum() == overall[count]
    assert (overall["promoters"], overall["detractors"], overall["nps_responses"]) == (3, 3, 8)
