"""The formula language of metric declarations, and its compilation to Ibis.

A formula is text: names (measures, metrics, knobs), numbers, ``+ - * /``,
unary minus, parentheses, and the calls ``ratio(a, b)`` and ``percent(a, b)``::

    percent(promoters - detractors, nps_responses)
    12 * mrr
    ratio(arpc * gross_margin, mean_monthly_churn)

``a / b`` and ``ratio(a, b)`` have no value (NULL) when ``b`` is 0 or missing;
``percent(a, b)`` is ``100 * ratio(a, b)``. Formulas are parsed with Python's own
parser into a small tree of frozen nodes (anything else is refused), so they
are data: the catalog can list what a formula reads and check every name.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis.expr.types as ir


class FormulaError(ValueError):
    """A formula that is not in the language."""


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class Bin:
    op: str  # one of + - * /
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    fn: str  # ratio or percent
    args: tuple[Node, Node]


Node = Num | Ref | Neg | Bin | Call

_OPS: dict[type[ast.operator], str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
FUNCTIONS = ("ratio", "percent")


def parse(text: str) -> Node:
    """The tree of ``text``; FormulaError names what is not allowed."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"{text!r} is not a formula: {exc.msg}") from None
    return _node(tree.body, text)


def _node(n: ast.expr, text: str) -> Node:
    match n:
        case ast.Constant(value=bool()):
            pass
        case ast.Constant(value=int() | float() as v):
            return Num(float(v))
        case ast.Name(id=name):
            return Ref(name)
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            return Neg(_node(operand, text))
        case ast.BinOp(left=left, op=op, right=right) if type(op) in _OPS:
            return Bin(_OPS[type(op)], _node(left, text), _node(right, text))
        case ast.Call(func=ast.Name(id=fn), args=[a, b], keywords=[]) if fn in FUNCTIONS:
            return Call(fn, (_node(a, text), _node(b, text)))
    raise FormulaError(
        f"{text!r}: {ast.unparse(n)!r} is not allowed (names, numbers, + - * /, "
        f"{' and '.join(f'{f}(a, b)' for f in FUNCTIONS)})"
    )


def names(node: Node) -> Iterator[str]:
    """Every name the formula reads, in order of appearance (repeats included)."""
    match node:
        case Ref(name):
            yield name
        case Neg(operand):
            yield from names(operand)
        case Bin(_, left, right):
            yield from names(left)
            yield from names(right)
        case Call(_, (a, b)):
            yield from names(a)
            yield from names(b)


def compile_ibis(node: Node, resolve: Callable[[str], ir.Value]) -> ir.Value:
    """The formula as an Ibis value; ``resolve`` gives the value of each name."""
    import ibis

    match node:
        case Num(value):
            return ibis.literal(value, "float64")
        case Ref(name):
            return resolve(name)
        case Neg(operand):
            return -compile_ibis(operand, resolve)
        case Bin(op, left, right):
            a, b = compile_ibis(left, resolve), compile_ibis(right, resolve)
            match op:
                case "+":
                    return a + b
                case "-":
                    return a - b
                case "*":
                    return a * b
                case _:
                    return ratio(a, b)
        case Call(fn, (x, y)):
            a, b = compile_ibis(x, resolve), compile_ibis(y, resolve)
            return percent(a, b) if fn == "percent" else ratio(a, b)
    raise AssertionError(node)  # pragma: no cover


def ratio(numerator: ir.Value, denominator: ir.Value) -> ir.Value:
    """``numerator / denominator``; no value (NULL) when the denominator is 0 or missing."""
    return numerator.cast("float64") / denominator.cast("float64").nullif(0)


def percent(numerator: ir.Value, denominator: ir.Value) -> ir.Value:
    """``100 × numerator / denominator``; no value when the denominator is 0 or missing."""
    return 100 * ratio(numerator, denominator)
