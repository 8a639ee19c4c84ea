"""The classroom: `gdtui serve` (an SSH server running one `gdtui` per student session) and the
teacher's dashboard (`gdtui classroom`). Never imports gdtui.ui: a session runs the `gdtui` command."""
