"""magicpipe.executor and magicpipe.progress without a cluster: order, errors, the progress line, a dead address."""

import io
import time

import pytest

from magicpipe.cli import main
from magicpipe.errors import SpecError
from magicpipe.executor import LocalExecutor, imap_unordered, map_ordered, open_executor
from magicpipe.progress import Progress


def _square_or_fail(x):
    if x == 3:
        raise SpecError("three is refused")
    return x * x


def test_local_processes_return_results_in_job_order():
    jobs = list(range(7, -1, -1))
    with LocalExecutor(2) as ex:
        assert map_ordered(ex, abs, [-j for j in jobs]) == jobs


def test_unordered_results_carry_their_index():
    with open_executor(workers=1) as ex:
        got = dict(imap_unordered(ex, _square_or_fail, [0, 1, 2]))
    assert got == {0: 0, 1: 1, 2: 4}


def test_a_task_error_reaches_the_caller():
    with LocalExecutor(2) as ex, pytest.raises(SpecError, match="three is refused"):
        map_ordered(ex, _square_or_fail, [1, 2, 3, 4])


def test_workers_must_be_positive():
    with pytest.raises(SpecError, match="workers must be a positive integer, got 0"):
        LocalExecutor(0)


def test_progress_is_quiet_off_a_terminal():
    out = io.StringIO()  # isatty() is False
    with Progress(3, "x", stream=out) as p:
        p.update(3)
    assert out.getvalue() == ""


def test_progress_line_gives_rate_and_time_left():
    ticks = iter([0.0, 10.0])
    p = Progress(100, "bench", unit="tasks", stream=io.StringIO(), enabled=True, clock=ticks.__next__, done=20)
    p.done = 45  # 25 tasks in 10 s after a resume at 20: 2.5/s, 55 left -> 22 s
    assert p.line(10.0) == "bench: 45/100 tasks, 2.5/s, ETA 0:22"


def test_dead_scheduler_address_fails_within_the_timeout(tmp_path, capsys):
    pytest.importorskip("distributed", reason="--dask needs dask.distributed (magicpipe[dask])")
    start = time.monotonic()
    code = main(["bench", "two-level", "--min-distance", "3", "--max-distance", "3", "--dask", "tcp://127.0.0.1:9",
                 "--dask-timeout", "1", "--out", str(tmp_path)])
    assert code == 2
    assert time.monotonic() - start < 8
    err = capsys.readouterr().err
    assert "no Dask scheduler answered at 'tcp://127.0.0.1:9' within 1 s" in err
    assert not (tmp_path / "cells.csv").exists()
