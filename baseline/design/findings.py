"""Problems found in config, in the designed baseline or in its rendered policies: one model for all.

As in parliament (`config.yaml` + `enhance_finding`), each code is declared once with its severity and
title; whoever finds a problem states only the code, where and what. So a problem has the same
severity at design time (`pulumi up`, `plan`) and in `review`.
"""

from __future__ import annotations

from dataclasses import dataclass

from baseline.design.reference import child_keys

CONFIG_NAMESPACE = "iam-baseline"
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Code:
    """What a finding code means: how bad it is, and a title."""

    severity: str
    title: str


CODES: dict[str, Code] = {
    # Found before anything is registered; the location is an `iam-baseline:` config key.
    "invalid-config": Code("error", "A config value that is not allowed"),
    "quota": Code("error", "A document or name over its IAM quota"),
    "empty-policy": Code("error", "A policy with no statement, which IAM refuses"),
    "role-quota": Code("warning", "More roles than the account's default quota (raisable)"),
    "destructive-dropped": Code("warning", "A destructive action named outright but not granted"),
    "resource-overlap": Code("error", "A placeholder prefix that also names another role's resources"),
    "shared-resources": Code("warning", "Resources two roles are both granted"),
    # Found in a rendered baseline by `review`; the location is a principal or one of its documents.
    "unknown-action": Code("error", "An action the IAM catalogue does not know"),
    "wildcard-action": Code("error", "Every action granted"),
    "passrole-on-star": Code("error", "iam:PassRole on every role"),
    "destructive-reachable": Code("error", "A principal can delete where deletes are denied"),
    "created-principal-destructive": Code("error", "Roles a service creates could delete where it may not"),
    "resource-mismatch": Code("warning", "Actions the statement's resources can never name"),
    "state-shared": Code("warning", "Every service shares one state role"),
    "service-wildcard": Code("info", "A whole service granted"),
    "act-as-principal": Code("warning", "Runs code or API calls with a role the principal did not create"),
    "resource-exposure": Code("warning", "Can share or expose resources the principal did not create"),
    "data-exfiltration": Code("warning", "Can read data of resources the principal did not create"),
    "unscoped-manifest": Code("warning", "A component manifest with resources '*' used in prod"),
    "dangerous-grant": Code("info", "Outside prod: a grant that would be a warning in prod"),
    "switch-role": Code("info", "Path and name too long for the console's switch-role link"),
    "delete-window": Code("info", "An open delete window"),
    "external-boundary": Code("info", "Principals also capped by a boundary review cannot see (organizationBoundary)"),
    "created-external-boundary": Code("warning", "Roles a service creates are capped by the organisation's boundary, not the service's"),
    # Found in the live account by `verify`.
    "drift-missing": Code("error", "A baseline principal, policy or setting is missing"),
    "drift-changed": Code("error", "A baseline principal or policy differs from the baseline"),
    "drift-attached": Code("error", "Something the baseline did not attach is attached to its principal"),
    "drift-access-key": Code("error", "An extra, old or unused access key on the CI user"),
    "drift-unmanaged": Code("error", "A principal in the baseline's path that the baseline did not create"),
    "drift-unbounded": Code("error", "A role a service created without its permissions boundary"),
    "drift-bucket": Code("error", "The state bucket's hardening is weakened"),
    "drift-effective": Code("error", "IAM's policy simulator contradicts what the baseline promises"),
}


@dataclass(frozen=True, order=True)
class Finding:
    """One problem: its code (which decides severity and title), where it is, and what is wrong."""

    code: str
    location: str
    detail: str

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown finding code {self.code!r}; declare it in CODES")

    @property
    def severity(self) -> str:
        """Return error, warning or info, as the code declares."""
        return CODES[self.code].severity

    @property
    def title(self) -> str:
        """Return the code's title."""
        return CODES[self.code].title

    @property
    def where(self) -> str:
        """Return the location as users read it: a config key with its namespace, else as found."""
        return f"{CONFIG_NAMESPACE}:{self.location}" if _is_config_key(self.location) else self.location

    def line(self) -> str:
        """Return the one-line form users see: `severity: where: detail`."""
        return f"{self.severity}: {self.where}: {self.detail}"

    def to_json(self) -> dict[str, str]:
        """Return the finding as JSON-ready data (severity and title included)."""
        return {"severity": self.severity, "code": self.code, "title": self.title, "location": self.location, "detail": self.detail}


def _is_config_key(location: str) -> bool:
    # Design-time findings name a config key; review's name a principal or one of its documents.
    return location.split(".", 1)[0].split("[", 1)[0] in child_keys("")


def severity_rank(finding: Finding) -> tuple[int, Finding]:
    """Return a sort key: errors first, then warnings, then infos."""
    return SEVERITIES.index(finding.severity), finding


def config_error(key: str, detail: str) -> Finding:
    """Return an invalid-config finding for an `iam-baseline:` key."""
    return Finding("invalid-config", key, detail)


class ConfigError(ValueError):
    """Raised, before any resource is registered, when config or a rendered policy is invalid."""

    def __init__(self, findings: list[Finding]):
        self.findings = sorted(findings, key=lambda f: (f.location, f.detail))
        lines = [f"{len(self.findings)} problem(s) in the iam-baseline config:"]
        lines += ["  " + f.line() for f in self.findings]
        super().__init__("\n".join(lines))
