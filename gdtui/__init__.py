"""gdtui: a terminal tutor that teaches how machine-learning models are optimized."""

__version__ = "0.1.0"
