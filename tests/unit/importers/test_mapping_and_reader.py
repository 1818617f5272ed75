from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from escalon.adapters.importers.common import RowError, TimeReader
from escalon.adapters.importers.mapping import ImportMapping, load_mapping
from escalon.adapters.importers.reader import ExportFileError, csv_rows, json_records, open_text
from escalon.adapters.yamlsource import SourceError

MAPPINGS = Path(__file__).resolve().parents[3] / "mappings"


@pytest.mark.parametrize("name", sorted(p.name for p in MAPPINGS.glob("*.yaml")))
def test_shipped_mappings_are_valid(name: str) -> None:
    assert load_mapping(MAPPINGS / name).statuses


def test_mapping_errors_name_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "source: servicenow\n"
        "timezone: Mars/Olympus\n"
        "statuses:\n"
        "  New: brand-new\n"
        "tiers:\n"
        "  default: L9\n"
    )
    with pytest.raises(SourceError) as err:
        load_mapping(path)
    text = str(err.value)
    assert f"{path}:2:" in text and "timezone" in text
    assert f"{path}:4:" in text and "statuses.New" in text
    assert "tiers" in text and "L9" in text


def test_tiers_resolve_exact_names_then_patterns_then_default() -> None:
    mapping = ImportMapping.model_validate(
        {
            "source": "csv",
            "statuses": {"open": "open"},
            "columns": {"ticket": "id", "time": "at"},
            "tiers": {
                "default": "L1",
                "groups": {"Network": "L3"},
                "patterns": [{"match": "Net*", "tier": "L2"}],
            },
        }
    )
    tiers = mapping.tiers
    assert [tiers.tier_of(g) for g in ("Network", "Network Ops", "Desk", None)] == [
        "L3",
        "L2",
        "L1",
        "L1",
    ]
    assert mapping.status_of("OPEN") == "open"
    assert mapping.status_of("parked") is None


def test_a_csv_mapping_needs_columns() -> None:
    with pytest.raises(ValueError, match="columns"):
        ImportMapping.model_validate({"source": "csv", "statuses": {"a": "open"}})


def test_time_reader_places_naive_times_in_the_zone_and_keeps_offsets() -> None:
    mapping = ImportMapping.model_validate(
        {"source": "zendesk", "statuses": {"open": "open"}, "timezone": "America/New_York"}
    )
    iso = TimeReader("iso", mapping.zone)
    assert iso.parse("2024-03-10T01:30:00").utcoffset().total_seconds() == -5 * 3600  # type: ignore[union-attr]
    assert iso.parse("2024-03-10T03:30:00").utcoffset().total_seconds() == -4 * 3600  # type: ignore[union-attr]
    assert iso.parse("2024-03-10T03:30:00Z").utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    dmy = TimeReader("%d/%m/%Y %H:%M", mapping.zone)
    assert dmy.parse("9/3/2024 7:05").isoformat() == "2024-03-09T07:05:00-05:00"
    for bad in ("31/2/2016 10:00", "2016-02-01 10:00", "", "1/13/2016 10:00"):
        with pytest.raises(RowError, match="bad date"):
            dmy.parse(bad)
    other = TimeReader("%Y.%m.%d %H:%M:%S", mapping.zone)
    assert other.parse("2024.01.02 03:04:05").hour == 3


def _write_csv(path: Path) -> None:
    path.write_text("id,status\n1,open\n\n2,closed\n")


@pytest.mark.parametrize("kind", ["plain", "gz", "zip"])
def test_reader_streams_plain_gzip_and_zip(tmp_path: Path, kind: str) -> None:
    plain = tmp_path / "x.csv"
    _write_csv(plain)
    path = plain
    if kind == "gz":
        path = tmp_path / "x.csv.gz"
        path.write_bytes(gzip.compress(plain.read_bytes()))
    elif kind == "zip":
        path = tmp_path / "x.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.write(plain, "inner.csv")
    with open_text(path) as text:
        rows = list(csv_rows(text))
    assert [(r.number, r.values) for r in rows] == [
        (2, {"id": "1", "status": "open"}),
        (4, {"id": "2", "status": "closed"}),
    ]


def test_zip_with_several_files_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", "id\n1\n")
        archive.writestr("b.csv", "id\n2\n")
    with pytest.raises(ExportFileError, match="exactly one file"), open_text(path):
        pass


def test_json_records_read_json_lines_and_whole_documents(tmp_path: Path) -> None:
    lines = tmp_path / "pages.jsonl"
    lines.write_text('{"page": 1}\n\n{"page": 2}\n')
    with open_text(lines) as text:
        assert [(r.number, r.value["page"]) for r in json_records(text)] == [(1, 1), (3, 2)]
    whole = tmp_path / "page.json"
    whole.write_text('{\n  "tickets": [],\n  "end_of_stream": true\n}\n')
    with open_text(whole) as text:
        assert [r.value for r in json_records(text)] == [{"tickets": [], "end_of_stream": True}]
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "tickets": [,\n}\n')
    with pytest.raises(ExportFileError, match="line 2"), open_text(broken) as text:
        list(json_records(text))
