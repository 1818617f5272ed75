"""Run the benchmark suite, print each figure against its baseline, write docs/benchmarks.md."""

from __future__ import annotations

import importlib
import pkgutil
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.harness import Figure

ROOT = Path(__file__).resolve().parent.parent


def _modules(selected: list[str]) -> list[str]:
    names = sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name.startswith("bench_")
    )
    return [n for n in names if not selected or n.removeprefix("bench_") in selected]


def _markdown(results: dict[str, list[Figure]], failures: dict[str, str]) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench`). Every figure is measured next to a baseline",
        "in the same run on the same machine, so the ratio column is the one to compare across",
        "machines.",
        "",
        f"Last run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()},"
        f" {platform.machine()}, {platform.system()}.",
        "",
    ]
    for module, figures in results.items():
        lines += [
            f"## {module.removeprefix('bench_')}",
            "",
            "| figure | value | baseline | baseline value | value vs baseline | target | met |",
            "| --- | ---: | --- | ---: | --- | --- | --- |",
        ]
        for f in figures:
            lines.append(
                f"| {f.name} | {f.value:,.1f} {f.unit} | {f.baseline_name} | "
                f"{f.baseline_value:,.1f} {f.unit} | {f.verdict} | {f.target} | "
                f"{'yes' if f.met else 'NO'} |"
            )
        lines.append("")
    for module, error in failures.items():
        lines += [f"## {module.removeprefix('bench_')}", "", f"Did not run: `{error}`.", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    selected = [a for a in argv if not a.startswith("--")]
    results: dict[str, list[Figure]] = {}
    failures: dict[str, str] = {}
    for name in _modules(selected):
        print(f"== {name}", flush=True)
        try:
            module = importlib.import_module(f"bench.{name}")
            figures: list[Figure] = module.run(quick)
        except Exception as error:  # one broken benchmark must not hide the others' figures
            print(f"  FAILED: {type(error).__name__}: {error}", flush=True)
            failures[name] = f"{type(error).__name__}: {error}"
            continue
        for f in figures:
            print(
                f"  {f.name}: {f.value:,.1f} {f.unit}  vs {f.baseline_name}: "
                f"{f.baseline_value:,.1f} {f.unit}  ({f.verdict})  target {f.target}: "
                f"{'met' if f.met else 'MISSED'}",
                flush=True,
            )
        results[name] = figures
    if not selected and not quick:
        (ROOT / "docs" / "benchmarks.md").write_text(_markdown(results, failures), encoding="utf-8")
        print("wrote docs/benchmarks.md")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
