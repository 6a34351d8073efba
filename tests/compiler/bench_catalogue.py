"""Benchmark (not collected by pytest): the catalogue's least-volume entry per target against the paper's
uniform-distance 15-to-1 pipeline, the catalogue search's CPU time, and whole-program plans with and without
the catalogue on the peers' workloads. Run: ``.venv/bin/python tests/compiler/bench_catalogue.py`` (prints
the tables of docs/benchmarks.md)."""

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


def programs() -> None:
    from magicpipe.compiler import LogicalCounts
    from magicpipe.compiler.budget import ErrorBudget
    from magicpipe.compiler.compilation import plan_counts
    from magicpipe.compiler.program import program_demand
    from magicpipe.compiler.synthesis import SYNTHESIS_MODELS

    hw = Hardware(p=1e-3, eps=1e-3)
    cases = {
        "100 q, 1e6 T": LogicalCounts(100, t_count=10**6),
        "100 q, 1e9 T": LogicalCounts(100, t_count=10**9),
        "100 q, 6000 rotations, depth 60": LogicalCounts(100, rotation_count=6000, rotation_depth=60),
    }
    for name, counts in cases.items():
        demand = program_demand(counts, ErrorBudget(1e-3), SYNTHESIS_MODELS["azure"])
        extra = catalogue_sources(hw, demand.target)
        for label, offered in (("paper 15-to-1 (dynamic)", ()), ("+ catalogue", extra)):
            q = plan_counts(counts, hw, 1e-3, objective="qubits", extra_sources=offered, baselines=()).chosen
            v = plan_counts(counts, hw, 1e-3, objective="volume", extra_sources=offered, baselines=()).chosen
            print(f"| {name} | {demand.target:.2g} | {label} | {q.physical_qubits:,} q, {q.runtime_us / 1e6:,.2f} s, "
                  f"{q.source.name} x{q.copies} | {v.physical_qubits:,} q, {v.runtime_us / 1e6:,.2f} s, "
                  f"{v.source.name} x{v.copies} |")


def peers(preset_key: str = "e3") -> None:
    """magicpipe with and without the catalogue against QRE v3 at QRE's runtime (needs magicpipe[peers])."""
    import magicpipe
    from magicpipe.peers import ERROR_BUDGET, PRESETS, WORKLOADS, match, ours, run_peer

    preset = PRESETS[preset_key]
    hw = preset.hardware()
    for name, counts in WORKLOADS.items():
        target = magicpipe.compile(counts, hardware=hw, error_budget=ERROR_BUDGET).demand.target
        base = ours(counts, preset)
        cat = ours(counts, preset, extra_sources=tuple(catalogue_sources(hw, target)))
        for cfg in ("qre-cultivation", "qre-litinski"):
            peer = run_peer(cfg, counts, preset)
            m0, m1 = match(base, peer, hw.t_stab_ns), match(cat, peer, hw.t_stab_ns)
            print(
                f"| {name} | {cfg} | {peer.physical_qubits:,} q, {peer.runtime_us / 1e6:,.2f} s | "
                f"{m0['physical_ratio']} | {m1['physical_ratio']} | {base['physical_qubits']:,} q, "
                f"{base['runtime_us'] / 1e6:,.2f} s | {cat['physical_qubits']:,} q, {cat['runtime_us'] / 1e6:,.2f} s |"
            )


if __name__ == "__main__":
    main()
    programs()
    peers()
