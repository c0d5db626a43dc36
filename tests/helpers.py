"""Shared test helpers: render a config dict offline, pick resources out of a rendering."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from baseline.aws import arns
from baseline.aws.arns import AccountContext
from baseline.aws.catalog import get_actions_for_service
from baseline.design.config import is_prod_environment
from baseline.offline.engine import Rendering, run_offline
from baseline.offline.fake_aws import OFFLINE_ACCOUNT_ID
from baseline.offline.stack_files import load_stack_config
from baseline.stack.program import run_stack

PROJECT_DIR = Path(__file__).resolve().parent.parent
# The account the pure design tests build for (the offline renders use fake_aws's stand-ins).
CTX = AccountContext("111122223333", "eu-west-1", "aws", "amazonaws.com")


def encode(raw: dict[str, Any], region: str = "us-east-1") -> dict[str, str]:
    """Return `iam-baseline:` config as Pulumi passes it to a program: JSON strings."""
    config = {f"iam-baseline:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()}
    config["aws:region"] = region
    return config


def render(raw: dict[str, Any], stack: str = "dev", region: str = "us-east-1", pin: bool = True) -> Rendering:
    """Run the real program offline with this config; a prod stack is pinned to the offline account
    (prod requires a pin) unless `pin` is False or the config names an account itself."""
    if pin and is_prod_environment(str(raw.get("environment", stack))) and "accountId" not in raw:
        raw = {**raw, "accountId": OFFLINE_ACCOUNT_ID}
    return run_offline(run_stack, stack, encode(raw, region))


def render_shipped(stack: str) -> Rendering:
    """Run the real program offline with a shipped Pulumi.<stack>.yaml."""
    config, secret_keys = load_stack_config(PROJECT_DIR, stack)
    return run_offline(run_stack, stack, config, secret_keys)


def one(rendering: Rendering, typ: str, name: str | None = None) -> Any:
    """Return the single registration of a type (and logical name), failing loudly otherwise."""
    found = [r for r in rendering.of_type(typ) if name is None or r.name == name]
    assert len(found) == 1, f"expected one {typ} {name or ''}, found {[r.name for r in found]}"
    return found[0]


def role_documents(rendering: Rendering) -> dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Return, per role name, its trust policy and its permission policies (parsed): inline ones, then the
    managed policies attached to it (a grant over the inline limit)."""
    managed = {arns.policy_arn(rendering.ctx, p.inputs["path"], p.inputs["name"]): p for p in rendering.of_type("aws:iam/policy:Policy")}
    out = {}
    for role in rendering.of_type("aws:iam/role:Role"):
        name = role.inputs["name"]
        policies = [json.loads(p.inputs["policy"]) for p in rendering.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == name]
        attachments = rendering.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        policies += [json.loads(managed[a.inputs["policyArn"]].inputs["policy"]) for a in attachments if a.inputs["role"] == name]
        out[name] = (json.loads(role.inputs["assumeRolePolicy"]), policies)
    return out


# Services a realistic platform grant spans (no iam: a grant reaching IAM brings its own guard and boundary).
LARGE_GRANT_SERVICES = ("acm", "apigateway", "cloudfront", "cloudwatch", "dynamodb", "ec2", "ecr", "ecs", "elasticloadbalancing", "events",
                        "kms", "lambda", "logs", "rds", "route53", "s3", "secretsmanager", "sns", "sqs", "ssm")  # fmt: skip


def large_grant(count: int = 420) -> list[str]:
    """Return `count` literal actions from the catalogue, sorted: every other action of each service in
    LARGE_GRANT_SERVICES, taken in turn, so they span the services and few compact into wildcards."""
    pools = [get_actions_for_service(service)[::2] for service in LARGE_GRANT_SERVICES]
    picked: list[str] = []
    for index in range(max(len(pool) for pool in pools)):
        picked += [pool[index] for pool in pools if index < len(pool)]
    assert len(picked) >= count, f"the catalogue offers only {len(picked)} such actions"
    return sorted(picked[:count])


def run_cli(*args: str, timeout: int = 120, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m baseline ARGS` from the project folder, as a user would; never raises on exit codes."""
    environment = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "baseline", *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=environment,
    )


def all_roles(outputs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return every exported role by label (`state` for the shared one, `<service>/state` for a service's
    own, `<service>/<component>` for a component's)."""
    roles = {"state": outputs["stateRole"]} if "stateRole" in outputs else {}
    for name, role in outputs.get("provisioningRoles", {}).items():
        if "arn" in role:
            roles[name] = role
        for component, component_role in role.get("components", {}).items():
            roles[f"{name}/{component}"] = component_role
        if "stateRole" in role:
            roles[f"{name}/state"] = role["stateRole"]
    return roles


def a_state_role(outputs: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Return a state role and the Pulumi project whose keys it may write: the shared one, else the first service's."""
    if "stateRole" in outputs:
        return outputs["stateRole"], "any-project"
    role = outputs["provisioningRoles"][min(outputs["provisioningRoles"])]
    return role["stateRole"], project_of(role)


def project_of(entry: dict[str, Any]) -> str:
    """Return a service's Pulumi project from its output entry (its handoff stack is `<stack>.<project>`)."""
    return str(entry["handoffStack"]).rsplit("/", 1)[1].split(".", 1)[1]
