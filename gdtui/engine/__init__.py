"""The gdtui optimization engine: problems, gradients, optimizers, schedules and runs. NumPy only.

from gdtui.engine import run
traj = run("secret-number", "gd", lr=0.75, steps=3, start=[5])
traj.theta[:, 0]   # 5.0, 0.5, 2.75, 1.625
"""

from .data_problems import DataProblem
from .errors import ConfigError, UnknownNameError
from .gradients import (
    batch_gradient_variance,
    expected_batch_variance,
    gradient_check,
    numeric_grad,
    numeric_hessian,
    relative_error,
)
from .optimizers import (
    OPTIMIZERS,
    AdaGradState,
    AdamState,
    GDState,
    MomentumState,
    NesterovState,
    Optimizer,
    RMSPropState,
    SearchState,
    get_optimizer,
    hyperparameters,
)
from .problems import PROBLEMS, Problem, get_problem
from .run import DIVERGENCE_LIMIT, STATUSES, Stepper, Sweep, Trajectory, reached_at, run, sweep
from .schedules import SCHEDULES, Schedule, make_schedule, parse_schedule, schedule_params
from .svm import SVMSlice, multiclass_hinge_loss

__all__ = [
    "DIVERGENCE_LIMIT",
    "OPTIMIZERS",
    "PROBLEMS",
    "SCHEDULES",
    "STATUSES",
    "AdaGradState",
    "AdamState",
    "ConfigError",
    "DataProblem",
    "GDState",
    "MomentumState",
    "NesterovState",
    "Optimizer",
    "Problem",
    "RMSPropState",
    "SVMSlice",
    "Schedule",
    "SearchState",
    "Stepper",
    "Sweep",
    "Trajectory",
    "UnknownNameError",
    "batch_gradient_variance",
    "expected_batch_variance",
    "get_optimizer",
    "get_problem",
    "gradient_check",
    "hyperparameters",
    "make_schedule",
    "multiclass_hinge_loss",
    "numeric_grad",
    "numeric_hessian",
    "parse_schedule",
    "reached_at",
    "relative_error",
    "run",
    "schedule_params",
    "sweep",
]
