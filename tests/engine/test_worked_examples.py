"""The worked examples of the course notes, recomputed by hand (the notes have slips; these do not)."""

import math

import numpy as np
import pytest

from gdtui.engine import PROBLEMS, run


def thetas(traj):
    return traj.theta[:, 0].tolist()


def test_secret_number_learning_rate_one_bounces_between_five_and_minus_one():
    # L = (θ − 2)², L′ = 2θ − 4: from 5, θ − 1·6 = −1; from −1, θ − 1·(−6) = 5.
    traj = run("secret-number", "gd", lr=1.0, steps=4, start=[5])
    assert thetas(traj) == [5.0, -1.0, 5.0, -1.0, 5.0]
    assert traj.loss.tolist() == [9.0] * 5
    assert traj.status == "max_steps"


def test_secret_number_learning_rate_three_quarters_matches_hand_steps():
    # 5 − 0.75·6 = 0.5;  0.5 − 0.75·(−3) = 2.75;  2.75 − 0.75·1.5 = 1.625 (the slides' 2.25, 1.875 are slips)
    traj = run("secret-number", "gd", lr=0.75, steps=3, start=[5])
    assert thetas(traj) == [5.0, 0.5, 2.75, 1.625]
    assert traj.loss.tolist() == [9.0, 2.25, 0.5625, 0.140625]


def test_secret_number_learning_rate_one_half_lands_on_two_in_one_step():
    traj = run("secret-number", "gd", lr=0.5, steps=1, start=[5])
    assert thetas(traj) == [5.0, 2.0]
    assert traj.loss[-1] == 0.0


def test_noisy_game_optimum_is_two_with_two_and_a_half_left_over():
    # offsets y − x are 1, 3, 0, 4: mean 2; residuals at θ = 2 are 1, −1, 2, −2: mean square 10/4.
    p = PROBLEMS["noisy-secret-number"]
    assert p.minima == ((2.0,),)
    assert p.f(np.array([2.0])) == 2.5
    assert p.grad(np.array([2.0]))[0] == 0.0
    traj = run("noisy-secret-number", "gd", lr=0.1, steps=200, start=[5])
    assert traj.theta[-1, 0] == pytest.approx(2.0, abs=1e-12)
    assert traj.loss[-1] == pytest.approx(2.5, abs=1e-12)


def test_two_squares_reaches_1184_over_338():
    # L′(θ) = −10(20 − 5θ) − 24(41 − 12θ) = 338θ − 1184
    p = PROBLEMS["two-squares"]
    assert p.grad(np.array([0.0]))[0] == -1184.0
    assert p.grad(np.array([1.0]))[0] == 338.0 - 1184.0
    traj = run("two-squares", "gd", lr=0.002, steps=200, start=[0])
    assert traj.theta[-1, 0] == pytest.approx(1184 / 338, abs=1e-12)
    assert run("two-squares", "newton", steps=1, start=[0]).theta[-1, 0] == pytest.approx(
        1184 / 338, rel=1e-15
    )


def test_wavy_slope_at_minus_five_is_minus_5_62_not_the_notes_minus_2_56():
    # L′ = 2 cos 2θ · ln θ² + 2 sin 2θ / θ at θ = −5
    expected = 2 * math.cos(-10) * math.log(25) + 2 * math.sin(-10) / -5
    assert PROBLEMS["wavy"].grad(np.array([-5.0]))[0] == pytest.approx(expected, rel=1e-14)
    assert expected == pytest.approx(-5.619, abs=1e-3)
    # one step with α = 0.5 moves right, as the notes say (though to −2.19, not −3.72)
    traj = run("wavy", "gd", lr=0.5, steps=1, start=[-5])
    assert traj.theta[1, 0] == pytest.approx(-5 - 0.5 * expected, rel=1e-14)


def test_rosenbrock_gradient_and_hessian_at_the_default_start_by_hand():
    # x = −1.5, y = 2: r = y − x² = −0.25; ∂x = −2(1 − x) − 400xr = −5 − 150; ∂y = 200r
    p = PROBLEMS["rosenbrock"]
    theta = np.array([-1.5, 2.0])
    assert p.f(theta) == 2.5**2 + 100 * 0.0625
    assert p.grad(theta).tolist() == [-155.0, -50.0]
    # H = [[2 − 400(y − 3x²), −400x], [−400x, 200]] = [[2 − 400(2 − 6.75), 600], [600, 200]]
    assert p.hessian(theta).tolist() == [[1902.0, 600.0], [600.0, 200.0]]


def test_logistic_loss_at_zero_is_log_two():
    # σ(0) = ½ for every example, so each cross-entropy is ln 2; ∇ = mean((½ − y)·(x, 1))
    p = PROBLEMS["logistic"]
    assert p.f(np.zeros(2)) == pytest.approx(math.log(2), rel=1e-15)
    speeds, tickets = [30, 33, 35, 37, 39], [0, 0, 0, 1, 1]
    gw = sum((0.5 - y) * x for x, y in zip(speeds, tickets, strict=True)) / 5
    gb = sum(0.5 - y for y in tickets) / 5
    assert p.grad(np.zeros(2)).tolist() == pytest.approx([gw, gb], rel=1e-15)


def test_himmelblau_has_four_minima_of_loss_zero_including_three_two():
    p = PROBLEMS["himmelblau"]
    assert (3.0, 2.0) in p.minima
    assert len(p.minima) == 4
    known = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    for m, k in zip(p.minima, known, strict=True):
        assert m == pytest.approx(k, abs=1e-6)
        assert p.f(np.array(m)) == pytest.approx(0.0, abs=1e-20)


def test_linear_regression_minimum_solves_the_normal_equations():
    p = PROBLEMS["linear-regression"]
    ((m, b),) = p.minima
    x, y = p.x, p.y
    # ∂/∂m: mean((mx + b − y)x) = 0 and ∂/∂b: mean(mx + b − y) = 0
    assert np.mean((m * x + b - y) * x) == pytest.approx(0.0, abs=1e-12)
    assert np.mean(m * x + b - y) == pytest.approx(0.0, abs=1e-12)
    assert m == pytest.approx(1.5, abs=0.3) and b == pytest.approx(
        2.0, abs=0.6
    )  # the line the data came from


@pytest.mark.parametrize(
    "name", ["bowl", "secret-number", "noisy-secret-number", "two-squares", "linear-regression"]
)
def test_newton_lands_on_the_minimum_of_a_quadratic_in_one_step(name):
    p = PROBLEMS[name]
    (minimum,) = p.minima
    for start in ([lo for lo, _ in p.box], [hi for _, hi in p.box]):
        traj = run(name, "newton", steps=1, start=start)
        assert traj.theta[1] == pytest.approx(minimum, abs=1e-12)


def test_newton_on_the_saddle_jumps_to_the_saddle_point():
    traj = run("saddle", "newton", steps=1, start=[-2.0, 1.0])
    assert traj.theta[1].tolist() == [0.0, 0.0]
    assert not PROBLEMS["saddle"].minima
