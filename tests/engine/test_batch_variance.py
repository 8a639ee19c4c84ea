"""The variance of a mini-batch gradient estimate, measured by sampling and in closed form: E‖g_B − g‖² =
(1/B)·(N − B)/(N − 1)·σ², shrinking like 1/B and reaching 0 at B = N."""

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gdtui.engine import PROBLEMS, ConfigError, batch_gradient_variance, expected_batch_variance
from gdtui.engine.data_problems import LeastSquares, SecretNumber

DATA = [name for name, p in PROBLEMS.items() if p.is_data]


def three_examples() -> SecretNumber:
    """ŷ = x + θ on (0, 0), (0, 3), (0, 6): at θ = 0 the per-example gradients 2(θ + x − y) are 0, −6, −12."""
    return SecretNumber(
        name="three",
        title="",
        formula="",
        dim=1,
        start=(0.0,),
        box=((-1.0, 1.0),),
        x=np.zeros(3),
        y=np.array([0.0, 3.0, 6.0]),
        features=np.ones((3, 1)),
    )


def test_the_expectation_on_three_examples_by_hand():
    # g = −6 and the deviations are 6, 0, −6, so σ² = (36 + 0 + 36)/3 = 24.
    # B = 1: each example alone: (36 + 0 + 36)/3 = 24 = (1/1)·(2/2)·24.
    # B = 2: {0,1} → −3, {0,2} → −6, {1,2} → −9: deviations 3, 0, −3, mean square 6 = (1/2)·(1/2)·24.
    # B = 3: the full batch, 0.
    p = three_examples()
    assert expected_batch_variance(p, [0.0], [1, 2, 3]).tolist() == [24.0, 6.0, 0.0]
    measured = batch_gradient_variance(p, [0.0], [1, 2, 3], draws=5000, rng=np.random.default_rng(5))
    assert measured[2] == 0.0
    # One draw's ‖g_B − g‖² is 36 (B = 1) or 9 (B = 2) with probability 2/3, else 0: standard deviations
    # 36·√2/3 and 9·√2/3, so over 5000 draws 5 standard errors are 5% of 24 and of 6.
    assert measured[:2] == pytest.approx([24.0, 6.0], rel=0.05)


@pytest.mark.parametrize("name", DATA)
def test_a_batch_of_every_example_measures_exactly_zero(name):
    p = PROBLEMS[name]
    rng = np.random.default_rng(0)
    for theta in (np.array(p.start), np.array(p.start) + 0.37):
        v = batch_gradient_variance(p, theta, [p.n_examples], draws=5, rng=rng)
        assert v.tolist() == [0.0]
        assert expected_batch_variance(p, theta, [p.n_examples]).tolist() == [0.0]


def test_the_expectation_is_the_average_over_every_possible_batch():
    p = PROBLEMS["linear-regression"]
    theta = np.array(p.start)
    per = p.example_grads(theta)
    g = p.grad(theta)
    for b in (1, 2, 3):
        exhaustive = np.mean(
            [np.sum((per[list(c)].mean(axis=0) - g) ** 2) for c in combinations(range(20), b)]
        )
        assert expected_batch_variance(p, theta, [b])[0] == pytest.approx(exhaustive, rel=1e-12)


@pytest.mark.parametrize("name", ["linear-regression", "logistic", "noisy-secret-number"])
def test_the_measured_variance_agrees_with_the_expectation_within_five_standard_errors(name):
    p = PROBLEMS[name]
    theta = np.array(p.start) + 0.25
    sizes = sorted({1, 2, p.n_examples // 2, p.n_examples - 1, p.n_examples})
    draws = 2000
    # One draw per call on a shared generator gives the individual squared deviations, whose spread is
    # the standard error of their mean; a single call with `draws` on the same seed is that mean.
    samples, mean = np.empty((draws, len(sizes))), np.empty(len(sizes))
    for i, b in enumerate(sizes):
        rng = np.random.default_rng(11 + b)
        samples[:, i] = [batch_gradient_variance(p, theta, [b], draws=1, rng=rng)[0] for _ in range(draws)]
        mean[i] = batch_gradient_variance(p, theta, [b], draws=draws, rng=np.random.default_rng(11 + b))[0]
    assert mean == pytest.approx(samples.mean(axis=0), rel=1e-12, abs=0)
    se = samples.std(axis=0, ddof=1) / np.sqrt(draws)
    expected = expected_batch_variance(p, theta, sizes)
    assert np.all(np.abs(mean - expected) <= 5 * se), (mean, expected, se)
    assert expected[-1] == 0.0 and mean[-1] == 0.0


def test_the_variance_shrinks_like_one_over_b_for_a_large_data_set():
    # With B ≪ N the finite-population factor (N − B)/(N − 1) is ≈ 1, so B·E‖g_B − g‖² ≈ σ².
    p = PROBLEMS["linear-regression"]
    theta = np.array(p.start)
    sizes = np.array([1, 2, 4])
    v = expected_batch_variance(p, theta, sizes)
    assert v * sizes / v[0] == pytest.approx((20 - sizes) / 19, rel=1e-12)


def test_bad_arguments_are_refused():
    p = PROBLEMS["linear-regression"]
    rng = np.random.default_rng(0)
    with pytest.raises(ConfigError, match="has no data set"):
        expected_batch_variance(PROBLEMS["bowl"], [0.0, 0.0], [1])
    with pytest.raises(ConfigError, match="batch sizes must be whole numbers from 1 to 20, got 21"):
        batch_gradient_variance(p, p.start, [1, 21], draws=3, rng=rng)
    with pytest.raises(ConfigError, match="got 0"):
        expected_batch_variance(p, p.start, [0])
    with pytest.raises(ConfigError, match="draws must be a whole number"):
        batch_gradient_variance(p, p.start, [1], draws=0, rng=rng)
    with pytest.raises(ConfigError, match="one point of dimension 2"):
        expected_batch_variance(p, np.zeros((3, 2)), [1])


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 12),
    data=st.data(),
    theta=arrays(np.float64, 2, elements=st.floats(-5, 5, allow_nan=False)),
)
def test_the_expected_variance_never_rises_with_the_batch_size(n, data, theta):
    phi = data.draw(arrays(np.float64, (n, 2), elements=st.floats(-3, 3, allow_nan=False)))
    y = data.draw(arrays(np.float64, n, elements=st.floats(-5, 5, allow_nan=False)))
    p = LeastSquares(
        name="random",
        title="",
        formula="",
        dim=2,
        start=(0.0, 0.0),
        box=((-5.0, 5.0), (-5.0, 5.0)),
        x=np.zeros(n),
        y=y,
        features=phi,
    )
    v = expected_batch_variance(p, theta, np.arange(1, n + 1))
    per = p.example_grads(theta)
    sigma2 = np.mean(np.sum((per - per.mean(axis=0)) ** 2, axis=-1))
    assert np.all(v >= 0) and v[-1] == 0.0
    assert v[0] == pytest.approx(sigma2, rel=1e-12, abs=1e-300)
    assert np.all(np.diff(v) <= 0)
