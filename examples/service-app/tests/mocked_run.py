"""Run this service's program under Pulumi's mocks and print what it registered, as JSON.

Only pulumi, pulumi-aws and iam_baseline_consume are needed, as in the service's own repository. The
handoff stack is answered from `handoff.json` (what `iam-baseline handoff --json` and the handoff stack
hold, with the offline stand-ins), and the repository's variables come from the environment.

    python tests/mocked_run.py HANDOFF_JSON [CONFIG_JSON]
"""

import json
import os
import runpy
import sys
from pathlib import Path

import pulumi

APP = Path(__file__).resolve().parent.parent


class Mocks(pulumi.runtime.Mocks):
    """Answers the handoff StackReference and records every other registration."""

    def __init__(self, handoff_stack: dict) -> None:
        self.handoff_stack = handoff_stack
        self.references: list[str] = []
        self.registered: list[dict] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        if args.typ == "pulumi:pulumi:StackReference":
            self.references.append(args.inputs["name"])
            outputs = self.handoff_stack if args.inputs["name"] == self.handoff_stack["__stack"] else {}
            outputs = {k: v for k, v in outputs.items() if k != "__stack"}
            # As `publish` writes it: a role output is secret when it holds an external ID.
            secret = sorted(k for k, v in outputs.items() if isinstance(v, dict) and "externalId" in v)
            return args.inputs["name"], {"name": args.inputs["name"], "outputs": outputs, "secretOutputNames": secret}
        self.registered.append({"type": args.typ, "name": args.name, "inputs": args.inputs, "provider": args.provider})
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


def main() -> None:
    handoff = json.loads(Path(sys.argv[1]).read_text())
    config = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    os.environ.update(handoff["variables"])  # the repository's variables, as its workflows set them
    stack = {"__stack": handoff["variables"]["IAM_BASELINE_HANDOFF_STACK"], **handoff["stack"]}
    mocks = Mocks(stack)
    pulumi.runtime.set_mocks(mocks, project="service-app", stack="prod", preview=False)
    pulumi.runtime.set_all_config({f"service-app:{k}": v for k, v in config.items()})
    error = None

    @pulumi.runtime.test
    def program():
        runpy.run_path(str(APP / "__main__.py"))

    try:
        program()
    except Exception as exc:  # reported to the test as data
        error = f"{type(exc).__name__}: {exc}"
    print(json.dumps({"references": mocks.references, "registered": mocks.registered, "error": error}, default=str))


if __name__ == "__main__":
    main()
