"""All-T against mixed (CCZ factories for the Toffolis) on Toffoli-heavy programs (not part of the test run):

    python tests/compiler/bench_mixed.py [CSV]

For each workload (p = eps = 1e-3, the default `measured` error model, the caller's split of the budget in
thirds, the fast data layout) the program is planned twice on the same layers by kind: with the T sources
alone (every Toffoli paid 4 T states) and with the CCZ sources offered too. One row per (workload, sources,
plan): the least-volume point and the fastest point. docs/program.md ("CCZ demand") quotes the numbers.
"""

import csv
import sys
import time

from magicpipe.cli.compile import parse_model
from magicpipe.compiler import Hardware, LogicalCounts, Source
from magicpipe.compiler.budget import ErrorBudget
from magicpipe.compiler.catalogue_search import catalogue_sources
from magicpipe.compiler.feeds import candidate_sources
from magicpipe.compiler.mixed import ccz_target
from magicpipe.compiler.program import plan_program, program_demand
from magicpipe.compiler.synthesis import SYNTHESIS_MODELS

# Litinski 2019, p = 1e-3 (cycles = code cycles): his best T factory for 1e-12 and his 8-to-CCZ
LIT = (Source("(15-to-1)^6_{11,5,5} x (15-to-1)_{25,11,11}", "litinski", 30732, 82.5, 82.5, 1, 2.7e-12),
       Source("(15-to-1)^6_{13,7,7} x (8-to-CCZ)_{25,15,15}", "litinski", 47046, 60.0, 60.0, 1, 5.2e-11,
              kind="CCZ"))
WORKLOADS = (
    ("100q-1e8CCZ", LogicalCounts(100, ccz_count=10**8), 0.03),
    ("100q-1e6T-1e7CCZ", LogicalCounts(100, t_count=10**6, ccz_count=10**7), 1e-3),
    ("100q-1e7CCZ", LogicalCounts(100, ccz_count=10**7), 1e-2),
)


def sources(demand, hw, catalogue):
    if not catalogue:
        return list(LIT)
    _, found, _ = candidate_sources(demand.target, hw, 3, 3, ("dynamic",))
    t = [s for s in found if s.method in ("dynamic", "single")] + catalogue_sources(hw, demand.target)
    return t + catalogue_sources(hw, ccz_target(demand, demand.target), ("CCZ",))


def rows():
    hw = Hardware(p=1e-3, eps=1e-3, model=parse_model("measured"))
    for name, counts, budget in WORKLOADS:
        demand = program_demand(counts, ErrorBudget(budget), SYNTHESIS_MODELS["azure"])
        for label, catalogue in (("litinski", False), ("catalogue", True)):
            srcs = sources(demand, hw, catalogue)
            for plan, offered in (("all-T", [s for s in srcs if s.kind == "T"]), ("mixed", srcs)):
                t0 = time.process_time()
                front = plan_program(demand, offered, hw)
                cpu = time.process_time() - t0
                for pick in ("volume", "runtime"):
                    p = front.choose(pick)
                    yield {"workload": name, "budget": budget, "sources": label, "plan": plan, "point": pick,
                           "name": p.name, "copies": p.copies, "ccz_copies": p.ccz_copies,
                           "factory_qubits": p.factory_qubits, "physical_qubits": p.physical_qubits,
                           "runtime_s": round(p.runtime_us / 1e6, 3), "evaluated": front.evaluated,
                           "cpu_s": round(cpu, 2)}


def main():
    out = list(rows())
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(out[0]))
            w.writeheader()
            w.writerows(out)
    for r in out:
        print(f"{r['workload']:18} {r['sources']:9} {r['plan']:5} {r['point']:7} {r['physical_qubits']:>10,} "
              f"{r['factory_qubits']:>10,} {r['runtime_s']:>10} {r['copies']:>4}+{r['ccz_copies']:<4} "
              f"{r['cpu_s']:>5}  {r['name']}")


if __name__ == "__main__":
    main()
