"""``tandem synth``: a realistic demo company, written as the canonical tables.

Accounts carry a hidden health that drives their usage, survey scores,
tickets, escalations, expansion and churn, so health scores and churn models
have real signal to find. The tables go to one folder, the hidden truths
(health, churn events, order processes, staff quality) to another that the
loader is never pointed at (``default_truth``). docs/demo-company.md lists
the ranges the company is calibrated to, with their sources. The generator
is vectorised over chunks of accounts (months are the only loop), seeded,
and byte-for-byte reproducible:
the team and the costs have their own random streams and each chunk its own
(``SeedSequence.spawn``), so no chunk depends on another. See the modules for
each mechanism: ``company`` and ``team`` (who), ``onboarding``, ``lifecycle``
(health and subscriptions), ``sales`` (deals, trials), ``activity`` (usage,
orders), ``support`` (tickets, surveys), ``costs``; ``writer`` writes.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from tandem.errors import UsageError
from tandem.synth.chunk import run_chunk
from tandem.synth.config import Calendar, SynthConfig, SynthFormat
from tandem.synth.costs import Monthly, costs
from tandem.synth.report import SynthReport
from tandem.synth.team import make_team
from tandem.synth.writer import Output

__all__ = ["SynthConfig", "SynthFormat", "SynthReport", "default_truth", "generate"]


def default_truth(out: Path) -> Path:
    """The truth folder beside ``out``: ``demo/data`` → ``demo/data-truth``."""
    out = Path(out)
    return out.parent / f"{out.name or out.resolve().name}-truth"


def generate(config: SynthConfig, out: Path, truth: Path | None = None) -> SynthReport:
    """Write the demo company described by ``config``: its tables into the folder ``out``,
    what they were generated from into ``truth`` (default: see ``default_truth``)."""
    started = time.perf_counter()
    cal = Calendar.for_config(config)
    chunks = range(0, config.accounts, config.chunk_size)
    team_seed, costs_seed, *chunk_seeds = np.random.SeedSequence(config.seed).spawn(2 + len(chunks))
    truth = Path(truth) if truth is not None else default_truth(out)
    if truth.resolve() == Path(out).resolve():
        raise UsageError("--truth must be another folder than --out: the loader reads --out")
    output = Output(Path(out), config.output_format, truth)
    try:
        members, hidden, staff = make_team(_rng(team_seed), config.accounts)
        output.write("team_members", members)
        output.write("member_quality", hidden)
        totals = Monthly.zero(cal.months)
        for first, seed in zip(chunks, chunk_seeds, strict=True):
            numbers = np.arange(first + 1, min(first + config.chunk_size, config.accounts) + 1)
            totals = totals + run_chunk(_rng(seed), numbers, config, cal, staff, output)
        output.write("costs", costs(_rng(costs_seed), cal, totals, config.accounts))
    finally:
        files = output.close()
    return SynthReport(config, Path(out), truth, files, time.perf_counter() - started)


def _rng(seed: np.random.SeedSequence) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed))
