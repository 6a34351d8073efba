"""The seeded sampler: distinct streams per task, worker, compile and resume; no duplicated shots."""

import collections

import numpy as np
import pytest
import sinter

from magicpipe.errors import SpecError
from magicpipe.verification import SeededSampler, logical_task, memory_task, sample_task

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
