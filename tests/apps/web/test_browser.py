"""The dashboard in a real browser (Debian's Chromium): what a leader and a CSM click through.

Marked ``web``; one worker runs them all (xdist group ``browser``) against one live
server over a small generated company, so ``make test`` runs them once, in about a
minute. Any console error, page error, failed request or HTTP error fails the test.
Screenshots of each page are kept in build/screenshots.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tandem.bench.web import _paints
from tandem.state.users import Role, Users
from tests.apps.web.browser import (
    ARGS,
    CHROMIUM,
    LAPTOP,
    PHONE,
    Watch,
    live_server,
    log_in,
    shot,
)
from tests.apps.web.conftest import make_app

pytestmark = [pytest.mark.web, pytest.mark.xdist_group("browser")]

PASSWORD = "browser test password"
TODAY = dt.date(2026, 10, 31)

if not Path(CHROMIUM).exists():
    reason = f"{CHROMIUM} is missing: run 'make system' (Debian's chromium package)"
    if os.environ.get("TANDEM_REQUIRE_BACKENDS") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A small generated company (400 accounts, 13 months) served live; (base URL, member id)."""
    from tandem.accounts import AccountQuery, Book, Status, build_book
    from tandem.service.workspace import Workspace
    from tandem.synth import SynthConfig, generate

    root = tmp_path_factory.mktemp("browser")
    generate(SynthConfig(accounts=400, months=13, seed=11, format="parquet"), root / "data")
    ws = Workspace.init(root / "ws")
    try:
        ws.load([root / "data"])
        with ws.read() as s:
            accounts, people = build_book(s, TODAY)
    finally:
        ws.close()
    book = Book(accounts, people, TODAY)
    rows = book.query(AccountQuery(status=Status.CUSTOMER, limit=10_000)).rows
    counts: dict[str, int] = {}
    for r in rows:
        if r["csm_id"]:
            counts[r["csm_id"]] = counts.get(r["csm_id"], 0) + 1
    member = max(counts, key=lambda k: (counts[k], k))
    users = Users(root / "ws")
    users.add("leader", PASSWORD, Role.LEADER)
    users.add("admin", PASSWORD, Role.ADMIN)
    users.add("csm", PASSWORD, Role.MEMBER, member_id=member)
    with live_server(make_app(root / "ws", today=TODAY)) as base:
        yield base, member


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def _page(browser: object, viewport: dict[str, int]) -> tuple[object, object, Watch]:
    context = browser.new_context(viewport=viewport)  # type: ignore[attr-defined]
    page = context.new_page()
    watch = Watch()
    watch.attach(page)
    return context, page, watch


def test_a_leader_drills_from_a_metric_to_an_account(
    site: tuple[str, str], browser: object
) -> None:
    from playwright.sync_api import expect

    base, _ = site
    context, page, watch = _page(browser, LAPTOP)
    try:
        log_in(page, base, "leader", PASSWORD)
        page.goto(f"{base}/definitions")
        expect(page.locator(".definition").first).to_be_visible()
        expect(page.locator("#loaded")).to_contain_text("Data loaded")
        shot(page, "definitions")
        page.click("a[href='/metrics/nps']")
        page.wait_for_selector("#trend .main-svg")
        expect(page.locator("#metric-name")).to_have_text("Net Promoter Score")
        page.wait_for_selector("#explain-body table")
        shot(page, "metric-nps-month")

        with page.expect_response(re.compile(r"/api/metrics/nps\?.*grain=quarter")):
            page.select_option("#grain", "quarter")
        page.wait_for_selector("#series-table td:has-text('Q')")
        assert "grain=quarter" in page.url

        with page.expect_response(re.compile(r"/api/metrics/nps\?.*by=segment")):
            page.select_option("#by", "segment")
        page.wait_for_selector("#breakdown .main-svg")
        expect(page.locator("#breakdown-title")).to_have_text("By segment")
        expect(page.locator("#breakdown-table tbody tr")).to_have_count(3)
        page.wait_for_selector("#explain-body table")
        shot(page, "metric-nps-quarter-by-segment")

        # The accounts behind the number: open the first one.
        first = page.locator("#explain-body td a[href^='/accounts/']").first
        account_id = first.inner_text()
        first.click()
        page.wait_for_selector("#usage .main-svg")
        expect(page.locator(".crumbs")).to_contain_text(account_id)
        expect(page.locator("#timeline li").first).to_be_visible()
        shot(page, "account")
        watch.check()
    finally:
        context.close()  # type: ignore[attr-defined]


def test_the_account_list_filters_sorts_and_pages(site: tuple[str, str], browser: object) -> None:
    from playwright.sync_api import expect

    base, _ = site
    context, page, watch = _page(browser, LAPTOP)
    try:
        log_in(page, base, "leader", PASSWORD)
        page.goto(f"{base}/accounts")
        page.wait_for_selector("#accounts tbody tr")
        expect(page.locator("#summary")).to_contain_text("400 accounts")
        page.select_option("select[name=segment]", "SMB")
        # Wait for the table drawn from the filtered answer, not the one before it.
        # (A locator, not wait_for_function: the page's CSP forbids evaluating strings.)
        others = page.locator("#accounts td[data-col=segment]:not(:text-is('SMB'))")
        expect(others).to_have_count(0)
        segments = page.locator("#accounts tbody td[data-col=segment]").all_inner_texts()
        assert segments and set(segments) == {"SMB"}
        page.click("#accounts th a:has-text('Account')")
        page.wait_for_selector("#accounts th a[aria-sort=ascending]")
        names = page.locator("#accounts tbody td[data-col=name]").all_inner_texts()
        assert names == sorted(names, key=str.lower)
        page.fill("#q", "zz-no-such-account")
        page.press("#q", "Enter")
        expect(page.locator("#accounts td.empty")).to_be_visible()
        shot(page, "accounts-empty-search")
        page.goto(f"{base}/accounts")
        page.wait_for_selector("#accounts tbody tr")
        shot(page, "accounts")
        watch.check()
    finally:
        context.close()  # type: ignore[attr-defined]


def test_a_csm_sees_only_their_book(site: tuple[str, str], browser: object) -> None:
    from playwright.sync_api import expect

    base, member = site
    context, page, watch = _page(browser, LAPTOP)
    try:
        log_in(page, base, "csm", PASSWORD)
        page.goto(f"{base}/accounts")
        page.wait_for_selector("#accounts tbody tr")
        csms = page.locator("#accounts tbody td[data-col=csm_name]").all_inner_texts()
        assert len(set(csms)) == 1  # one CSM: this member
        assert page.locator("label[data-people]").first.is_hidden()
        shot(page, "accounts-member")
        # An account of another CSM is a 404, as if it did not exist.
        watch.allow.append("/accounts/")
        other = page.evaluate(
            """async (member) => {
                const r = await fetch('/api/accounts?per_page=1&status=customer');
                return (await r.json()).rows[0].csm_id === member;
            }""",
            member,
        )
        assert other is True
        page.goto(f"{base}/accounts/NOT-MINE-OR-ANYONES")
        expect(page.locator("#account-name")).to_be_visible()
        expect(page.locator("#problem")).to_contain_text("no account")
        watch.check()
    finally:
        context.close()  # type: ignore[attr-defined]


def test_usable_on_a_phone(site: tuple[str, str], browser: object) -> None:
    base, _ = site
    context, page, watch = _page(browser, PHONE)
    try:
        log_in(page, base, "leader", PASSWORD)
        for path, ready, name in (
            ("/metrics/customer_churn_rate", "#trend .main-svg", "phone-metric"),
            ("/accounts", "#accounts tbody tr", "phone-accounts"),
            ("/definitions", ".definition", "phone-definitions"),
        ):
            page.goto(base + path)
            page.wait_for_selector(ready)
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path} scrolls sideways ({width} px)"
            shot(page, name)
        watch.check()
    finally:
        context.close()  # type: ignore[attr-defined]


def test_first_paint_is_quick(site: tuple[str, str], browser: object) -> None:
    """A smoke check that the page paints; the timed figure is in make bench."""
    base, _ = site
    context, page, watch = _page(browser, LAPTOP)
    try:
        log_in(page, base, "leader", PASSWORD)
        page.goto(f"{base}/accounts")
        paint = _paints(page)
        assert paint["first-contentful-paint"] > 0
        watch.check()
    finally:
        context.close()  # type: ignore[attr-defined]
