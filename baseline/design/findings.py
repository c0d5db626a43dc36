"""Problems found in config or rendered policies, collected as values and reported together."""

from __future__ import annotations

from dataclasses import dataclass

CONFIG_NAMESPACE = "iam-baseline"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem: the config key it concerns, what is wrong and what is allowed."""

    key: str
    message: str
    severity: str = "error"

    def render(self) -> str:
        """Return the one-line form users see, naming the full config key."""
        return f"{self.severity}: {CONFIG_NAMESPACE}:{self.key}: {self.message}"


class ConfigError(ValueError):
    """Raised, before any resource is registered, when config or a rendered policy is invalid."""

    def __init__(self, findings: list[Finding]):
        self.findings = sorted(findings)
        lines = [f"{len(self.findings)} problem(s) in the iam-baseline config:"]
        lines += ["  " + f.render() for f in self.findings]
        super().__init__("\n".join(lines))
