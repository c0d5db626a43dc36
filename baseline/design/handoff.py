"""What one service's repository receives from the baseline, and nothing more.

The baseline's own outputs hold every role's external ID and the CI key; no service may read them.
Each service instead gets (1) a few repository secrets and variables, printed by `handoff`, and
(2) a small handoff stack, written by `publish`, that its program reads through a StackReference.
Both are pure functions of the baseline's outputs (as `pulumi stack output --json --show-secrets`
prints them), so they are tested without Pulumi.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# What provider_for reads from a handoff stack; `role` and `stateRole` are secret when they hold an
# external ID.
# `role` is absent for a service split into components only; `components` holds one role per component.
# `previewRole` (previewRoles) is the role `pulumi preview` runs as on pull requests; a component's is in
# `components.<component>.previewRole`.
HANDOFF_OUTPUTS = ("accountId", "backendUrl", "baselineVersion", "components", "previewRole", "region", "role", "service", "stateRole")
SECRET_HANDOFF_OUTPUTS = ("components", "previewRole", "role", "stateRole")
ROLE_KEYS = ("allowDelete", "arn", "externalId", "githubSubjects", "iamPath", "permissionsBoundaryArn")
STATE_ROLE_KEYS = ("arn", "externalId", "githubSubjects")
PREVIEW_ROLE_KEYS = STATE_ROLE_KEYS


class UnknownService(ValueError):
    """The baseline has no provisioning role for that service."""


@dataclass(frozen=True)
class Handoff:
    """A service repository's share of the baseline: secrets and plain variables, by name."""

    service: str
    secrets: dict[str, str]
    variables: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        """Return `{"service", "secrets", "variables"}`, the shape `handoff --json` prints."""
        return {"service": self.service, "secrets": dict(sorted(self.secrets.items())), "variables": dict(sorted(self.variables.items()))}


def service_entry(outputs: Mapping[str, Any], service: str) -> Mapping[str, Any]:
    """Return the baseline's `provisioningRoles` entry of a service, or raise naming the known ones."""
    roles = outputs.get("provisioningRoles") or {}
    if service not in roles:
        raise UnknownService(f"service {service!r} is not in the baseline (it has: {', '.join(sorted(roles)) or 'none'})")
    entry: Mapping[str, Any] = roles[service]
    return entry


def _state_role(outputs: Mapping[str, Any], entry: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return the state role the service logs in with: its own, or the shared one (stateIsolation shared)."""
    state: Mapping[str, Any] = entry.get("stateRole") or outputs["stateRole"]
    return state


def handoff_stack_outputs(outputs: Mapping[str, Any], service: str) -> dict[str, Any]:
    """Return what the service's handoff stack exports: its own roles and the account facts, nothing else."""
    entry = service_entry(outputs, service)
    state = _state_role(outputs, entry)
    return {
        "service": service,
        "accountId": outputs["accountId"],
        "region": outputs["region"],
        "backendUrl": outputs["backendUrl"],
        "baselineVersion": outputs["baselineVersion"],
        **({"role": {k: entry[k] for k in ROLE_KEYS if k in entry}} if "arn" in entry else {}),
        **({"previewRole": _preview_role(entry["previewRole"])} if "previewRole" in entry else {}),
        **(
            {"components": {c: _component_role(role) for c, role in sorted(entry["components"].items())}} if entry.get("components") else {}
        ),
        "stateRole": {k: state[k] for k in STATE_ROLE_KEYS if k in state},
    }


def _preview_role(role: Mapping[str, Any]) -> dict[str, Any]:
    return {k: role[k] for k in PREVIEW_ROLE_KEYS if k in role}


def _component_role(role: Mapping[str, Any]) -> dict[str, Any]:
    """Return a component's role as its handoff stack exports it, with its preview role when there is one."""
    return {
        **{k: role[k] for k in ROLE_KEYS if k in role},
        **({"previewRole": _preview_role(role["previewRole"])} if "previewRole" in role else {}),
    }


def holds_external_id(value: Any) -> bool:
    """Return whether a handoff value holds an external ID anywhere (then it is exported as a secret)."""
    if isinstance(value, Mapping):
        return "externalId" in value or any(holds_external_id(v) for v in value.values())
    return False


def component_variable(component: str, stem: str = "IAM_BASELINE_ROLE_ARN") -> str:
    """Return the repository variable (or secret) of a component's value: `<stem>_<COMPONENT>`, by default
    `IAM_BASELINE_ROLE_ARN_<COMPONENT>`, its role's ARN."""
    return f"{stem}_" + "".join(c if c.isalnum() else "_" for c in component.upper())


def service_handoff(outputs: Mapping[str, Any], service: str) -> Handoff:
    """Return exactly what the service's repository must hold."""
    entry = service_entry(outputs, service)
    state = _state_role(outputs, entry)
    secrets = {"PULUMI_CONFIG_PASSPHRASE": entry["handoffPassphrase"]}
    if "externalId" in state:  # static-key modes: the CI key and the state role's external ID
        ci_user = outputs.get("ciUser", {})
        secrets["IAM_BASELINE_STATE_EXTERNAL_ID"] = state["externalId"]
        if "secretAccessKey" in ci_user:
            secrets["AWS_ACCESS_KEY_ID"] = ci_user["accessKeyId"]
            secrets["AWS_SECRET_ACCESS_KEY"] = ci_user["secretAccessKey"]
    variables = {
        "AWS_REGION": outputs["region"],
        "IAM_BASELINE_ACCOUNT_ID": outputs["accountId"],
        "IAM_BASELINE_BACKEND_URL": outputs["backendUrl"],
        "IAM_BASELINE_HANDOFF_STACK": entry["handoffStack"],
        "IAM_BASELINE_STATE_ROLE_ARN": state["arn"],
    }
    if "arn" in entry:
        variables["IAM_BASELINE_ROLE_ARN"] = entry["arn"]
    for component, role in (entry.get("components") or {}).items():
        variables[component_variable(component)] = role["arn"]
    # previewRoles: the pull-request workflow logs in to the backend and previews with these, nothing else.
    previews = [("", entry["previewRole"])] if "previewRole" in entry else []
    previews += [(c, role["previewRole"]) for c, role in (entry.get("components") or {}).items() if "previewRole" in role]
    for component, role in previews:
        variables[component_variable(component, PREVIEW_ROLE_ARN) if component else PREVIEW_ROLE_ARN] = role["arn"]
        if "externalId" in role:
            secrets[component_variable(component, PREVIEW_EXTERNAL_ID) if component else PREVIEW_EXTERNAL_ID] = role["externalId"]
    return Handoff(service, secrets, variables)


PREVIEW_ROLE_ARN = "IAM_BASELINE_PREVIEW_ROLE_ARN"
PREVIEW_EXTERNAL_ID = "IAM_BASELINE_PREVIEW_EXTERNAL_ID"


MASKED = "[secret]"  # what `pulumi stack output --json` prints for a secret without --show-secrets


def masked_paths(value: Any, path: str = "") -> list[str]:
    """Return where outputs hold a masked secret (`[secret]`): outputs saved without --show-secrets."""
    if value == MASKED:
        return [path or "."]
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in masked_paths(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in masked_paths(v, f"{path}[{i}]")]
    return []


def format_handoff(handoff: Handoff, secret_command: str, stand_in: bool = False) -> str:
    """Return `gh` commands that set the values, to run in a clone of the service's repository.

    No secret is ever on a command line (shell history, the process list): each `gh secret set NAME`
    reads its value from stdin, piped from `secret_command` (the handoff command with `--secret NAME`).
    """
    lines = [
        f"# Service {handoff.service}: run these in a clone of its repository (gh picks the repository from it).",
        "# Nothing else of the baseline belongs there: not awsConfig, not another service's values.",
    ]
    if stand_in:
        lines.append(
            "# --offline: STAND-IN values (the stand-in account and generated IDs `plan` shows), not the deployed "
            "baseline's; for a real repository use --outputs FILE or the deployed stack."
        )
    if "IAM_BASELINE_STATE_EXTERNAL_ID" in handoff.secrets and "AWS_ACCESS_KEY_ID" not in handoff.secrets:
        lines.append(
            "# The CI user has no key in the outputs (ci.createAccessKey false): also set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
        )
    lines += [f"{secret_command} --secret {name} | gh secret set {name}" for name in sorted(handoff.secrets)]
    lines += [f"gh variable set {name} --body {shlex.quote(value)}" for name, value in sorted(handoff.variables.items())]
    return "\n".join(lines) + "\n"
