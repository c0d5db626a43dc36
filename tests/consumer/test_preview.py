"""`provider_for(..., preview=True)`: the preview role of the service or of one component, or a refusal
that says how to get one."""

from __future__ import annotations

import pytest

from iam_baseline_consume import ServiceNotInBaseline
from iam_baseline_consume.consume import select_preview_role

PREVIEW = {"arn": "arn:aws:iam::123456789012:role/iam-baseline/iam-baseline-preview-api", "externalId": "p" * 40}


def test_the_preview_role_is_returned_as_is():
    assert select_preview_role({"arn": "x"}, PREVIEW, "api") == PREVIEW


def test_a_baseline_without_preview_roles_is_refused_naming_the_key():
    with pytest.raises(ServiceNotInBaseline, match=r"'api-jobs' has no preview role.*previewRoles true"):
        select_preview_role({"arn": "x"}, None, "api-jobs")
