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

from tandem.bench.web import CHROMIUM, _paints
from tandem.bench.web import CHROMIUM_ARGS as ARGS
from tandem.state.users import Role, Users
from tests.apps.web.browser import (
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
    from tandem.alerts import run, write_default_rules

    write_default_rules(root / "ws")
    with Workspace(root / "ws") as w:
        run(w, as_of=TODAY, deliver=False)
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
        page.wait_for_load_state("networkidle")
        shot(page, "account")
        watch.check()
    finally:
        context.close()  # type: ignore[attr-defined]


def test_a_red_number_leads_to_the_accounts_behind_it(
    site: tuple[str, str], browser: object
) -> None:
    """The review meeting: the scorecard, a red metric, its rows, one account."""
    from playwright.sync_api import expect

    base, _ = site
    context, page, watch = _page(browser, LAPTOP)
    try:
        log_in(page, base, "leader", PASSWORD)
        assert page.url.rstrip("/") == base  # the scorecard is the first page
        page.wait_for_selector("#sections a.tile.metric")
        page.wait_for_selector("#waterfall .main-svg")
        expect(page.locator("#card-title")).to_have_text("Shared scorecard")
        shot(page, "scorecard")
        red = page.locator("a.tile.metric.status-red").first
        slug = red.get_attribute("data-slug")
        has_target = "target " in red.inner_text()
        red.click()
        page.wait_for_selector("#trend .main-svg")
        assert f"/metrics/{slug}" in page.url and "period=" in page.url
        if has_target:  # the trend is drawn against the scorecard's target and baseline
            expect(page.locator("#trend .legend")).to_contain_text("Target")
        page.wait_for_selector("#explain-body table tbody tr")
        shot(page, "metric-from-red-tile")
        link = page.locator("#explain-body td a[href^='/accounts/']").first
        account_id = link.inner_text()
        link.click()
        page.wait_for_selector("#usage .main-svg")
        expect(page.locator(".crumbs")).to_contain_text(account_id)
        page.wait_for_selector("#health-chart .main-svg")
        page.wait_for_load_state("networkidle")
        shot(page, "account-from-red-tile")
        # A scope: one segment's scorecard, and its tiles carry the filter to the metric page.
        page.goto(f"{base}/?scope=segment:SMB")
        page.wait_for_selector("#sections a.tile.metric")
        expect(page.locator("#card-sub")).to_contain_text("SMB")
        href = page.locator("a.tile.metric").first.get_attribute("href") or ""
        assert "where=segment%3DSMB" in href
        watch.check()
    finally:
        context.close()  # type: ignore[attr-defined]


def test_team_pages_and_alerts(site: tuple[str, str], browser: object) -> None:
    from playwright.sync_api import expect

    base, _ = site
    context, page, watch = _page(browser, LAPTOP)
    try:
        log_in(page, base, "leader", PASSWORD)
        page.goto(f"{base}/teams")
        page.wait_for_selector("#leagues table tbody tr")
        page.wait_for_selector("#nps-mix .main-svg")
        page.wait_for_selector("#onboarding .main-svg")
        expect(page.locator("#matrix table")).to_be_visible()
        shot(page, "teams")
        page.goto(f"{base}/alerts")
        page.wait_for_selector("#alerts tbody tr")
        shot(page, "alerts")
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
            ("/", "#sections a.tile.metric", "phone-scorecard"),
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
