"""`python -m baseline`: the same as the `iam-baseline` command."""

import sys

from baseline.cli.main import entry

sys.exit(entry())
