"""The fast sorting helpers of lvv_eval.synthetic.generator give the orders of the numpy sorts they replace."""

from __future__ import annotations

import numpy as np
import pytest

from lvv_eval.synthetic import generator as synth


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_group_then_key_order_is_lexsort(seed):
    rng = np.random.default_rng(seed)
    groups = rng.integers(0, 12, 5000)
    key = rng.random(5000)
    assert np.array_equal(synth._order_by_group_then_key(groups, key), np.lexsort((key, groups)))
    key[:200] = key[200:400]  # ties within and across groups
    groups[:200] = groups[200:400]
    assert np.array_equal(synth._order_by_group_then_key(groups, key), np.lexsort((key, groups)))
    coarse = np.round(key, 2)  # not a draw of Generator.random: falls back
    assert np.array_equal(synth._order_by_group_then_key(groups, coarse), np.lexsort((coarse, groups)))


@pytest.mark.parametrize("k", [0, 1, 7, 100, 999, 1000, 5000])
def test_largest_first_is_stable_descending_sort(k):
    rng = np.random.default_rng(k)
    key = rng.random(1000) + (rng.random(1000) < 0.3)
    key[::7] = key[3]  # many ties
    assert np.array_equal(synth._largest_first(key, k), np.argsort(-key, kind="stable")[:k])


def test_rank_breaks_ties_by_position():
    key = np.array([0.5, 0.1, 0.5, 0.3, 0.1])
    assert synth._rank(key).tolist() == [3, 0, 4, 2, 1]
    rng = np.random.default_rng(4)
    key = rng.random(1000)
    expected = np.empty(1000, dtype=np.int64)
    expected[np.argsort(key, kind="stable")] = np.arange(1000)
    assert np.array_equal(synth._rank(key), expected)


def test_ids_are_zero_padded_text():
    ids = synth._ids("T", np.array([1, 42, 999999]), 6)
    assert list(ids) == ["T000001", "T000042", "T999999"]
    assert str(ids.dtype) == "string"
