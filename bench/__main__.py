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


def _markdown(results: dict[str, list[Figure]]) -> str:
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
            "| figure | value | baseline | baseline value | ratio | target | met |",
            "| --- | ---: | --- | ---: | ---: | --- | --- |",
        ]
        for f in figures:
            lines.append(
                f"| {f.name} | {f.value:,.1f} {f.unit} | {f.baseline_name} | "
                f"{f.baseline_value:,.1f} {f.unit} | {f.ratio:.2f}x | {f.target} | "
                f"{'yes' if f.met else 'NO'} |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    selected = [a for a in argv if not a.startswith("--")]
    results: dict[str, list[Figure]] = {}
    for name in _modules(selected):
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}", flush=True)
        figures: list[Figure] = module.run(quick)
        for f in figures:
            print(
                f"  {f.name}: {f.value:,.1f} {f.unit}  vs {f.baseline_name}: "
                f"{f.baseline_value:,.1f} {f.unit}  ({f.ratio:.2f}x)  target {f.target}: "
                f"{'met' if f.met else 'MISSED'}",
                flush=True,
            )
        results[name] = figures
    if not selected and not quick:
        (ROOT / "docs" / "benchmarks.md").write_text(_markdown(results), encoding="utf-8")
        print("wrote docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
