"""Issue 21: `discover` on programs written by others. The mocks answer every output a resource type or data
source declares with a plausible value; a program that never finishes is stopped at --timeout; the program's
own virtualenv is used, and a module missing from it is one line; components and the data sources inside them
are covered; programs in other languages are read from `pulumi preview --json`."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
import time
from typing import Any

import pytest

from baseline.aws.permissions import get_tabled_resource_types
from baseline.discover.manifests import component_manifests
from baseline.discover.mocks import Plausible, invoke_fields, resource_fields
from baseline.discover.preview import propose_from_preview
from baseline.discover.runner import run_service_program
from baseline.offline.engine import reveal
from baseline.offline.fake_aws import offline_context
from tests.helpers import PROJECT_DIR, render, run_cli

PROGRAMS = PROJECT_DIR / "tests" / "fixtures" / "programs"
PREVIEW = PROJECT_DIR / "tests" / "fixtures" / "previews" / "nodejs-app.json"
CTX = offline_context("eu-west-1")


def _nones(value: Any, path: str = "") -> list[str]:
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nones(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nones(v, f"{path}[{i}]")]
    return []


def test_every_output_of_every_tabled_resource_type_gets_a_value_and_the_same_one_each_time():
    for token in get_tabled_resource_types():
        fields = resource_fields(token)
        assert fields, f"{token}: no outputs read from pulumi_aws"
        values = Plausible(CTX, token, "web", "web-id").fill(fields, {})
        assert set(values) == {name for name, _ in fields} and not _nones(values), (token, _nones(values))
        assert values == Plausible(CTX, token, "web", "web-id").fill(fields, {}), f"{token}: not deterministic"
        if "arn" in values:
            assert re.match(r"^arn:aws:[a-z0-9-]+:(eu-west-1)?:(123456789012)?:.+", values["arn"]), (token, values["arn"])


def test_values_follow_the_catalogue_and_the_field():
    def values(token: str, known: dict[str, Any] | None = None) -> dict[str, Any]:
        return Plausible(CTX, token, "web", "web-id").fill(resource_fields(token), known or {})

    assert values("aws:sqs/queue:Queue")["arn"] == "arn:aws:sqs:eu-west-1:123456789012:web"  # the catalogue's format
    assert values("aws:lambda/function:Function")["arn"] == "arn:aws:lambda:eu-west-1:123456789012:function:web"
    assert values("aws:sqs/queue:Queue", {"delaySeconds": 5})["delaySeconds"] == 5, "inputs pass through unchanged"
    cluster = values("aws:eks/cluster:Cluster")
    assert base64.b64decode(cluster["certificateAuthority"]["data"]) and cluster["endpoint"].startswith("https://")
    assert isinstance(cluster["vpcConfig"]["subnetIds"], list) and cluster["vpcConfig"]["vpcId"].startswith("vpc-")
    lb = values("aws:lb/loadBalancer:LoadBalancer")
    assert lb["dnsName"].endswith(".amazonaws.com") and re.fullmatch(r"Z[0-9A-F]{13}", lb["zoneId"])
    assert values("aws:apigateway/restApi:RestApi")["executionArn"] == "arn:aws:execute-api:eu-west-1:123456789012:web-id"
    assert [name for name, _ in invoke_fields("aws:index/getCallerIdentity:getCallerIdentity")] == ["accountId", "arn", "userId"]
    assert invoke_fields("acme:index/getWidget:getWidget") is None and resource_fields("pulumi:providers:aws") is None


def test_a_program_computing_with_real_outputs_runs_and_gets_a_proposal():
    """Each apply in the program checks its value's shape and raises otherwise (execution ARN + "/*/*", ARNs
    joined, the CA data decoded, the LB's DNS name, the caller's account in a bucket name)."""
    result = run_cli("discover", str(PROGRAMS / "real-outputs"), "--stack", "dev", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {
        "aws:eks/cluster:Cluster",
        "aws:lambda/permission:Permission",
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:route53/record:Record",
        "aws:ssm/parameter:Parameter",
    } <= set(data["resourceTypes"])
    assert set(data["dataSources"]) == {"aws:index/getCallerIdentity:getCallerIdentity", "aws:kms/getKey:getKey"}
    assert data["unmapped"] == [] and "iam:PassRole" in data["actions"]


@pytest.fixture(scope="module")
def real_outputs():
    return run_service_program(PROGRAMS / "real-outputs", "dev", reveal(render({}).outputs))[1]


def test_components_and_the_data_sources_inside_them_are_covered(real_outputs):
    by_urn = {r.urn: r for r in real_outputs.registrations}
    (queue,) = [r for r in real_outputs.registrations if r.name == "worker-queue"]
    assert by_urn[queue.parent].typ == "acme:components:Worker"
    assert queue.inputs["kmsMasterKeyId"].startswith("arn:aws:kms:"), "the data source called inside the component was answered"
    assert "aws:kms/getKey:getKey" in real_outputs.invokes
    assert real_outputs.of_type("aws:s3/bucket:Bucket")[0].inputs["bucket"] == "123456789012-artifacts"
    manifests = component_manifests(real_outputs.registrations)
    assert {a.split(":")[0] for a in manifests["acme:components:Worker"].actions} == {"sqs"}


def test_a_program_that_never_finishes_is_stopped_at_the_limit():
    started = time.monotonic()
    result = run_cli("discover", str(PROGRAMS / "never-finishes"), "--stack", "dev", "--timeout", "2")
    elapsed = time.monotonic() - started
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "did not finish within the 2 s limit (--timeout 2)" in result.stderr and "--preview" in result.stderr
    assert elapsed < 2 + 15, f"stopped after {elapsed:.1f} s"  # the limit, plus rendering the baseline and starting Python
    assert "baseline.discover.runner" not in subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout


def test_a_missing_module_is_one_line_naming_it():
    result = run_cli("discover", str(PROGRAMS / "missing-module"), "--stack", "dev")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "the program imports acme_widgets, which is not installed" in result.stderr and "virtualenv" in result.stderr


def test_the_virtualenv_pulumi_yaml_names_is_used(tmp_path):
    """A venv (as `python -m venv` makes it) holding the program's own package through a .pth file, as an
    editable install does; the program finds it, the baseline's pulumi stays the one running it."""
    program = tmp_path / "service"
    shutil.copytree(PROGRAMS / "missing-module", program)
    (program / "Pulumi.yaml").write_text(
        "name: widget-service\nruntime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: venv\n"
    )
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(program / "venv")], check=True)
    source = tmp_path / "widgets-src"
    source.mkdir()
    (source / "acme_widgets.py").write_text(
        "import pulumi_aws as aws\n\n\nclass Widget:\n    def __init__(self, name, bucket):\n"
        "        aws.s3.BucketPublicAccessBlock(name, bucket=bucket.id, block_public_acls=True)\n"
    )
    (site,) = (program / "venv").glob("lib/python3*/site-packages")
    (site / "acme-widgets.pth").write_text(f"{source}\n")
    result = run_cli("discover", str(program), "--stack", "dev", "--json")
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout)["resourceTypes"]) == {
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    }


def test_a_preview_gives_the_proposal_of_its_steps():
    proposal = propose_from_preview("nodejs-app", PREVIEW)
    assert set(proposal.types) == {"aws:sqs/queue:Queue", "aws:s3/bucket:Bucket", "aws:lambda/function:Function", "aws:sns/topic:Topic"}
    assert (
        "sqs:CreateQueue" in proposal.types["aws:sqs/queue:Queue"].manage
        and "s3:CreateBucket" in proposal.types["aws:s3/bucket:Bucket"].manage
    )
    function = proposal.types["aws:lambda/function:Function"]
    assert {"lambda:UpdateFunctionConfiguration", "lambda:UpdateFunctionCode"} <= function.manage
    topic = proposal.types["aws:sns/topic:Topic"]
    assert topic.manage == set() and topic.delete == {"sns:DeleteTopic"}, "a topic the preview deletes needs its delete only"
    assert proposal.pass_roles == ["arn:aws:iam::111122223333:role/api-exec"]
    assert set(proposal.data_sources) == {"aws:ec2/vpc:Vpc"} and "ec2:DescribeVpcs" in proposal.data_sources["aws:ec2/vpc:Vpc"].manage
    assert proposal.unmapped == [], "the provider's and the stack's steps are ignored"
    assert "s3:DeleteObject" not in proposal.actions, "forceDestroy: false (a default the preview lists) asks for nothing"


def test_a_nodejs_program_gets_its_proposal_from_its_preview():
    result = run_cli("discover", str(PROGRAMS / "nodejs-app"), "--stack", "dev", "--preview", str(PREVIEW), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["service"] == "nodejs-app" and "sns:DeleteTopic" in data["actions"] and "sns:CreateTopic" not in data["actions"]


def test_a_nodejs_program_without_a_preview_says_what_to_do():
    result = run_cli("discover", str(PROGRAMS / "nodejs-app"), "--stack", "dev")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "a nodejs program" in result.stderr and "pulumi preview --json > preview.json" in result.stderr


@pytest.mark.parametrize("content", ["{not json", '{"steps": 3}', "[]", '{"steps": [{"op": "create", "newState": "x"}]}'])
def test_a_corrupt_preview_is_one_line_naming_the_file(tmp_path, content):
    corrupt = tmp_path / "preview.json"
    corrupt.write_text(content)
    result = run_cli("discover", str(PROGRAMS / "nodejs-app"), "--stack", "dev", "--preview", str(corrupt))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert str(corrupt) in result.stderr and "Traceback" not in result.stderr


def test_a_service_other_than_the_programs_own_is_one_line_not_a_traceback():
    """The program deploys as etl-processor (its config); --service public-api hands it public-api's handoff."""
    result = run_cli("discover", str(PROJECT_DIR / "examples" / "service-app"), "--stack", "dev", "--service", "public-api")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "refused the handoff discover gave it for --service public-api" in line and "not 'etl-processor'" in line
