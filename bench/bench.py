"""Benchmark: render and review synthetic stacks of 10, 100 and 1,000 services.

Prints wall time and peak memory for each, and the ratio of our render to a bare Pulumi program
registering the same number of resources under the same mocks (the floor the Pulumi runtime sets).
Each figure comes from a fresh process, the best of --repeat runs. Targets (issue 3): ratio <= 1.3
at 1,000 services; review of 1,000 services under 10 s; linear growth.

    python bench/bench.py [--sizes 10 100 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACTION_SETS = (
    ["sqs:*", "s3:Get*", "dynamodb:*"],
    ["ec2:Describe*", "ecs:*", "elasticloadbalancing:*"],
    ["lambda:*", "logs:*", "sns:Publish"],
    ["rds:*", "route53:*", "secretsmanager:GetSecretValue"],
    ["glue:*", "athena:*", "s3:PutObject"],
)


# A mixed, realistic account: resource-scoped services, broad ones, and services that manage IAM (they
# get the escalation guard and a boundary), all with per-service state (the default).
MIXED_SERVICES = (
    {"actions": ["s3:*", "sqs:*"], "resources": ["arn:aws:s3:::acme-{name}-*", "arn:aws:sqs:us-east-1:*:{name}-*"]},
    {"actions": ["ecs:*", "elasticloadbalancing:*", "ec2:Describe*", "logs:*"]},
    {"actions": ["iam:CreateRole", "iam:PutRolePolicy", "iam:PassRole", "iam:GetRole", "lambda:*", "logs:*"]},
    {"actions": ["dynamodb:*", "sns:*", "kms:Describe*"], "resources": ["arn:aws:dynamodb:us-east-1:*:table/{name}-*", "*"]},
)


# A prod stack must pin its account (issue 20); any account will do offline.
PROD_PIN = {"iam-baseline:accountId": "123456789012"}


def mixed_config(services: int) -> dict[str, str]:
    """Return Pulumi config for a prod stack of `services` services of the mixed kinds above."""
    specs = {}
    for i in range(services):
        name = f"svc-{i:04d}"
        spec = MIXED_SERVICES[i % len(MIXED_SERVICES)]
        specs[name] = {k: [v.replace("{name}", name) for v in vs] for k, vs in spec.items()}
    return {**PROD_PIN, "iam-baseline:services": json.dumps(specs), "iam-baseline:environment": "prod", "aws:region": "us-east-1"}


def synthetic_config(services: int) -> dict[str, str]:
    """Return Pulumi config for a prod stack with `services` services of realistic grants."""
    specs = {f"svc-{i:04d}": {"actions": ACTION_SETS[i % len(ACTION_SETS)]} for i in range(services)}
    return {**PROD_PIN, "iam-baseline:services": json.dumps(specs), "iam-baseline:environment": "prod", "aws:region": "us-east-1"}


def child(mode: str, services: int, resources: int) -> dict[str, float]:
    """Run one measurement in this process and return its figures."""
    sys.path.insert(0, str(ROOT))
    import pulumi_aws as aws

    from baseline.offline.engine import run_offline
    from baseline.review.review import review
    from baseline.stack.program import run_stack

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    if mode == "render":
        rendering = run_offline(run_stack, "prod", synthetic_config(services))
        resources = sum(r.custom for r in rendering.registrations)
    elif mode == "bare":

        def bare() -> None:
            for i in range(resources):
                aws.iam.Role(f"role-{i}", name=f"role-{i}", assume_role_policy='{"Version":"2012-10-17","Statement":[]}')

        run_offline(bare, "prod", {"aws:region": "us-east-1"})
    else:
        rendering = run_offline(run_stack, "prod", synthetic_config(services))
        start = time.perf_counter()
        review(rendering)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak, "import_mb": rss_before, "resources": resources}


def measure(mode: str, services: int, repeat: int, resources: int = 0) -> dict[str, float]:
    """Return the best of `repeat` fresh-process runs of one measurement."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, __file__, "--child", mode, str(services), str(resources)], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return min(runs, key=lambda r: r["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument(
        "--whole-process", action="store_true", help="CPU time and memory of whole processes (imports included), mixed config"
    )
    parser.add_argument(
        "--discover", type=int, metavar="N", help="time `discover` on a generated program of N resources (target: 50 in < 5 s)"
    )
    args = parser.parse_args()
    if args.child:
        mode, services, resources = args.child
        print(json.dumps(child(mode, int(services), int(resources))))
        return
    if args.whole_process:
        whole_process(args.sizes, args.repeat)
        return
    if args.discover:
        discover_program(args.discover)
        return
    print(
        f"{'services':>8} {'resources':>9} {'render s':>9} {'bare s':>7} {'ratio':>6} {'render MB':>10} {'review s':>9} {'review MB':>10} {'ms/service':>10}"
    )
    for services in args.sizes:
        ours = measure("render", services, args.repeat)
        bare = measure("bare", services, args.repeat, int(ours["resources"]))
        rev = measure("review", services, args.repeat)
        print(
            f"{services:>8} {int(ours['resources']):>9} {ours['seconds']:>9.2f} {bare['seconds']:>7.2f} "
            f"{ours['seconds'] / bare['seconds']:>6.2f} {ours['peak_mb']:>10.0f} {rev['seconds']:>9.2f} {rev['peak_mb']:>10.0f} "
            f"{1000 * ours['seconds'] / services:>10.1f}",
            flush=True,
        )
    print("ratio = our render / a bare program registering the same number of resources under the same mocks;")
    print(
        "MB = peak resident memory of the measuring process (imports included: about 75 MB for pulumi, pulumi_aws and the catalogue index)."
    )


# One resource of each kind a typical service declares, cycled to the size asked for.
PROGRAM_LINES = (
    'aws.sqs.Queue("q{i}", name="q{i}")',
    'aws.s3.Bucket("b{i}", bucket_prefix="b{i}-")',
    'aws.cloudwatch.LogGroup("l{i}", retention_in_days=7)',
    'aws.dynamodb.Table("t{i}", hash_key="pk", attributes=[{{"name": "pk", "type": "S"}}], billing_mode="PAY_PER_REQUEST")',
    'aws.sns.Topic("n{i}")',
    'aws.ec2.SecurityGroup("g{i}", description="g{i}")',
    'aws.iam.Role("r{i}", assume_role_policy=doc.json)',
    'aws.ecs.Cluster("c{i}")',
    'aws.kms.Key("k{i}", description="k{i}")',
    'aws.lambda_.Function("f{i}", role="arn:aws:iam::123456789012:role/x", runtime="python3.12", handler="a.b", code=pulumi.FileArchive("."))',
)


def discover_program(resources: int) -> None:
    """Print the wall time of `discover` (the whole command) on a generated program of `resources` resources."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder)
        (path / "Pulumi.yaml").write_text("name: bench-service\nruntime: python\n")
        body = [PROGRAM_LINES[i % len(PROGRAM_LINES)].format(i=i) for i in range(resources)]
        (path / "__main__.py").write_text(
            "import pulumi\nimport pulumi_aws as aws\n"
            "doc = aws.iam.get_policy_document(statements=[{'actions': ['sts:AssumeRole'], "
            "'principals': [{'type': 'Service', 'identifiers': ['lambda.amazonaws.com']}]}])\n" + "\n".join(body) + "\n"
        )
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "baseline", "discover", str(path), "--stack", "dev"], cwd=ROOT, check=True, capture_output=True
        )
        print(
            f"discover on {resources} resources: {time.perf_counter() - start:.2f} s (whole command, imports included; target < 5 s for 50)"
        )


def whole_process_run(mode: str, size: int, repeat: int) -> dict[str, float]:
    """Return the best of `repeat` runs of bench/whole_process.py (CPU seconds, peak MB, resources)."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "whole_process.py"), mode, str(size)], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {"seconds": min(r["seconds"] for r in runs), "peak_mb": min(r["peak_mb"] for r in runs), "resources": runs[0]["resources"]}


def whole_process(sizes: list[int], repeat: int) -> None:
    """Print whole-process CPU time and peak memory of `__main__.py` and of the bare floor under the same plain
    mocks, each ratio, and the fixed overhead (targets: CPU <= 1.3x and memory <= 1.3x at 1,000 services,
    fixed overhead <= 0.4 s at 10)."""
    header = f"{'services':>8} {'resources':>9} {'ours s':>7} {'bare s':>7} {'ratio':>6} {'ours MB':>8} {'bare MB':>8} {'ratio':>6} {'over s':>7}"
    print(header + f" {'tuned s':>8} {'ratio':>6}")
    for services in sizes:
        ours = whole_process_run("ours", services, repeat)
        bare = whole_process_run("bare", int(ours["resources"]), repeat)
        tuned = whole_process_run("bare-tuned", int(ours["resources"]), repeat)
        print(
            f"{services:>8} {int(ours['resources']):>9} {ours['seconds']:>7.2f} {bare['seconds']:>7.2f} {ours['seconds'] / bare['seconds']:>6.2f} "
            f"{ours['peak_mb']:>8.0f} {bare['peak_mb']:>8.0f} {ours['peak_mb'] / bare['peak_mb']:>6.2f} {ours['seconds'] - bare['seconds']:>7.2f} "
            f"{tuned['seconds']:>8.2f} {ours['seconds'] / tuned['seconds']:>6.2f}",
            flush=True,
        )
    print("ours = __main__.py under plain mocks, bare = as many aws.iam.Roles under the same mocks; best of runs, fresh processes;")
    print("over s = ours minus bare: at 10 services, the fixed overhead (target <= 0.4 s); ratios' targets <= 1.3 at 1,000;")
    print("tuned = the bare floor with the baseline's collector settings (baseline/stack/collector.py): ours against it is our own work.")


if __name__ == "__main__":
    main()
