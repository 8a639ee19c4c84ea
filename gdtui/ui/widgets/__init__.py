"""Reusable Textual widgets: plots, controls and state panels."""
