"""Sampling in seeded shot chunks (magicpipe.verification.chunks): the sum of its chunks, stops, resume."""

import sinter

from magicpipe.executor import LocalExecutor
from magicpipe.verification.chunks import chunk_seed, collect_chunks
from magicpipe.verification.logical import logical_task
from magicpipe.verification.sampling import sample_task

TASK = logical_task(0.05)


def _counts(stats):
    return [(s.shots, s.errors, s.discards) for s in stats]


def test_chunks_add_up_like_sinter_stats(tmp_path):
    with LocalExecutor(1) as ex:
        got = collect_chunks([TASK], tmp_path / "stats.csv", ex, shots=2500, seed=7, chunk_shots=1000,
                             progress=False)
    sid = TASK.strong_id()
    parts = [sample_task(TASK, shots=n, seed=chunk_seed(7, sid, 0, k)) for k, n in enumerate((1000, 1000, 500))]
    total = sum(parts, sinter.AnonTaskStats())
    assert total.errors > 0 and total.discards > 0
    assert _counts(got) == [(2500, total.errors, total.discards)]
    lines = sinter.stats_from_csv_files(tmp_path / "stats.csv")  # the resume file aggregates to the same
    assert _counts(lines) == _counts(got)


def test_processes_give_the_counts_of_one_process(tmp_path):
    tasks = [logical_task(0.05), logical_task(0.1)]
    with LocalExecutor(1) as one, LocalExecutor(2) as two:
        a = collect_chunks(tasks, tmp_path / "a.csv", one, shots=3000, seed=1, chunk_shots=500, progress=False)
        b = collect_chunks(tasks, tmp_path / "b.csv", two, shots=3000, seed=1, chunk_shots=500, progress=False)
    assert _counts(a) == _counts(b)


def test_max_errors_stops_at_the_first_chunk_that_reaches_it(tmp_path):
    sid = TASK.strong_id()
    running, chunks = 0, 0
    while running < 30:  # what the rule says: add chunks in order until the errors reach 30
        running += sample_task(TASK, shots=200, seed=chunk_seed(3, sid, 0, chunks)).errors
        chunks += 1
    with LocalExecutor(2) as ex:
        got = collect_chunks([TASK], tmp_path / "s.csv", ex, shots=10**6, seed=3, max_errors=30, chunk_shots=200,
                             progress=False)
    assert _counts(got)[0][:2] == (200 * chunks, running)


def test_resume_continues_to_the_new_shot_count_with_fresh_streams(tmp_path):
    csv = tmp_path / "stats.csv"
    with LocalExecutor(1) as ex:
        first = collect_chunks([TASK], csv, ex, shots=1000, seed=2, chunk_shots=1000, progress=False)
        again = collect_chunks([TASK], csv, ex, shots=1000, seed=2, chunk_shots=1000, progress=False)
        more = collect_chunks([TASK], csv, ex, shots=2000, seed=2, chunk_shots=1000, progress=False)
    assert _counts(again) == _counts(first)  # nothing left to do
    second = sample_task(TASK, shots=1000, seed=chunk_seed(2, TASK.strong_id(), 1000, 0))
    assert _counts(more) == [(2000, first[0].errors + second.errors, first[0].discards + second.discards)]


def test_verify_command_samples_in_chunks_and_records_their_size(tmp_path):
    import json

    from magicpipe.cli import main

    out = tmp_path / "out"
    assert main(["verify", "logical", "--eps", "0.05", "--shots", "3000", "--chunk-shots", "1000", "--workers", "1",
                 "--quiet", "--out", str(out)]) == 0
    lines = (out / "stats.csv").read_text().splitlines()[1:]
    assert [int(line.split(",")[0]) for line in lines] == [1000, 1000, 1000]  # one resume-file line per chunk
    assert json.loads((out / "summary.json").read_text())["chunk_shots"] == 1000
