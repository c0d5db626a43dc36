"""Rendering of a review: a terminal report, JSON, and policy files for pull-request diffs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from baseline.review.review import ACCESS_LEVELS, ReviewReport

LEVEL_HEADINGS = ("List", "Read", "Write", "Perms", "Tag")


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    cells = [headers] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]


def _who(principal: dict[str, Any]) -> str:
    if principal["kind"] == "user":
        return "static access key"
    parts = []
    for trust in principal["assumedBy"]:
        who = ", ".join(p.rsplit(":", 1)[-1] for p in trust["principals"])
        keys = sorted(k.rsplit(":", 1)[-1] for op in trust["conditions"].values() for k in op)
        parts.append(who + (f" if {'+'.join(keys)}" if keys else ""))
    return "; ".join(parts) or "nobody"


def format_review(review: ReviewReport) -> str:
    """Return the review as a plain-text report."""
    report = review.to_json()
    acct = report["account"]
    lines = [f"# iam-baseline review of stack {report['stack']!r} (offline: account {acct['id']}, {acct['region']})", "", "## Principals"]
    rows = []
    for key, p in report["principals"].items():
        session = f"{p['maxSessionDuration']} s" if p["maxSessionDuration"] else "-"
        rows.append([key, _who(p), session, p["actionCount"], len(p["destructiveActions"]), len(p["resources"])])
    lines += _table(["principal", "assumed by", "session", "actions", "destructive", "resources"], rows)

    lines += ["", "## Reachable actions per service and access level"]
    for key, p in report["principals"].items():
        lines.append(f"{key}: {', '.join(p['resources']) if len(p['resources']) <= 3 else str(len(p['resources'])) + ' resources'}")
        level_rows = [[svc, *(counts[level] for level in ACCESS_LEVELS)] for svc, counts in p["accessLevels"].items()]
        lines += ["  " + line for line in _table(["service", *LEVEL_HEADINGS], level_rows)]
        if p["stateHousekeeping"]:
            lines.append(f"  state housekeeping (only on the versioned .pulumi/ prefix): {', '.join(p['stateHousekeeping'])}")
        if p.get("externalBoundary"):
            lines.append(f"  also capped by boundary {p['externalBoundary']} (organizationBoundary; its document is not known offline)")
        if (created := p.get("createdPrincipals")) and created.get("external"):
            lines.append(f"  roles it may create: capped by boundary {created['boundary']} and what it attaches, not by its grant")
        elif created:
            lines.append(
                f"  roles it may create (boundary {created['boundary']}, anything attached): "
                f"{created['actionCount']} actions, {len(created['destructiveActions'])} destructive"
            )

    radius = report["blastRadius"]
    lines += ["", f"## Blast radius (an admin key reaches {radius['adminActions']} actions on *)"]
    rows = []
    for key, c in radius["credentials"].items():
        via = ", ".join(f"{k} {n}" for k, n in c["viaRoles"].items()) or "-"
        rows.append([key, c["direct"]["actions"], via, c["totalActions"], f"{c['percentOfAdmin']}%", c["destructiveActions"]])
    lines += _table(["credential", "direct", "through roles", "total", "of admin", "destructive"], rows)
    ci = radius["credentials"].get("ci-user")
    if ci:
        lines.append(
            f"CI key directly: sts:AssumeRole on {len(ci['direct']['assumeRoleOn'])} role ARN(s): {', '.join(ci['direct']['assumeRoleOn'])}"
        )

    if report["deleteWindows"]:
        lines += ["", "## Open delete windows (IAM denies the deletes again at the given instant)"]
        lines += _table(["service", "until", "reason"], [[name, w["until"], w["reason"]] for name, w in report["deleteWindows"].items()])

    lines += ["", "## Quota budget"]
    lines += _table(
        ["principal", "document", "size", "limit", "used"],
        [[q["principal"], q["document"], q["size"], q["limit"], f"{100 * q['size'] // q['limit']}%"] for q in report["quotas"]],
    )

    lines += ["", "## Lint"]
    findings = report["findings"]
    lines += (
        _table(["severity", "code", "location", "detail"], [[f["severity"], f["code"], f["location"], f["detail"]] for f in findings])
        if findings
        else ["no findings"]
    )
    summary = report["summary"]
    lines += ["", f"{summary['error']} error(s), {summary['warning']} warning(s), {summary['info']} info"]
    return "\n".join(lines) + "\n"


def format_comparison(comparison: dict[str, Any], limit: int = 12) -> str:
    """Return what each stack's principals can do that the other's cannot."""
    left, right = comparison["left"], comparison["right"]
    lines = [f"# What {left} can do that {right} cannot, and vice versa"]
    for key, diff in comparison["principals"].items():
        only_left, only_right = diff[f"only{left.title()}"], diff[f"only{right.title()}"]
        lines.append(f"{key}: {len(only_left)} only in {left}, {len(only_right)} only in {right}")
        for stack, actions in ((left, only_left), (right, only_right)):
            if actions:
                more = f" … (+{len(actions) - limit})" if len(actions) > limit else ""
                lines.append(f"  only {stack}: {', '.join(actions[:limit])}{more}")
    return "\n".join(lines) + "\n"


def write_documents(report: ReviewReport, out_dir: Path) -> list[Path]:
    """Write every policy document as pretty, sorted JSON under out_dir/<principal>/; return the paths."""
    written = []
    for key, principal in report.principals.items():
        folder = out_dir / key.replace("/", "-")
        folder.mkdir(parents=True, exist_ok=True)
        for name, document in principal.documents().items():
            path = folder / f"{name}.json"
            path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
            written.append(path)
    return written
