"""magicpipe.peers: the estimators' conventions by hand, the custom unit, the runtime match rule, and (when the
``peers`` extra is installed) the Azure estimator's numbers and the side-by-side files of ``bench peers``."""

import csv
import importlib.util
import json
import math
import sys

import pytest
from magicpipe.compiler import FIFTEEN_TO_ONE, Hardware

from magicpipe.cli import main
from magicpipe.peers import (
    PRESETS,
    WORKLOADS,
    PeerResult,
    azure_layout,
    magicpipe_unit,
    match,
)

HAVE_QDK = importlib.util.find_spec("qdk") is not None
HAVE_QRE = HAVE_QDK and importlib.util.find_spec("pandas") is not None
needs_qdk = pytest.mark.skipif(not HAVE_QDK, reason="qdk is not installed: pip install 'magicpipe[peers]'")
needs_qre = pytest.mark.skipif(
    not HAVE_QRE, reason="qdk[qre] (pandas) is not installed: pip install 'magicpipe[peers]'"
)


def test_layout_by_hand_t_only():
    a = azure_layout(WORKLOADS["100q-1e6T"], 1e-3)
    assert a.logical_qubits == 2 * 100 + 29 + 1  # ceil(sqrt(800)) = 29
    assert (a.logical_depth, a.t_states, a.ts_per_rotation) == (10**6, 10**6, 0)
    assert (a.budget_logical, a.budget_tstates, a.budget_rotations) == (5e-4, 5e-4, 0.0)


def test_layout_by_hand_rotations():
    a = azure_layout(WORKLOADS["ising10x10"], 1e-3)
    per = math.ceil(0.53 * math.log2(5600 / (1e-3 / 3)) + 4.86)
    assert per == 18  # 0.53 * 24.002 + 4.86 = 17.58
    assert a.ts_per_rotation == per
    assert a.logical_depth == 5600 + per * 114 and a.t_states == per * 5600
    assert a.budget_logical == a.budget_tstates == a.budget_rotations == pytest.approx(1e-3 / 3)


@pytest.mark.parametrize("eps, pl", [(1e-3, 3e-7), (2e-5, 1e-9), (0.0, 0.0)])
def test_unit_formulas_are_the_protocols(eps, pl):
    u = magicpipe_unit()
    env = {"inputErrorRate": eps, "cliffordErrorRate": pl}

    def ev(formula):
        return eval(formula.replace("^", "**"), {}, env)  # our own two-variable formula

    assert ev(u["outputErrorRateFormula"]) == pytest.approx(FIFTEEN_TO_ONE.output_error(eps, pl))
    assert ev(u["failureProbabilityFormula"]) == pytest.approx(1 - FIFTEEN_TO_ONE.success_probability(eps, pl))
    assert u["numInputTs"] == 15 and u["logicalQubitSpecification"]["numUnitQubits"] == 15


def test_match_rescales_by_cycle_and_takes_fewest_qubits_within_slack():
    our = {"front": [(500, 1000.0), (400, 1200.0), (300, 2000.0)], "data_qubits": 100}
    peer = PeerResult("qre", "x", 1000, 800, 1050.0, 1, 9, 1, 1, cycle_ns=350.0)
    m = match(our, peer, our_cycle_ns=400.0)  # target 1050 * 400/350 = 1200
    assert m["target_runtime_us"] == 1200.0
    assert (m["our_physical_qubits"], m["our_factory_qubits"]) == (400, 300)
    assert m["physical_ratio"] == 0.4 and m["factory_ratio"] == 0.375
    slow = PeerResult("azure", "x", 1000, 800, 1000.0 / 1.02, 1, 9, 1, 1, cycle_ns=400.0)
    assert match(our, slow, 400.0)["matched"] is False  # 2% faster than our fastest: outside the 1% slack
    # the peer gets the same time: its frontier point no slower than our point (1200) is its reference
    peer = PeerResult("azure", "x", 1000, 800, 1190.0, 1, 9, 1, 1, cycle_ns=400.0,
                      front=((1000, 1190.0, 800), (900, 1200.0, 700), (800, 1500.0, 600)))
    m = match(our, peer, our_cycle_ns=400.0)
    assert (m["peer_physical_qubits"], m["peer_factory_qubits"], m["physical_ratio"]) == (900, 700, round(400 / 900, 4))


@needs_qdk
def test_azure_matches_its_documented_conventions():
    from magicpipe.peers import azure

    r = azure(WORKLOADS["100q-1e6T"], PRESETS["e3"], frontier=False)
    det = dict(r.detail)
    hw = Hardware(p=1e-3, eps=1e-3)
    d = next(d for d in range(3, 51, 2) if 230 * 10**6 * hw.logical_error(d) <= 5e-4)
    assert det["logical_qubits"] == 230 and r.logical_depth == 10**6 and r.t_states == 10**6
    assert r.code_distance == d == 21
    assert det["patch_qubits"] == 2 * d * d and det["data_qubits"] == 230 * 2 * d * d
    assert det["logical_cycle_ns"] == (4 * 50 + 2 * 100) * d
    assert r.runtime_us == pytest.approx(10**6 * det["logical_cycle_ns"] / 1000)
    assert r.physical_qubits == det["data_qubits"] + r.factories * det["factory_qubits_each"] == \
        det["data_qubits"] + r.factory_qubits
    assert det["budget"] == {"logical": 5e-4, "tstates": 5e-4, "rotations": 0.0}


@needs_qdk
def test_azure_takes_magicpipes_unit():
    from magicpipe.peers import azure

    r = azure(WORKLOADS["100q-1e6T"], PRESETS["e4"], unit=True, frontier=False)
    det = dict(r.detail)
    assert set(det["unit_names"]) == {"magicpipe 15-to-1"}
    # a factory is as large as its largest round: units x 15 patches of 2 d^2 qubits
    assert det["factory_qubits_each"] == max(n * 15 * 2 * d * d for n, d in
                                             zip(det["units_per_round"], det["factory_distances"]))
    # and runs 11 logical cycles of (4 t_gate + 2 t_meas) d per round
    assert det["factory_runtime_us"] * 1000 == sum(11 * 400 * d for d in det["factory_distances"])


@needs_qre
def test_bench_peers_writes_one_row_per_configuration(tmp_path, capsys):
    args = ["bench", "peers", "--workloads", "100q-1e6T", "--presets", "e3", "--out", str(tmp_path)]
    assert main(args) == 0
    rows = list(csv.DictReader((tmp_path / "peers.csv").open()))
    assert [r["config"] for r in rows][4:] == ["azure", "azure+unit", "qre-cultivation", "qre-litinski",
                                               "qre-cultivation@cycle"]
    assert [(r["estimator"], r["config"]) for r in rows[:4]] == [("magicpipe", m)
                                                                for m in ("dynamic", "sequential", "parallel", "all")]
    for r in rows[3:]:
        assert {"factory_qubits", "physical_qubits", "runtime_us", "factory_ratio", "physical_ratio"} <= set(r)
        if r["matched"] == "True":
            assert float(r["physical_ratio"]) == pytest.approx(
                int(r["our_physical_qubits"]) / int(r["physical_qubits"]), abs=1e-4
            )
            assert float(r["our_runtime_us"]) <= float(r["target_runtime_us"]) * 1.01
    s = json.loads((tmp_path / "summary.json").read_text())
    case = s["cases"]["100q-1e6T/e3"]
    assert case["azure_layout"]["logical_qubits"] == 230 and len(case["peers"]) == 5
    gain = case["dynamic_catalogue"]  # the catalogue's levels scheduled dynamically, against their own timing
    assert gain["target"] == case["all"]["target_error"]
    assert gain["best"]["gain"] == max(c["gain"] for c in gain["cases"])
    gains = list(csv.DictReader((tmp_path / "dynamic_gain.csv").open()))
    assert len(gains) == len(gain["cases"]) and {"gain", "gain_vs_lockstep", "baseline"} <= set(gains[0])
    assert "magicpipe sequential" in capsys.readouterr().out
    by = {p["config"]: p for p in case["peers"]}
    for p in by.values():  # the matched point's breakdown adds up to the matched qubits
        b = p["match_all_point"]
        if p["match_all"]["matched"]:
            assert b["physical_qubits"] == p["match_all"]["our_physical_qubits"]
            assert b["data_qubits"] + b["factory_qubits"] + b["buffer_qubits"] == b["physical_qubits"]
            assert b["copies"] * b["factory_qubits_each"] == b["factory_qubits"]
            assert sum(b["errors"].values()) <= 1e-3 * (1 + 1e-12)
    # QRE v3's cultivation at one of its code cycles per round (7 gate times instead of 4): same states, slower
    fast, slow = by["qre-cultivation"], by["qre-cultivation@cycle"]
    assert slow["factory_ns_per_state"] / fast["factory_ns_per_state"] == pytest.approx(7 / 4, rel=0.01)
    assert slow["physical_qubits"] >= fast["physical_qubits"] and slow["factory_error"] == fast["factory_error"]
    assert s["goals"]["total_qubits_at_most_best_qre"]["100q-1e6T/e3"]["best"] == "qre-cultivation"


def test_bench_peers_rejects_unknown_workload(tmp_path, capsys):
    assert main(["bench", "peers", "--workloads", "shor", "--out", str(tmp_path)]) == 2
    assert "unknown workload" in capsys.readouterr().err


@needs_qdk
def test_sequential_baseline_reproduces_azure_with_the_same_unit():
    """Like for like: the paper's sequential baseline (16 level-1 copies, then the top level, on one footprint)
    is the estimator's round-based factory; with magicpipe's unit both pick the same distances and factory count,
    and differ only by the patch size (2 d^2 - 1 here, 2 d^2 there). The budget is split as the estimator splits
    it (halves without rotations), not searched."""
    from magicpipe.compiler.budget import ErrorBudget
    from magicpipe.peers import azure, ours

    counts, preset = WORKLOADS["100q-1e9T"], PRESETS["e4"]
    peer = azure(counts, preset, unit=True, frontier=False)
    det = dict(peer.detail)
    # the estimator charges no move of a state into a port: nor does magicpipe here
    seq = ours(counts, preset, ErrorBudget(1e-3, 0.5, 0.5, 0.0), method="sequential", handoff=False)
    m = match(seq, peer, seq["cycle_ns"])
    assert m["matched"] and seq["distances"] == det["factory_distances"] == [3, 13]
    d = det["factory_distances"][-1]
    assert m["our_factory_qubits"] == peer.factories * 15 * (2 * d * d - 1)
    assert peer.factory_qubits == peer.factories * 15 * 2 * d * d


def test_missing_extra_is_named(monkeypatch):
    from magicpipe import peers

    monkeypatch.setitem(sys.modules, "qdk.estimator", None)  # importing it now raises ImportError
    with pytest.raises(peers.SpecError, match=r"pip install 'magicpipe\[peers\]'"):
        peers.azure(WORKLOADS["100q-1e6T"], PRESETS["e3"])


@needs_qre
def test_qre_v3_reads_counts_like_the_azure_estimator():
    """QRE v3 lays out and schedules logical counts as the Azure estimator does (same logical qubits, PSSPC depth
    and T states per rotation); its cycle is 4 CNOT + H + measurement and its patch 2 d^2 - 1."""
    from magicpipe.peers import qre

    counts = WORKLOADS["ising10x10"]
    lay = azure_layout(counts)
    r = qre(counts, PRESETS["e3"], "qre-cultivation")
    det = dict(r.detail)
    assert det["logical_qubits"] == lay.logical_qubits == 230
    assert det["ts_per_rotation"] == lay.ts_per_rotation and r.t_states == lay.t_states
    assert det["patch_qubits"] == 2 * r.code_distance**2 - 1
    assert r.runtime_us * 1000 == pytest.approx(lay.logical_depth * r.code_distance * (4 * 50 + 50 + 100))
