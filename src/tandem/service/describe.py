"""The catalog as users see it: one ``MetricInfo`` per metric."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tandem.engine.fingerprint import metric_fingerprint
from tandem.engine.memo import Memo
from tandem.semantic.types import Custom
from tandem.service.info import MetricInfo

if TYPE_CHECKING:
    from tandem.semantic.catalog import Catalog
    from tandem.semantic.types import Metric
    from tandem.settings import MetricSettings


def describe(
    memo: Memo, catalog: Catalog, m: Metric, knobs: MetricSettings, dialect: str
) -> MetricInfo:
    formula = f"code: {m.kind.why}" if isinstance(m.kind, Custom) else m.kind.formula
    return MetricInfo(
        slug=m.slug,
        name=m.name,
        unit=m.unit.value,
        direction=m.direction.value,
        teams=tuple(t.value for t in m.teams),
        definition=m.description,
        formula=formula,
        components=(*catalog.needed_measures(m), *(name for name, _ in m.extras)),
        uses=catalog.uses(m),
        knobs={k: getattr(knobs, k) for k in catalog.knobs_of(m)},
        company_wide=m.company_wide,
        seeds=m.seeds,
        fingerprint=metric_fingerprint(memo, catalog, m, knobs, dialect),
        dimensions=own_dimensions(catalog, m),
    )


def own_dimensions(catalog: Catalog, m: Metric) -> tuple[str, ...]:
    """The dimensions of the metric's own rows, as ``ticket.channel (channel)``: every
    source the metric reads declares them."""
    from tandem.engine.aggregate import by_source

    declared = [catalog.sources[s].dimensions for s in by_source(catalog, [m])]
    if not declared:
        return ()
    common = [d for d in declared[0] if all(d in ds for ds in declared[1:])]
    return tuple(f"{d.name} ({', '.join(d.aliases)})" if d.aliases else d.name for d in common)
