"""Pulumi entry point: read config, build the baseline, export its outputs."""

from baseline.stack.program import run_stack

run_stack()
