"""From signature to value: handoffs, days to onboard, onboarding success, time to value.

Whole days between two instants are the difference of their UTC dates. 2024 is a leap
year: February has 29 days.
"""

from __future__ import annotations

import pytest

from tests.seed import row, values


def handoff(hid: str, at: str, required: int, completed: int, errors: int):
    return {
        "handoff_id": hid,
        "account_id": "A",
        "handed_off_at": at,
        "fields_required": required,
        "fields_completed": completed,
        "errors_found": errors,
    }


def test_deal_handoff_accuracy_and_completeness(seeded):
    """Handoffs in March 2024:

    h1 10/10 fields, 0 errors → accurate, completeness 1
    h2 10/10 fields, 2 errors → not accurate, completeness 1
    h3  8/10 fields, 0 errors → not accurate, completeness 0.8
    h4  0/0 fields,  0 errors → accurate (nothing required), completeness 1
    h5 in April (not counted in March).
    accuracy = 100 × 2 / 4 = 50; mean completeness = (1 + 1 + 0.8 + 1) / 4 = 0.95.
    """
    ws = seeded(
        {
            "handoffs": [
                handoff("h1", "2024-03-01", 10, 10, 0),
                handoff("h2", "2024-03-10", 10, 10, 2),
                handoff("h3", "2024-03-20", 10, 8, 0),
                handoff("h4", "2024-03-31T23:59", 0, 0, 0),
                handoff("h5", "2024-04-01", 10, 5, 0),
            ]
        }
    )
    march = row(ws, "deal_handoff_accuracy", "2024-03")
    assert (march["accurate_handoffs"], march["handoffs"]) == (2, 4)
    assert march["value"] == 50
    assert march["mean_completeness"] == pytest.approx(0.95)
    april = row(ws, "deal_handoff_accuracy", "2024-04")
    assert april["value"] == 0
    assert april["mean_completeness"] == pytest.approx(0.5)
    feb = row(ws, "deal_handoff_accuracy", "2024-02")
    assert (feb["value"], feb["mean_completeness"], feb["handoffs"]) == (None, None, 0)


def onboarding(
    oid: str, account: str, started: str, live: str | None = None, target: int | None = None
):
    return {
        "onboarding_id": oid,
        "account_id": account,
        "started_at": started,
        "go_live_at": live,
        "target_days": target,
    }


def test_days_to_onboard_median_and_mean(seeded):
    """Onboardings going live in March 2024 (whole days = difference of the dates):

    o1 31 Jan 23:00 → 1 Mar 01:00: 29 days to 29 Feb + 1 = 30 (26 hours of clock, 30 dates)
    o2 20 Feb → 5 Mar: 9 + 5 = 14
    o3 1 Mar → 11 Mar: 10
    o4 1 Dec 2023 → 31 Mar 23:59: 31 + 31 + 29 + 30 = 121
    o5 started 1 Mar, never live: excluded. o6 live 1 April: April.
    Sorted 10, 14, 30, 121 → median (14 + 30) / 2 = 22; mean 175 / 4 = 43.75.
    """
    ws = seeded(
        {
            "onboardings": [
                onboarding("o1", "A", "2024-01-31T23:00", "2024-03-01T01:00"),
                onboarding("o2", "B", "2024-02-20", "2024-03-05"),
                onboarding("o3", "C", "2024-03-01", "2024-03-11"),
                onboarding("o4", "D", "2023-12-01", "2024-03-31T23:59"),
                onboarding("o5", "E", "2024-03-01"),
                onboarding("o6", "F", "2024-03-02", "2024-04-01"),
            ]
        }
    )
    march = row(ws, "days_to_onboard", "2024-03")
    assert march["onboardings_live"] == 4
    assert march["value"] == march["median_days_to_onboard"] == 22
    assert march["mean_days_to_onboard"] == pytest.approx(43.75)
    # April: o6 alone, 2 March → 1 April = 30 days. February: none live → no value.
    assert values(ws, "days_to_onboard", start="2024-02", end="2024-04") == [None, 22, 30]


SEGMENTS = [
    {"account_id": "E1", "name": "E1", "segment": "Enterprise", "created_at": "2020-01-01"},
    {"account_id": "S1", "name": "S1", "segment": "SMB", "created_at": "2020-01-01"},
    {"account_id": "N1", "name": "N1", "created_at": "2020-01-01"},
]
DUE = {
    "accounts": SEGMENTS,
    "onboardings": [
        # SMB, no target: 30 days → due 11 Mar; live 11 Mar 18:00 (same date) → on time.
        onboarding("o1", "S1", "2024-02-10T09:00", "2024-03-11T18:00"),
        # SMB, no target: due 16 Mar; live 17 Mar → late.
        onboarding("o2", "S1", "2024-02-15", "2024-03-17"),
        # Enterprise: 60 days from 15 Jan → 31 Jan (16) + 29 Feb (45) + 15 Mar (60); live 10 Mar.
        onboarding("o3", "E1", "2024-01-15", "2024-03-10"),
        # Enterprise but its own target of 10 days wins: due 11 Mar; never live → late.
        onboarding("o4", "E1", "2024-03-01", target=10),
        # No segment: 30 days from 20 Feb → 29 Feb (9) + 21 Mar (30); live 1 Mar → on time.
        onboarding("o5", "N1", "2024-02-20", "2024-03-01"),
        # Enterprise: 60 days from 20 Feb → due 20 Apr; live 1 Apr.
        onboarding("o6", "E1", "2024-02-20", "2024-04-01"),
        # SMB, target 90 from 1 Jan → 1 Feb (31), 1 Mar (60), 31 Mar (90); live 5 Apr → late.
        onboarding("o7", "S1", "2024-01-01", "2024-04-05", target=90),
        # SMB, 30 days from 20 Mar → due 19 Apr.
        onboarding("o8", "S1", "2024-03-20", "2024-03-25"),
    ],
}


def test_onboarding_success_rate_with_segment_targets(seeded):
    """onboarding_target_days_by_segment = {Enterprise: 60}, default 30.

    Due in March 2024: o1 (11 Mar, on time), o2 (16 Mar, late), o3 (15 Mar, on time),
    o4 (11 Mar, never live: late), o5 (21 Mar, on time), o7 (31 Mar, late) → 6 due.
    Not due in March: o6 (20 Apr), o8 (19 Apr).
    success = 100 × 3 / 6 = 50.
    """
    ws = seeded(DUE, onboarding_target_days_by_segment={"Enterprise": 60})
    march = row(ws, "onboarding_success_rate", "2024-03")
    assert (march["onboardings_on_time"], march["onboardings_due"]) == (3, 6)
    assert march["value"] == 50
    # April: o6 (due 20 Apr, live 1 Apr: on time) and o8 (due 19 Apr, live 25 Mar) → 100.
    april = row(ws, "onboarding_success_rate", "2024-04")
    assert (april["onboardings_on_time"], april["onboardings_due"]) == (2, 2)


def test_onboarding_success_rate_default_target(seeded):
    """Without the segment knob every onboarding without its own target gets 30 days.

    o3: 15 Jan + 30 = 14 Feb → February. o6: 20 Feb + 30 = 21 Mar, live 1 Apr → late.
    Due in March: o1 (on time), o2 (late), o4 (late), o5 (on time), o6 (late), o7 (late)
    → 100 × 2 / 6 = 33.33…; February: o3 (due 14 Feb, live 10 Mar) → late → 0.
    January: nothing due → no value.
    """
    ws = seeded(DUE)
    march = row(ws, "onboarding_success_rate", "2024-03")
    assert (march["onboardings_on_time"], march["onboardings_due"]) == (2, 6)
    assert march["value"] == pytest.approx(100 / 3)
    assert values(ws, "onboarding_success_rate", start="2024-01", end="2024-02") == [None, 0]


def test_onboarding_target_days_knob(seeded):
    """onboarding_target_days = 10 (no segment knob): o5 starts 20 Feb → due 1 Mar, live
    1 Mar → on time; o1 (10 Feb → due 20 Feb) is late (live 11 Mar) and due in February.
    Due in March with a 10-day default: o3 (15 Jan → 25 Jan: no), o4 (own 10 → 11 Mar, never
    live), o5 (1 Mar, on time), o8 (30 Mar, live 25 Mar: on time), o2 (25 Feb: no),
    o6 (1 Mar, live 1 Apr: late), o7 (own 90 → 31 Mar, late)
    → due {o4, o5, o6, o7, o8} = 5, on time {o5, o8} = 2 → 40.
    """
    ws = seeded(DUE, onboarding_target_days=10)
    march = row(ws, "onboarding_success_rate", "2024-03")
    assert (march["onboardings_on_time"], march["onboardings_due"]) == (2, 5)
    assert march["value"] == 40


def event(account: str, ts: str, name: str = "session"):
    return {"account_id": account, "user_id": "u", "ts": ts, "event": name}


VALUE = {
    "onboardings": [
        onboarding("o1", "A", "2024-03-01T10:00"),
        onboarding("o2", "B", "2024-02-25"),
        onboarding("o3", "C", "2024-02-01"),
        onboarding("o4", "D", "2024-03-20"),
        onboarding("o5", "E", "2024-03-05T12:00"),
    ],
    "usage_events": [
        event("A", "2024-02-20T09:00"),  # before the onboarding started: ignored
        event("A", "2024-03-01T09:00"),  # same day, an hour before started_at: ignored
        event("A", "2024-03-02T09:00", "report_created"),
        event("A", "2024-03-04T08:00"),  # first session on or after start: 3 days
        event("A", "2024-03-10T08:00"),
        event("B", "2024-03-02T09:00"),  # 25 Feb → 2 Mar: 4 + 2 = 6 days
        event("C", "2024-02-10T09:00"),  # February
        event("D", "2024-03-27T09:00", "report_created"),  # D never has a session
        event("E", "2024-03-05T12:00"),  # exactly at started_at: 0 days
    ],
}


def test_time_to_value_first_session_after_start(seeded):
    """value_event = session (default). First session on or after started_at:
    o1 4 Mar (from 1 Mar; the sessions of 20 Feb and 1 Mar 09:00 are before 10:00) → 3 days;
    o2 2 Mar → 6 days; o3 10 Feb → February; o4 none; o5 5 Mar 12:00 → 0 days.
    March: 0, 3, 6 → median 3 over 3 onboardings. February: o3, 1 → 10 Feb = 9 days.
    """
    ws = seeded(VALUE)
    march = row(ws, "time_to_value", "2024-03")
    assert march["onboardings_reaching_value"] == 3
    assert march["value"] == 3
    assert values(ws, "time_to_value", start="2024-01", end="2024-03") == [None, 9, 3]


def test_time_to_value_event_knob(seeded):
    """value_event = report_created: o1 first report 2 Mar → 1 day; o4 27 Mar (from 20 Mar)
    → 7 days; nobody else has a report. March: 1, 7 → median 4 over 2 onboardings."""
    ws = seeded(VALUE, value_event="report_created")
    march = row(ws, "time_to_value", "2024-03")
    assert march["onboardings_reaching_value"] == 2
    assert march["value"] == 4
