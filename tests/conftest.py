"""Shared fixtures: the shipped stacks rendered once per test session (each render is a whole offline
`pulumi up`), so tests across modules read the same outputs without paying for them again."""

import functools

import pytest

from baseline.offline.engine import Rendering, reveal
from tests.helpers import render_shipped


@functools.cache
def _shipped(stack: str) -> Rendering:
    return render_shipped(stack)


@pytest.fixture(scope="session")
def shipped_rendering():
    """Return a function: stack name -> its offline rendering (rendered once per session)."""
    return _shipped


@pytest.fixture(scope="session")
def shipped_prod_outputs():
    """Return the shipped prod stack's outputs, secrets revealed (what the operator's --show-secrets prints)."""
    return reveal(_shipped("prod").outputs)
