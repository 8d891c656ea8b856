"""The tables a mapping may fill: the canonical tables and the billing inputs.

Billing inputs (``tandem.load.billing``) are typed and checked like any table
but never stored: the subscription history is built from them.
"""

from __future__ import annotations

from tandem.load.billing import BILLING_TABLES
from tandem.schema import TABLE_NAMES, Table, table

ALL_TABLES: tuple[str, ...] = (*TABLE_NAMES, *BILLING_TABLES)

#: Load order: referenced tables first, billing inputs right after the accounts they name.
ORDER: tuple[str, ...] = (
    *TABLE_NAMES[: TABLE_NAMES.index("accounts") + 1],
    *BILLING_TABLES,
    *TABLE_NAMES[TABLE_NAMES.index("accounts") + 1 :],
)


def spec(name: str) -> Table:
    """The declaration of a canonical table or a billing input; KeyError when unknown."""
    if name in BILLING_TABLES:
        return BILLING_TABLES[name]
    return table(name)
