"""``magicpipe verify logical|memory|factory``: check the planner's formulas by simulation (Stim, PyMatching,
sinter).

Each subcommand writes ``OUT/stats.csv`` (sinter's CSV, also the resume file), ``OUT/summary.json`` and
``OUT/plot.png``; re-running with the same ``--out`` skips finished tasks and continues unfinished ones.
The work is in :mod:`magicpipe.verification`, imported only when the command runs.
"""

from __future__ import annotations

import argparse
from typing import Any

from magicpipe.cli._args import bounded_int, finite_float
from magicpipe.cli.options import option

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``verify`` command and its ``logical``, ``memory`` and ``factory`` subcommands."""
    verify = subparsers.add_parser(
        "verify",
        help="check Eqs. 2-4 by simulation (Stim + PyMatching through sinter)",
        description="Check the planner's formulas by simulation; results go to OUT/stats.csv, summary.json, plot.png.",
    )
    sub = verify.add_subparsers(dest="level", required=True, metavar="LEVEL")

    logical = sub.add_parser("logical", help="15-to-1 at the logical level: sampled vs exact vs Eqs. 3-4 at p_L = 0")
    option(logical, "--magic-error", "--eps", type=float, nargs="+", default=[1e-3, 3e-3, 1e-2, 3e-2, 0.05, 0.1],
                         help="input magic-state errors, each in (0, 1) (default: %(default)s)")
    _common(logical, shots=10**6, max_errors=None)
    logical.set_defaults(run=_run_logical)

    memory = sub.add_parser("memory", help="surface-code memory: logical error per cycle and the fit of Eq. 2")
    memory.add_argument("--distance", type=int, nargs="+", default=[3, 5, 7],
                        help="odd distances >= 3 (default: %(default)s)")
    option(memory, "--physical-error", "--p", type=float, nargs="+", default=[1e-3, 2e-3, 3e-3, 5e-3],
                        help="physical error rates, each in (0, 0.5) (default: %(default)s)")
    memory.add_argument("--cycles", type=bounded_int(1), default=3,
                        help="logical cycles (of d rounds) per shot (default: %(default)s)")
    memory.add_argument("--basis", nargs="+", choices=("x", "z"), default=["x", "z"],
                        help="memory bases; the fit uses the per-patch rate over those given (default: %(default)s)")
    memory.add_argument("--min-fit-errors", type=bounded_int(0), default=20,
                        help="errors each basis needs at a point for it to enter the fit (default: %(default)s)")
    _common(memory, shots=10**7, max_errors=200)
    memory.set_defaults(run=_run_memory)

    factory = sub.add_parser("factory", help="15-to-1 at circuit level from its lattice-surgery instructions: "
                                             "acceptance, output error, the p_L coefficients of Eqs. 3-4")
    factory.add_argument("--distance", type=int, nargs="+", default=[3], help="3, 5 and/or 7 (default: %(default)s)")
    option(factory, "--physical-error", "--p", type=float, nargs="+", default=[5e-4, 1e-3, 2e-3],
                         help="physical error rates, each in [0, 0.5) (default: %(default)s)")
    option(factory, "--magic-error", "--eps", type=float, nargs="+", default=[1e-3, 1e-2],
                         help="input magic-state errors, each in [0, 1) (default: %(default)s)")
    factory.add_argument("--no-twin", action="store_true",
                         help="skip the Z twin (the X-type errors the |+> stand-in cannot carry)")
    _common(factory, shots=10**6, max_errors=1000)
    factory.set_defaults(run=_run_factory)

    from magicpipe.cli.verify_real import add_parser as _add_real

    _add_real(sub)

    stream = sub.add_parser("stream", help="a whole-program stream (format 2) at the logical level: every "
                                           "consumption with its corrections applies a T gate, on every branch")
    stream.add_argument("stream", metavar="FILE", help="a version-2 schedule.lsi (or its folder)")
    stream.add_argument(
        "--shots", type=int, default=100, help="outcome draws for a nominal stream (default: %(default)s)"
    )
    stream.add_argument("--seed", type=int, default=0, help="seed of the outcome draws (default: %(default)s)")
    stream.add_argument("--factory", action="store_true",
                        help="also build the unit's factory as a Stim circuit from the stream's own MEASURE lines "
                             "(two-level units at d = 3 or 5) and check it is deterministic without noise")
    stream.add_argument("--program", action="store_true",
                        help="also build the program side as a Stim circuit from the stream's own merges (at most 5 "
                             "data patches and 12 consumptions at d = 3 or 5): deterministic without noise, and its "
                             "graph-like distance")
    stream.add_argument("--no-circuit", action="store_true",
                        help="skip the whole stream as one Stim circuit (built by default for nominal one-level "
                             "streams at d = 3 or 5 with at most 5 data patches and 16 consumptions)")
    option(stream, "--physical-error", "--p", type=float, default=1e-3,
           help="circuit-level noise of the whole-stream circuit's distance and sample (default: %(default)s)")
    option(stream, "--magic-error", "--eps", type=float, default=0.0,
           help="input error of each injected state in the whole-stream sample (default: %(default)s)")
    stream.add_argument("--circuit-shots", type=int, default=0,
                        help="noisy shots of the whole-stream circuit, decoded by PyMatching (default: %(default)s)")
    stream.add_argument("--twin", action="store_true",
                        help="also the whole-stream circuit's Z twin (every patch in |0>: X-type errors, the "
                             "merges' outcomes) and its graph-like distance")
    stream.set_defaults(run=_run_stream)
    model = sub.add_parser("model", help="the 'measured' error model from memory stats: Eq. 2 fitted at the largest "
                                         "distances, per-distance factors, the factory's coefficients, the interval")
    model.add_argument("--memory", nargs="+", required=True, metavar="CSV",
                       help="stats.csv files of 'magicpipe verify memory'")
    model.add_argument("--factory", nargs="+", default=None, metavar="CSV",
                       help="stats.csv files of 'magicpipe verify factory' to fit the 15-to-1 coefficients from "
                            "(default: the numbers of docs/verification.md Sec. 3)")
    model.add_argument("--p-max", type=float, default=3e-3,
                       help="largest physical error fitted (default: %(default)s)")
    model.add_argument("--fit-distances", type=int, nargs="+", default=None,
                       help="distances of the (A, p_th) fit (default: the three largest measured)")
    model.add_argument("--reference-distance", type=int, default=25,
                       help="distance at which the pessimistic edge is the z-sigma bound (default: %(default)s)")
    model.add_argument("--z", type=float, default=2.0, help="interval width in sigmas (default: %(default)s)")
    model.add_argument("--min-fit-errors", type=int, default=20,
                       help="errors each basis needs at a point for it to count (default: %(default)s)")
    model.add_argument("--name", default="measured", help="the model's name (default: %(default)s)")
    model.add_argument("--out", required=True, metavar="FILE", help="the calibration JSON to write")
    model.set_defaults(run=_run_model, out_kind="file")  # --out names one file, replaced only with --force


def _common(parser: argparse.ArgumentParser, *, shots: int, max_errors: int | None) -> None:
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder; re-using it resumes")
    parser.add_argument("--shots", type=int, default=shots,
                        help="most shots per task, earlier runs included (default: %(default)s)")
    parser.add_argument("--max-errors", type=bounded_int(1), default=max_errors,
                        help="stop a task after this many logical errors (default: %(default)s)")
    parser.add_argument(
        "--seed", type=bounded_int(0), default=0, help="seed of the Stim samplers (default: %(default)s)"
    )
    parser.add_argument("--workers", type=bounded_int(1), default=2,
                        help="worker processes; 1 samples in this process, with the counts one sinter worker gives "
                             "(default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="do not print the progress")
    parser.add_argument("--dask", metavar="ADDRESS", default=None,
                        help="sample on the Dask cluster whose scheduler is at ADDRESS, in chunks of --chunk-shots "
                             "(its workers need this magicpipe version; docs/cluster.md)")
    parser.add_argument("--dask-timeout", type=finite_float(0, lo_open=True), default=10.0, metavar="SECONDS",
                        help="seconds to wait for the Dask scheduler, and then for a worker (default: %(default)s)")
    parser.add_argument("--chunk-shots", type=bounded_int(1), default=None,
                        help="sample in chunks of this many shots, each with its own seed, so the counts do not "
                             "depend on where the chunks run (default with --dask: 100000; without: "
                             "sinter's own workers)")
    parser.set_defaults(resume_out=True)  # the staging folder starts as a copy of OUT, so a re-run resumes


def _options(args: argparse.Namespace) -> Any:
    from magicpipe.verification import RunOptions

    return RunOptions(args.out, shots=args.shots, seed=args.seed, max_errors=args.max_errors, workers=args.workers,
                      progress=not args.quiet, dask=args.dask, chunk_shots=args.chunk_shots,
                      dask_timeout=args.dask_timeout)


def _run_logical(args: argparse.Namespace) -> int:
    from magicpipe.verification import run_logical

    summary = run_logical(args.magic_error, _options(args))
    heads = ("eps", "shots", "acceptance", "exact", "Eq.4 gap", "out error", "exact", "Eq.3 gap")
    print(" ".join(f"{h:>10}" for h in heads))
    for pt in summary["points"]:
        acc, err = pt["acceptance"]["best"], pt["output_error"]["best"]
        row = (f"{pt['eps']:10.2g}", f"{pt['shots']:10d}", f"{acc:10.5f}", f"{pt['exact']['acceptance']:10.5f}",
               f"{pt['gap']['acceptance']:+10.3e}", f"{err:10.3e}", f"{pt['exact']['output_error']:10.3e}",
               f"{pt['gap']['output_error']:+10.3e}")
        print(" ".join(row))
    print(f"wrote {args.out}/stats.csv, summary.json, plot.png")
    return 0


def _run_memory(args: argparse.Namespace) -> int:
    from magicpipe.verification import run_memory

    summary = run_memory(args.distance, args.physical_error, _options(args), cycles=args.cycles, bases=args.basis,
                         min_fit_errors=args.min_fit_errors)
    print(f"{'d':>3} {'p':>8} {'p_L/cycle':>10} {'Eq.2 paper':>11} {'Eq.2 fit':>10}  errors")
    for pt in summary["points"]:
        fit = f"{pt['eq2_fit']:10.3e}" if pt["eq2_fit"] is not None else f"{'-':>10}"
        errors = " ".join(f"{b}:{v['errors']}" for b, v in pt["bases"].items())
        rate = pt["per_cycle_patch"]["best"]
        print(f"{pt['d']:3d} {pt['p']:8.2g} {rate:10.3e} {pt['eq2_paper']:11.3e} {fit}  {errors}")
    fit, paper = summary["fit"], summary["paper"]
    if fit:
        (a_lo, a_hi), (t_lo, t_hi) = fit["A_interval_1sigma"], fit["p_th_interval_1sigma"]
        print(f"fit: A = {fit['A']:.4g} [{a_lo:.4g}, {a_hi:.4g}], p_th = {fit['p_th']:.4g} [{t_lo:.4g}, {t_hi:.4g}] "
              f"(1 sigma, chi2_red = {fit['chi2_red']:.3g}); paper: A = {paper['A']}, p_th = {paper['p_th']}")
    else:
        print("fit: none (needs two or more distances with enough errors)")
    print(f"wrote {args.out}/stats.csv, summary.json, plot.png")
    return 0


def _run_model(args: argparse.Namespace) -> int:
    import json
    import pathlib

    import sinter

    from magicpipe.verification.calibrate import calibrate, factory_coefficients

    stats = sinter.stats_from_csv_files(*args.memory)
    data = " ".join(pathlib.Path(f).name for f in args.memory)
    fit_ds = "" if args.fit_distances is None else " --fit-distances " + " ".join(map(str, args.fit_distances))
    coefficients, factory = None, ""
    if args.factory:
        coefficients = factory_coefficients(sinter.stats_from_csv_files(*args.factory))
        factory = " --factory " + " ".join(pathlib.Path(f).name for f in args.factory)
    command = (f"magicpipe verify model --memory {data}{factory} --p-max {args.p_max:g}{fit_ds} --reference-distance "
               f"{args.reference_distance} --z {args.z:g} --min-fit-errors {args.min_fit_errors}")
    sources = f"memory: {data} (magicpipe verify memory runs)"
    if factory:
        sources += f"; 15-to-1 coefficients:{factory[10:]} (magicpipe verify factory runs)"
    result = calibrate(stats, p_max=args.p_max, fit_distances=args.fit_distances, d_ref=args.reference_distance,
                       z=args.z, min_fit_errors=args.min_fit_errors, name=args.name, coefficients=coefficients,
                       provenance=f"{sources}; model: {command}")
    pathlib.Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    fit, edge = result["fit"], result["model"]["pessimistic"]["memory"]
    print(f"memory: A = {fit['A']:.4g}, p_th = {fit['p_th']:.4g} at d = {fit['distances']} (chi2_red "
          f"{fit['chi2_red']:.3g}, {fit['points']} points); edge A = {edge['A']:.4g}, p_th = {edge['p_th']:.4g}")
    for name, rows in result["coefficients"].items():
        for r in rows:
            print(f"  {name} d = {r['d']}: a = {r['a']} +- {r['sigma_a']}, b = {r['b']} +- {r['sigma_b']} per p_L "
                  f"(the |+> stand-in)")
        model_rows = {e["from_distance"]: e for e in result["model"]["protocols"].get(name, [])}
        print(f"  {name} in the model (plus what the real protocol adds, verify real): " + ", ".join(
            f"d >= {d}: a = {e['out_error_pl']}, b = {e['fail_pl']}" for d, e in sorted(model_rows.items())))
    for d, f in result["factors"].items():
        print(f"  f_{d} = {f['factor']:.3g} (sigma_log {f['sigma_log']:.2g}, chi2_red {f['chi2_red']:.3g})")
    for e in result["extrapolation"]:
        print(f"  fitted on d = {e['fitted_on']}: d = {e['d']}, p = {e['p']:g}: measured / predicted "
              f"{e['measured_over_predicted']:.3f}")
    print(f"wrote {args.out}")
    return 0


def _run_factory(args: argparse.Namespace) -> int:
    from magicpipe.verification import run_factory

    summary = run_factory(args.distance, args.physical_error, args.magic_error, _options(args), twin=not args.no_twin)
    for d, found in summary["distance"].items():
        print(f"d={d}: graph-like distance {found['x']} (factory), {found['z']} (Z twin)")
    print(
        f"{'d':>2} {'p':>8} {'eps':>8} {'shots':>9} {'acceptance':>10} {'out error':>10} {'p_L':>9} {'a':>6} {'b':>6}"
    )
    for pt in summary["points"]:
        ratio, p_l = pt["ratio"], pt["p_L"]
        a, b = (f"{ratio[k]:6.1f}" if ratio[k] is not None else f"{'-':>6}" for k in ("a", "b"))
        p_l = f"{p_l:9.2e}" if p_l else f"{'-':>9}"
        print(f"{pt['d']:2d} {pt['p']:8.2g} {pt['eps']:8.2g} {pt['shots']:9d} {pt['acceptance']['best']:10.5f} "
              f"{pt['output_error']['best']:10.3e} {p_l} {a} {b}")
    fit, paper = summary["fit"].get("all") or {}, summary["paper"]
    for coef in ("a", "b"):
        if fit.get(coef):
            print(
                f"fit: {coef} = {fit[coef]['c']:.4g} +- {fit[coef]['sigma']:.2g} "
                f"(chi2_red {fit[coef]['chi2_red']:.3g}); "
                f"paper {paper[coef]:g}"
            )
    for t in summary["stand_in"]:
        x_type, misread = sum(t["x_error_per_patch"]), sum(t["misread_per_merge"])
        print(f"d={t['d']} p={t['p']:g}: per run {x_type:.3g} X-type data-patch errors and {misread:.3g} misread "
              f"merges, which the |+> stand-in cannot carry", end="")
        if t["carried"]:
            z_type, p_type = sum(t["carried"]["z_error_per_patch"]), sum(t["carried"]["p_error_per_merge"])
            print(f" (it carries {z_type:.3g} Z-type data-patch errors and {p_type:.3g} merge P errors)", end="")
        print(f"; in the real protocol they would add {t['reject']:.3g} rejection and "
              f"{t['output_error_added'] or 0:.3g} output error")
    print(f"wrote {args.out}/stats.csv, summary.json, plot.png")
    return 0


def _run_stream(args: argparse.Namespace) -> int:
    import pathlib

    from magicpipe.errors import SpecError
    from magicpipe.grammar.parser2 import parse_program
    from magicpipe.verification.stream_logical import run_logical

    path = pathlib.Path(args.stream)
    if path.is_dir():
        path = path / "schedule.lsi"
    if not path.is_file():
        raise SpecError(f"{path} is not a stream file; give a version-2 schedule.lsi or its folder")
    if args.shots < 1:
        raise SpecError(f"--shots {args.shots}: give at least 1")
    stream = parse_program(path.read_text(encoding="utf-8"))
    r = run_logical(stream, shots=args.shots, seed=args.seed)
    ok = r.min_fidelity > 1 - 1e-9
    gates = "T and CCZ" if stream.header.ccz_count else "T"
    print(f"{path}: {r.consumptions} consumptions per shot, {r.shots} shot(s), {r.rotations} pi/4 and {r.frames} "
          f"Pauli corrections applied; least fidelity to the ideal {gates} gates {r.min_fidelity:.12f}: "
          f"{f'every branch applies {gates}' if ok else 'WRONG'}")
    ok = _block_protocols(args, path, stream) and ok
    if args.factory:
        from magicpipe.verification.stream_logical import unit_factory_circuit

        c = unit_factory_circuit(stream)
        dets, obs = c.compile_detector_sampler(seed=args.seed).sample(args.shots, separate_observables=True)
        quiet = not dets.any() and not obs.any()
        ok = ok and quiet
        print(
            f"{path}: unit factory from its own MEASURE lines: {c.num_qubits} qubits, {c.num_detectors} detectors, "
            f"{c.num_observables} observables; without noise "
            f"{'every detector and observable is 0' if quiet else 'NOT deterministic'}"
        )
        d = stream.header.units[0].distances[-1]
        found = {b: len(unit_factory_circuit(stream, 1e-3, 0.0, basis=b).shortest_graphlike_error(
            ignore_ungraphlike_errors=True)) for b in ("x", "z")}
        ok = ok and min(found.values()) >= d
        print(f"{path}: graph-like distance of the unit's factory circuit: {found['x']} (X basis), {found['z']} "
              f"(its Z twin); the unit's top level runs at d={d}")
    if args.program:
        from magicpipe.verification.stream_logical import program_circuit

        c = program_circuit(stream, 1e-3)
        dets, obs = c.without_noise().compile_detector_sampler(seed=args.seed).sample(args.shots,
                                                                                       separate_observables=True)
        quiet = not dets.any() and not obs.any()
        dist = len(c.shortest_graphlike_error(ignore_ungraphlike_errors=True))
        ok = ok and quiet and dist >= stream.header.data_distance
        print(f"{path}: program side from its own merges: {c.num_qubits} qubits, {c.num_detectors} detectors, "
              f"{c.num_observables} observables; without noise "
              f"{'every detector and observable is 0' if quiet else 'NOT deterministic'}; graph-like distance {dist} "
              f"(the program runs at d={stream.header.data_distance})")
    if not args.no_circuit:
        ok = _stream_circuit(args, path, stream) and ok
    return 0 if ok else 1


def _block_protocols(args: argparse.Namespace, path: Any, stream: Any) -> bool:
    """Every Litinski block's protocol read from its own lines, a first-level block's or a two-level block's
    upper block (verification/block_protocol.py)."""
    from magicpipe.errors import VerificationError
    from magicpipe.lattice.units2 import is_block, parse_block
    from magicpipe.verification.block_protocol import block_check, run_protocol

    ok = True
    for u in stream.header.units:
        if not is_block(u) or not parse_block(u.text).protocol:
            continue
        check = block_check(u)
        try:
            r = run_protocol(u, shots=args.shots, seed=args.seed)
            ran = f"{r.shots} shot(s) of its lines, every branch accepted with the ideal output"
        except VerificationError as e:
            ran, r = f"its lines FAIL: {e}", None
        ok = ok and check.ok and r is not None
        print(f"{path}: unit {u.name}'s protocol from its own lines: its rotation list "
              f"{'makes' if check.ok else 'does NOT make'} the ideal output (fidelity {check.fidelity:.12f}); {ran}")
    return ok


def _stream_circuit(args: argparse.Namespace, path: Any, stream: Any) -> bool:
    """``verify stream``'s whole-stream circuit: deterministic without noise, its graph-like distance, a sample."""
    from magicpipe.errors import SpecError
    from magicpipe.verification.stream_circuit import sample_stream_circuit, stream_circuit, stream_distance

    if args.circuit_shots < 0:
        raise SpecError(f"--circuit-shots {args.circuit_shots}: give 0 or more")
    if not 0 < args.physical_error < 0.5 or not 0 <= args.magic_error < 1:
        raise SpecError(f"--physical-error {args.physical_error}, --magic-error {args.magic_error}: give p in "
                        f"(0, 0.5) and eps in [0, 1)")
    try:
        noisy = stream_circuit(stream, args.physical_error, 0.0)
    except SpecError as e:
        print(f"{path}: whole-stream circuit not built: {e}")
        return True
    quiet, c = noisy, noisy.circuit
    det = noisy.deterministic(seed=args.seed)
    dist = stream_distance(noisy) if det else 0
    d = stream.header.data_distance
    print(f"{path}: the whole stream as one Stim circuit: {c.num_qubits} qubits, {c.num_detectors} detectors, "
          f"{c.num_observables} observables ({quiet.data_observables} data patches, {quiet.check_observables} checks "
          f"of {quiet.runs} factory runs), {quiet.consumptions} consumptions, {quiet.moves} moves (routes, steps), "
          f"{quiet.rounds} rounds; without noise {'every detector and observable is 0' if det else 'NOT deterministic'}"
          f"; graph-like distance {dist} at p={args.physical_error:g} (the stream runs at d={d})")
    if args.circuit_shots and det:
        sample_at = stream_circuit(stream, args.physical_error, args.magic_error) if args.magic_error else noisy
        r = sample_stream_circuit(sample_at, args.circuit_shots, seed=args.seed)
        print(f"{path}: {r.shots} noisy shots (p={args.physical_error:g}, eps={args.magic_error:g}, seed {r.seed}): "
              f"{r.accepted} with every run accepted, {r.errors} with a data patch's logical X wrong "
              f"(logical error rate {r.error_rate:.3g} per accepted shot)")
    ok = det and dist >= d
    if args.twin and det:
        twin = stream_circuit(stream, args.physical_error, 0.0, basis="z")
        tdet = twin.deterministic(seed=args.seed)
        tdist = stream_distance(twin) if tdet else 0
        print(f"{path}: its Z twin (X-type errors and the merges' outcomes, which the |+> stand-in cannot carry): "
              f"{'deterministic' if tdet else 'NOT deterministic'} without noise, graph-like distance {tdist}"
              + ("" if tdist >= d else " -- below d: the stream's moves (OUTPUT ... rounds=R) last fewer than d "
                                        "rounds, and a moved state's Z rides on checks measured R times "
                                        "(docs/lattice.md)"))
        ok = ok and tdet and tdist >= d  # a twin below d fails the check as the stream's own circuit does
    return ok
