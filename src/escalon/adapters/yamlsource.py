"""Load a YAML file into any pydantic model, reporting every problem as FILE:LINE:COLUMN.

PyYAML's composed node tree knows where each key and value was written, so a pydantic error
location such as `('tiers', 'L2', 'acknowledgement')` can be turned back into the exact place in
the file. Policies and importer mapping files share this loader; it knows nothing about either.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)
Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class SourceIssue:
    """One problem in a source file, printed as `FILE:LINE:COLUMN: field.path: message`."""

    file: str
    line: int
    column: int
    field_path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.field_path}: {self.message}"


class SourceError(Exception):
    """Raised once per file with every issue found, so the author fixes them in one pass."""

    def __init__(self, issues: Sequence[SourceIssue]) -> None:
        self.issues: tuple[SourceIssue, ...] = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


@dataclass(frozen=True, slots=True)
class _Place:
    line: int
    column: int


@dataclass(slots=True)
class _Entry:
    value: _Place
    key: _Place | None = None
    children: dict[str | int, _Entry] = field(default_factory=dict)


def _place(mark: yaml.Mark) -> _Place:
    return _Place(mark.line + 1, mark.column + 1)


def format_loc(loc: Iterable[str | int]) -> str:
    """`('paths', 0, 'criteria')` -> `paths[0].criteria`; the root is `<root>`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "<root>"


class SourceMap:
    """Where every key and value of one YAML document was written."""

    def __init__(self, file: str, root: _Entry) -> None:
        self.file = file
        self._root = root

    def resolve(self, loc: Iterable[str | int]) -> tuple[Loc, _Entry, _Entry | None]:
        """Follow `loc` as far as the file goes; skip parts the file does not have (union tags)."""
        walked: list[str | int] = []
        entry, parent = self._root, None
        for part in loc:
            child = entry.children.get(part)
            if child is None and isinstance(part, int | str):
                child = entry.children.get(str(part))
            if child is None:
                continue
            walked.append(part)
            parent, entry = entry, child
        return tuple(walked), entry, parent

    def issue(
        self,
        loc: Iterable[str | int],
        message: str,
        *,
        at: Literal["value", "key"] = "value",
        path: str | None = None,
    ) -> SourceIssue:
        """An issue at the key or value `loc` names (or its nearest ancestor in the file)."""
        loc = tuple(loc)
        _, entry, _ = self.resolve(loc)
        place = entry.key if at == "key" and entry.key is not None else entry.value
        return SourceIssue(self.file, place.line, place.column, path or format_loc(loc), message)

    def missing(self, loc: Iterable[str | int], message: str) -> SourceIssue:
        """An issue for something absent: reported on the line of the mapping that lacks it."""
        loc = tuple(loc)
        _, entry, _ = self.resolve(loc[:-1])
        place = entry.key or entry.value
        return SourceIssue(self.file, place.line, place.column, format_loc(loc), message)


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _walk(
    node: yaml.Node,
    entry: _Entry,
    loc: Loc,
    issues: list[SourceIssue],
    file: str,
    active: frozenset[int] = frozenset(),
) -> None:
    """Record where each key and value sits; report duplicate keys, which PyYAML would let
    silently override each other. `active` guards against recursive aliases."""
    if id(node) in active:
        return
    active = active | {id(node)}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                continue  # `<<: *base` - merged keys keep the position of their mapping
            key: str | int = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            place = _place(key_node.start_mark)
            if key in entry.children:
                path = format_loc((*loc, key))
                issues.append(SourceIssue(file, place.line, place.column, path, "duplicate key"))
            child = _Entry(value=_place(value_node.start_mark), key=place)
            entry.children[key] = child
            _walk(value_node, child, (*loc, key), issues, file, active)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = _Entry(value=_place(item.start_mark))
            entry.children[index] = child
            _walk(item, child, (*loc, index), issues, file, active)


def parse_yaml(text: str, file: str) -> tuple[Any, SourceMap]:
    """Parse YAML text into plain data plus its source map; raise SourceError on any problem."""
    loader = yaml.SafeLoader(text)
    issues: list[SourceIssue] = []
    try:
        node = loader.get_single_node()
        if node is None:
            raise SourceError([SourceIssue(file, 1, 1, "<root>", "the file is empty")])
        # Walk before constructing: construction flattens merge keys in place.
        root = _Entry(value=_place(node.start_mark))
        _walk(node, root, (), issues, file)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(part for part in (error.context, error.problem) if part)
        raise SourceError(
            [SourceIssue(file, line, column, "<yaml>", f"YAML syntax error: {problem}")]
        ) from None
    except yaml.YAMLError as error:
        raise SourceError([SourceIssue(file, 1, 1, "<yaml>", f"YAML error: {error}")]) from None
    finally:
        loader.dispose()
    if issues:
        raise SourceError(issues)
    return data, SourceMap(file, root)


def _kind_of(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if value is None:
        return "nothing (null)"
    return f"the text {str(value)!r}"


def _message(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return f"unknown key {error['loc'][-1]!r}"
    if kind in ("model_type", "dict_type"):
        return f"expected a mapping of keys to values, found {_kind_of(error.get('input'))}"
    if kind == "list_type":
        return f"expected a list, found {_kind_of(error.get('input'))}"
    text = str(error["msg"])
    return text.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def validation_issues(error: ValidationError, source: SourceMap) -> list[SourceIssue]:
    """Each pydantic error placed at the key or value it is about."""
    issues: list[SourceIssue] = []
    for item in error.errors(include_url=False):
        loc = tuple(part for part in item["loc"] if part != "[key]")
        shown, _, _ = source.resolve(loc)
        if item["type"] == "missing":
            issues.append(source.missing(shown + (loc[-1],), _message(item)))
            continue
        at: Literal["key", "value"] = (
            "key" if item["type"] == "extra_forbidden" or "[key]" in item["loc"] else "value"
        )
        issues.append(source.issue(loc, _message(item), at=at, path=format_loc(shown)))
    return issues


def validate_text(
    text: str,
    model_cls: type[ModelT],
    *,
    file: str = "<text>",
    context: Mapping[str, Any] | None = None,
) -> tuple[ModelT, SourceMap]:
    """Validate YAML text into `model_cls`; return the model and where everything was written."""
    data, source = parse_yaml(text, file)
    try:
        model = model_cls.model_validate(data, context=dict(context) if context else None)
    except ValidationError as error:
        raise SourceError(validation_issues(error, source)) from None
    return model, source


def read_text(path: Path | str) -> str:
    """The file's text, or a SourceError naming why it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise SourceError(
            [SourceIssue(str(path), 1, 1, "<file>", f"cannot read: {reason}")]
        ) from None


def load_with_source(
    path: Path | str, model_cls: type[ModelT], *, context: Mapping[str, Any] | None = None
) -> tuple[ModelT, SourceMap]:
    """Load and validate a YAML file, keeping its source map for later (semantic) checks."""
    return validate_text(read_text(path), model_cls, file=str(path), context=context)


def load_model(
    path: Path | str, model_cls: type[ModelT], *, context: Mapping[str, Any] | None = None
) -> ModelT:
    """Load and validate a YAML file into `model_cls`; raise SourceError listing every issue."""
    return load_with_source(path, model_cls, context=context)[0]
