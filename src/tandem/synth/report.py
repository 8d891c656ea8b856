"""What a run produced: rows and bytes per table, and how long it took."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tandem.synth.config import SynthConfig
from tandem.synth.writer import Written

if TYPE_CHECKING:
    from rich.table import Table


@dataclass(frozen=True)
class SynthReport:
    config: SynthConfig
    out: Path
    truth: Path
    files: dict[str, Written]
    seconds: float

    @property
    def rows(self) -> dict[str, int]:
        return {name: w.rows for name, w in self.files.items()}

    @property
    def bytes(self) -> int:
        return sum(w.bytes for w in self.files.values())

    def table(self) -> Table:
        """A rich table of rows and megabytes per file, titled with the totals."""
        from rich.table import Table

        c = self.config
        title = (
            f"{c.accounts:,} accounts, {c.months} months to {c.end}, seed {c.seed}: "
            f"{self.bytes / 1e6:,.1f} MB in {self.seconds:,.1f} s → {self.out} "
            f"(hidden truths → {self.truth})"
        )
        table = Table("table", "rows", "MB", title=title)
        for name, w in self.files.items():
            shown = f"{name} (truth)" if w.path.parent == self.truth else name
            table.add_row(shown, f"{w.rows:,}", f"{w.bytes / 1e6:,.1f}")
        return table

    def to_json(self) -> dict[str, object]:
        c = self.config
        return {
            "accounts": c.accounts,
            "months": c.months,
            "end": c.end,
            "seed": c.seed,
            "out": str(self.out),
            "truth": str(self.truth),
            "seconds": round(self.seconds, 3),
            "files": [
                {
                    "name": name,
                    "path": str(w.path),
                    "rows": w.rows,
                    "bytes": w.bytes,
                    "truth": w.path.parent == self.truth,
                }
                for name, w in self.files.items()
            ],
        }
