"""The same results on a Dask cluster as locally: a ``distributed.LocalCluster`` of one worker process running two
tasks at a time (its own process, so every job and result is pickled; two threads, so results can come back out of job
order as they would from several workers; a second process would only add its start-up, about a second of CPU).

Skipped when dask.distributed is missing (it is the optional extra ``magicpipe[dask]``). Sampling in chunks on
the cluster is left to docs/cluster.md (its workers would import Stim and the verification layer, seconds of
CPU each); tests/verification/test_chunks.py checks that the chunks' counts do not depend on the processes.
"""

import csv
import functools

import pytest

distributed = pytest.importorskip("distributed", reason="the cluster tests need dask.distributed (magicpipe[dask])")

from magicpipe.cli import main  # noqa: E402 (after the importorskip above)
from magicpipe.cli.pipeline import RUN_DEPENDENT_COLUMNS  # noqa: E402 (after the importorskip above)
from magicpipe.errors import SpecError  # noqa: E402 (after the importorskip above)
from magicpipe.executor import DaskExecutor, installed_version  # noqa: E402 (after the importorskip above)

# logical counts, not a circuit: the workers then plan without importing Qiskit (seconds of CPU each)
COUNTS = '{"numQubits": 3, "tCount": 1, "cczCount": 1}'


@pytest.fixture(scope="module")
def address():
    with distributed.LocalCluster(n_workers=1, processes=True, threads_per_worker=2, dashboard_address=":0") as c:
        yield c.scheduler_address


def _rows(path, drop):
    with path.open() as f:
        return [{k: v for k, v in r.items() if k not in drop} for r in csv.DictReader(f)]


def test_sweep_rows_on_the_cluster_equal_the_local_rows(tmp_path, address):
    program = tmp_path / "p.json"
    program.write_text(COUNTS)
    # two points, one per method (one per worker): each is a whole compilation, so a larger grid adds only CPU
    grid = ["--p", "1e-3", "--eps", "1e-3", "--error-budget", "1e-6", "--method", "dynamic", "parallel"]
    assert main(["sweep", str(program), *grid, "--workers", "1", "--out", str(tmp_path / "local")]) == 0
    assert main(["sweep", str(program), *grid, "--dask", address, "--out", str(tmp_path / "dask")]) == 0
    local, cluster = (_rows(tmp_path / d / "points.csv", ("seconds",)) for d in ("local", "dask"))
    assert len(local) == 2 and cluster == local


def test_bench_cells_on_the_cluster_equal_the_local_cells(tmp_path, address):
    args = ["bench", "two-level", "--min-distance", "3", "--max-distance", "5"]
    assert main([*args, "--workers", "1", "--out", str(tmp_path / "local")]) == 0
    assert main([*args, "--dask", address, "--out", str(tmp_path / "dask")]) == 0
    local, cluster = (_rows(tmp_path / d / "cells.csv", RUN_DEPENDENT_COLUMNS) for d in ("local", "dask"))
    assert len(local) == 4 and cluster == local


def test_workers_with_another_version_are_refused_naming_both(address):
    with pytest.raises(SpecError) as e:
        DaskExecutor(address, version=functools.partial(str, "0.0.0-other"))
    assert "runs magicpipe 0.0.0-other, this process runs magicpipe " + installed_version() in str(e.value)
