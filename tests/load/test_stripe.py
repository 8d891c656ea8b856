"""The Stripe preset: API objects built from Stripe's own fixtures, MRR right to the cent.

Every object starts as a copy of Stripe's example object of its type
(``stripe/openapi`` ``fixtures3.json``, read in place from ``../shared``),
with the fields a scenario needs set: the layout, nesting and every other
field are Stripe's own. The company, by subscription (amounts in cents, as
Stripe gives them; MRR = unit amount × quantity / 100 / months in the interval):

- A  monthly 4900 × 1 from 15 Jan 10:23 UTC, live: MRR 49 from 15 Jan.
- B  yearly 24000 per seat × 20 from 1 Feb: 480000 / 100 / 12 = 400 from 1 Feb.
- C  every 3 months 30000: 300 / 3 = 100 from 1 Jan.
- D  weekly 3000 from 4 Mar: 30 / (12/52) = 130 from 4 Mar.
- E  monthly 10000 from 10 Jan, cancelled at period end (10 Mar): 100 from 10 Jan to 10 Mar.
- F  monthly 5000 × 2 seats from 1 Jan, upgraded on 16 Feb to 8000 × 2 (proration lines
     for 16 Feb – 1 Mar on the March invoice): 100 to 16 Feb, then 160.
- G  14-day trial from 1 Feb (a 0 invoice), then monthly 20000: 200 from 15 Feb.
- H  trialing from 20 Mar to 3 Apr: no revenue yet.
- I  monthly 6000 from 5 Jan, collection paused from 5 Feb (later invoices void): 60 to 5 Feb.
- J  monthly 10000 with 20 % off every invoice (discount 2000): 80 (100 at list price).
- K  1000 per seat, 10 seats, down to 8 at the 1 Mar renewal: 100 to 1 Mar, then 80.
- L  monthly 7000 from 1 Jan, cancelled (ended 1 Feb); a new subscription from 1 Mar: 70.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tandem.service.workspace import Workspace
from tests.load.files import refused, rows
from tests.load.vendor import sample

CUSTOMERS = "ABCDEFGHIJKL"


def _fixtures() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(sample("stripe/stripe_openapi_fixtures3.json").read_text())
    return data["resources"]


def ts(when: str) -> int:
    """Unix seconds of an ISO date or instant (UTC)."""
    value = dt.datetime.fromisoformat(when)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return int(value.timestamp())


def customer(fx: dict[str, Any], letter: str) -> dict[str, Any]:
    obj = copy.deepcopy(fx["customer"])
    obj.update(
        id=f"cus_{letter}",
        name=f"Company {letter}",
        email=f"billing@{letter.lower()}.example",
        created=ts("2023-12-01"),
    )
    return obj


def subscription(
    fx: dict[str, Any],
    name: str,
    letter: str,
    items: list[tuple[str, str, int, str, int, int]],
    start: str,
    *,
    status: str = "active",
    trial: tuple[str, str] | None = None,
    ended: str | None = None,
    cancel_at: str | None = None,
    paused: bool = False,
) -> dict[str, Any]:
    """``items``: (item id, price id, unit amount in cents, interval, interval count, quantity)."""
    obj = copy.deepcopy(fx["subscription"])
    template = obj["items"]["data"][0]
    data = []
    for item_id, price_id, cents, interval, count, quantity in items:
        item = copy.deepcopy(template)
        item.update(id=item_id, quantity=quantity, subscription=f"sub_{name}")
        item["price"].update(
            id=price_id,
            unit_amount=cents,
            unit_amount_decimal=str(cents),
            nickname=None,
            product=f"prod_{price_id}",
        )
        item["price"]["recurring"].update(interval=interval, interval_count=count)
        item["plan"].update(
            id=price_id, amount=cents, interval=interval, interval_count=count, nickname=None
        )
        data.append(item)
    obj["items"]["data"] = data
    obj.update(
        id=f"sub_{name}",
        customer=f"cus_{letter}",
        status=status,
        start_date=ts(start),
        created=ts(start),
        trial_start=ts(trial[0]) if trial else None,
        trial_end=ts(trial[1]) if trial else None,
        ended_at=ts(ended) if ended else None,
        canceled_at=ts(ended) if ended else None,
        cancel_at=ts(cancel_at) if cancel_at else None,
        cancel_at_period_end=cancel_at is not None,
        pause_collection={"behavior": "void", "resumes_at": None} if paused else None,
        discounts=[],
    )
    return obj


def line(
    fx: dict[str, Any],
    sub: str,
    item: str,
    price: str,
    cents: int,
    quantity: int,
    start: str,
    end: str,
    *,
    amount: int | None = None,
    proration: bool = False,
    discount: int = 0,
) -> dict[str, Any]:
    obj = copy.deepcopy(fx["invoice"]["lines"]["data"][0])
    obj.update(
        id=f"il_{sub}_{item}_{start}_{price}_{amount}",
        amount=cents * quantity if amount is None else amount,
        quantity=quantity,
        period={"start": ts(start), "end": ts(end)},
        discount_amounts=[{"amount": discount, "discount": "di_1"}] if discount else [],
        subscription=None,
        parent={
            "type": "subscription_item_details",
            "subscription_item_details": {
                "subscription": f"sub_{sub}",
                "subscription_item": item,
                "proration": proration,
                "invoice_item": None,
            },
        },
        pricing={
            "type": "price_details",
            "price_details": {"price": price, "product": f"prod_{price}"},
            "unit_amount_decimal": str(cents),
        },
    )
    return obj


def invoice(
    fx: dict[str, Any], letter: str, sub: str, lines: list[dict[str, Any]], status: str = "paid"
) -> dict[str, Any]:
    obj = copy.deepcopy(fx["invoice"])
    start = min(x["period"]["start"] for x in lines)
    obj.update(
        id=f"in_{sub}_{start}",
        customer=f"cus_{letter}",
        status=status,
        subscription=None,
        parent={
            "type": "subscription_details",
            "subscription_details": {"subscription": f"sub_{sub}", "metadata": None},
        },
        lines={"object": "list", "data": lines, "has_more": False},
    )
    return obj


def monthly(
    fx: dict[str, Any],
    letter: str,
    sub: str,
    price: str,
    cents: int,
    starts: list[str],
    *,
    quantity: int = 1,
    status: str = "paid",
    discount: int = 0,
) -> list[dict[str, Any]]:
    """One invoice per service period: consecutive ``starts`` (the last one ends a month on)."""
    ends = [*starts[1:], _next_month(starts[-1])]
    return [
        invoice(
            fx,
            letter,
            sub,
            [line(fx, sub, f"si_{sub}", price, cents, quantity, s, e, discount=discount)],
            status,
        )
        for s, e in zip(starts, ends, strict=True)
    ]


def _next_month(day: str) -> str:
    d = dt.date.fromisoformat(day[:10])
    nxt = d.replace(year=d.year + d.month // 12, month=d.month % 12 + 1)
    return nxt.isoformat() + day[10:]


def company(fx: dict[str, Any]) -> tuple[list[Any], list[Any], list[Any]]:
    subs = [
        subscription(fx, "A", "A", [("si_A", "price_A", 4900, "month", 1, 1)], "2024-01-15T10:23:11"),  # noqa: E501
        subscription(fx, "B", "B", [("si_B", "price_B", 24000, "year", 1, 20)], "2024-02-01"),
        subscription(fx, "C", "C", [("si_C", "price_C", 30000, "month", 3, 1)], "2024-01-01"),
        subscription(fx, "D", "D", [("si_D", "price_D", 3000, "week", 1, 1)], "2024-03-04"),
        subscription(
            fx, "E", "E", [("si_E", "price_E", 10000, "month", 1, 1)], "2024-01-10",
            cancel_at="2024-03-10",
        ),
        subscription(fx, "F", "F", [("si_F", "price_F80", 8000, "month", 1, 2)], "2024-01-01"),
        subscription(
            fx, "G", "G", [("si_G", "price_G", 20000, "month", 1, 1)], "2024-02-01",
            trial=("2024-02-01", "2024-02-15"),
        ),
        subscription(
            fx, "H", "H", [("si_H", "price_H", 5000, "month", 1, 1)], "2024-03-20",
            status="trialing", trial=("2024-03-20", "2024-04-03"),
        ),
        subscription(
            fx, "I", "I", [("si_I", "price_I", 6000, "month", 1, 1)], "2024-01-05", paused=True
        ),
        subscription(fx, "J", "J", [("si_J", "price_J", 10000, "month", 1, 1)], "2024-01-01"),
        subscription(fx, "K", "K", [("si_K", "price_K", 1000, "month", 1, 8)], "2024-01-01"),
        subscription(
            fx, "L1", "L", [("si_L1", "price_L", 7000, "month", 1, 1)], "2024-01-01",
            status="canceled", ended="2024-02-01",
        ),
        subscription(fx, "L2", "L", [("si_L2", "price_L", 7000, "month", 1, 1)], "2024-03-01"),
    ]  # fmt: skip
    invoices = [
        *monthly(fx, "A", "A", "price_A", 4900, ["2024-01-15T10:23:11", "2024-02-15T10:23:11", "2024-03-15T10:23:11"]),  # noqa: E501
        invoice(fx, "B", "B", [line(fx, "B", "si_B", "price_B", 24000, 20, "2024-02-01", "2025-02-01")]),  # noqa: E501
        invoice(fx, "C", "C", [line(fx, "C", "si_C", "price_C", 30000, 1, "2024-01-01", "2024-04-01")]),  # noqa: E501
        *[
            invoice(fx, "D", "D", [line(fx, "D", "si_D", "price_D", 3000, 1, s, e)])
            for s, e in [("2024-03-04", "2024-03-11"), ("2024-03-11", "2024-03-18"),
                         ("2024-03-18", "2024-03-25"), ("2024-03-25", "2024-04-01")]
        ],
        *monthly(fx, "E", "E", "price_E", 10000, ["2024-01-10", "2024-02-10"]),
        *monthly(fx, "F", "F", "price_F50", 5000, ["2024-01-01", "2024-02-01"], quantity=2),
        invoice(fx, "F", "F", [
            # 13 of February's 29 days: unused 100 × 13/29 and remaining 160 × 13/29.
            line(fx, "F", "si_F", "price_F50", 5000, 2, "2024-02-16", "2024-03-01",
                 amount=-4483, proration=True),
            line(fx, "F", "si_F", "price_F80", 8000, 2, "2024-02-16", "2024-03-01",
                 amount=7172, proration=True),
            line(fx, "F", "si_F", "price_F80", 8000, 2, "2024-03-01", "2024-04-01"),
        ]),
        invoice(fx, "G", "G", [line(fx, "G", "si_G", "price_G", 20000, 1, "2024-02-01", "2024-02-15", amount=0)]),  # noqa: E501
        *monthly(fx, "G", "G", "price_G", 20000, ["2024-02-15", "2024-03-15"]),
        invoice(fx, "H", "H", [line(fx, "H", "si_H", "price_H", 5000, 1, "2024-03-20", "2024-04-03", amount=0)]),  # noqa: E501
        *monthly(fx, "I", "I", "price_I", 6000, ["2024-01-05"]),
        *monthly(fx, "I", "I", "price_I", 6000, ["2024-02-05", "2024-03-05"], status="void"),
        *monthly(fx, "J", "J", "price_J", 10000, ["2024-01-01", "2024-02-01", "2024-03-01"], discount=2000),  # noqa: E501
        *monthly(fx, "K", "K", "price_K", 1000, ["2024-01-01", "2024-02-01"], quantity=10),
        *monthly(fx, "K", "K", "price_K", 1000, ["2024-03-01"], quantity=8),
        *monthly(fx, "L", "L1", "price_L", 7000, ["2024-01-01"]),
        *monthly(fx, "L", "L2", "price_L", 7000, ["2024-03-01"]),
    ]  # fmt: skip
    return [customer(fx, c) for c in CUSTOMERS], subs, invoices


def write_company(folder: Path) -> list[Path]:
    """customers and subscriptions as list responses, invoices one object per line."""
    folder.mkdir(parents=True, exist_ok=True)
    customers, subs, invoices = company(_fixtures())
    out = []
    for name, objects in (("customers.json", customers), ("subscriptions.json", subs)):
        path = folder / name
        path.write_text(json.dumps({"object": "list", "data": objects, "has_more": False}))
        out.append(path)
    path = folder / "invoices.jsonl"
    path.write_text("".join(json.dumps(i) + "\n" for i in invoices))
    return [*out, path]


D = dt.date

EXPECTED_HISTORY = [
    ("sub_A/2024-01-15", "cus_A", 49.0, 1, D(2024, 1, 15), None),
    ("sub_B/2024-02-01", "cus_B", 400.0, 20, D(2024, 2, 1), None),
    ("sub_C/2024-01-01", "cus_C", 100.0, 1, D(2024, 1, 1), None),
    ("sub_D/2024-03-04", "cus_D", 130.0, 1, D(2024, 3, 4), None),
    ("sub_E/2024-01-10", "cus_E", 100.0, 1, D(2024, 1, 10), D(2024, 3, 10)),
    ("sub_F/2024-01-01", "cus_F", 100.0, 2, D(2024, 1, 1), D(2024, 2, 16)),
    ("sub_F/2024-02-16", "cus_F", 160.0, 2, D(2024, 2, 16), None),
    ("sub_G/2024-02-15", "cus_G", 200.0, 1, D(2024, 2, 15), None),
    ("sub_I/2024-01-05", "cus_I", 60.0, 1, D(2024, 1, 5), D(2024, 2, 5)),
    ("sub_J/2024-01-01", "cus_J", 80.0, 1, D(2024, 1, 1), None),
    ("sub_K/2024-01-01", "cus_K", 100.0, 10, D(2024, 1, 1), D(2024, 3, 1)),
    ("sub_K/2024-03-01", "cus_K", 80.0, 8, D(2024, 3, 1), None),
    ("sub_L1/2024-01-01", "cus_L", 70.0, 1, D(2024, 1, 1), D(2024, 2, 1)),
    ("sub_L2/2024-03-01", "cus_L", 70.0, 1, D(2024, 3, 1), None),
]


def test_subscription_history_from_api_objects(ws: Workspace, tmp_path: Path) -> None:
    """One row per period of constant MRR, worked out by hand in the module docstring."""
    report = ws.load(write_company(tmp_path / "stripe"), preset="stripe")
    got = rows(ws, "subscriptions", "subscription_id, account_id, mrr, seats, valid_from, valid_to")
    assert [(r[0], r[1], round(r[2], 2), *r[3:]) for r in got] == EXPECTED_HISTORY
    assert {(f.name.split("/")[-1], f.table, f.source) for f in report.files} >= {
        ("customers.json", "accounts", "customers"),
    }
    assert report.counts("accounts").new == 12
    assert report.counts("subscriptions").new == len(EXPECTED_HISTORY)


def test_trials_come_from_the_subscriptions(ws: Workspace, tmp_path: Path) -> None:
    """G's trial (1–15 Feb) converted on its first paid day; H's is still running."""
    ws.load(write_company(tmp_path / "stripe"), preset="stripe")
    assert rows(ws, "trials") == [
        (
            "sub_G",
            "cus_G",
            "free_trial",
            dt.datetime(2024, 2, 1),
            dt.datetime(2024, 2, 15),
            dt.datetime(2024, 2, 15),
        ),
        ("sub_H", "cus_H", "free_trial", dt.datetime(2024, 3, 20), None, None),
    ]


def test_mrr_movements_to_the_cent(ws: Workspace, tmp_path: Path) -> None:
    """MRR walk per month, by account (m0 → m1), from the module docstring.

    January (nothing before): new A 49, C 100, E 100, F 100, I 60, J 80, K 100, L 70 = 659.
    February: new B 400 + G 200 = 600; expansion F 100 → 160 = 60; churn I 60 (paused
      5 Feb) + L 70 (ended 1 Feb) = 130. 659 + 600 + 60 − 130 = 1189.
    March: new D 130; reactivation L 0 → 70 (paid in January) = 70; churn E 100 (ended
      10 Mar); contraction K 100 → 80 = 20. 1189 + 130 + 70 − 100 − 20 = 1269.
    """
    ws.load(write_company(tmp_path / "stripe"), preset="stripe")
    result = ws.compute(["mrr"], grain="month", start="2024-01", end="2024-03")["mrr"].rows
    columns = [
        "mrr_at_start",
        "new_mrr",
        "expansion_mrr",
        "reactivation_mrr",
        "contraction_mrr",
        "churned_mrr",
        "mrr_at_end",
    ]
    got = [[round(float(r[c]), 2) for c in columns] for _, r in result.iterrows()]
    assert got == [
        [0, 659, 0, 0, 0, 0, 659],
        [659, 600, 60, 0, 0, 130, 1189],
        [1189, 130, 0, 70, 20, 100, 1269],
    ]


def test_discounts_can_be_ignored(tmp_path: Path) -> None:
    """With ``load.discounts = "ignore"`` J is at its list price: 100, not 80."""
    folder = tmp_path / "ws"
    Workspace.init(folder).close()
    (folder / "tandem.toml").write_text('[load]\ndiscounts = "ignore"\n')
    with Workspace(folder) as ws:
        ws.load(write_company(tmp_path / "stripe"), preset="stripe")
        assert rows(ws, "subscriptions", "subscription_id, mrr")[9] == ("sub_J/2024-01-01", 100.0)


def test_loading_a_later_export_updates_the_open_rows(ws: Workspace, tmp_path: Path) -> None:
    """Loading the same export twice changes nothing; the history's keys are stable."""
    paths = write_company(tmp_path / "stripe")
    ws.load(paths, preset="stripe")
    again = ws.load(paths, preset="stripe")
    assert again.counts("subscriptions").unchanged == len(EXPECTED_HISTORY)
    assert again.counts("subscriptions").new == again.counts("subscriptions").updated == 0


def test_stripes_own_example_objects_load(ws: Workspace, tmp_path: Path) -> None:
    """Stripe's fixtures as they are: the customer lands; its example subscription started,
    had its trial end and ended at the same instant (1234567890), so it earned nothing."""
    fx = _fixtures()
    folder = tmp_path / "as-is"
    folder.mkdir()
    for kind in ("customer", "subscription", "invoice"):
        (folder / f"{kind}.json").write_text(json.dumps([fx[kind]]))
    report = ws.load([folder], preset="stripe")
    assert rows(ws, "accounts", "account_id, name, created_at") == [
        ("cus_QXg1o8vcGmoR32", "cus_QXg1o8vcGmoR32", dt.datetime(2009, 2, 13, 23, 31, 30))
    ]
    assert rows(ws, "subscriptions") == []
    assert report.counts("accounts").new == 1


def test_a_file_of_another_vendor_names_the_preset(ws: Workspace) -> None:
    lines = refused(ws, [sample("salesforce/dataloader_opportunityData.csv")], preset="stripe")
    assert lines[0].startswith(
        f"{sample('salesforce/dataloader_opportunityData.csv')}: is not a file the stripe "
        "preset reads (its headers: ID, ISDELETED, ACCOUNTID, NAME, DESCRIPTION, STAGENAME, "
        'AMOUNT, PROBABILITY, ...); it expects customers: JSON with "object": "customer"; '
    )
    assert "dashboard subscriptions: CSV with columns id, Customer ID, Status" in lines[0]


def test_an_amount_that_is_not_a_number_is_refused(ws: Workspace, tmp_path: Path) -> None:
    paths = write_company(tmp_path / "stripe")
    subs = json.loads(paths[1].read_text())
    subs["data"][1]["items"]["data"][0]["quantity"] = "twenty"
    paths[1].write_text(json.dumps(subs))
    assert refused(ws, paths, preset="stripe") == [
        f"{paths[1]} row 2, column items.data[].quantity: 'twenty' is not a number",
        "Nothing was loaded.",
    ]


@pytest.mark.parametrize("status", ["incomplete", "incomplete_expired"])
def test_incomplete_subscriptions_never_paid(ws: Workspace, tmp_path: Path, status: str) -> None:
    paths = write_company(tmp_path / "stripe")
    subs = json.loads(paths[1].read_text())
    subs["data"][0]["status"] = status
    paths[1].write_text(json.dumps(subs))
    ws.load(paths, preset="stripe")
    assert "sub_A/2024-01-15" not in [r[0] for r in rows(ws, "subscriptions", "subscription_id")]


# The Dashboard's exports, written from the column lists in ../shared/vendor-samples/stripe/
# columns.md (no genuine file exists): Title Case headers with "(UTC)", amounts in currency
# units with thousands separators, metadata as "<key> (metadata)" columns, one row per
# subscription and no invoice history.
DASHBOARD_CUSTOMERS = """\
id,Description,Email,Name,Created (UTC),Delinquent,tier (metadata)
cus_1,,ops@one.example,One Ltd,2023-10-01 09:00,false,gold
cus_2,Two,billing@two.example,,2023-10-02 09:00,false,
cus_3,,,Three SA,2023-10-03 09:00,true,
cus_4,,four@four.example,Four,2024-02-20 09:00,false,
"""
DASHBOARD_SUBSCRIPTIONS = """\
id,Customer ID,Customer Email,Plan,Quantity,Interval,Amount,Status,Created (UTC),Start (UTC),\
Current Period Start (UTC),Current Period End (UTC),Trial Start (UTC),Trial End (UTC),\
Canceled At (UTC),Cancel At Period End,Ended At (UTC)
sub_1,cus_1,ops@one.example,Pro,5,month,20.00,active,2024-01-10 12:00,2024-01-10 12:00,\
2024-03-10 12:00,2024-04-10 12:00,,,,false,
sub_2,cus_2,billing@two.example,Annual,1,year,"1,200.00",active,2024-02-01 08:00,\
2024-02-01 08:00,2024-02-01 08:00,2025-02-01 08:00,,,2024-03-02 10:00,true,
sub_3,cus_3,,Starter,1,month,50.00,canceled,2023-11-01 00:00,2023-11-01 00:00,\
2024-02-01 00:00,2024-03-01 00:00,,,2024-02-15 00:00,false,2024-02-15 00:00
sub_4,cus_4,four@four.example,Pro,1,month,20.00,trialing,2024-03-01 00:00,2024-03-01 00:00,\
2024-03-01 00:00,2024-03-15 00:00,2024-03-01 00:00,2024-03-15 00:00,,false,
"""


def test_dashboard_exports(ws: Workspace, tmp_path: Path) -> None:
    """One row per subscription at its current price: sub_1 5 × 20 = 100 from 10 Jan;
    sub_2 1,200 a year = 100 from 1 Feb until its period ends (cancel at period end);
    sub_3 50 from 1 Nov to 15 Feb (ended); sub_4 is trialing: a trial, no revenue.
    February 2024: opening cus_1 100 + cus_3 50; closing cus_1 100 + cus_2 100:
    new 100, churned 50, MRR 200."""
    customers = tmp_path / "customers.csv"
    customers.write_text(DASHBOARD_CUSTOMERS)
    subscriptions = tmp_path / "subscriptions.csv"
    subscriptions.write_text(DASHBOARD_SUBSCRIPTIONS)
    report = ws.load([customers, subscriptions], preset="stripe")
    assert [f.source for f in report.files][:2] == [
        "dashboard customers",
        "dashboard subscriptions",
    ]
    assert rows(ws, "accounts", "account_id, name, tier_metadata") == [
        ("cus_1", "One Ltd", "gold"),
        ("cus_2", "Two", None),
        ("cus_3", "Three SA", None),
        ("cus_4", "Four", None),
    ]
    assert rows(ws, "subscriptions", "subscription_id, plan, mrr, seats, valid_from, valid_to") == [
        ("sub_1/2024-01-10", "Pro", 100.0, 5, D(2024, 1, 10), None),
        ("sub_2/2024-02-01", "Annual", 100.0, 1, D(2024, 2, 1), D(2025, 2, 1)),
        ("sub_3/2023-11-01", "Starter", 50.0, 1, D(2023, 11, 1), D(2024, 2, 15)),
    ]
    assert rows(ws, "trials", "trial_id, ended_at, converted_at") == [("sub_4", None, None)]
    mrr = ws.compute(["mrr"], start="2024-02", end="2024-02")["mrr"].rows.iloc[0]
    assert (mrr["new_mrr"], mrr["churned_mrr"], mrr["mrr_at_end"]) == (100, 50, 200)
