"""`python -m gdtui` runs the `gdtui` command."""

import sys

from .cli import main

sys.exit(main())
