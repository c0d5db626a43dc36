"""`discover --manifests`: a component library's manifests are generated from its example program and
checked against it, so a manifest that no longer matches its component's code fails."""

from __future__ import annotations

import json
import shutil

from baseline.discover.manifests import component_manifests
from baseline.discover.runner import run_service_program
from baseline.offline.engine import reveal
from tests.helpers import PROJECT_DIR, render, run_cli

LIBRARY = PROJECT_DIR / "examples" / "components"
MANIFESTS = LIBRARY / "acme_components" / "permissions"
EXAMPLE = LIBRARY / "example_program"


def test_the_shipped_manifests_match_the_components_code():
    result = run_cli("discover", str(EXAMPLE), "--stack", "dev", "--manifests", str(MANIFESTS), "--check")
    assert result.returncode == 0, result.stderr


def test_each_component_gets_only_the_rows_of_the_resources_beneath_it():
    _, rendering = run_service_program(EXAMPLE, "dev", reveal(render({}).outputs))
    manifests = component_manifests(rendering.registrations)
    assert set(manifests) == {"acme:components:QueueWorker", "acme:components:StaticSite"}
    assert {a.split(":")[0] for a in manifests["acme:components:QueueWorker"].actions} == {"sqs"}
    assert {a.split(":")[0] for a in manifests["acme:components:StaticSite"].actions} == {"s3"}
    assert "sqs:DeleteQueue" in manifests["acme:components:QueueWorker"].delete_actions


def test_a_component_changed_without_its_manifest_fails_the_check(tmp_path):
    library = tmp_path / "components"
    shutil.copytree(LIBRARY, library, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    program = library / "example_program"
    # The component grows a resource its manifest does not know: an alerts topic.
    worker = library / "acme_components" / "queue_worker.py"
    worker.write_text(
        worker.read_text().replace(
            '        self.register_outputs({"queue_url": self.queue.url})',
            '        aws.sns.Topic(f"{name}-alerts", opts=child)\n        self.register_outputs({"queue_url": self.queue.url})',
        )
    )
    env = {"PYTHONPATH": str(library)}  # the changed copy shadows the installed library
    stale = run_cli(
        "discover", str(program), "--stack", "dev", "--manifests", str(library / "acme_components" / "permissions"), "--check", env=env
    )
    assert stale.returncode == 1
    assert "queue-worker.json" in stale.stderr and "static-site.json" not in stale.stderr
    # Regenerating fixes it and keeps the resources the library set by hand.
    manifest_file = library / "acme_components" / "permissions" / "static-site.json"
    regenerated = run_cli("discover", str(program), "--stack", "dev", "--manifests", str(manifest_file.parent), env=env)
    assert regenerated.returncode == 0, regenerated.stderr
    assert json.loads(manifest_file.read_text())["resources"] == ["arn:aws:s3:::{sitePrefix}-*"]
    worker_manifest = json.loads((manifest_file.parent / "queue-worker.json").read_text())
    assert "sns:CreateTopic" in worker_manifest["actions"]
    assert run_cli("discover", str(program), "--stack", "dev", "--manifests", str(manifest_file.parent), "--check", env=env).returncode == 0


def test_check_without_manifests_is_a_usage_error():
    result = run_cli("discover", str(EXAMPLE), "--stack", "dev", "--check")
    assert result.returncode == 2 and "--manifests" in result.stderr


STOREFRONT = {
    "ci": {"createAccessKey": True},
    "services": {
        "storefront": {
            "placeholders": {"sitePrefix": "storefront"},
            "components": {"site": {"uses": ["acme.static-site"]}, "orders": {"uses": ["acme.queue-worker"]}},
        }
    },
}


def test_the_example_service_deploys_each_component_through_its_own_role():
    outputs = reveal(render(STOREFRONT, stack="prod").outputs)
    _, rendering = run_service_program(LIBRARY / "service", "prod", outputs)
    components = outputs["provisioningRoles"]["storefront"]["components"]
    providers = {r.name: r for r in rendering.registrations if r.typ == "pulumi:providers:aws"}
    assert set(providers) == {"storefront-site-deployer", "storefront-orders-deployer"}
    for component in ("site", "orders"):
        assume = json.loads(providers[f"storefront-{component}-deployer"].inputs["assumeRoles"])[0]  # providers take JSON
        assert assume["roleArn"] == components[component]["arn"]
        assert assume["externalId"] == components[component]["externalId"]
    by_urn = {r.urn: r for r in rendering.registrations}
    for registration in (r for r in rendering.registrations if r.custom and r.typ.startswith("aws:")):
        expected = "storefront-site-deployer" if registration.typ.startswith("aws:s3/") else "storefront-orders-deployer"
        assert f"::{expected}::" in registration.provider, (registration.typ, registration.provider)
        assert by_urn[registration.parent].typ.startswith("acme:components:")


def test_manifests_errors_exit_2_with_one_line(tmp_path):
    a_file = tmp_path / "manifest.json"
    a_file.write_text("{}")
    for args, phrase in (
        (["--manifests", str(a_file)], "is not a folder"),
        (["--manifests", str(tmp_path / "out")], "declares no AWS resources inside a ComponentResource"),
    ):
        program = EXAMPLE if "folder" in phrase else PROJECT_DIR / "examples" / "service-app"
        result = run_cli("discover", str(program), "--stack", "dev", *args)
        assert result.returncode == 2, result.stderr
        assert phrase in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
