"""Entry point for ``python -m etl`` (the same commands as the installed ``congress`` script)."""

import sys

from etl.cli import main

sys.exit(main())
