"""Each optimizer's first steps against values worked out by hand from DESIGN.md's update-rule table, on
the secret-number game (L = (θ − 2)², g = 2θ − 4) from θ = 5, so g₁ = 6."""

import math

import numpy as np
import pytest

from gdtui.engine import AdamState, ConfigError, get_optimizer, hyperparameters, run


def path(optimizer, lr, steps=2, **kw):
    return run("secret-number", optimizer, lr=lr, steps=steps, start=[5], **kw).theta[:, 0].tolist()


def test_gd_step_is_minus_lr_times_gradient():
    # 5 − 0.1·6 = 4.4;  4.4 − 0.1·4.8 = 3.92
    assert path("gd", 0.1) == pytest.approx([5, 4.4, 3.92], rel=1e-15)


def test_momentum_accumulates_velocity():
    # v₁ = −0.1·6 = −0.6, θ₁ = 4.4;  g = 4.8, v₂ = 0.9·(−0.6) − 0.48 = −1.02, θ₂ = 3.38
    assert path("momentum", 0.1) == pytest.approx([5, 4.4, 3.38], rel=1e-15)


def test_momentum_zero_is_gd():
    assert path("momentum", 0.1, steps=5, hyper={"momentum": 0.0}) == path("gd", 0.1, steps=5)


def test_nesterov_takes_the_gradient_at_the_look_ahead_point():
    # v₁ = −0.6, θ₁ = 4.4; look-ahead 4.4 + 0.9·(−0.6) = 3.86, g = 3.72; v₂ = −0.54 − 0.372, θ₂ = 3.488
    assert path("nesterov", 0.1) == pytest.approx([5, 4.4, 3.488], rel=1e-15)


def test_adagrad_divides_by_root_of_summed_squares():
    # G₁ = 36: θ₁ = 5 − 0.5·6/(6 + ε) ≈ 4.5;  g₂ = 2θ₁ − 4 ≈ 5, G₂ = 36 + g₂²: θ₂ = θ₁ − 0.5·g₂/(√G₂ + ε)
    eps = 1e-10
    t1 = 5 - 0.5 * 6 / (6 + eps)
    g2 = 2 * t1 - 4
    t2 = t1 - 0.5 * g2 / (math.sqrt(36 + g2 * g2) + eps)
    assert t1 == pytest.approx(4.5) and t2 == pytest.approx(4.5 - 2.5 / math.sqrt(61))
    assert path("adagrad", 0.5) == pytest.approx([5, t1, t2], rel=1e-14)


def test_rmsprop_first_step_is_lr_over_root_one_minus_rho():
    # S₁ = 0.1·36 = 3.6: θ₁ = 5 − 0.01·6/(√3.6 + ε);  g₂ = 2θ₁ − 4, S₂ = 0.9·3.6 + 0.1·g₂²
    eps = 1e-8
    t1 = 5 - 0.01 * 6 / (math.sqrt(3.6) + eps)
    g2 = 2 * t1 - 4
    t2 = t1 - 0.01 * g2 / (math.sqrt(0.9 * 3.6 + 0.1 * g2 * g2) + eps)
    assert t1 == pytest.approx(5 - 0.01 / math.sqrt(0.1))
    assert path("rmsprop", 0.01) == pytest.approx([5, t1, t2], rel=1e-14)


def test_adam_bias_correction_makes_the_first_step_the_learning_rate():
    # m₁ = 0.1·6, s₁ = 0.001·36; m̂₁ = 6, ŝ₁ = 36: θ₁ = 5 − 0.1·6/(6 + 1e-8)
    t1 = 5 - 0.1 * 6 / (6 + 1e-8)
    g2 = 2 * t1 - 4
    m2, s2 = 0.9 * 0.6 + 0.1 * g2, 0.999 * 0.036 + 0.001 * g2 * g2
    t2 = t1 - 0.1 * (m2 / (1 - 0.81)) / (math.sqrt(s2 / (1 - 0.999**2)) + 1e-8)
    assert path("adam", 0.1) == pytest.approx([5, t1, t2], rel=1e-14)


def test_adam_state_shows_m_s_and_their_corrections():
    opt = get_optimizer("adam")
    theta = np.array([5.0])
    state = opt.init(theta)
    assert all(np.all(v == 0) for v in state)
    _step, state = opt.update(np.array([6.0]), state, theta, lr=0.1)
    assert isinstance(state, AdamState)
    assert type(state.t) is int and state.t == 1  # one count shared by runs stepped together
    assert state.m.tolist() == pytest.approx([0.6]) and state.s.tolist() == pytest.approx([0.036])
    assert state.m_hat.tolist() == pytest.approx([6.0]) and state.s_hat.tolist() == pytest.approx([36.0])


def test_newton_with_half_step_halves_the_distance_on_a_quadratic():
    assert path("newton", 0.5, steps=3) == pytest.approx([5, 3.5, 2.75, 2.375], rel=1e-15)


def test_sgd_with_one_example_per_step_follows_that_examples_gradient():
    # every secret-number example has the same loss (θ − 2)², so SGD equals GD here
    assert path("sgd", 0.1, steps=6) == pytest.approx(path("gd", 0.1, steps=6), rel=1e-15)


def test_random_local_search_only_accepts_moves_that_lower_the_loss():
    traj = run("rosenbrock", "random-local-search", lr=0.3, steps=300, seed=3)
    moves = np.linalg.norm(np.diff(traj.theta, axis=0), axis=1)
    assert np.all((moves == 0) | np.isclose(moves, 0.3, rtol=1e-12))  # kept moves are exactly α long
    assert np.all(np.diff(traj.loss) <= 0)
    assert traj.loss[-1] < traj.loss[0] and np.any(moves == 0)


def test_random_local_search_proposes_a_step_of_length_alpha_along_a_normalised_gaussian():
    update = get_optimizer("random-local-search").update
    theta, state = np.array([0.5, -1.0]), get_optimizer("random-local-search").init(np.zeros(2))
    for seed in range(20):  # an infinite current loss: every proposal is kept, so step = proposal − θ
        step, _ = update(
            None, state, theta, lr=0.3, loss_fn=np.sum, loss=np.inf, rng=np.random.default_rng(seed)
        )
        u = np.random.default_rng(seed).standard_normal(2)
        assert np.array_equal(step, (theta + 0.3 * (u / np.linalg.norm(u))) - theta)  # bit for bit


def test_random_search_stays_in_the_box_and_never_gets_worse():
    traj = run("himmelblau", "random-search", steps=300, seed=5)
    assert np.all(np.diff(traj.loss) <= 0)
    assert np.all((traj.theta >= -5) & (traj.theta <= 5))
    assert traj.grad_norm is None and traj.lr is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("momentum", {"momentum": 0.9}),
        ("nesterov", {"momentum": 0.9}),
        ("adagrad", {"eps": 1e-10}),
        ("rmsprop", {"rho": 0.9, "eps": 1e-8}),
        ("adam", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
        ("gd", {}),
        ("newton", {}),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_default_hyperparameters_are_the_designs(name, expected):
    assert hyperparameters(name) == expected


@pytest.mark.parametrize(
    ("name", "hyper", "message"),
    [
        ("adam", {"beta3": 0.5}, "adam has no hyperparameter 'beta3'; it takes: beta1, beta2, eps"),
        ("gd", {"momentum": 0.5}, "gd has no hyperparameter 'momentum'; it takes: none"),
        ("momentum", {"momentum": 1.0}, "momentum must be in [0, 1), got 1.0"),
        ("rmsprop", {"eps": 0.0}, "eps must be in (0, inf), got 0.0"),
        ("adam", {"beta2": float("nan")}, "beta2 must be in [0, 1), got nan"),
    ],
    ids=["unknown-name", "gd-has-none", "momentum-one", "eps-zero", "beta-nan"],
)
def test_bad_hyperparameters_are_named(name, hyper, message):
    with pytest.raises(ConfigError) as err:
        get_optimizer(name, **hyper)
    assert str(err.value) == message
