"""Run the benchmark suite, print each figure against its baseline, write docs/benchmarks.md."""

from __future__ import annotations

import json
import pkgutil
import platform
import subprocess
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


_RESULT = "bench-result: "


def _run_alone(name: str, quick: bool) -> list[Figure]:
    """Run one module in a fresh interpreter: what an earlier module left in the heap (the
    analytics figures build tens of millions of records) must not slow the next one's
    in-process figures. The module's own output passes through; its figures come back as JSON."""
    code = (
        "import dataclasses, json, sys\n"
        f"from bench import {name} as module\n"
        f"figures = module.run({quick!r})\n"
        f"print({_RESULT!r} + json.dumps([dataclasses.asdict(f) for f in figures]), flush=True)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    figures: list[Figure] = []
    for line in child.stdout:
        if line.startswith(_RESULT):
            figures = [Figure(**raw) for raw in json.loads(line.removeprefix(_RESULT))]
        else:
            print(line, end="", flush=True)
    if child.wait() != 0:
        raise RuntimeError(f"bench.{name} exited with status {child.returncode}")
    return figures


def _markdown(results: dict[str, list[Figure]], failures: dict[str, str]) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench`), each module in a fresh interpreter. Every",
        "figure is measured next to a baseline in the same run on the same machine, so the ratio",
        "column is the one to compare across machines.",
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
            figures = _run_alone(name, quick)
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
