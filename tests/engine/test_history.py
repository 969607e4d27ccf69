"""A run's history: every epoch at first, evenly thinned within its memory bound, exact when read."""

from __future__ import annotations

import numpy as np
import pytest

from engine.history import ENTRY_OVERHEAD, ParameterHistory


def state(epoch: int, size: int = 100) -> dict[str, np.ndarray]:
    return {"w": np.full(size, float(epoch))}


def test_every_epoch_is_kept_while_the_bound_allows():
    history = ParameterHistory(bound=10**9)
    for epoch in range(50):
        history.record(epoch, state(epoch))
    assert history.epochs == list(range(50))
    shown, params = history.at(17)
    assert shown == 17 and params["w"][0] == 17.0


def test_the_bound_thins_evenly_and_keeps_first_and_latest():
    entry = 100 * 8 + ENTRY_OVERHEAD
    history = ParameterHistory(bound=40 * entry)
    for epoch in range(1001):
        history.record(epoch, state(epoch))
        assert history.nbytes <= 40 * entry
    epochs = history.epochs
    assert epochs[0] == 0 and epochs[-1] == 1000
    gaps = np.diff(epochs[:-1])
    assert len(set(gaps)) == 1, f"uneven spacing {sorted(set(gaps))}"  # evenly spaced but for the latest
    assert len(epochs) >= 20  # thinning halves: at least half the bound is still in use
    # reading between kept epochs gives the latest kept one before, exactly as recorded
    asked = epochs[3] + 1
    shown, params = history.at(asked)
    assert shown == epochs[3] and np.array_equal(params["w"], state(shown)["w"])


def test_a_set_back_run_forgets_its_later_past():
    history = ParameterHistory()
    for epoch in range(10):
        history.record(epoch, state(epoch))
    history.record(4, state(40))  # restored to epoch 4 with other weights
    assert history.epochs == [0, 1, 2, 3, 4]
    assert history.at(9)[1]["w"][0] == 40.0


def test_copy_until_shares_the_past_and_not_the_future():
    history = ParameterHistory()
    for epoch in range(10):
        history.record(epoch, state(epoch))
    branch = history.copy_until(5)
    branch.record(6, state(600))
    assert branch.epochs == [0, 1, 2, 3, 4, 5, 6]
    assert history.at(6)[1]["w"][0] == 6.0


@pytest.mark.parametrize("asked", [-1])
def test_before_the_first_epoch_there_is_nothing(asked):
    history = ParameterHistory()
    history.record(0, state(0))
    assert history.at(asked) is None
