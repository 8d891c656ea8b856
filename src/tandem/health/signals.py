"""The raw facts behind the health components, per account and as-of day, set-based in Ibis.

Every query takes a small table of as-of days (``as_of_day``, a day number) and
returns one row per (as-of day, account): scoring one day and a back-test over
many days run the same code. Only rows dated on or before the as-of day are
read, so a score as of a past day is the score that day's data gave (the
back-test depends on it). Windows are whole days ending with the as-of day:
"the last 30 days" of day d are d − 29 … d.

Paid coverage (who is a customer on a day, MRR, seats, spells) comes from the
catalog's own definition, ``tandem.semantic.coverage`` (``churn_grace_days``
included), read through a small adapter. The per-account pieces below are
health's own and are listed in docs/health.md as candidates for the catalog.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from tandem.semantic.calendar import day_expr, day_number
from tandem.semantic.coverage import islands, paid_rows

if TYPE_CHECKING:
    import ibis
    import pandas as pd

    from tandem.service.session import ReadSession
    from tandem.settings import HealthSettings

SESSION_EVENT = "session"
KEY = ["as_of_day", "account_id"]


def _count(condition: Any) -> Any:
    """Rows where ``condition`` holds (a boolean does not cast to an integer everywhere)."""
    import ibis

    return ibis.ifelse(condition, 1, 0).sum()


class _Coverage:
    """What ``tandem.semantic.coverage`` reads from a frame: tables, knobs, a memo."""

    def __init__(self, table: Callable[[str], ibis.Table], session: ReadSession) -> None:
        self.table = table
        self.knobs = session.settings.metrics
        self._built: dict[str, ibis.Table] = {}

    def cached(
        self, name: str, build: Callable[[], ibis.Table], *, materialize: bool = False
    ) -> ibis.Table:
        if name not in self._built:
            self._built[name] = build()
        return self._built[name]


def days_table(days: list[dt.date]) -> ibis.Table:
    import ibis
    import pyarrow as pa

    numbers = sorted({day_number(d) for d in days})
    return ibis.memtable(pa.table({"as_of_day": pa.array(numbers, pa.int64())}))


class Signals:
    """The queries for one set of as-of days; ``facts()`` runs them and joins the results."""

    def __init__(
        self,
        session: ReadSession,
        days: list[dt.date],
        knobs: HealthSettings,
        account: str | None = None,
    ) -> None:
        self.s = session
        self.k = knobs
        self.account = account
        self.days = days_table(days)
        cov = cast(Any, _Coverage(self.table, session))  # duck-typed frame: table, cached, knobs
        self.paid = paid_rows(cov)
        self.islands = islands(cov)

    def table(self, name: str) -> ibis.Table:
        """A stored table, only the one account's rows when the signals are for one account."""
        t = self.s.table(name)
        return t if self.account is None else t.filter(t.account_id == self.account)

    # -- who is scored ------------------------------------------------------------

    def population(self) -> ibis.Table:
        """Customers on each as-of day: MRR, seats, the start and end of their paid spell.

        ``spell_end`` (the first day not covered) is a fact about the future; only the
        back-test reads it, to label churn.
        """
        d, p = self.days, self.paid
        on = p.join(d, [p.vf <= d.as_of_day, p.vt > d.as_of_day])
        on = on.group_by(KEY).aggregate(mrr=on.mrr.sum(), seats=on.seats.sum())
        isl = self.islands
        spell = isl.join(d, [isl.start <= d.as_of_day, isl.end > d.as_of_day]).select(
            "as_of_day", "account_id", spell_start="start", spell_end="end"
        )
        pop = on.join(spell, KEY).select(on, spell.spell_start, spell.spell_end)
        return pop.filter(pop.mrr > 0)

    def mrr_before(self) -> ibis.Table:
        """MRR on the day ``contraction_window_days`` before each as-of day."""
        d, p = self.days, self.paid
        back = self.k.contraction_window_days
        j = p.join(d, [p.vf <= d.as_of_day - back, p.vt > d.as_of_day - back])
        return j.group_by(KEY).aggregate(mrr_before=j.mrr.sum())

    # -- usage --------------------------------------------------------------------------

    def _events(self, everyone: bool = False) -> ibis.Table:
        u = self.s.table("usage_events") if everyone else self.table("usage_events")
        return u.mutate(day=day_expr(u.ts))

    def sessions(self) -> ibis.Table:
        """Sessions in the last window and in the window before it."""
        w = self.k.usage_window_days
        e = self._events()
        e = e.filter(e.event == SESSION_EVENT)
        d = self.days
        j = e.join(d, [e.day <= d.as_of_day, e.day > d.as_of_day - 2 * w])
        recent = j.day > j.as_of_day - w
        return j.group_by(KEY).aggregate(
            sessions_recent=_count(recent), sessions_before=_count(~recent)
        )

    def activity(self) -> ibis.Table:
        """Days with any event, users seen and key features used in the last usage window."""
        w = self.k.usage_window_days
        e = self._events()
        d = self.days
        j = e.join(d, [e.day <= d.as_of_day, e.day > d.as_of_day - w])
        key = self._is_key(j.event)
        return j.group_by(KEY).aggregate(
            active_days=j.day.nunique(),
            users_recent=j.user_id.nunique(),
            features_recent=j.event.nunique(where=key),
        )

    def _is_key(self, event: Any) -> Any:
        if self.k.key_features:
            return event.isin(list(self.k.key_features))
        return event != SESSION_EVENT

    def feature_count(self) -> ibis.Table:
        """Per as-of day: key features there are (configured, or seen by that day)."""
        import ibis

        d = self.days
        if self.k.key_features:
            return d.mutate(key_features=ibis.literal(len(self.k.key_features), "int64"))
        e = self._events(everyone=True)
        e = e.filter(self._is_key(e.event))
        first = e.group_by("event").aggregate(first_day=e.day.min())
        j = d.left_join(first, first.first_day <= d.as_of_day)
        return j.group_by("as_of_day").aggregate(key_features=j.event.count())

    def usage_since(self) -> ibis.Table:
        """Per as-of day: whether the workspace holds any usage event on or before it."""
        return self._any_before(self._events(everyone=True), "day")

    def _any_before(self, t: ibis.Table, day: str) -> ibis.Table:
        d = self.days
        first = t.aggregate(first=t[day].min())
        j = d.cross_join(first)
        return j.select("as_of_day", present=j.first.notnull() & (j.first <= j.as_of_day))

    # -- voice of the customer ------------------------------------------------------

    def _responses(self, survey: str, lookback: int) -> ibis.Table:
        r = self.table("survey_responses")
        r = r.filter(r.survey == survey).mutate(day=day_expr(r.responded_at))
        d = self.days
        return r.join(d, [r.day <= d.as_of_day, r.day > d.as_of_day - lookback])

    def nps(self) -> ibis.Table:
        """The latest NPS answer(s) within the lookback: points 100 / 50 / 0, and its day.

        Answers given at the same latest instant are averaged.
        """
        import ibis

        j = self._responses("nps", self.k.nps_lookback_days)
        latest = j.group_by(KEY).aggregate(at=j.responded_at.max())
        last = j.join(latest, [*KEY, j.responded_at == latest.at]).select(j)
        points = ibis.cases((last.score >= 9, 100), (last.score >= 7, 50), else_=0)
        # Sums over counts (true division everywhere): PostgreSQL averages as NUMERIC.
        n = last.count()
        return last.group_by(KEY).aggregate(
            nps_points=points.sum() / n, nps_score=last.score.sum() / n, nps_day=last.day.max()
        )

    def csat(self) -> ibis.Table:
        """CSAT answers in the lookback and how many were satisfied (≥ the catalog's threshold)."""
        j = self._responses("csat", self.k.csat_lookback_days)
        threshold = self.s.settings.metrics.csat_threshold
        return j.group_by(KEY).aggregate(
            csat_responses=j.count(), csat_satisfied=_count(j.score >= threshold)
        )

    # -- support ------------------------------------------------------------------------

    def _tickets(self, everyone: bool = False) -> ibis.Table:
        t = self.s.table("tickets") if everyone else self.table("tickets")
        return t.mutate(created_day=day_expr(t.created_at), resolved_day=day_expr(t.resolved_at))

    def tickets(self) -> ibis.Table:
        """Tickets created in the ticket window, or created before and still open on the day."""
        t = self._tickets()
        d = self.days
        w = self.k.ticket_window_days
        j = t.join(d, t.created_day <= d.as_of_day)
        still_open = j.resolved_day.isnull() | (j.resolved_day > j.as_of_day)
        j = j.filter((j.created_day > j.as_of_day - w) | still_open)
        return j.group_by(KEY).aggregate(tickets_window=j.count(), tickets_open=_count(still_open))

    def escalations(self) -> ibis.Table:
        t = self._tickets()
        t = t.filter(t.escalated)
        d = self.days
        w = self.k.escalation_window_days
        j = t.join(d, [t.created_day <= d.as_of_day, t.created_day > d.as_of_day - w])
        return j.group_by(KEY).aggregate(escalations=j.count())

    def tickets_since(self) -> ibis.Table:
        """Per as-of day: whether the workspace holds any ticket created on or before it."""
        return self._any_before(self._tickets(everyone=True), "created_day")

    # -- onboarding -----------------------------------------------------------------------

    def onboarding(self) -> ibis.Table:
        """Onboardings started by the day (cancelled ones left out): the most days past due.

        Due day = start + target_days (or the catalog's knob for the account's segment);
        past due on d when not live by d and the due day is before d.
        """
        import ibis

        o = self.table("onboardings")
        status = o.status.lower().strip()
        o = o.filter(status.isnull() | (status != "cancelled"))
        a = self.s.table("accounts").select("account_id", "segment")
        o = o.left_join(a, "account_id").select(o, a.segment)  # accounts: all, joined
        m = self.s.settings.metrics
        by_segment = [(o.segment == s, n) for s, n in m.onboarding_target_days_by_segment.items()]
        knob = (
            ibis.cases(*by_segment, else_=m.onboarding_target_days)
            if by_segment
            else ibis.literal(m.onboarding_target_days)
        )
        o = o.mutate(
            start_day=day_expr(o.started_at),
            live_day=day_expr(o.go_live_at),
            target=ibis.coalesce(o.target_days, knob),
        )
        o = o.mutate(due_day=o.start_day + o.target)
        d = self.days
        j = o.join(d, o.start_day <= d.as_of_day)
        not_live = j.live_day.isnull() | (j.live_day > j.as_of_day)
        overdue = ibis.ifelse(not_live & (j.due_day < j.as_of_day), j.as_of_day - j.due_day, 0)
        return j.group_by(KEY).aggregate(onboarding_overdue_days=overdue.max())

    # -- renewals --------------------------------------------------------------------------

    def _renewal_deals(self, everyone: bool = False) -> ibis.Table:
        deals = self.s.table("deals") if everyone else self.table("deals")
        deals = deals.filter(deals.type == "renewal")
        return deals.mutate(created_day=day_expr(deals.created_at))

    def renewal_deals(self) -> ibis.Table:
        """Renewal deals created by the day: the account is known to be on term contracts."""
        r = self._renewal_deals()
        d = self.days
        j = r.join(d, r.created_day <= d.as_of_day)
        return j.group_by(KEY).aggregate(renewal_deals=j.count())

    def renewals_since(self) -> ibis.Table:
        """Per as-of day: whether the workspace holds any renewal deal created by then."""
        return self._any_before(self._renewal_deals(everyone=True), "created_day")

    # -- all together ----------------------------------------------------------------------

    def facts(self) -> pd.DataFrame:
        """One row per customer and as-of day with every raw fact (NaN where none)."""
        import pandas as pd

        pop = self.population()
        a = self.table("accounts")
        named = pop.join(a, "account_id").select(
            pop, a["name"], a.segment, a.csm_id, a.sales_rep_id
        )
        frame = self._df(named)
        if frame.empty:
            return frame
        keys = pop.select(*KEY)
        for part in (
            self.mrr_before(),
            self.sessions(),
            self.activity(),
            self.nps(),
            self.csat(),
            self.tickets(),
            self.escalations(),
            self.onboarding(),
            self.renewal_deals(),
        ):
            got = self._df(part.semi_join(keys, KEY))
            frame = frame.merge(got, on=KEY, how="left")
        per_day = [
            self.feature_count(),
            self.usage_since().rename(usage_data="present"),
            self.tickets_since().rename(ticket_data="present"),
            self.renewals_since().rename(renewal_data="present"),
        ]
        for part in per_day:
            frame = frame.merge(self._df(part), on="as_of_day", how="left")
        return pd.DataFrame(frame)

    def _df(self, expr: ibis.Table) -> pd.DataFrame:
        frame: pd.DataFrame = self.s.run(expr).to_pandas()
        return frame
