"""Benchmark (not collected by pytest): the catalogue's least-volume entry per target against the paper's
uniform-distance 15-to-1 pipeline, and the catalogue search's CPU time. Run:
``.venv/bin/python tests/compiler/bench_catalogue.py`` (prints the table of docs/benchmarks.md)."""

from __future__ import annotations

import time

from magicpipe.compiler import Hardware
from magicpipe.compiler.catalogue_search import catalogue_sources
from magicpipe.compiler.search import best_pipeline


def main() -> None:
    for p in (1e-3, 1e-4):
        hw = Hardware(p=p, eps=p)
        for target in (1e-9, 1e-12, 1e-15):
            c = best_pipeline(target, hw, method="sequential", levels=(1, 2, 3))
            t = time.process_time()
            srcs = catalogue_sources(hw, target)
            cpu = time.process_time() - t
            best = min(srcs, key=lambda s: s.qubits * s.period_rounds / s.outputs)
            fewest = min(srcs, key=lambda s: s.qubits)
            volume = best.qubits * best.period_rounds / best.outputs
            print(f"| {p:g} | {target:g} | {c.pipeline.distances}: {c.qubits:,} q x {c.rounds:.0f} r = "
                  f"{c.qubits * c.rounds:,.0f} | {best.name}: {best.qubits:,} q x "
                  f"{best.period_rounds / best.outputs:.1f} r = {volume:,.0f} | {fewest.name}, {fewest.qubits:,} q | "
                  f"{c.qubits * c.rounds / volume:.1f}x | {cpu:.2f} s |")


if __name__ == "__main__":
    main()
