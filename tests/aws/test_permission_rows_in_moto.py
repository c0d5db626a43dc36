"""Issue 15: every permission-table row that moto can check is enough to create its resource.

For each recipe in tests/aws/create_recipes.py (the provider's create, tag and read calls for a minimal
resource of one type), a role whose only policy allows the row's create + read + tag actions (plus the
optional inputs the recipe sets, and iam:PassRole when it hands a role to AWS), on `*`, runs the recipe
in moto with IAM enforcement on; the admin then finds the resource. The same role without the row's
primary create action is refused: that shows moto enforced the grant for that service, so the positive
is not vacuous. The rows moto cannot check are named, each with why, in moto_unchecked_rows.yaml.

Where moto spells an action otherwise than IAM, the grant is translated, never widened: CloudWatch's prefix
is moto's signing name (monitoring:), and the two calls moto names by a non-IAM operation get moto's name as
an alias of the IAM action AWS authorises them with. moto's signature check is skipped for rest-protocol GETs,
whose signature moto cannot recompute; the authorisation of those calls still runs.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import pytest
import yaml
from botocore.exceptions import ClientError
from moto import mock_aws, settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.iam.access_control import IAMRequestBase, S3IAMRequest

from baseline.aws.permissions import get_resource_permissions, get_tabled_resource_types
from tests.aws.create_recipes import RECIPES, SHARED, Recipe, World

REGION = "eu-west-1"
ACCOUNT_ID = "123456789012"
# moto names an action by the service's signing name, not its IAM prefix: the grant is renamed to match.
MOTO_PREFIX = {"cloudwatch": "monitoring"}
# Calls moto names by an operation that is no IAM action: the grant also names moto's spelling of what the IAM action
# authorises. S3's HeadBucket is authorised as s3:ListBucket (moto: s3:HeadBucket, moto/s3/responses.py ACTION_MAP);
# CloudFront's CreateDistributionWithTags as cloudfront:CreateDistribution (+ cloudfront:TagResource for the tags).
MOTO_ALIASES = {"s3:ListBucket": ("s3:HeadBucket",), "cloudfront:CreateDistribution": ("cloudfront:CreateDistributionWithTags",)}
ADMIN = {"aws_access_key_id": "admin-setup", "aws_secret_access_key": "admin-setup"}
UNCHECKED_FILE = Path(__file__).with_name("moto_unchecked_rows.yaml")
DENIED_CODES = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"}, "Action": "sts:AssumeRole"}],
    }
)


def unchecked_rows() -> dict[str, str]:
    """Return every row moto cannot check -> its reason (the file groups them by reason category)."""
    document: dict[str, dict[str, str]] = yaml.safe_load(UNCHECKED_FILE.read_text())
    rows: dict[str, str] = {}
    for category, reasons in document.items():
        for token, reason in reasons.items():
            assert token not in rows, f"{token} is listed twice"
            rows[token] = f"{category}: {reason}"
    return rows


@contextlib.contextmanager
def enforcing() -> Iterator[None]:
    """Check every moto request against IAM inside the block (setup outside it runs unchecked)."""
    previous = settings.INITIAL_NO_AUTH_ACTION_COUNT
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0
    try:
        yield
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT = previous


class Account:
    """One moto account for the module: an admin that sets up, and roles holding one grant each."""

    region = REGION
    account_id = ACCOUNT_ID

    def __init__(self) -> None:
        self._session = boto3.Session()  # one botocore session: service models load once
        self._clients: dict[tuple[str, str], Any] = {}
        self._shared: dict[str, Any] = {}
        self._names = itertools.count()

    def client(self, service: str, credentials: dict[str, str]) -> Any:
        key = (service, credentials["aws_access_key_id"])
        if key not in self._clients:
            self._clients[key] = self._session.client(service, region_name=REGION, **credentials)
        return self._clients[key]

    def admin(self, service: str) -> Any:
        return self.client(service, ADMIN)

    def shared(self, key: str) -> Any:
        if key not in self._shared:
            self._shared[key] = SHARED[key](World(f"shared-{key.lower()}", self))
        return self._shared[key]

    def world(self) -> World:
        return World(f"rw{next(self._names):03d}", self)

    def role_holding(self, actions: frozenset[str]) -> dict[str, str]:
        """Create a role whose only policy allows these actions on `*`; return its session's credentials."""
        name = f"row-{next(self._names):03d}"
        actions = frozenset(moto_name(a) for a in actions) | frozenset(alias for a in actions for alias in MOTO_ALIASES.get(a, ()))
        iam = self.admin("iam")
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
        allowed = sorted(actions) or ["sts:GetCallerIdentity"]  # IAM refuses a statement without actions
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": allowed, "Resource": "*"}]}
        iam.put_role_policy(RoleName=name, PolicyName="row", PolicyDocument=json.dumps(policy))
        creds = self.admin("sts").assume_role(RoleArn=arn, RoleSessionName=name)["Credentials"]
        return {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"],
        }


def _check_signature_unless_moto_lost_the_body(request: Any) -> None:
    """For a GET to a rest-json/rest-xml service (Lambda, EFS, EKS, Scheduler, Route 53, ...) moto rebuilds the request it
    verifies from its parsed query string (or its headers) instead of the empty body the client signed, so the
    signature it recomputes never matches whoever signs (SignatureDoesNotMatch). The signature is not what this test
    checks: skip it for those requests only; moto still authorises them against the role's policy."""
    if request._method == "GET" and not request._body and not isinstance(request, S3IAMRequest):
        return
    CHECK_SIGNATURE(request)


CHECK_SIGNATURE = IAMRequestBase.check_signature


@pytest.fixture(scope="module")
def account() -> Iterator[Account]:
    previous = settings.INITIAL_NO_AUTH_ACTION_COUNT
    with (
        mock_aws(),
        mock.patch.object(IAMRequestBase, "check_signature", _check_signature_unless_moto_lost_the_body),
        mock.patch.object(settings, "ACM_VALIDATION_WAIT", -1),  # moto issues a requested certificate at once (the validation waits for it)
    ):
        settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")
        try:
            yield Account()
        finally:
            settings.INITIAL_NO_AUTH_ACTION_COUNT = previous


def moto_name(action: str) -> str:
    prefix, name = action.split(":", 1)
    return f"{MOTO_PREFIX.get(prefix, prefix)}:{name}"


def grant(recipe: Recipe) -> frozenset[str]:
    """The row's create + read + tag actions, the calls of the optional inputs the recipe sets, PassRole if it passes a role."""
    row = get_resource_permissions(recipe.token)
    assert row is not None, f"{recipe.token} has no row"
    actions = row.create | row.read | row.tag | frozenset().union(*(row.optional[i] for i in recipe.inputs))
    return actions | {"iam:PassRole"} if recipe.passes_role else actions


def run_as_role(account: Account, recipe: Recipe, actions: frozenset[str]) -> World:
    world = account.world()
    if recipe.setup is not None:
        recipe.setup(world)
    credentials = account.role_holding(actions)
    acting = World(world.name, account, lambda service: account.client(service, credentials))
    acting.prereq = world.prereq
    with enforcing():
        recipe.run(acting)
    return world


@pytest.mark.parametrize("token", sorted(RECIPES))
def test_the_rows_grant_creates_the_resource(account: Account, token: str) -> None:
    recipe = RECIPES[token]
    assert recipe.primary in grant(recipe), f"the row lacks the call that creates it: {recipe.primary}"
    world = run_as_role(account, recipe, grant(recipe))
    assert recipe.exists(world), f"{token}: the recipe ran but the admin does not find the resource"


@pytest.mark.parametrize("token", sorted(RECIPES))
def test_without_the_primary_create_action_the_role_is_denied(account: Account, token: str) -> None:
    recipe = RECIPES[token]
    with pytest.raises(ClientError) as raised:
        run_as_role(account, recipe, grant(recipe) - {recipe.primary})
    assert refused_for_lack_of_permission(raised.value.response), raised.value.response
    message = raised.value.response["Error"].get("Message", "")
    if "perform:" in message:  # moto names the refused action (S3, Route 53 and CloudFront refusals do not)
        assert moto_name(recipe.primary) in message, message


def refused_for_lack_of_permission(response: dict[str, Any]) -> bool:
    """moto's AccessDenied, however the service's protocol carries it to botocore: as the error code; as a bare 403 whose
    message is moto's XML error (JSON services); or as a 403 botocore cannot parse at all (Route 53, CloudFront)."""
    code, message = response["Error"].get("Code", ""), response["Error"].get("Message", "")
    if code in DENIED_CODES:
        return True
    if response["ResponseMetadata"]["HTTPStatusCode"] != 403:
        return False
    return "<Code>AccessDenied</Code>" in message if code == "403" else code == "" and message == ""


def test_every_tabled_type_is_either_checked_or_named_unchecked_with_a_reason() -> None:
    checked, unchecked = set(RECIPES), set(unchecked_rows())
    tabled = set(get_tabled_resource_types())
    assert not checked & unchecked, f"both checked and unchecked: {sorted(checked & unchecked)}"
    assert checked | unchecked == tabled, (
        f"neither checked nor unchecked: {sorted(tabled - checked - unchecked)}; not tabled: {sorted((checked | unchecked) - tabled)}"
    )
    assert all(reason.split(": ", 1)[1].strip() for reason in unchecked_rows().values())
