"""Side by side with the resource estimators: the same logical counts through the Azure Resource Estimator,
Microsoft's QRE v3 and magicpipe (``magicpipe bench peers``; ``docs/benchmarks.md``).

Both estimators ship in the ``qdk`` package (optional extra ``magicpipe[peers]``), imported only when a peer
runs; their telemetry is switched off (``QDK_PYTHON_TELEMETRY=none``) unless the user set it.

* **Azure Resource Estimator** (``qdk.estimator``, the "legacy" estimator; Beverland et al. 2022,
  arXiv:2211.07629): ``LogicalCounts(...).estimate(params)``. Configurations: ``azure`` (its built-in
  15-to-1 units) and ``azure+unit`` (magicpipe's 15-to-1 given as a custom ``distillationUnitSpecifications``
  entry, :func:`magicpipe_unit`). Its frontier (``estimateType: frontier``) gives (qubits, runtime) points.
* **QRE v3** (``qdk.qre``): a surface code with magic-state cultivation (``qre-cultivation``, Gidney, Shutty
  and Jones 2024) or Litinski's 2019 factories (``qre-litinski``); it returns a Pareto table.

:func:`azure_layout` restates the Azure estimator's documented conventions for logical counts as pure
arithmetic (the test checks it against the estimator's output), so that magicpipe can model counts like for
like. :func:`ours` is magicpipe's side; :func:`match` compares at the peer's runtime (rule in its docstring).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from magicpipe.compiler import FIFTEEN_TO_ONE, PAPER, Hardware, LogicalCounts, Protocol
from magicpipe.compiler.budget import ErrorBudget
from magicpipe.compiler.synthesis import SynthesisModel
from magicpipe.errors import SpecError

__all__ = [
    "ERROR_BUDGET",
    "PEERS",
    "PRESETS",
    "QDK_SYNTHESIS",
    "WORKLOADS",
    "AzureLayout",
    "PeerResult",
    "Preset",
    "azure",
    "azure_layout",
    "breakdown",
    "magicpipe_unit",
    "match",
    "ours",
    "qre",
    "run_peer",
]

ERROR_BUDGET = 1e-3


@dataclass(frozen=True, slots=True)
class Preset:
    """One of the estimators' qubit presets: uniform error ``p`` (gates, measurement, T), gate and
    measurement times in ns. magicpipe takes ``eps = p`` for a raw (injected) magic state, as the estimators do
    with ``tGateErrorRate``."""

    key: str
    qubit_params: str
    p: float
    gate_ns: float = 50.0
    meas_ns: float = 100.0

    def hardware(self) -> Hardware:
        # the paper's model, named: its Eq. 2 (0.03, 0.01) is the estimators' own p_L formula (docs/benchmarks.md)
        return Hardware(p=self.p, eps=self.p, t_2q_ns=self.gate_ns, t_meas_ns=self.meas_ns, model=PAPER)


PRESETS: dict[str, Preset] = {
    "e3": Preset("e3", "qubit_gate_ns_e3", 1e-3),
    "e4": Preset("e4", "qubit_gate_ns_e4", 1e-4),
}

# Workloads as pure data (Azure logicalCounts). The Ising counts are those of issue 9: a 10 x 10 transverse-field
# Ising model, 20 first-order Trotter steps of 100 X and 180 ZZ rotations (5,600 rotations) in 114 rotation layers.
WORKLOADS: dict[str, LogicalCounts] = {
    "100q-1e6T": LogicalCounts(num_qubits=100, t_count=10**6),
    "100q-1e9T": LogicalCounts(num_qubits=100, t_count=10**9),
    "ising10x10": LogicalCounts(num_qubits=100, rotation_count=5600, rotation_depth=114),
}

# T states per rotation as the installed estimator computes them: ceil(0.53 log2(R / eps_rot) + 4.86); the
# estimator's own output description (qsharp source/npm/qsharp/ux/output_data.md, "Number of T states per
# rotation", citing arXiv:2203.10064) and its constants.rs give b = 4.86; older documentation printed 5.3.
QDK_SYNTHESIS = SynthesisModel("qdk", 0.53, 4.86, "qdk resource estimator constants.rs / output_data.md")


@dataclass(frozen=True, slots=True)
class AzureLayout:
    """The Azure estimator's reading of logical counts (PSSPC layout; Beverland et al. 2022, App. C and D).

    Attributes:
        logical_qubits: ``2 Q + ceil(sqrt(8 Q)) + 1`` patches for ``Q`` algorithm qubits.
        logical_depth: logical cycles: ``M + R + T + 3 (CCZ + CCiX) + ts_per_rotation x rotationDepth``.
        t_states: ``T + 4 (CCZ + CCiX) + ts_per_rotation x R``.
        ts_per_rotation: ``ceil(0.53 log2(R / budget_rotations) + 4.86)`` (0 without rotations).
        budget_logical, budget_tstates, budget_rotations: the total split in thirds with rotations, in halves
            (logical, T states) without, all to logical without any T state.
    """

    logical_qubits: int
    logical_depth: int
    t_states: int
    ts_per_rotation: int
    budget_logical: float
    budget_tstates: float
    budget_rotations: float


def azure_layout(counts: LogicalCounts, error_budget: float = ERROR_BUDGET) -> AzureLayout:
    """The Azure estimator's logical qubits, depth, T states and budget split for ``counts`` (pure).

    Examples:
        >>> a = azure_layout(WORKLOADS["ising10x10"])
        >>> a.logical_qubits, a.ts_per_rotation, a.logical_depth, a.t_states
        (230, 18, 7652, 100800)
    """
    if not 0 < error_budget < 1:
        raise SpecError(f"error budget must lie in (0, 1), got {error_budget!r}")
    q = counts.num_qubits
    tof = counts.ccz_count + counts.ccix_count
    rot = counts.rotation_count
    has_t = bool(counts.t_count or tof or rot)
    if rot:
        b_log = b_t = b_rot = error_budget / 3
    elif has_t:
        b_log, b_t, b_rot = error_budget / 2, error_budget / 2, 0.0
    else:
        b_log, b_t, b_rot = error_budget, 0.0, 0.0
    per_rot = QDK_SYNTHESIS.rotation_t_count(b_rot / rot) if rot else 0
    depth = counts.measurement_count + rot + counts.t_count + 3 * tof + per_rot * counts.rotation_depth
    return AzureLayout(2 * q + math.ceil(math.sqrt(8 * q)) + 1, depth, counts.t_count + 4 * tof + per_rot * rot,
                       per_rot, b_log, b_t, b_rot)


def _pl_terms(terms: Sequence[tuple[float, int]], pl: float) -> str:
    parts = [f"{c:g} * inputErrorRate" + (f"^{k}" if k != 1 else "") for c, k in terms]
    return " + ".join(parts + [f"{pl:g} * cliffordErrorRate"])


def magicpipe_unit(protocol: Protocol = FIFTEEN_TO_ONE) -> dict[str, Any]:
    """magicpipe's distillation block as an Azure ``distillationUnitSpecifications`` entry.

    ``protocol.tiles`` patches at the unit's distance for ``steps x cycles_per_step`` logical cycles; output
    error and failure probability from the protocol's formulas, with the estimator's ``inputErrorRate`` for
    eps_in and ``cliffordErrorRate`` (the patch's logical error per cycle at that distance) for p_L. The burst
    needs no term: the estimator's rounds are sequential, so all inputs of a unit are ready when it starts. The
    unit is logical only (no physical-qubit specification): its first round is fed raw states of the qubits'
    ``tGateErrorRate``, as in magicpipe.

    Examples:
        >>> u = magicpipe_unit()
        >>> u["outputErrorRateFormula"], u["failureProbabilityFormula"]
        ('35 * inputErrorRate^3 + 7.1 * cliffordErrorRate', '15 * inputErrorRate + 356 * cliffordErrorRate')
        >>> u["logicalQubitSpecification"]
        {'numUnitQubits': 15, 'durationInQubitCycleTime': 11}
    """
    return {
        "displayName": f"magicpipe {protocol.name}",
        "numInputTs": protocol.burst + protocol.steps * protocol.inputs_per_step,
        "numOutputTs": protocol.outputs,
        "failureProbabilityFormula": _pl_terms(protocol.fail, protocol.fail_pl),
        "outputErrorRateFormula": _pl_terms(protocol.out_error, protocol.out_error_pl),
        "logicalQubitSpecification": {"numUnitQubits": protocol.tiles,
                                      "durationInQubitCycleTime": protocol.steps * protocol.cycles_per_step},
    }


@dataclass(frozen=True, slots=True)
class PeerResult:
    """One estimator configuration's answer for one workload and preset.

    ``cycle_ns`` is its code (syndrome-extraction) cycle: the runtime match rescales by it (:func:`match`).
    ``front`` holds (physical qubits, runtime us, factory qubits) points, fastest first. ``feasible`` is False
    when the peer found no estimate (``note`` says why); its numbers are then 0.
    """

    estimator: str
    config: str
    physical_qubits: int
    factory_qubits: int
    runtime_us: float
    factories: int
    code_distance: int
    logical_depth: int
    t_states: int
    cycle_ns: float
    front: tuple[tuple[int, float, int], ...] = ()
    feasible: bool = True
    note: str = ""
    detail: tuple[tuple[str, Any], ...] = field(default=())

    def info(self) -> dict:
        return {k: getattr(self, k) for k in ("estimator", "config", "physical_qubits", "factory_qubits",
                                              "runtime_us", "factories", "code_distance", "logical_depth",
                                              "t_states", "cycle_ns", "feasible", "note")} | dict(self.detail)


def _qdk(module: str):
    os.environ.setdefault("QDK_PYTHON_TELEMETRY", "none")
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise SpecError(f"the peers need {module} ({e.name} is missing); install the extra: "
                        f"pip install 'magicpipe[peers]'") from None


def azure(counts: LogicalCounts, preset: Preset, unit: bool = False, frontier: bool = True,
          error_budget: float = ERROR_BUDGET) -> PeerResult:
    """The Azure Resource Estimator on ``counts`` at ``preset``: built-in factories, or magicpipe's unit."""
    est = _qdk("qdk.estimator")
    params: dict[str, Any] = {"qubitParams": {"name": preset.qubit_params}, "errorBudget": error_budget}
    if unit:
        params["distillationUnitSpecifications"] = [magicpipe_unit()]
    lc = est.LogicalCounts(counts.to_dict())
    r = lc.estimate(params)
    pc, b, lq, tf = r["physicalCounts"], r["physicalCounts"]["breakdown"], r["logicalQubit"], r["tfactory"]
    front: tuple[tuple[int, float, int], ...] = ()
    if frontier:
        fr = lc.estimate(params | {"estimateType": "frontier"}).data()["frontierEntries"]
        front = tuple(sorted(((e["physicalCounts"]["physicalQubits"], e["physicalCounts"]["runtime"] / 1000.0,
                               e["physicalCounts"]["breakdown"]["physicalQubitsForTfactories"]) for e in fr),
                             key=lambda x: (x[1], x[0])))
    qp = r["jobParams"]["qubitParams"]
    cycle = 4 * _ns(qp["twoQubitGateTime"]) + 2 * _ns(qp["oneQubitMeasurementTime"])
    detail = (("logical_qubits", b["algorithmicLogicalQubits"]), ("ts_per_rotation", b["numTsPerRotation"]),
              ("factory_distances", list(tf["codeDistancePerRound"])),
              ("units_per_round", list(tf["numUnitsPerRound"])), ("unit_names", list(tf["unitNamePerRound"])),
              ("factory_qubits_each", tf["physicalQubits"]), ("factory_runtime_us", tf["runtime"] / 1000.0),
              ("data_qubits", b["physicalQubitsForAlgorithm"]),
              ("logical_cycle_ns", lq["logicalCycleTime"]), ("patch_qubits", lq["physicalQubits"]),
              ("budget", dict(r["errorBudget"])))
    return PeerResult("azure", "azure+unit" if unit else "azure", pc["physicalQubits"],
                      b["physicalQubitsForTfactories"], pc["runtime"] / 1000.0, b["numTfactories"],
                      lq["codeDistance"], b["logicalDepth"], b["numTstates"], cycle, front, detail=detail)


def _ns(text: str) -> float:
    value, unit = str(text).split()
    return float(value) * {"ns": 1.0, "us": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9}[unit]


# ``@cycle``: QRE v3's cultivation with one cultivation round lasting one of its own surface-code cycles
# (GSJ24Factory's ``syndrome_extraction_depth`` = cycle / gate time = 7 at these presets) instead of its default
# 4 gate times (200 ns, no measurement): the clock magicpipe gives cultivation (one round = one code cycle)
QRE_FACTORIES = {"qre-cultivation": "GSJ24Factory", "qre-litinski": "Litinski19Factory",
                 "qre-cultivation@cycle": "GSJ24Factory"}


def qre(counts: LogicalCounts, preset: Preset, config: str = "qre-cultivation",
        error_budget: float = ERROR_BUDGET) -> PeerResult:
    """QRE v3: a gate-based surface code with one factory model; the fastest point of its Pareto table.

    ``detail`` holds the point's breakdown: logical qubits, T states per rotation, data (compute) qubits, patch,
    factory copies, qubits per copy, the factory's output error and mean time per state (ns, one copy), and the
    total error QRE composed.
    """
    if config not in QRE_FACTORIES:
        raise SpecError(f"unknown QRE v3 configuration {config!r}; use one of {sorted(QRE_FACTORIES)}")
    q = _qdk("qdk.qre")
    models = _qdk("qdk.qre.models")
    app_mod = _qdk("qdk.qre.application")
    est = _qdk("qdk.estimator")
    arch = models.GateBased(error_rate=preset.p, gate_time=int(preset.gate_ns), measurement_time=int(preset.meas_ns))
    cycle = 4 * preset.gate_ns + preset.gate_ns + preset.meas_ns  # 4 CNOT + H + measurement per cycle
    factory = getattr(models, QRE_FACTORIES[config])
    at_cycle = config.endswith("@cycle")
    query = models.SurfaceCode.q() * (factory.q(syndrome_extraction_depth=round(cycle / preset.gate_ns)) if at_cycle
                                      else factory.q())
    app = app_mod.QSharpApplication(est.LogicalCounts(counts.to_dict()))
    with contextlib.redirect_stdout(io.StringIO()) as said:  # it prints why a table is empty
        table = list(q.estimate(app, arch, query, max_error=error_budget))
    if not table:
        why = " ".join(line for line in said.getvalue().splitlines() if "minimum error" in line)
        return PeerResult("qre", config, 0, 0, 0.0, 0, 0, 0, 0, cycle, feasible=False,
                          note=f"no estimate within the budget (factory floor above the per-state target). {why}")
    keys = {name: q.property_name_to_key(name) for name in
            ("PHYSICAL_FACTORY_QUBITS", "PHYSICAL_COMPUTE_QUBITS", "LOGICAL_COMPUTE_QUBITS", "NUM_TS_PER_ROTATION")}
    entries = sorted(table, key=lambda e: (e.runtime, e.qubits))
    best = entries[0]
    props = best.properties
    fac = next(iter(best.factories.values()))
    data_q, logical = props[keys["PHYSICAL_COMPUTE_QUBITS"]], props[keys["LOGICAL_COMPUTE_QUBITS"]]
    patch = data_q // logical
    d = round(math.sqrt((patch + 1) / 2))  # QRE v3 patches are 2 d^2 - 1 qubits
    depth = round(best.runtime / (d * cycle))
    fact_q = props[keys["PHYSICAL_FACTORY_QUBITS"]]
    detail = (("logical_qubits", logical), ("ts_per_rotation", props.get(keys["NUM_TS_PER_ROTATION"])),
              ("data_qubits", data_q), ("patch_qubits", patch), ("factory_error", fac.error_rate),
              ("factory_qubits_each", fact_q // max(fac.copies, 1)),
              ("factory_ns_per_state", round(best.runtime * fac.copies / max(fac.states, 1), 1)),
              ("error", best.error))
    return PeerResult("qre", config, best.qubits, fact_q, best.runtime / 1000.0,
                      fac.copies, d, depth, fac.states, cycle,
                      tuple((e.qubits, e.runtime / 1000.0, e.properties[keys["PHYSICAL_FACTORY_QUBITS"]])
                            for e in entries), detail=detail)


PEERS = ("azure", "azure+unit", "qre-cultivation", "qre-litinski", "qre-cultivation@cycle")


def run_peer(config: str, counts: LogicalCounts, preset: Preset) -> PeerResult:
    """One configuration of :data:`PEERS`."""
    if config in ("azure", "azure+unit"):
        return azure(counts, preset, unit=config == "azure+unit")
    return qre(counts, preset, config)


def ours(counts: LogicalCounts, preset: Preset, error_budget: float | ErrorBudget = ERROR_BUDGET,
         method: str = "dynamic",
         candidates: int = 0, extra_sources: tuple = (), storage_decay: bool = True, catalogue: bool = False,
         handoff: bool = True, grow_slots: bool = True) -> dict:
    """magicpipe's answer from :func:`magicpipe.compile`: ``dict(physical_qubits, factory_qubits, data_qubits,
    runtime_us, front=[(qubits, runtime_us, factory_qubits), ...], ...)``, the top-level numbers being the front
    point of fewest qubits within 1% of the fastest runtime; ``method`` ``"dynamic"`` (the plan's own front) or a
    static baseline (``"sequential"``, ``"parallel"``) planned on the same program. ``candidates`` is accepted
    for older callers and unused. ``storage_decay=False`` plans as the estimators do, without charging the decay
    of buffered states; ``grow_slots=False`` charges it with the buffer slots kept at the producer's distance
    (``--storage-decay fixed-slots``). ``error_budget`` may fix the shares (an
    :class:`~magicpipe.compiler.budget.ErrorBudget` other than the default thirds), as the estimators do: then they
    are not searched.
    """
    import magicpipe

    comp = _compiled(counts, preset, error_budget, tuple(extra_sources), storage_decay, catalogue, handoff,
                     grow_slots)
    if method == "dynamic":
        front = comp.front
    else:
        front = next((f for m, f, _ in comp.baselines if m == method), None)
        if front is None:
            raise SpecError(f"method must be one of ('dynamic', 'sequential', 'parallel'), got {method!r}")
    pts = front.points
    fastest = min(p.runtime_us for p in pts)
    pick = min((p for p in pts if p.runtime_us <= fastest * 1.01), key=lambda p: p.physical_qubits)
    hw = comp.hardware
    return {
        "method": method, "data_qubits": pick.data_qubits, "data_distance": pick.data.distance,
        "logical_depth": comp.demand.timeline.layers, "t_states": comp.demand.t_states, "cycle_ns": hw.t_stab_ns,
        "adapter": f"magicpipe.compile {magicpipe.__version__}",
        "physical_qubits": pick.physical_qubits, "factory_qubits": pick.factory_qubits,
        "runtime_us": pick.runtime_us,
        "front": [(p.physical_qubits, p.runtime_us, p.factory_qubits) for p in pts],
        "copies": pick.copies, "distances": list(pick.distances), "source": pick.source.info(),
        "target_error": comp.demand.target,
        "points": [breakdown(p, counts) for p in pts],
    }


def breakdown(point: Any, counts: LogicalCounts) -> dict:
    """Where a magicpipe point's qubits, time and error go: data block, factory copies, buffers, T states per
    rotation (read back from its synthesis share) and its three shares."""
    syn = point.budgets[2]
    per_rot = QDK_SYNTHESIS.rotation_t_count(syn / counts.rotation_count) if counts.rotation_count and syn else 0
    return {"physical_qubits": point.physical_qubits, "runtime_us": point.runtime_us,
            "data_distance": point.data.distance, "data_tiles": point.data.tiles, "data_qubits": point.data_qubits,
            "factory": point.source.name, "copies": point.copies, "factory_qubits_each": point.source.qubits,
            "factory_qubits": point.factory_qubits, "rounds_per_state": round(point.source.period_rounds
                                                                             / point.source.outputs, 2),
            "buffer_qubits": point.buffer_qubits, "wait_rounds": round(point.wait_rounds, 1),
            "ts_per_rotation": per_rot, "errors": dict(point.errors),
            "budgets": dict(zip(("logical", "distillation", "synthesis"), point.budgets))}


_CACHE: dict = {}


def _compiled(counts: LogicalCounts, preset: Preset, error_budget: float | ErrorBudget, extra: tuple,
              storage_decay: bool, catalogue: bool, handoff: bool = True, grow_slots: bool = True):
    import magicpipe

    key = (counts.to_json(), preset.key, error_budget, extra, storage_decay, catalogue, handoff, grow_slots)
    if key not in _CACHE:
        _CACHE[key] = magicpipe.compile(counts, hardware=preset.hardware(), error_budget=error_budget,
                                        extra_sources=extra, storage_decay=storage_decay, catalogue=catalogue,
                                        handoff=handoff, grow_slots=grow_slots)
    return _CACHE[key]


def match(our: dict, peer: PeerResult, our_cycle_ns: float, slack: float = 0.01) -> dict:
    """Compare magicpipe's front with a peer at the same runtime.

    Rule: (1) the peer's runtime is rescaled to magicpipe's code cycle (``runtime x our_cycle_ns /
    peer.cycle_ns``: the same number of code cycles; x 1 for the Azure estimator, whose logical cycle
    ``(4 t_gate + 2 t_meas) d`` equals magicpipe's ``(6 t_2q + t_meas) d`` at these gate times; x 400/350 for
    QRE v3, whose cycle is 4 CNOT + H + measurement). (2) magicpipe's point is its front point of fewest
    physical qubits with runtime <= that target x (1 + ``slack``): the 1% admits magicpipe's factory start-up,
    which magicpipe charges and the estimators do not. (3) The peer gets the same time: its reference point is
    the point of fewest physical qubits among its own answer and its front points (rescaled) no slower than
    magicpipe's point. Ratios are magicpipe / reference; without a magicpipe point that fast (or a peer estimate)
    they are None and ``matched`` is False.

    ``our["front"]`` items are ``(physical_qubits, runtime_us)`` or ``(physical_qubits, runtime_us,
    factory_qubits)``; without the third, factory qubits are ``physical - our["data_qubits"]``. ``peer.front``
    items are ``(physical_qubits, runtime_us, factory_qubits)``.
    """
    out: dict[str, Any] = {"target_runtime_us": None, "our_physical_qubits": None, "our_factory_qubits": None,
           "our_runtime_us": None, "peer_physical_qubits": None, "peer_factory_qubits": None,
           "peer_runtime_us": None, "factory_ratio": None, "physical_ratio": None, "matched": False}
    if not peer.feasible:
        return out
    scale = our_cycle_ns / peer.cycle_ns
    target = peer.runtime_us * scale
    out["target_runtime_us"] = round(target, 3)
    ok = [pt for pt in our["front"] if pt[1] <= target * (1 + slack)]
    if not ok:
        return out
    pt = min(ok, key=lambda x: (x[0], x[1]))
    fq = pt[2] if len(pt) > 2 else pt[0] - our["data_qubits"]
    refs = [(peer.physical_qubits, peer.runtime_us, peer.factory_qubits)]
    refs += [f for f in peer.front if f[1] * scale <= pt[1]]
    ref = min(refs, key=lambda x: (x[0], x[1]))
    out.update(our_physical_qubits=pt[0], our_factory_qubits=fq, our_runtime_us=round(pt[1], 3),
               peer_physical_qubits=ref[0], peer_factory_qubits=ref[2], peer_runtime_us=round(ref[1], 3),
               factory_ratio=round(fq / ref[2], 4) if ref[2] else None,
               physical_ratio=round(pt[0] / ref[0], 4), matched=True)
    return out


def front_ratios(our: dict, peer: PeerResult, our_cycle_ns: float, slack: float = 0.01) -> list[dict]:
    """:func:`match` at every point of the peer's front (its frontier or Pareto table), with the same rule: the
    peer's reference is its cheapest point no slower than magicpipe's."""
    rows = []
    for q, r, f in peer.front:
        pt = PeerResult(peer.estimator, peer.config, q, f, r, 0, 0, 0, 0, peer.cycle_ns, peer.front)
        m = match(our, pt, our_cycle_ns, slack)
        rows.append({"peer_physical_qubits": q, "peer_factory_qubits": f, "peer_runtime_us": r,
                     "our_physical_qubits": m["our_physical_qubits"], "our_runtime_us": m["our_runtime_us"],
                     "physical_ratio": m["physical_ratio"], "factory_ratio": m["factory_ratio"]})
    return rows
