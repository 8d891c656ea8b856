"""Survey tools' presets: Qualtrics (real exports), SurveyMonkey, Typeform, Delighted.

NPS = 100 × (promoters − detractors) / responses (promoters 9–10, detractors
0–6); CSAT = 100 × scores ≥ 4 / responses; CES = mean score, easy = score ≥ 5.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

from tandem.load.presets import path_of
from tandem.service.workspace import Workspace
from tests.load.files import refused, rows, write
from tests.load.vendor import sample

V3 = "qualtrics/qualtrics_sample_v3export.csv"
LEGACY = "qualtrics/qualtrics_sample_legacy_export.csv"


def _accounts(ws: Workspace, folder: Path) -> None:
    ws.load(
        [
            write(
                folder / "accounts.csv",
                "account_id,name,created_at,domain\n"
                "A-1,Acme,2023-01-01,acme.example\nA-2,Beta,2023-01-01,beta.example\n",
            )
        ]
    )


def _csv_line(values: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values)
    return out.getvalue()


def qualtrics_v3(path: Path) -> Path:
    """Qualtrics' own export (3 header rows, its real response) with NPS and CSAT questions
    added, and five responses: one a survey preview (Status 1)."""
    lines = sample(V3).read_text(encoding="utf-8").splitlines(keepends=True)
    tags, labels, imports, real = (next(csv.reader([line])) for line in lines)
    tags += ["NPS", "CSAT"]
    labels += ["How likely are you to recommend us?", "How satisfied were you?"]
    imports += ['{"ImportId":"QID3"}', '{"ImportId":"QID4"}']
    data = [[*real, "", ""]]
    for rid, account, status, nps, csat in [
        ("R_1", "A-1", "0", "10", "5"),
        ("R_2", "A-1", "0", "9", "4"),
        ("R_3", "A-2", "0", "7", ""),
        ("R_4", "A-2", "0", "3", "2"),
        ("R_5", "A-2", "1", "0", "1"),
    ]:
        row = [*real, nps, csat]
        row[tags.index("ResponseId")] = rid
        row[tags.index("ExternalReference")] = account
        row[tags.index("Status")] = status
        row[tags.index("RecordedDate")] = "2024-03-05 10:00:00"
        data.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(_csv_line(r) for r in [tags, labels, imports, *data]), encoding="utf-8")
    return path


def qualtrics_legacy(path: Path) -> Path:
    """The legacy export as Qualtrics wrote it (byte-order mark, 2 header rows, a trailing
    comma on every line) with an NPS question and two responses added."""
    raw = sample(LEGACY).read_bytes().decode("utf-8")
    tags, labels, real = raw.splitlines(keepends=False)
    out = [tags[:-1] + ",NPS,", labels[:-1] + ",How likely are you to recommend us?,"]
    out.append(real[:-1] + ",,")
    fields = next(csv.reader([real]))
    for rid, account, score in [("R_L1", "A-1", "10"), ("R_L2", "A-2", "6")]:
        row = list(fields[:-1])
        row[0], row[3], row[8] = rid, account, "2024-03-06 09:30:00"
        out.append(_csv_line(row).rstrip("\n") + f",{score},")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("\n".join(out).encode("utf-8") + b"\n")
    return path


def _survey_values(ws: Workspace, start: str) -> dict[str, list[object]]:
    got = ws.compute(["nps", "csat", "ces"], grain="month", start=start, end=start)
    out: dict[str, list[object]] = {}
    for slug, columns in {
        "nps": ["promoters", "passives", "detractors", "nps_responses", "value"],
        "csat": ["satisfied", "csat_responses"],
        "ces": ["ces_mean_score", "ces_easy", "ces_responses"],
    }.items():
        row = got[slug].rows.iloc[0]
        out[slug] = [None if row[c] != row[c] else row[c] for c in columns]
    return out


def test_qualtrics_current_export(survey_ws: Workspace, tmp_path: Path) -> None:
    """March 2024, previews left out: NPS 10, 9, 7, 3 → promoters 2, passive 1, detractor 1:
    100 × (2 − 1) / 4 = 25. CSAT 5, 4, 2 → 2 of 3. Qualtrics' own response has no score."""
    ws = survey_ws
    _accounts(ws, tmp_path / "seed")
    report = ws.load([qualtrics_v3(tmp_path / "export.csv")], preset="qualtrics")
    assert {(f.source, f.rows) for f in report.files} == {("responses", 4), ("responses", 3)}
    assert rows(ws, "survey_responses", "response_id, account_id, survey, score, responded_at")[
        :2
    ] == [
        ("R_1:csat", "A-1", "csat", 5, dt.datetime(2024, 3, 5, 10)),
        ("R_1:nps", "A-1", "nps", 10, dt.datetime(2024, 3, 5, 10)),
    ]
    assert _survey_values(ws, "2024-03") == {
        "nps": [2, 1, 1, 4, 25.0],
        "csat": [2, 3],
        "ces": [None, 0, 0],
    }


def test_qualtrics_legacy_export_with_its_bom_and_trailing_commas(
    survey_ws: Workspace, tmp_path: Path
) -> None:
    """NPS 10 and 6: one promoter, one detractor: 0."""
    ws = survey_ws
    _accounts(ws, tmp_path / "seed")
    ws.load([qualtrics_legacy(tmp_path / "legacy.csv")], preset="qualtrics")
    assert rows(ws, "survey_responses", "response_id, account_id, score, responded_at") == [
        ("R_L1:nps", "A-1", 10, dt.datetime(2024, 3, 6, 9, 30)),
        ("R_L2:nps", "A-2", 6, dt.datetime(2024, 3, 6, 9, 30)),
    ]
    assert _survey_values(ws, "2024-03")["nps"] == [1, 0, 1, 2, 0.0]


def test_a_copied_preset_is_an_ordinary_mapping(survey_ws: Workspace, tmp_path: Path) -> None:
    _accounts(survey_ws, tmp_path / "seed")
    mine = tmp_path / "my-qualtrics.yaml"
    shutil.copy(path_of("qualtrics"), mine)
    report = survey_ws.load([qualtrics_v3(tmp_path / "export.csv")], mapping=mine)
    assert report.counts("survey_responses").new == 7


def test_the_real_qualtrics_exports_as_they_are(ws: Workspace, tmp_path: Path) -> None:
    """Both genuine files hold the same response (R_2YPOQ602ER1jkf1, recorded 2017-07-18
    08:28:48, Q1 answered with choice 2, Q2 'Hello World!'), in their two layouts. A mapping
    copied from the preset reads Q1 as a CSAT score for one account: one response lands
    (the second file's row replaces the first's: same key)."""
    ws.load([write(tmp_path / "seed" / "accounts.csv", "account_id,name,created_at\nA-1,Acme,2017-01-01\n")])  # fmt: skip  # noqa: E501
    mapping = write(
        tmp_path / "mine.yaml",
        """
        sources:
          current:
            match: {columns: [ResponseId, RecordedDate]}
            skip_rows: 2
            tables:
              survey_responses:
                columns:
                  response_id: ResponseId
                  account_id: {value: A-1}
                  survey: {value: csat}
                  score: {from: Q1, parse: integer}
                  responded_at: {from: RecordedDate, parse: timestamp}
                  comment: Q2
          legacy:
            match: {columns: [V1, V9]}
            skip_rows: 1
            tables:
              survey_responses:
                columns:
                  response_id: V1
                  account_id: {value: A-1}
                  survey: {value: csat}
                  score: {from: Q1, parse: integer}
                  responded_at: {from: V9, parse: timestamp}
                  comment: Q2
        """,
    )
    report = ws.load([sample(V3), sample(LEGACY)], mapping=mapping)
    assert [(f.source, f.rows) for f in report.files] == [("current", 1), ("legacy", 1)]
    assert rows(ws, "survey_responses") == [
        (
            "R_2YPOQ602ER1jkf1",
            "A-1",
            None,
            "csat",
            2,
            dt.datetime(2017, 7, 18, 8, 28, 48),
            None,
            "Hello World!",
        )
    ]


def test_qualtrics_export_without_tagged_questions_says_so(ws: Workspace) -> None:
    assert refused(ws, [sample(V3)], preset="qualtrics") == [
        f"{sample(V3)}: has none of the columns responses needs: NPS or CSAT or CES",
        "Nothing was loaded.",
    ]


SURVEYMONKEY = [
    ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
     "First Name", "Last Name", "Custom Data 1",
     "How likely is it that you would recommend this company to a friend or colleague?", "CSAT",
     "What could we do better?"],
    ["", "", "", "", "", "", "", "", "", "Response", "Response", "Open-Ended Response"],
    ["114", "4001", "11/04/2024 10:13:44 AM", "11/04/2024 10:15:02 AM", "1.2.3.4",
     "ann@acme.example", "", "", "A-1", "10 - Extremely likely", "5", "Nothing"],
    ["115", "4001", "11/05/2024 02:58:00 PM", "11/05/2024 03:01:00 PM", "1.2.3.5",
     "bob@beta.example", "", "", "A-2", "6", "3", ""],
    ["116", "4001", "11/06/2024 09:00:00 AM", "11/06/2024 09:04:30 AM", "1.2.3.6",
     "dan@beta.example", "", "", "A-2", "8", "", "Faster support"],
]  # fmt: skip


def test_surveymonkey(survey_ws: Workspace, tmp_path: Path) -> None:
    """Written in SurveyMonkey's layout (two header rows; answers with their label; US dates,
    https://help.surveymonkey.com/en/surveymonkey/analyze/exporting-individual-responses/).
    November 2024: NPS 10, 6, 8 → 1 promoter, 1 passive, 1 detractor: 0. CSAT 5, 3: 1 of 2."""
    ws = survey_ws
    _accounts(ws, tmp_path / "seed")
    path = tmp_path / "Customer survey.csv"
    path.write_text("".join(_csv_line(r) for r in SURVEYMONKEY), encoding="utf-8")
    ws.load([path], preset="surveymonkey")
    assert rows(ws, "survey_responses", "response_id, score, responded_at")[:3] == [
        ("114:csat", 5, dt.datetime(2024, 11, 4, 10, 15, 2)),
        ("114:nps", 10, dt.datetime(2024, 11, 4, 10, 15, 2)),
        ("115:csat", 3, dt.datetime(2024, 11, 5, 15, 1)),
    ]
    values = _survey_values(ws, "2024-11")
    assert (values["nps"], values["csat"]) == ([1, 1, 1, 3, 0.0], [1, 2])


TYPEFORM = """\
#,NPS,CES,account_id,Start Date (UTC),Submit Date (UTC),Network ID
abc123,9,6,A-1,2024-06-01 10:00:00,2024-06-01 10:02:11,653e97acae
def456,2,3,A-2,2024-06-03 15:00:00,2024-06-03 15:01:00,653e97acaf
ghi789,,7,A-2,2024-06-20 08:00:00,2024-06-20 08:00:40,653e97acb0
"""


def test_typeform(survey_ws: Workspace, tmp_path: Path) -> None:
    """Typeform's download layout (https://www.typeform.com/help/a/download-your-results-as-a-file-360029260812/):
    June 2024: NPS 9, 2 → 1 promoter, 1 detractor: 0. CES 6, 3, 7: mean 16 / 3, easy 2 of 3."""
    ws = survey_ws
    _accounts(ws, tmp_path / "seed")
    ws.load([write(tmp_path / "responses.csv", TYPEFORM)], preset="typeform")
    values = _survey_values(ws, "2024-06")
    assert values["nps"] == [1, 0, 1, 2, 0.0]
    assert values["ces"][1:] == [2, 3]
    assert abs(float(values["ces"][0]) - 16 / 3) < 1e-9  # type: ignore[arg-type]


def _delighted(created: str, *responses: tuple[str, str, str, int, str]) -> list[object]:
    stamp = int(dt.datetime.fromisoformat(created).replace(tzinfo=dt.UTC).timestamp())
    return [
        {
            "id": rid,
            "person": {"id": f"p{rid}", "email": email, "name": None},
            "survey_type": kind,
            "score": score,
            "comment": comment or None,
            "permalink": f"https://delighted.com/r/{rid}",
            "created_at": stamp,
            "updated_at": stamp,
            "person_properties": {},
            "notes": [],
            "tags": [],
            "additional_answers": [],
        }
        for rid, email, kind, score, comment in responses
    ]


def test_delighted(survey_ws: Workspace, tmp_path: Path) -> None:
    """The API's response objects (https://app.delighted.com/docs/api/listing-survey-responses),
    accounts found by e-mail domain. May 2024: NPS 9 (acme) and 5 (acme) → 0; CSAT 4 → 1 of 1;
    CES 6; the smileys response is left out."""
    ws = survey_ws
    _accounts(ws, tmp_path / "seed")
    path = tmp_path / "delighted.json"
    path.write_text(
        json.dumps(
            _delighted(
                "2024-05-02T12:00:00",
                ("1", "ann@acme.example", "nps", 9, "Great"),
                ("2", "bob@beta.example", "csat", 4, ""),
                ("3", "dan@beta.example", "ces", 6, ""),
                ("4", "dan@beta.example", "smileys", 3, ""),
                ("5", "eve@Acme.example", "nps", 5, "Slow"),
            )
        )
    )
    ws.load([path], preset="delighted")
    assert rows(ws, "survey_responses", "response_id, account_id, survey, score, comment") == [
        ("1", "A-1", "nps", 9, "Great"),
        ("2", "A-2", "csat", 4, None),
        ("3", "A-2", "ces", 6, None),
        ("5", "A-1", "nps", 5, "Slow"),
    ]
    assert _survey_values(ws, "2024-05") == {
        "nps": [1, 0, 1, 2, 0.0],
        "csat": [1, 1],
        "ces": [6.0, 1, 1],
    }


def test_delighted_response_from_an_unknown_domain(ws: Workspace, tmp_path: Path) -> None:
    _accounts(ws, tmp_path / "seed")
    path = tmp_path / "delighted.json"
    path.write_text(json.dumps(_delighted("2024-05-02", ("1", "x@gamma.example", "nps", 9, ""))))
    assert refused(ws, [path], preset="delighted") == [
        f"{path} row 1, column person.email: 'x@gamma.example' matches no account by domain "
        "(domain) (load the accounts first or in the same load)",
        "Nothing was loaded.",
    ]
