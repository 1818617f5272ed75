"""The domain core stays pure: no I/O, no wall clock, no imports from outer layers."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[3] / "src" / "escalon"
ALLOWED_THIRD_PARTY = {"pydantic", "pydantic_core", "holidays", "numpy", "annotated_types"}
FORBIDDEN_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "monotonic"),
    ("time", "sleep"),
}
FORBIDDEN_MODULES = {
    "os",
    "socket",
    "subprocess",
    "requests",
    "httpx",
    "sqlalchemy",
    "asyncio",
    "shutil",
    "tempfile",
    "urllib",
    "random",
}


def _domain_files() -> list[Path]:
    return sorted((SRC / "domain").rglob("*.py"))


def _imports(tree: ast.AST) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


@pytest.mark.parametrize("path", _domain_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_domain_imports_only_the_standard_library_and_its_own_core(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for module, line in _imports(tree):
        top = module.split(".")[0]
        where = f"{path.relative_to(SRC)}:{line}"
        if top == "escalon":
            assert module.startswith("escalon.domain"), f"{where} imports outer layer {module}"
            continue
        assert top not in FORBIDDEN_MODULES, f"{where} imports {module}: the domain does no I/O"
        assert top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY, (
            f"{where} imports third-party {module}"
        )


@pytest.mark.parametrize("path", _domain_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_domain_never_reads_the_wall_clock_or_opens_files(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            where = f"{path.relative_to(SRC)}:{node.lineno}"
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                assert (func.value.id, func.attr) not in FORBIDDEN_CALLS, (
                    f"{where} calls {func.value.id}.{func.attr}(): time is an input"
                )
            if isinstance(func, ast.Name):
                assert func.id != "open", f"{where} opens a file: the domain does no I/O"


def test_outer_layers_are_not_imported_by_services_from_entrypoints() -> None:
    for path in sorted((SRC / "services").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for module, line in _imports(tree):
            assert not module.startswith("escalon.entrypoints"), (
                f"{path.relative_to(SRC)}:{line} imports {module}: services sit below entrypoints"
            )
