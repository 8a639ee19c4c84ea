"""Textual user interface of gdtui."""
