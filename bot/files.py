"""YAML content files read with their line numbers, so every error names file, line and field.

Lessons, the referral directory and the phrase lists are all read through `YamlReader`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
# libyaml's safe loader where it is installed (several times faster), the pure one otherwise.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class ContentError:
    """One problem in one file, located well enough for a moderator to fix it."""

    path: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class ContentInvalid(Exception):
    """Raised with every error found, so a moderator fixes them all in one pass."""

    def __init__(self, errors: Sequence[ContentError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = tuple(errors)


def _format_loc(loc: Sequence[str | int]) -> str:
    """('quiz', 'options', 1, 'feedback') → 'quiz.options[1].feedback'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def _entry(node: yaml.MappingNode, key: str | int) -> tuple[yaml.Node | None, yaml.Node | None]:
    """The key node and value node of `key` in a mapping, or (None, None)."""
    return next(((k, v) for k, v in node.value if k.value == key), (None, None))


def line_of(node: yaml.Node | None, loc: Sequence[str | int]) -> int:
    """The 1-based line of the deepest YAML node on the path (the parent when a key is missing)."""
    line = (node.start_mark.line + 1) if node is not None else 1
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            key_node, child = _entry(node, part)
            if key_node is None or child is None:
                return line
            line = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            child = node.value[part]
            line = child.start_mark.line + 1
        else:
            return line
        node = child
    return line


def item_lines(node: yaml.Node | None, loc: Sequence[str | int]) -> list[int]:
    """The line of each item of the sequence at `loc` (one walk for a whole list)."""
    for part in loc:
        if not isinstance(node, yaml.MappingNode):
            return []
        node = _entry(node, part)[1]
    if not isinstance(node, yaml.SequenceNode):
        return []
    return [item.start_mark.line + 1 for item in node.value]


class YamlReader:
    """Parses files one by one, recording errors instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[ContentError] = []

    def error(self, path: Path, node: yaml.Node | None, loc: Sequence[str | int], msg: str) -> None:
        self.errors.append(ContentError(path, line_of(node, loc), _format_loc(loc), msg))

    def raise_if_any(self) -> None:
        """Stop here with every error found so far."""
        if self.errors:
            raise ContentInvalid(self.errors)

    def file_error(self, path: Path, field: str, msg: str) -> None:
        """A problem with a file as a whole (its name, or a file that is missing): line 1."""
        self.errors.append(ContentError(path, 1, field, msg))

    def parse(self, path: Path, model: type[M]) -> tuple[M, yaml.Node] | None:
        """Validate one YAML file against `model`; None (with errors recorded) if it is bad."""
        try:
            loader = _LOADER(path.read_text(encoding="utf-8"))
            try:  # parse once: the node tree gives line numbers, the data comes from it
                node = loader.get_single_node()
                data: Any = None if node is None else loader.construct_document(node)
            finally:
                loader.dispose()
        except UnicodeDecodeError as exc:
            self.file_error(path, "(file)", f"not UTF-8: {exc.reason}")
            return None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 1
            self.errors.append(ContentError(path, line, "(yaml)", str(exc.problem or exc)))
            return None
        if not isinstance(data, dict) or node is None:
            self.file_error(path, "(file)", "expected a mapping of fields")
            return None
        try:
            return model.model_validate(data), node
        except ValidationError as exc:
            for err in exc.errors():
                loc = [p for p in err["loc"] if isinstance(p, str | int)]
                self.error(path, node, loc, err["msg"])
            return None
