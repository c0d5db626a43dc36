"""GitHub Actions OIDC: which token subjects a role accepts, built from config as plain strings.

Subject (`sub`) claim forms (GitHub's OIDC docs): `repo:ORG/REPO:ref:refs/heads/BRANCH`,
`repo:ORG/REPO:environment:NAME` (replaces the ref form when a job uses an environment) and
`repo:ORG/REPO:pull_request`. Repositories created after 2026-07-15 send immutable claims
`repo:ORG@ID/REPO@ID:...`; when the IDs are configured both forms are accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ISSUER_HOST = "token.actions.githubusercontent.com"
ISSUER_URL = f"https://{ISSUER_HOST}"
AUDIENCE = "sts.amazonaws.com"
AUD_KEY = f"{ISSUER_HOST}:aud"
SUB_KEY = f"{ISSUER_HOST}:sub"
# configure-aws-credentials tags its sessions by default, which needs sts:TagSession in the trust.
WEB_IDENTITY_ACTIONS = ("sts:AssumeRoleWithWebIdentity", "sts:TagSession")

# Owner: 1-39 letters, digits, hyphens; repository: letters, digits, '.', '_', '-'. No wildcards ever.
REPOSITORY_PATTERN = re.compile(r"([A-Za-z0-9][A-Za-z0-9-]{0,38})(?:@([0-9]+))?/([A-Za-z0-9._-]{1,100})(?:@([0-9]+))?")
# Branch and environment names may use IAM wildcards, but stay inside the one repository.
REF_PATTERN = re.compile(r"[A-Za-z0-9._/*?-]{1,255}")


@dataclass(frozen=True)
class GithubRepository:
    """A repository as config names it, with its immutable IDs when known."""

    owner: str
    name: str
    owner_id: str | None = None
    repository_id: str | None = None

    def subject_prefixes(self) -> tuple[str, ...]:
        """Return `repo:ORG/REPO` and, with IDs, `repo:ORG@ID/REPO@ID`."""
        prefixes = [f"repo:{self.owner}/{self.name}"]
        if self.owner_id and self.repository_id:
            prefixes.append(f"repo:{self.owner}@{self.owner_id}/{self.name}@{self.repository_id}")
        return tuple(prefixes)


def parse_repository(value: str) -> GithubRepository | str:
    """Return the repository, or why `value` is not `ORG/REPO` or `ORG@ID/REPO@ID`."""
    match = REPOSITORY_PATTERN.fullmatch(value)
    if not match:
        return "must be 'ORG/REPO' or 'ORG@OWNER_ID/REPO@REPO_ID' with no wildcards"
    owner, owner_id, name, repository_id = match.groups()
    if bool(owner_id) != bool(repository_id):
        return "give both IDs ('ORG@OWNER_ID/REPO@REPO_ID') or neither"
    return GithubRepository(owner, name, owner_id, repository_id)


def subjects(
    repository: GithubRepository, branches: tuple[str, ...], environments: tuple[str, ...], pull_requests: bool
) -> tuple[str, ...]:
    """Return the sorted `sub` patterns a role accepts; a bare repository accepts any of its refs."""
    suffixes = [f"ref:refs/heads/{b}" for b in branches] + [f"environment:{e}" for e in environments]
    if pull_requests:
        suffixes.append("pull_request")
    if not suffixes:
        suffixes = ["*"]
    return tuple(sorted(f"{prefix}:{suffix}" for prefix in repository.subject_prefixes() for suffix in suffixes))


def admits_pull_requests(patterns: tuple[str, ...]) -> bool:
    """Return whether any pattern would match a pull_request subject."""
    return any(p.endswith((":pull_request", ":*")) for p in patterns)
