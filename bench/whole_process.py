"""One whole-process measurement: the baseline's `__main__.py`, or a bare program, under plain Pulumi mocks.

Run as its own process by `bench.py --whole-process`, so nothing is imported that the measured program
would not import: `ours` runs `__main__.py` as `pulumi up` would (config from the environment, mocks
instead of the engine), `bare` registers as many `aws.iam.Role`s and imports only pulumi and pulumi_aws,
`bare-tuned` is `bare` with the baseline's garbage-collector settings (baseline/stack/collector.py).
Both use the same mocks, defined here. Prints CPU seconds (user + system, imports included) and peak
resident memory as JSON.

    python bench/whole_process.py ours SERVICES | bare RESOURCES | bare-tuned RESOURCES
"""

from __future__ import annotations

import json
import resource
import runpy
import sys
from pathlib import Path
from typing import Any

import pulumi

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"
INVOKES: dict[str, dict[str, Any]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": {
        "accountId": ACCOUNT,
        "arn": f"arn:aws:iam::{ACCOUNT}:user/ci",
        "userId": "AIDA",
        "id": ACCOUNT,
    },
    "aws:index/getRegion:getRegion": {"name": "us-east-1", "region": "us-east-1", "id": "us-east-1"},
    "aws:index/getPartition:getPartition": {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"},
}


class PlainMocks(pulumi.runtime.Mocks):
    """The least a mock can answer: a resource's inputs as its state, a generated value for random's result."""

    def __init__(self) -> None:
        self.registered = 0

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.registered += 1
        state = dict(args.inputs)
        if args.typ.startswith("random:"):
            state["result"] = "r" * 32
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        return INVOKES.get(args.token, {})


def run(program: Any) -> None:
    """Run a program body to completion, as the language host does."""
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    _sync_await(run_pulumi_func(program))


def main() -> None:
    mode, size = sys.argv[1], int(sys.argv[2])
    mocks = PlainMocks()
    pulumi.runtime.set_mocks(mocks, project="iam-baseline", stack="prod", preview=False)
    if mode == "ours":
        sys.path.insert(0, str(ROOT))
        sys.path.insert(0, str(ROOT / "bench"))
        from bench import mixed_config  # plain data: imports nothing the program would not

        pulumi.runtime.set_all_config(mixed_config(size))  # pinned to ACCOUNT, as a prod stack must be
        run(lambda: runpy.run_path(str(ROOT / "__main__.py")))
    else:
        import pulumi_aws as aws

        if mode == "bare-tuned":  # the floor with the collector settings the baseline's program uses
            import gc

            sys.path.insert(0, str(ROOT))
            from baseline.stack.collector import RUN_THRESHOLDS  # imports only gc

            gc.set_threshold(*RUN_THRESHOLDS)

        pulumi.runtime.set_all_config({"aws:region": "us-east-1"})

        def bare() -> None:
            for i in range(size):
                aws.iam.Role(f"role-{i}", name=f"role-{i}", assume_role_policy='{"Version":"2012-10-17","Statement":[]}')

        run(bare)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024, "resources": mocks.registered}))


if __name__ == "__main__":
    main()
