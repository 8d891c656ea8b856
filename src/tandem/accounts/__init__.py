"""Accounts one at a time: the book (list, filter, sort, search) and one account's story.

What a CSM checks every morning and what a leader drills into from a red
number. Read through the facade's read sessions only; no metric logic here
(the metrics stay in the engine, the health score in :mod:`tandem.health`).

- :mod:`tandem.accounts.book`: one row per account as of a day (owner, segment,
  plan, MRR), filtered, sorted and paged with every value as a bound parameter;
- :mod:`tandem.accounts.timeline`: one account's subscription changes, surveys,
  tickets, onboarding and usage.
"""

from __future__ import annotations

from tandem.accounts.book import AccountPage, AccountQuery, Book, SortKey, Status, build_book
from tandem.accounts.timeline import AccountStory, account_story

__all__ = [
    "AccountPage",
    "AccountQuery",
    "AccountStory",
    "Book",
    "SortKey",
    "Status",
    "account_story",
    "build_book",
]
