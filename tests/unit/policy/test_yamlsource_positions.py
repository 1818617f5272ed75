"""Property: whatever the document's shape, every key is found on the line where it is written."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from escalon.adapters.yamlsource import parse_yaml

keys = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
scalars = st.one_of(st.integers(-1000, 1000), st.booleans(), keys)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=4),
        st.dictionaries(keys, inner, min_size=1, max_size=4),
    ),
    max_leaves=20,
).filter(lambda value: isinstance(value, dict))


def _leaves(value: Any, loc: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], Any]]:
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _leaves(item, (*loc, key))]
    if isinstance(value, list):
        return [leaf for index, item in enumerate(value) for leaf in _leaves(item, (*loc, index))]
    return [(loc, value)]


@settings(max_examples=60, deadline=None)
@given(documents, st.booleans())
def test_every_leaf_resolves_to_its_own_line(document: dict[str, Any], flow: bool) -> None:
    text = yaml.safe_dump(document, default_flow_style=flow, sort_keys=False, width=1000)
    data, source = parse_yaml(text, "d.yaml")
    assert data == document
    lines = text.splitlines()
    for loc, value in _leaves(document):
        issue = source.issue(loc, "x")
        written = lines[issue.line - 1][issue.column - 1 :]
        assert written.startswith(yaml.safe_dump(value, default_flow_style=True).split("\n")[0])
        if loc and isinstance(loc[-1], str):
            key = source.issue(loc, "x", at="key")
            assert lines[key.line - 1][key.column - 1 :].startswith(loc[-1])
