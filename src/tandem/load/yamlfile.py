"""YAML read with the line of every key and value, for messages a user can act on.

``read`` parses a file with PyYAML's composer (safe: no tags, no objects) into
``Node`` values that remember their line, so a mapping file's mistakes are
reported as ``stripe.yaml line 12, key 'parse': 'epoch' is not a parse type``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tandem.errors import UsageError


@dataclass(frozen=True)
class Node:
    """A YAML value (str, int, float, bool, None, list of Node, dict of str to Node)."""

    value: Any
    line: int
    key_line: int

    def items(self) -> Iterator[tuple[str, Node]]:
        assert isinstance(self.value, dict)
        return iter(self.value.items())

    @property
    def is_map(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)

    def plain(self) -> Any:
        """The value with every Node unwrapped."""
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value


class Located:
    """Raises UsageError naming the file, the line and the key."""

    def __init__(self, shown: str) -> None:
        self.shown = shown

    def error(self, node: Node | None, key: str | None, message: str) -> UsageError:
        where = self.shown
        if node is not None:
            where += f" line {node.key_line if key else node.line}"
        if key:
            where += f", key {key!r}"
        return UsageError(f"{where}: {message}")


def read(path: Path, shown: str) -> Node | None:
    """The document of ``path`` as Nodes; None when it is empty."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"{shown}: no such mapping file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{shown}: cannot read the mapping: {exc}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise UsageError(f"{shown}: cannot read the mapping: {exc}") from None
    if root is None:
        return None
    return _convert(root, root.start_mark.line + 1, shown)


def _convert(node: Any, key_line: int, shown: str) -> Node:
    import yaml

    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Node] = {}
        merged: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise UsageError(f"{shown} line {key_node.start_mark.line + 1}: a key must be text")
            key = str(key_node.value)
            if key == "<<" and key_node.tag == "tag:yaml.org,2002:merge":
                # ``<<: *defaults`` (or a list of them): their keys, unless given here
                sources = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                for source in sources:
                    merged.update(_convert(source, key_node.start_mark.line + 1, shown).value)
                continue
            if key in out:
                raise UsageError(
                    f"{shown} line {key_node.start_mark.line + 1}, key {key!r}: given twice"
                )
            out[key] = _convert(value_node, key_node.start_mark.line + 1, shown)
        return Node({**merged, **out}, line, key_line)
    if isinstance(node, yaml.SequenceNode):
        return Node([_convert(v, v.start_mark.line + 1, shown) for v in node.value], line, key_line)
    return Node(_scalar(node), line, key_line)


def _scalar(node: Any) -> Any:
    """A scalar as YAML's safe loader would construct it (dates stay text)."""
    import yaml

    if node.tag.endswith(":timestamp"):
        return str(node.value)
    return yaml.SafeLoader("").construct_object(node)
