"""The catalog: every source, measure and metric gathered into one validated value.

The domain modules declare plain values (``SOURCES``, ``MEASURES``, ``METRICS``);
``Catalog`` gathers them, checks that every name a declaration uses exists,
that derived metrics form no cycle and that units agree, and answers the
questions the engine asks: which measures a metric needs, which knobs it
reads, and the Ibis expression of its value. The engine receives a catalog
explicitly; ``default_catalog()`` builds the shipped one once.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, TypeVar

from tandem.errors import TandemError, UsageError, did_you_mean
from tandem.semantic import formula
from tandem.semantic.types import (
    Agg,
    Custom,
    Derived,
    Kind,
    Measure,
    Metric,
    Percent,
    Ratio,
    Simple,
    Source,
    Unit,
)

if TYPE_CHECKING:
    import ibis
    import ibis.expr.types as ir

    from tandem.settings import MetricSettings


class CatalogError(TandemError):
    """Declarations that do not hold together; the message names each metric at fault."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid metric catalog:\n" + "\n".join(f"- {p}" for p in problems))


class Catalog:
    """Sources, measures and metrics by name, validated when built."""

    def __init__(
        self,
        sources: Iterable[Source],
        measures: Iterable[Measure],
        metrics: Iterable[Metric],
    ) -> None:
        from tandem.settings import MetricSettings

        problems: list[str] = []
        #: Unique to this catalog: what computed results and compiled SQL are keyed by.
        self.token = uuid.uuid4().hex
        self.sources: Mapping[str, Source] = _unique(sources, "source", problems)
        self.measures: Mapping[str, Measure] = _unique(measures, "measure", problems)
        self.metrics: Mapping[str, Metric] = _unique(metrics, "metric", problems)
        self.knob_names = frozenset(MetricSettings.model_fields)
        self._trees: dict[tuple[str, str], formula.Node] = {}
        for m in self.metrics.values():
            for label, kind in (("value", m.kind), *m.extras):
                if isinstance(kind, Custom):
                    continue
                try:
                    self._trees[(m.slug, label)] = formula.parse(kind.formula)
                except formula.FormulaError as exc:
                    problems.append(f"{m.slug}: {exc}")
        problems += self._check()
        if problems:
            raise CatalogError(problems)

    # -- lookups ---------------------------------------------------------------------

    def get(self, slug: str) -> Metric:
        try:
            return self.metrics[slug]
        except KeyError:
            raise UsageError(
                f"unknown metric {slug!r}{did_you_mean(slug, list(self.metrics))}; "
                "'tandem metrics' lists them"
            ) from None

    def __iter__(self) -> Iterator[Metric]:
        return iter(self.metrics.values())

    def __len__(self) -> int:
        return len(self.metrics)

    def __contains__(self, slug: object) -> bool:
        return slug in self.metrics

    def uses(self, m: Metric) -> tuple[str, ...]:
        """The metrics ``m``'s formula reads, in order."""
        if not isinstance(m.kind, Derived):
            return ()
        tree = self._trees[(m.slug, "value")]
        return tuple(dict.fromkeys(n for n in formula.names(tree) if n in self.metrics))

    def needed_measures(self, m: Metric) -> list[str]:
        """The metric's components, the other measures its formulas read, then (in order)
        those of the metrics it derives from."""
        out = list(dict.fromkeys(m.measures))
        for label, kind in (("value", m.kind), *m.extras):
            if isinstance(kind, Custom):
                continue
            for name in formula.names(self._trees[(m.slug, label)]):
                if self._resolves_to_measure(m, label, name) and name not in out:
                    out.append(name)
        for slug in self.uses(m):
            out += [n for n in self.needed_measures(self.metrics[slug]) if n not in out]
        return out

    def knobs_of(self, m: Metric) -> list[str]:
        """The knobs the metric is computed with: its own, its formulas', its inputs'."""
        out = list(m.knobs)
        for label, kind in (("value", m.kind), *m.extras):
            if isinstance(kind, Custom):
                continue
            out += [
                n
                for n in formula.names(self._trees[(m.slug, label)])
                if n in self.knob_names and n not in out
            ]
        for slug in self.uses(m):
            out += [k for k in self.knobs_of(self.metrics[slug]) if k not in out]
        return out

    def closure(self, m: Metric) -> list[str]:
        """``m`` and every metric it derives from, directly or not."""
        out = [m.slug]
        for slug in self.uses(m):
            out += [s for s in self.closure(self.metrics[slug]) if s not in out]
        return out

    def is_rate(self, m: Metric) -> bool:
        """Whether the value divides (a rate, a ratio, a mean): over no data at all it has
        no value, where a count or a sum is 0 (SPEC.md)."""
        if isinstance(m.kind, (Percent, Ratio, Custom)):
            return True
        if isinstance(m.kind, Simple):
            measure = self.measures.get(m.kind.measure)
            return measure is not None and not measure.agg.empty_is_zero
        tree = self._trees[(m.slug, "value")]
        return _divides(tree) or any(self.is_rate(self.metrics[u]) for u in self.uses(m))

    def users_of(self, measures: Iterable[str]) -> list[str]:
        """The metrics that need any of ``measures``."""
        wanted = set(measures)
        return [m.slug for m in self if wanted & set(self.needed_measures(m))]

    # -- values ----------------------------------------------------------------------

    def value(self, m: Metric, t: ibis.Table, knobs: MetricSettings) -> ir.Value:
        """The metric's value over a table holding one column per needed measure."""
        return self._compile(m, "value", m.kind, t, knobs)

    def extras(self, m: Metric, t: ibis.Table, knobs: MetricSettings) -> list[tuple[str, ir.Value]]:
        return [(name, self._compile(m, name, kind, t, knobs)) for name, kind in m.extras]

    def _compile(
        self, m: Metric, label: str, kind: Kind, t: ibis.Table, knobs: MetricSettings
    ) -> ir.Value:
        import ibis

        if isinstance(kind, Custom):
            return kind.code({name: t[name] for name in self.needed_measures(m)}, knobs)

        def resolve(name: str) -> ir.Value:
            if isinstance(kind, Derived) and name in self.metrics:
                return self.value(self.metrics[name], t, knobs)
            if name in self.measures:
                return t[name]
            return ibis.literal(getattr(knobs, name))

        return formula.compile_ibis(self._trees[(m.slug, label)], resolve)

    def _resolves_to_measure(self, m: Metric, label: str, name: str) -> bool:
        kind = m.kind if label == "value" else dict(m.extras)[label]
        if isinstance(kind, Derived) and name in self.metrics:
            return False
        return name in self.measures

    # -- validation ------------------------------------------------------------------

    def _check(self) -> list[str]:
        problems: list[str] = []
        for measure in self.measures.values():
            if measure.source not in self.sources:
                problems.append(
                    f"measure {measure.name}: unknown source {measure.source!r}"
                    f"{did_you_mean(measure.source, list(self.sources))}"
                )
            if measure.name in self.knob_names:
                problems.append(f"measure {measure.name}: the name of a knob")
        for m in self.metrics.values():
            problems += [f"{m.slug}: {p}" for p in self._check_metric(m)]
        problems += self._cycles()
        return problems

    def _check_metric(self, m: Metric) -> list[str]:
        out = [
            f"unknown measure {n!r}{did_you_mean(n, list(self.measures))}"
            for n in m.measures
            if n not in self.measures
        ]
        out += [f"unknown knob {k!r}" for k in m.knobs if k not in self.knob_names]
        if m.sample is not None and m.sample not in m.measures:
            out.append(f"sample {m.sample!r} is not one of its measures")
        for label, kind in (("value", m.kind), *m.extras):
            if isinstance(kind, Custom):
                if not kind.why.strip():
                    out.append(f"{label}: a custom formula must say why it needs code")
                continue
            tree = self._trees.get((m.slug, label))
            if tree is None:
                continue  # already reported as a parse problem
            allowed = {*self.measures, *self.knob_names}
            if isinstance(kind, Derived):
                allowed |= set(self.metrics)
            for name in formula.names(tree):
                if name not in allowed:
                    out.append(
                        f"{label}: unknown name {name!r}{did_you_mean(name, sorted(allowed))}"
                    )
        out += self._check_units(m)
        return out

    def _check_units(self, m: Metric) -> list[str]:
        if isinstance(m.kind, Percent) and m.unit not in (Unit.PERCENT, Unit.SCORE):
            return [f"a percent is declared in {m.unit.value}, not percent or score"]
        if isinstance(m.kind, Simple) and m.kind.measure in self.measures:
            agg = self.measures[m.kind.measure].agg
            if agg is Agg.COUNT and m.unit is not Unit.COUNT:
                return [f"passes a count through but is declared in {m.unit.value}"]
        tree = self._trees.get((m.slug, "value"))
        if tree is None or not isinstance(m.kind, Derived):
            return []
        try:
            unit = self._unit(tree)
        except _UnitClash as clash:
            return [str(clash)]
        if unit is not None and unit is not m.unit:
            return [f"its formula gives {unit.value} but it is declared in {m.unit.value}"]
        return []

    def _unit(self, node: formula.Node) -> Unit | None:
        """The unit a derived formula gives, where it can be told (None: not known)."""
        match node:
            case formula.Ref(name) if name in self.metrics:
                return self.metrics[name].unit
            case formula.Neg(operand):
                return self._unit(operand)
            case formula.Bin("+" | "-", left, right):
                a, b = self._unit(left), self._unit(right)
                if a is not None and b is not None and a is not b:
                    raise _UnitClash(f"adds or subtracts {a.value} and {b.value}")
                return a or b
            case formula.Call("percent", _):
                return Unit.PERCENT
        return None

    def _cycles(self) -> list[str]:
        problems: list[str] = []
        done: set[str] = set()

        def visit(slug: str, path: list[str]) -> None:
            if slug in path:
                cycle = [*path[path.index(slug) :], slug]
                problems.append(f"{slug}: derived metrics form a cycle: {' → '.join(cycle)}")
                return
            if slug in done or slug not in self.metrics:
                return
            m = self.metrics[slug]
            tree = self._trees.get((slug, "value"))
            if isinstance(m.kind, Derived) and tree is not None:
                for name in dict.fromkeys(formula.names(tree)):
                    if name in self.metrics:
                        visit(name, [*path, slug])
            done.add(slug)

        for slug in self.metrics:
            visit(slug, [])
        return problems


def _divides(node: formula.Node) -> bool:
    match node:
        case formula.Call():
            return True
        case formula.Bin("/", _, _):
            return True
        case formula.Bin(_, left, right):
            return _divides(left) or _divides(right)
        case formula.Neg(operand):
            return _divides(operand)
    return False


class _UnitClash(ValueError):
    pass


_T = TypeVar("_T", Source, Measure, Metric)


def _unique(items: Iterable[_T], what: str, problems: list[str]) -> dict[str, _T]:
    out: dict[str, _T] = {}
    for item in items:
        name = item.slug if isinstance(item, Metric) else item.name
        if name in out:
            problems.append(f"{what} {name} declared twice")
        out[name] = item
    return out


@functools.cache
def default_catalog() -> Catalog:
    """The shipped catalog, from the domain modules' declarations (built once)."""
    from tandem.semantic import (
        economics,
        onboarding,
        pipeline,
        revenue,
        support,
        surveys,
        usage,
    )

    domains = (revenue, surveys, support, onboarding, usage, pipeline, economics)
    return Catalog(
        [s for d in domains for s in d.SOURCES],
        [m for d in domains for m in d.MEASURES],
        [m for d in domains for m in d.METRICS],
    )
