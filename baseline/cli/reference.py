"""`iam-baseline reference`: print docs/reference.md, every config key and stack output, from the code."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """reference takes no arguments."""


def run(args: argparse.Namespace) -> int:
    """Print the reference in Markdown."""
    from baseline.design.reference import reference_markdown

    sys.stdout.write(reference_markdown())
    return 0
