"""A reduced `actions` list for a service, only from enough evidence, each kept action with its reason.

Evidence: the calls CloudTrail shows its role made (`logs`), the actions IAM Access Analyzer generated
from a trail (`access-analyzer`), and what discover's permission table says the service's program needs
(`table`): the last keeps what CloudTrail never records (`iam:PassRole`, tagging on create, data events).
A grant is never shrunk without evidence: no call by the role, or calls spanning fewer days than asked,
stop with one line. A refused call is "missing" only when the rendered grant really lacks the action;
a refusal the grant allows is reported apart (a resource the grant does not cover, a boundary, an SCP),
and a delete that prod denies on purpose stays "denied by design".
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from baseline.aws.catalog import is_destructive
from baseline.design.grants import compact_actions
from baseline.tighten.cloudtrail import RoleRef, Usage

DEFAULT_MIN_DAYS = 14
WHY_ORDER = ("logs", "access-analyzer", "table")
# Granted actions CloudTrail never shows as a call of their own, and what keeps them.
UNRECORDED_HINT = (
    "iam:PassRole, tagging on create and data events never appear in CloudTrail; pass --program DIR to keep what the program needs"
)


class NotEnoughEvidence(ValueError):
    """The evidence cannot justify a smaller grant; the message is one line saying why."""


def check_evidence(service: str, usage: Usage | None, min_days: float, analyzer_actions: frozenset[str] | None = None,
                   analyzer_days: float = 0.0) -> None:  # fmt: skip
    """Raise NotEnoughEvidence unless the logs (or Access Analyzer) show the role's calls over `min_days` or more."""
    calls = (usage.events if usage else 0) + len(analyzer_actions or ())
    if calls == 0:
        where = "in the CloudTrail files" if usage is not None else "in Access Analyzer's generated policy"
        raise NotEnoughEvidence(
            f"tighten {service}: no call by its role {where}; nothing proposed (an empty list would remove the whole grant)"
        )
    days = max(usage.days if usage else 0.0, analyzer_days if analyzer_actions else 0.0)
    if days < min_days:
        raise NotEnoughEvidence(
            f"tighten {service}: the evidence covers {days:.1f} days, fewer than --min-days {min_days:g}; "
            "nothing proposed (collect more logs, or lower --min-days knowingly)"
        )


def role_match_note(role: RoleRef, stack: str) -> str:
    """Return the line saying the role was matched by name and path, and why."""
    account = role.arn.split(":")[4]
    return (
        f"stack {stack or '?'} pins no accountId, so its role ARN holds the stand-in account {account}: "
        f"calls matched by role name and path ({role.path}{role.name}), in any account"
    )


def tightened(
    service: str,
    granted: frozenset[str],
    usage: Usage,
    deletes_denied: bool = False,
    *,
    configured: frozenset[str] | None = None,
    table: Iterable[str] | None = None,
    generated: Iterable[str] = (),
    role: RoleRef | None = None,
    stack: str = "",
) -> dict[str, Any]:
    """Return the report: each kept action with why, granted-but-unused actions, refusals sorted out.

    `granted` is what the role can effectively do (after its denies); `configured` every action the
    config's patterns reach (prod's deletes included, so a later delete window still has them), by
    default `granted`. `table` is discover's proposal for the program (None: no program given),
    `generated` Access Analyzer's actions. Only actions the config grants are kept from the table and
    the analyzer; the others are listed as `notGranted` (never added).
    """
    configured = granted if configured is None else configured
    by_design = {a for a in usage.denied if deletes_denied and is_destructive(a)}
    refused = usage.denied - by_design
    why: dict[str, set[str]] = {a: {"logs"} for a in usage.used}
    not_granted: set[str] = set()
    for source, actions in (("access-analyzer", generated), ("table", table or ())):
        for action in actions:
            if action in configured or action in usage.used:
                why.setdefault(action, set()).add(source)
            else:
                not_granted.add(action)
    kept = sorted(why)
    notes = [role_match_note(role, stack)] if role is not None and role.by_name else []
    notes += [] if table is not None else [UNRECORDED_HINT]
    return {
        "service": service,
        **({"role": {"arn": role.arn, "matchedBy": "name-and-path" if role.by_name else "arn"}} if role is not None else {}),
        "events": usage.events,
        "evidenceDays": round(usage.days, 2),
        "used": sorted(usage.used),
        "grantedUnused": sorted(granted - set(kept)),
        "deniedCalls": sorted(refused - granted),
        "refusedButGranted": sorted(refused & granted),
        "deniedDeletes": sorted(by_design),
        "unmappedEvents": sorted(usage.unmapped),
        "notGranted": sorted(not_granted),
        "actions": [{"action": a, "why": [w for w in WHY_ORDER if w in why[a]]} for a in kept],
        "reducedActions": list(compact_actions(kept)),
        "notes": notes,
    }


def format_tightened(report: dict[str, Any]) -> str:
    """Return the report as text ending in the YAML to paste."""
    counts = f"{len(report['used'])} distinct actions used, {len(report['grantedUnused'])} granted but not kept"
    lines = [f"# {report['service']}: {report['events']} calls by its role over {report['evidenceDays']:g} days; {counts}"]
    lines += [f"# {note}" for note in report.get("notes", [])]
    if report["deniedCalls"]:
        lines.append(f"refused (missing from the grant): {', '.join(report['deniedCalls'])}")
    if report["refusedButGranted"]:
        lines.append(
            "refused although the grant allows them (a resource the grant does not cover, a boundary, an SCP or a "
            f"resource policy; `iam-baseline explain` on the error names which): {', '.join(report['refusedButGranted'])}"
        )
    if report["deniedDeletes"]:
        lines.append(f"refused deletes (denied by design; a deleteWindow allows them for a while): {', '.join(report['deniedDeletes'])}")
    if report["unmappedEvents"]:
        lines.append(f"events with no IAM action in the catalogue: {', '.join(report['unmappedEvents'])}")
    if report["notGranted"]:
        lines.append(f"needed per the evidence but not in the grant (not added): {', '.join(report['notGranted'])}")
    unused = report["grantedUnused"]
    lines.append(f"granted but not kept: {', '.join(unused[:20])}{' …' if len(unused) > 20 else ''}")
    lines.append("kept, and why:")
    lines += [f"  {entry['action']}: {' + '.join(entry['why'])}" for entry in report["actions"]]
    name, _, component = report["service"].partition("/")
    entry: dict[str, Any] = {"actions": report["reducedActions"]}
    snippet = {"config": {"iam-baseline:services": {name: {"components": {component: entry}} if component else entry}}}
    lines += ["", "# Reduced actions (every action seen, generated or needed per the table is kept); merge into Pulumi.<stack>.yaml:"]
    lines.append(yaml.safe_dump(snippet, sort_keys=False))
    return "\n".join(lines)


def program_needs(program: Path, stack: str, baseline_outputs: dict[str, Any], service: str) -> frozenset[str]:
    """Return every action discover's permission table says the service's program needs (expanded),
    running the program offline in this process; ValueError in one line when it cannot run."""
    from baseline.design.grants import expand_patterns
    from baseline.discover.runner import discover
    from baseline.offline.fake_aws import UnknownInvoke

    try:
        proposal = discover(program.resolve(), stack, baseline_outputs, service)
    except UnknownInvoke as error:
        raise ValueError(f"the program calls {error}, which discover cannot answer offline") from None
    except (ValueError, ModuleNotFoundError) as error:
        raise ValueError(" ".join(str(error).split())) from None
    return expand_patterns(proposal.actions)
