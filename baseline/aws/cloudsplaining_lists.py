"""cloudsplaining's maintained action lists, in the catalogue's spelling: its data-exfiltration reads and
its privilege-escalation methods. Read by `review` (baseline/review/dangerous.py) and by the preview
roles' design (baseline/design/preview.py), which drops those reads from what a preview role may do.

cloudsplaining is imported on first use only: most commands never need it.
"""

from __future__ import annotations

import functools

from baseline.aws.catalog import get_actions_matching


@functools.cache
def cloudsplaining_lists() -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """Return cloudsplaining's data-exfiltration actions and its escalation methods, in catalogue spelling."""
    # Imported lazily: only a review, or a baseline with preview roles, needs it.
    from cloudsplaining.shared.constants import PRIVILEGE_ESCALATION_METHODS, READ_ONLY_DATA_EXFILTRATION_ACTIONS

    exfiltration = tuple(sorted({a for name in READ_ONLY_DATA_EXFILTRATION_ACTIONS for a in get_actions_matching(name)}))
    methods = {}
    for method, names in PRIVILEGE_ESCALATION_METHODS.items():
        actions = [get_actions_matching(name) for name in names]
        if all(len(found) == 1 for found in actions):  # a method naming an action the catalogue lacks never applies
            methods[method] = tuple(found[0] for found in actions)
    return exfiltration, methods
