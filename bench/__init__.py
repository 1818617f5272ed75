"""escalon's benchmark suite: `make bench` (or `python -m bench [NAME ...]`).

Each `bench/bench_*.py` module exposes `run(quick: bool) -> list[Figure]`. Every figure is printed
next to a baseline measured in the same run, so ratios stay meaningful on any machine.
"""
