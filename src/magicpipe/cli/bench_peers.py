"""``magicpipe bench peers``: the same logical counts through the Azure Resource Estimator, QRE v3 and
magicpipe, side by side (``peers.csv``, ``summary.json``; ``docs/benchmarks.md``)."""

from __future__ import annotations

import argparse
import csv
import json
import time
from importlib import metadata
from pathlib import Path

from magicpipe.cli._args import STORAGE_DECAY_CHOICES, storage_decay_options
from magicpipe.errors import SpecError

_RULE = ("ratios are magicpipe / peer at the same runtime: the peer's runtime rescaled to magicpipe's code cycle "
         "(x 400/400 ns for Azure, x 400/350 ns for QRE v3); magicpipe's front point of fewest physical qubits with "
         "runtime <= that x 1.01; the peer's reference is its point of fewest physical qubits (its answer or a "
         "frontier point) no slower than magicpipe's point; 'fastest_*' compare magicpipe's reported point with "
         "the peer's answer; 'seq_*' use magicpipe's sequential baseline instead of its dynamic front")


def register(sub) -> None:
    """Add ``peers`` to the ``bench`` group registered by :mod:`magicpipe.cli.pipeline` (else ``bench-peers``)."""
    bench = sub.choices.get("bench")
    group = None
    if bench is not None:
        group = next((a for a in bench._actions if isinstance(a, argparse._SubParsersAction)), None)
    help_ = "Azure Resource Estimator and QRE v3 beside magicpipe on the same logical counts (needs magicpipe[peers])"
    p = group.add_parser("peers", help=help_) if group is not None else sub.add_parser("bench-peers", help=help_)
    p.add_argument("--workloads", default="all",
                   help="comma-separated workload names, or 'all' (100q-1e6T, 100q-1e9T, ising10x10)")
    p.add_argument("--presets", default="e3,e4", help="comma-separated presets: e3 (p = 1e-3), e4 (p = 1e-4); "
                                                      "50 ns gates, 100 ns measurement (default e3,e4)")
    p.add_argument("--storage-decay", choices=STORAGE_DECAY_CHOICES, default="on",
                   help="charge the storage decay of buffered states to magicpipe's dynamic points, as `magicpipe "
                        "compile` does: 'on' may hold states in buffer slots at a higher distance, 'fixed-slots' "
                        "keeps the slots at the producer's distance, 'off' plans as the estimators do (default: "
                        "%(default)s)")
    p.add_argument("--out", required=True, type=Path, help="output folder")
    p.set_defaults(run=run_peers)


def _pick(spec: str, known: dict, what: str) -> list[str]:
    names = list(known) if spec == "all" else [s.strip() for s in spec.split(",") if s.strip()]
    bad = [n for n in names if n not in known]
    if bad or not names:
        raise SpecError(f"unknown {what} {bad or spec!r}; choose from {sorted(known)} or 'all'")
    return names


def _row(w: str, pk: str, our: dict, peer, m: dict, fast: dict, seq: dict, every: dict) -> dict:
    return {
        "workload": w, "preset": pk, "estimator": peer.estimator, "config": peer.config,
        "factory_qubits": peer.factory_qubits if peer.feasible else "", "physical_qubits":
            peer.physical_qubits if peer.feasible else "", "runtime_us": round(peer.runtime_us, 3) if peer.feasible
        else "", "factories": peer.factories, "code_distance": peer.code_distance,
        "logical_depth": peer.logical_depth, "t_states": peer.t_states,
        "matched": m["matched"], "target_runtime_us": m["target_runtime_us"],
        "our_factory_qubits": m["our_factory_qubits"], "our_physical_qubits": m["our_physical_qubits"],
        "our_runtime_us": m["our_runtime_us"], "peer_ref_factory_qubits": m["peer_factory_qubits"],
        "peer_ref_physical_qubits": m["peer_physical_qubits"], "peer_ref_runtime_us": m["peer_runtime_us"],
        "factory_ratio": m["factory_ratio"],
        "physical_ratio": m["physical_ratio"],
        "fastest_factory_ratio": fast["factory_ratio"], "fastest_physical_ratio": fast["physical_ratio"],
        "seq_factory_ratio": seq["factory_ratio"], "seq_physical_ratio": seq["physical_ratio"],
        "all_physical_qubits": every["our_physical_qubits"], "all_physical_ratio": every["physical_ratio"],
        "note": peer.note,
    }


def _fastest(our: dict, peer) -> dict:
    if not peer.feasible:
        return {"factory_ratio": None, "physical_ratio": None}
    fr = our["factory_qubits"] / peer.factory_qubits if peer.factory_qubits else None
    return {"factory_ratio": None if fr is None else round(fr, 4),
            "physical_ratio": round(our["physical_qubits"] / peer.physical_qubits, 4)}


def _our_row(w: str, pk: str, our: dict) -> dict:
    return {"workload": w, "preset": pk, "estimator": "magicpipe", "config": our["method"],
            "factory_qubits": our["factory_qubits"], "physical_qubits": our["physical_qubits"],
            "runtime_us": round(our["runtime_us"], 3), "factories": our["copies"],
            "code_distance": our["data_distance"], "logical_depth": our["logical_depth"],
            "t_states": our["t_states"], "note": f"distances {our['distances']}; {our['adapter']}"}


def _matched(our: dict, m: dict) -> dict | None:
    """The breakdown of magicpipe's point that :func:`~magicpipe.peers.match` picked (None without one)."""
    if not m["matched"]:
        return None
    return next((p for p in our["points"] if p["physical_qubits"] == m["our_physical_qubits"]
                 and round(p["runtime_us"], 3) == m["our_runtime_us"]), None)


def _goals(summary: dict) -> dict:
    unit, qre = {}, {}
    for key, case in summary["cases"].items():
        by = {p["config"]: p for p in case["peers"]}
        r = by.get("azure+unit", {}).get("match", {}).get("factory_ratio")
        unit[key] = {"factory_ratio": r, "met": r is not None and r <= 0.90}
        best = min((p for c, p in by.items() if c in ("qre-cultivation", "qre-litinski") and p["feasible"]),
                   key=lambda p: p["physical_qubits"], default=None)
        if best is not None:
            mall = best["match_all"]
            ours_q = mall["our_physical_qubits"] or case["all"]["physical_qubits"]
            ref = mall["peer_physical_qubits"] or best["physical_qubits"]
            qre[key] = {"best": best["config"], "qre_physical_qubits": ref,
                        "our_physical_qubits": ours_q, "runtime_matched": mall["matched"],
                        "met": ours_q <= ref}
    return {"factory_qubits_at_most_0.90_azure_unit": unit, "total_qubits_at_most_best_qre": qre}


def run_peers(args) -> int:
    from magicpipe.peers import (
        PEERS,
        PRESETS,
        WORKLOADS,
        azure_layout,
        front_ratios,
        match,
        ours,
        run_peer,
    )

    workloads = _pick(args.workloads, WORKLOADS, "workload")
    presets = _pick(args.presets, PRESETS, "preset")
    start = time.perf_counter()
    rows, cases = [], {}
    for w in workloads:
        for pk in presets:
            counts, preset = WORKLOADS[w], PRESETS[pk]
            mine = {}
            for method in ("dynamic", "sequential", "parallel", "all"):
                t0 = time.perf_counter()
                mine[method] = ours(counts, preset, method="dynamic" if method == "all" else method,
                                    **storage_decay_options(args.storage_decay), catalogue=method == "all")
                mine[method]["method"] = method
                mine[method]["seconds"] = round(time.perf_counter() - t0, 3)
                rows.append(_our_row(w, pk, mine[method]))
            our = mine["dynamic"]
            peers = []
            for config in PEERS:
                t0 = time.perf_counter()
                peer = run_peer(config, counts, preset)
                secs = time.perf_counter() - t0
                m = match(our, peer, our["cycle_ns"])
                seq = match(mine["sequential"], peer, our["cycle_ns"])
                every = match(mine["all"], peer, our["cycle_ns"])
                rows.append(_row(w, pk, our, peer, m, _fastest(our, peer), seq, every))
                peers.append(peer.info() | {"seconds": round(secs, 3), "match": m, "match_sequential": seq,
                                            "match_all": every, "match_all_point": _matched(mine["all"], every),
                                            "front": [list(p) for p in peer.front],
                                            "front_ratios": front_ratios(our, peer, our["cycle_ns"])})
            lay = azure_layout(counts)
            cases[f"{w}/{pk}"] = {"counts": counts.to_dict(), "preset": preset.qubit_params, "azure_layout": {
                k: getattr(lay, k) for k in lay.__slots__}, "ours": our, "all": mine["all"], "baselines": {
                k: v for k, v in mine.items() if k not in ("dynamic", "all")}, "peers": peers,
                "dynamic_catalogue": _dynamic_gain(preset.hardware(), mine["all"])}
    args.out.mkdir(parents=True, exist_ok=True)
    fields = list(dict.fromkeys(k for r in rows for k in r))
    with (args.out / "peers.csv").open("w", newline="") as f:
        wr = csv.DictWriter(f, fieldnames=fields, restval="")
        wr.writeheader()
        wr.writerows(rows)
    gains = [{"workload": key.split("/")[0], "preset": key.split("/")[1], "target": case["dynamic_catalogue"]["target"],
              **c} for key, case in cases.items() for c in case["dynamic_catalogue"]["cases"]]
    with (args.out / "dynamic_gain.csv").open("w", newline="") as f:  # docs/catalogue.md, dynamic catalogue levels
        wr = csv.DictWriter(f, fieldnames=list(dict.fromkeys(k for r in gains for k in r)) or ["workload"])
        wr.writeheader()
        wr.writerows(gains)
    summary = {"rule": _RULE, "error_budget": 1e-3, "storage_decay": args.storage_decay, "qdk": _version("qdk"),
               "cases": cases,
               "wall_seconds": round(time.perf_counter() - start, 2)}
    summary["goals"] = _goals(summary)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1, default=str) + "\n")
    _print(rows)
    for key, case in cases.items():
        g = case["dynamic_catalogue"]
        best = g["best"]
        if best is None:
            print(f"{key}: no catalogue level scheduled dynamically meets {g['target']:.3g}")
            continue
        print(f"{key}: dynamic gain over the same catalogue levels at {g['target']:.3g}: overall "
              f"{g['overall_gain']:.2f}, best {best['gain']:.2f} ({best['gain_vs_lockstep']:.2f} against their "
              f"lock-step timing with failures drawn; {best['dynamic']} vs {best['baseline']}); chosen: "
              f"{g['chosen_method']}")
    print(f"wrote {args.out / 'peers.csv'}, dynamic_gain.csv and summary.json ({summary['wall_seconds']} s)")
    return 0


def _dynamic_gain(hardware, every: dict) -> dict:
    """The catalogue's levels scheduled dynamically against their own round-based timing, at the per-state
    target of the plan with the catalogue (:func:`magicpipe.compiler.dyncat.gain_summary`)."""
    from magicpipe.compiler.dyncat import gain_summary

    t0 = time.perf_counter()
    out = gain_summary(hardware, every["target_error"])
    out["chosen_method"] = every["source"]["method"]
    out["seconds"] = round(time.perf_counter() - t0, 3)
    return out


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _m(x) -> str:
    return "-" if x in (None, "") else f"{x / 1e6:.3f}"


def _r(x) -> str:
    return "-" if x is None else f"{x:.2f}"


def _print(rows: list[dict]) -> None:
    print(f"{'workload':<11}{'preset':<7}{'estimator/config':<26}{'fact Mq':>9}{'total Mq':>10}{'runtime ms':>12}"
          f"{'our fact':>10}{'our tot':>9}{'fact x':>8}{'tot x':>7}{'seq fact x':>11}{'all x':>8}")
    for r in rows:
        rt = "-" if r["runtime_us"] == "" else f"{r['runtime_us'] / 1000:.1f}"
        name = r["config"] if r["estimator"] != "magicpipe" else f"magicpipe {r['config']}"
        print(f"{r['workload']:<11}{r['preset']:<7}{name:<26}{_m(r['factory_qubits']):>9}{_m(r['physical_qubits']):>10}"
              f"{rt:>12}{_m(r.get('our_factory_qubits')):>10}{_m(r.get('our_physical_qubits')):>9}"
              f"{_r(r.get('factory_ratio')):>8}{_r(r.get('physical_ratio')):>7}{_r(r.get('seq_factory_ratio')):>11}"
              f"{_r(r.get('all_physical_ratio')):>8}")
    print("'all x': magicpipe with its factory catalogue, total qubits / peer at the same runtime")
    print("x: magicpipe dynamic ('seq': its sequential baseline) / peer at the same runtime (magicpipe's fewest "
          "qubits within 1% of the\n   peer's runtime, against the peer's cheapest point no slower); '-': no magicpipe "
          "point that fast (the peer chose a smaller\n   code distance) or no peer estimate; peers.csv has "
          "fastest_* for those")
