"""The generic YAML loader: every problem lands on the line and column where it was written."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from escalon.adapters.yamlsource import SourceError, format_loc, load_model, validate_text


class Column(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    width: int = Field(ge=1)


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    columns: list[Column]
    aliases: dict[str, str] = Field(default_factory=dict)

    @field_validator("source")
    @classmethod
    def _known(cls, value: str, info: ValidationInfo) -> str:
        allowed = (info.context or {}).get("sources")
        if allowed is not None and value not in allowed:
            raise ValueError(f"unknown source {value!r}")
        return value


def _issues(text: str, **kwargs: object) -> list[str]:
    with pytest.raises(SourceError) as caught:
        validate_text(text, Mapping, file="m.yaml", **kwargs)  # type: ignore[arg-type]
    return [str(issue) for issue in caught.value.issues]


def test_valid_text_loads_with_a_source_map() -> None:
    model, source = validate_text("source: sn\ncolumns:\n  - {name: a, width: 3}\n", Mapping)
    assert model.columns[0].width == 3
    assert source.issue(("columns", 0, "width"), "x").line == 3


def test_wrong_type_points_at_the_value() -> None:
    text = "source: sn\ncolumns:\n  - name: a\n    width: wide\n"
    assert _issues(text) == [
        "m.yaml:4:12: columns[0].width: Input should be a valid integer, unable to parse string "
        "as an integer"
    ]


def test_unknown_key_points_at_the_key() -> None:
    text = "source: sn\ncolumns: []\nextra_thing: 1\n"
    assert _issues(text) == ["m.yaml:3:1: extra_thing: unknown key 'extra_thing'"]


def test_missing_field_points_at_the_parent_mapping() -> None:
    text = "source: sn\ncolumns:\n  - name: a\n  - width: 2\n"
    assert _issues(text) == [
        "m.yaml:3:5: columns[0].width: required field is missing",
        "m.yaml:4:5: columns[1].name: required field is missing",
    ]


def test_missing_top_level_field_points_at_the_start() -> None:
    assert _issues("columns: []\n") == ["m.yaml:1:1: source: required field is missing"]


def test_every_error_is_reported_at_once() -> None:
    text = "source: 3\ncolumns:\n  - {name: a, width: 0}\naliases: {x: [1]}\n"
    assert _issues(text) == [
        "m.yaml:1:9: source: Input should be a valid string",
        "m.yaml:3:22: columns[0].width: Input should be greater than or equal to 1",
        "m.yaml:4:14: aliases.x: Input should be a valid string",
    ]


def test_validator_context_is_passed_through() -> None:
    text = "source: zendesk\ncolumns: []\n"
    assert _issues(text, context={"sources": ["servicenow"]}) == [
        "m.yaml:1:9: source: unknown source 'zendesk'"
    ]


def test_syntax_error_names_the_place() -> None:
    (line,) = _issues("source: sn\ncolumns: [\n  {name: a\n")
    assert line.startswith("m.yaml:")
    assert "<yaml>: YAML syntax error:" in line


def test_tab_indentation_is_a_syntax_error_with_its_line() -> None:
    (line,) = _issues("source: sn\ncolumns:\n\t- name: a\n")
    assert line.startswith("m.yaml:3:")


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n"])
def test_empty_file(text: str) -> None:
    assert _issues(text) == ["m.yaml:1:1: <root>: the file is empty"]


def test_a_list_instead_of_a_mapping() -> None:
    assert _issues("- 1\n- 2\n") == [
        "m.yaml:1:1: <root>: expected a mapping of keys to values, found a list"
    ]


def test_duplicate_keys_are_errors_not_silent_overrides() -> None:
    assert _issues("source: a\ncolumns: []\nsource: b\n") == ["m.yaml:3:1: source: duplicate key"]


def test_unreadable_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(SourceError) as caught:
        load_model(missing, Mapping)
    (issue,) = caught.value.issues
    assert (issue.file, issue.line, issue.field_path) == (str(missing), 1, "<file>")
    assert "No such file" in issue.message


def test_load_model_reads_a_file(tmp_path: Path) -> None:
    target = tmp_path / "m.yaml"
    target.write_text("source: sn\ncolumns: [{name: a, width: 1}]\n")
    assert load_model(target, Mapping).source == "sn"


def test_format_loc() -> None:
    assert format_loc(("paths", 0, "criteria", 2, "threshold")) == "paths[0].criteria[2].threshold"
    assert format_loc(()) == "<root>"


def test_merge_keys_are_not_duplicates() -> None:
    text = "base: &base {name: a, width: 2}\nsource: sn\ncolumns:\n  - {<<: *base, width: 3}\n"
    with pytest.raises(SourceError) as caught:
        validate_text(text, Mapping, file="m.yaml")
    assert [str(issue) for issue in caught.value.issues] == ["m.yaml:1:1: base: unknown key 'base'"]


def test_duplicate_key_names_its_full_path() -> None:
    text = "source: sn\ncolumns:\n  - {name: a, name: b, width: 1}\n"
    assert _issues(text) == ["m.yaml:3:15: columns[0].name: duplicate key"]


def test_recursive_alias_does_not_hang() -> None:
    issues = _issues("source: sn\ncolumns: &c [*c]\n")
    assert issues and all(issue.startswith("m.yaml:") for issue in issues)
