"""The `iam-baseline` commands (also `python -m baseline`): plan, review, bootstrap, publish, handoff,
discover, tighten."""
