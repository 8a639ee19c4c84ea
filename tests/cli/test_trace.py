"""`gdtui trace` as a user runs it: the JSON and CSV contracts, help, and one-line errors with exit 2."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gdtui.cli import main
from gdtui.engine import OPTIMIZERS, PROBLEMS, SCHEDULES, run


def trace(capsys, *args):
    code = main(["trace", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_is_one_object_with_the_contract_fields(capsys):
    code, out, err = trace(capsys, "secret-number", "gd", "--lr", "0.75", "--steps", "3", "--start", "5")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["problem"] == "secret-number" and data["optimizer"] == "gd"
    assert data["status"] == "max_steps"
    assert data["theta"] == [[5.0], [0.5], [2.75], [1.625]]
    assert data["loss"] == [9.0, 2.25, 0.5625, 0.140625]
    assert data["settings"] == {
        "lr": 0.75,
        "hyperparameters": {},
        "steps": 3,
        "start": [5.0],
        "batch_size": 4,
        "seed": 0,
        "schedule": {"kind": "constant"},
        "tol": 0.0,
    }
    assert data["lr"] == [0.75] * 3 and data["grad_norm"] == [6.0, 3.0, 1.5]


def test_json_round_trips_the_engine_trajectory_exactly(capsys):
    _code, out, _ = trace(
        capsys,
        "rosenbrock",
        "adam",
        "--lr",
        "0.05",
        "--steps",
        "200",
        "--set",
        "beta1=0.8",
        "--schedule",
        "exp:beta=0.01",
    )
    expected = run("rosenbrock", "adam", lr=0.05, steps=200, hyper={"beta1": 0.8}, schedule="exp:beta=0.01")
    data = json.loads(out)
    assert np.array_equal(np.array(data["theta"]), expected.theta)
    assert np.array_equal(np.array(data["loss"]), expected.loss)
    assert data["settings"]["hyperparameters"] == {"beta1": 0.8, "beta2": 0.999, "eps": 1e-8}
    assert data["settings"]["schedule"] == {"kind": "exp", "beta": 0.01}


def test_csv_has_a_row_per_point(capsys):
    _code, out, _ = trace(
        capsys, "rosenbrock", "momentum", "--steps", "4", "--lr", "0.001", "--format", "csv"
    )
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["step", "theta_1", "theta_2", "loss", "lr", "grad_norm"]
    assert [r[0] for r in rows[1:]] == ["0", "1", "2", "3", "4"]
    assert rows[1][4:] == ["", ""]
    expected = run("rosenbrock", "momentum", steps=4, lr=0.001)
    assert [float(r[1]) for r in rows[1:]] == expected.theta[:, 0].tolist()
    assert [float(r[3]) for r in rows[1:]] == expected.loss.tolist()
    assert [float(r[5]) for r in rows[2:]] == expected.grad_norm.tolist()


def test_a_diverging_run_exits_zero_with_status_diverged(capsys):
    code, out, err = trace(capsys, "bowl", "gd", "--lr", "0.5", "--steps", "500")
    data = json.loads(out)
    assert code == 0 and err == ""
    assert data["status"] == "diverged" and data["diverged_at"] == len(data["theta"]) - 1


def test_tol_reports_converged(capsys):
    _, out, _ = trace(capsys, "secret-number", "gd", "--steps", "1000", "--tol", "1e-9")
    assert json.loads(out)["status"] == "converged"


def test_negative_start_coordinates_are_read_as_numbers(capsys):
    _, out, _ = trace(capsys, "rosenbrock", "gd", "--start", "-1.2,-0.5", "--steps", "1")
    assert json.loads(out)["theta"][0] == [-1.2, -0.5]


def test_a_search_reports_no_learning_rate(capsys):
    _, out, _ = trace(capsys, "himmelblau", "random-search", "--steps", "5", "--seed", "3")
    data = json.loads(out)
    assert data["settings"]["lr"] is None and "lr" not in data and "grad_norm" not in data


def test_help_lists_every_problem_optimizer_hyperparameter_and_schedule(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["trace", "--help"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0
    for name in [
        *PROBLEMS,
        *OPTIMIZERS,
        *SCHEDULES,
        "momentum=0.9",
        "rho=0.9",
        "beta1=0.9",
        "beta2=0.999",
        "eps=1e-08",
        "every=10",
        "gamma=0.5",
        "--batch-size",
        "--tol",
        "--format",
    ]:
        assert name in out, name


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["nope", "gd"],
            "unknown problem 'nope'; choose one of: secret-number, noisy-secret-number, two-squares",
        ),
        (["bowl", "nope"], "unknown optimizer 'nope'; choose one of: gd, sgd, momentum, nesterov, adagrad"),
        (
            ["bowl", "adam", "--set", "beta3=1"],
            "adam has no hyperparameter 'beta3'; it takes: beta1, beta2, eps",
        ),
        (["bowl", "adam", "--set", "beta1"], "argument --set: expected NAME=VALUE, got 'beta1'"),
        (["bowl", "adam", "--set", "beta1=big"], "argument --set: beta1 must be a number, got 'big'"),
        (["bowl", "gd", "--start", "1"], "bowl takes a start point of 2 coordinates, got 1"),
        (["bowl", "gd", "--start", "1,2,3"], "bowl takes a start point of 2 coordinates, got 3"),
        (
            ["bowl", "gd", "--start", "a,b"],
            "argument --start: expected numbers separated by commas, got 'a,b'",
        ),
        (["bowl", "gd", "--steps", "-1"], "steps must be a whole number ≥ 0, got -1"),
        (["bowl", "gd", "--steps", "ten"], "argument --steps: expected a whole number, got 'ten'"),
        (["bowl", "gd", "--lr", "abc"], "argument --lr: expected a number, got 'abc'"),
        (["bowl", "gd", "--lr", "-1"], "the learning rate must be a number > 0, got -1.0"),
        (["bowl", "gd", "--batch-size", "2"], "bowl has no data set, so it takes no batch size"),
        (["bowl", "sgd"], "sgd samples examples from a data set; choose one of: secret-number"),
        (
            ["bowl", "gd", "--schedule", "warp"],
            "unknown schedule 'warp'; choose one of: constant, step, time, exp",
        ),
        (["bowl", "gd", "--format", "xml"], "argument --format: invalid choice: 'xml'"),
        (["bowl"], "the following arguments are required: OPTIMIZER"),
    ],
    ids=[
        "problem",
        "optimizer",
        "hyper-name",
        "hyper-form",
        "hyper-value",
        "start-short",
        "start-long",
        "start-text",
        "steps-negative",
        "steps-text",
        "lr-text",
        "lr-negative",
        "batch",
        "sgd-closed-form",
        "schedule",
        "format",
        "missing",
    ],
)
def test_bad_input_is_one_line_naming_what_is_valid_and_exit_2(capsys, args, message):
    try:
        code = main(["trace", *args])
    except SystemExit as exit_:  # argparse's own checks exit from parse_args
        code = exit_.code
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("gdtui trace: error: ")
    assert message in err


def test_the_course_without_a_terminal_is_refused_with_one_line(capsys):
    assert main([]) == 2  # pytest's stdin and stdout are not a terminal
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "gdtui: error: the course needs a terminal; for headless runs use `gdtui trace`\n"


def test_the_installed_command_prints_no_traceback_on_bad_input():
    # pip puts the console script beside the interpreter it installs into
    gdtui = Path(sys.executable).with_name("gdtui")
    assert gdtui.exists(), "install the package (README) so the gdtui command exists"
    proc = subprocess.run(
        [str(gdtui), "trace", "rosenbrock", "adam", "--set", "rho=0.5"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert (
        proc.stderr == "gdtui trace: error: adam has no hyperparameter 'rho'; it takes: beta1, beta2, eps\n"
    )


def test_python_dash_m_runs_the_same_command():
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "gdtui",
            "trace",
            "secret-number",
            "gd",
            "--lr",
            "1",
            "--steps",
            "2",
            "--format",
            "csv",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and proc.stderr == ""
    assert [line.split(",")[1] for line in proc.stdout.splitlines()[1:]] == ["5.0", "-1.0", "5.0"]


def test_a_closed_pipe_ends_quietly():
    proc = subprocess.run(
        f"{sys.executable} -m gdtui trace rosenbrock adam --steps 20000 | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout == '{"problem"' and proc.stderr == ""


def test_an_unknown_lesson_is_named_with_the_valid_ones(capsys):
    assert main(["--lesson", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gdtui: error: unknown lesson 'nope'; choose one of: supervised-learning, loss,")
    assert err.count("\n") == 1


def test_a_malformed_course_folder_lists_its_problems_and_exits_2(capsys, tmp_path):
    (tmp_path / "course.toml").write_text('title = "T"\nlessons = ["gone"]\n')
    assert main(["--lessons", str(tmp_path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].endswith(
        "course.toml: lessons[1]: a lesson folder beside course.toml (missing: gone/lesson.toml)"
    )
    assert err[-1] == "gdtui: error: the course has 1 problem(s); `gdtui check` lists them"
