"""Quoting for the SQL the loader writes: the store's one quoting (``tandem.store.sql``).

File headers, mapping values and paths are user text: every identifier and literal
the loader pastes into a statement goes through these functions.
"""

from __future__ import annotations

from tandem.store.sql import ident, literal, literals

__all__ = ["ident", "literal", "literals"]
