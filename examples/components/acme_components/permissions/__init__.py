"""The components' permission manifests, published through the `iam_baseline.permissions` entry points.

The JSON files are generated: `iam-baseline discover examples/components/example_program --stack dev
--manifests examples/components/acme_components/permissions` (add `--check` to compare). Only
`resources` is kept by hand. Loading them imports no Pulumi.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any


def _manifest(file_name: str) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(files(__name__).joinpath(file_name).read_text())
    return manifest


static_site = _manifest("static-site.json")
queue_worker = _manifest("queue-worker.json")
