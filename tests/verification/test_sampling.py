"""The seeded sampler: distinct streams per task, worker, compile and resume; no duplicated shots."""

import collections
import shutil

import numpy as np
import pytest
import sinter

from magicpipe.errors import SpecError
from magicpipe.verification import SeededSampler, logical_task, memory_task, sample_task
from magicpipe.verification.sampling import DECODERS

ID_A = "a" * 64
ID_B = "b" * 64


def test_stim_seeds_differ_by_task_compile_and_resume_and_repeat_otherwise():
    first = SeededSampler(1).stim_seed(ID_A)
    assert SeededSampler(1).stim_seed(ID_A) == first  # same inputs, same seed
    assert SeededSampler(2).stim_seed(ID_A) != first
    assert SeededSampler(1).stim_seed(ID_B) != first
    assert SeededSampler(1, prior_shots={ID_A: 5000}).stim_seed(ID_A) != first  # a resumed run
    again = SeededSampler(1)
    assert again.stim_seed(ID_A) == first
    assert again.stim_seed(ID_A) != first  # a worker compiling the same task a second time


def test_shared_tickets_give_each_worker_its_own_stream():
    sampler = SeededSampler(1, shared=True)
    worker_a = sampler.stim_seed(ID_A)
    sampler._ticket = None  # as if a second process took the next ticket
    worker_b = sampler.stim_seed(ID_A)
    assert worker_a != worker_b


def test_postselection_counts_discards_and_flips_and_pymatching_counts_mistakes():
    stats = sample_task(logical_task(0.2), shots=4096, seed=2)
    assert stats.shots == 4096 and 0 < stats.discards < 4096 and 0 < stats.errors < 4096 - stats.discards
    memory = sample_task(memory_task(3, 0.02, cycles=1), shots=4096, seed=2)
    assert memory.discards == 0 and 0 < memory.errors < 4096 // 2


def test_sample_task_stops_at_max_errors_on_a_batch_boundary():
    stats = sample_task(memory_task(3, 0.02, cycles=1), shots=10**6, seed=2, max_errors=5, batch_size=64)
    assert stats.errors >= 5 and stats.shots < 10**6 and stats.shots % 64 == 0


@pytest.mark.parametrize("kwargs", [{"shots": 0}, {"shots": 10, "max_errors": 0}, {"shots": 10, "seed": -1}])
def test_bad_counts_and_seeds_are_rejected(kwargs):
    kwargs = {"seed": 0} | kwargs
    with pytest.raises(SpecError):
        sample_task(logical_task(0.1), **kwargs)


def test_unknown_decoder_is_rejected():
    task = memory_task(3, 1e-3)
    task.decoder = "fusion_blossom"
    with pytest.raises(SpecError, match="fusion_blossom"):
        SeededSampler(0).compiled_sampler_for_task(task)


def test_batches_of_a_seeded_stream_are_not_repeated():
    # two consecutive batches of one compiled sampler are different draws
    compiled = SeededSampler(9, batch_size=256).compiled_sampler_for_task(logical_task(0.3))
    first = compiled.sampler.sample(256, bit_packed=True)
    second = compiled.sampler.sample(256, bit_packed=True)
    assert not np.array_equal(first, second)


class _TicketTagged(SeededSampler):
    """Counts each batch's shots under the ticket of the worker that drew it (module level: spawned workers
    unpickle it by name)."""

    def compiled_sampler_for_task(self, task):
        inner, ticket = super().compiled_sampler_for_task(task), self._ticket

        class Tagged(sinter.CompiledSampler):
            def handles_throttling(self):
                return True

            def sample(self, shots):
                s = inner.sample(shots)
                counts = collections.Counter({f"ticket{ticket}": s.shots})
                return sinter.AnonTaskStats(shots=s.shots, errors=s.errors, seconds=s.seconds, custom_counts=counts)

        return Tagged()


def test_two_sinter_workers_on_one_task_take_different_tickets():
    (stats,) = sinter.collect(num_workers=2, tasks=[memory_task(5, 3e-3, cycles=1)], max_shots=400_000,
                              custom_decoders={"pymatching": _TicketTagged(0, shared=True)})
    assert stats.shots == 400_000
    assert sorted(stats.custom_counts) == ["ticket0", "ticket1"]  # both workers sampled, each its own stream


def test_one_worker_in_this_process_is_sinters_one_worker_with_its_limits_and_resume(tmp_path, capsys):
    """``--workers 1`` samples in this process (``collect``'s own loop); it must give what one sinter worker gives:
    the same counts per task, a task's own error limit and the run's, and a resumed second run."""
    from magicpipe.verification.collect import RunOptions, collect
    from magicpipe.verification.factory import factory_events_task

    tasks = [memory_task(3, 8e-3, cycles=1), logical_task(0.05), factory_events_task(3, 2e-3, "z")]
    tasks[2].collection_options = sinter.CollectionOptions(max_errors=150)  # as run_factory sets it

    def key(stats):
        return [(s.strong_id, s.shots, s.errors, s.discards, dict(s.custom_counts)) for s in stats]

    here, there = tmp_path / "here", tmp_path / "there"
    first = collect(tasks, RunOptions(here, shots=3000, seed=4, workers=1, progress=False))
    there.mkdir()
    shutil.copy(here / "stats.csv", there / "stats.csv")  # sinter resumes from the file written here
    ours = collect(tasks, RunOptions(here, shots=20_000, seed=4, max_errors=200, workers=1, progress=True))
    sampler = SeededSampler(4, prior_shots={s.strong_id: s.shots for s in first}, shared=True)
    theirs = sinter.collect(num_workers=1, tasks=tasks, save_resume_filepath=there / "stats.csv", max_shots=20_000,
                            max_errors=200, custom_decoders=dict.fromkeys(DECODERS, sampler))
    by_id = {s.strong_id: s for s in theirs}
    assert key(ours) == key(by_id[t.strong_id()] for t in tasks)
    assert [s.shots for s in first] == [3000, 3000, 1024]
    memory, logical, events = ours
    assert memory.shots < 20_000 and memory.errors >= 200  # the run's error limit
    assert logical.shots == 20_000 and logical.errors < 200  # the shot limit
    assert events.shots == 1024 and events.errors >= 150  # the task's own error limit, reached in one batch
    # the second run's progress: a line after each resumed task's first batch (the events task was done), the end
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith('task 1/3 {"basis": "x", "cycles": 1, "d": 3') and "4,024/20,000 shots" in lines[0]
    assert any(x.startswith('task 2/3 {"eps": 0.05') and "4,024/20,000 shots" in x for x in lines)
    assert not any(x.startswith("task 3/3") for x in lines) and lines[-1] == "3 tasks sampled in this process"
    # the resume file holds the same counts, read back as sinter reads its own
    assert key(sinter.stats_from_csv_files(here / "stats.csv")) == key(ours)
    with pytest.raises(SpecError, match="the same task is given twice"):  # as sinter refuses it
        collect([tasks[1], tasks[1]], RunOptions(here, shots=20_000, seed=4, workers=1))


def test_one_worker_in_this_process_stops_at_the_error_limit_exactly_as_sinter_does(tmp_path):
    """A run stops once its errors reach the limit (sinter's ``errors_left <= 0``), not one batch after: every shot
    of this circuit is an error, so the limit 2048 is met exactly at the end of the second 1024-shot batch."""
    import stim

    from magicpipe.verification.collect import RunOptions, collect
    from magicpipe.verification.logical import POSTSELECTION

    circuit = stim.Circuit("X_ERROR(1) 0\nM 0\nOBSERVABLE_INCLUDE(0) rec[-1]")  # a flip every shot
    task = sinter.Task(circuit=circuit, decoder=POSTSELECTION, detector_error_model=circuit.detector_error_model(),
                       json_metadata={"always": "wrong"})
    (stats,) = collect([task], RunOptions(tmp_path, shots=10_000, seed=1, max_errors=2048, workers=1, progress=False))
    assert (stats.shots, stats.errors) == (2048, 2048)
