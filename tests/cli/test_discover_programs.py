"""Issue 21: `discover` on programs written by others. The mocks answer every output a resource type or data
source declares with a plausible value; a program that never finishes is stopped at --timeout; the program's
own virtualenv is used, and a module missing from it is one line; components and the data sources inside them
are covered; programs in other languages are read from `pulumi preview --json`."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from baseline.aws.permissions import get_tabled_resource_types
from baseline.discover.manifests import component_manifests
from baseline.discover.mocks import Plausible, invoke_fields, resource_fields
from baseline.discover.preview import propose_from_preview
from baseline.discover.runner import discover, run_service_program
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
        assets = {f".{name}" for name, shape in fields if shape == ("asset",)}  # uploaded code: left unset
        assert set(values) == {name for name, _ in fields} and set(_nones(values)) == assets, (token, _nones(values))
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
    assert not processes_working_in(PROGRAMS / "never-finishes"), "the stopped program's child is still running"


def processes_working_in(folder):
    """Return the PIDs of processes whose working directory is `folder` (the program runs from its own folder)."""
    found = []
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if proc.name.isdigit() and Path(os.readlink(proc / "cwd")) == folder.resolve():
                found.append(int(proc.name))
    return found


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


def test_a_preview_tags_an_untagged_resource_only_under_default_tags(tmp_path):
    """In the fixture the queue has tags and the bucket none; the stack's `aws:defaultTags` reach the default
    provider's step as its `defaultTags` input, and then every resource is tagged."""
    plain = propose_from_preview("nodejs-app", PREVIEW)
    assert "sqs:TagQueue" in plain.types["aws:sqs/queue:Queue"].manage
    assert "s3:PutBucketTagging" not in plain.types["aws:s3/bucket:Bucket"].manage
    document = json.loads(PREVIEW.read_text())
    provider = next(s for s in document["steps"] if s["newState"]["type"] == "pulumi:providers:aws")
    provider["newState"]["inputs"]["defaultTags"] = json.dumps({"tags": {"team": "web"}})
    (tmp_path / "preview.json").write_text(json.dumps(document))
    tagged = propose_from_preview("nodejs-app", tmp_path / "preview.json")
    assert "s3:PutBucketTagging" in tagged.types["aws:s3/bucket:Bucket"].manage


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


def _program(tmp_path, source: str, pulumi_yaml: str = "name: inline-app\nruntime: python\n", stack: str | None = None):
    """Write a Pulumi project (its Pulumi.yaml, __main__.py and, if given, Pulumi.dev.yaml) and return its folder."""
    program = tmp_path / "inline-app"
    program.mkdir(parents=True)
    (program / "Pulumi.yaml").write_text(pulumi_yaml)
    (program / "__main__.py").write_text(source)
    if stack is not None:
        (program / "Pulumi.dev.yaml").write_text(stack)
    return program


def _one_line_refusal(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    (line,) = result.stderr.strip().splitlines()
    return line


def test_a_resource_given_as_another_resources_input_reaches_the_mocks_as_its_id(tmp_path):
    """`role=role`, `function=fn`: as a resource reference, the mock monitor rebuilt the resource in its own thread
    and the run never finished (aws-py-apigatewayv2-http-api-quickcreate)."""
    program = _program(
        tmp_path,
        "import pulumi_aws as aws\n\n"
        "role = aws.iam.Role('fn-role', assume_role_policy='{}')\n"
        "aws.iam.RolePolicyAttachment('attach', role=role, policy_arn='arn:aws:iam::aws:policy/ReadOnlyAccess')\n"
        "fn = aws.lambda_.Function('fn', role=role.arn, runtime='python3.12', handler='h.h', code=None)\n"
        "aws.lambda_.Permission('invoke', action='lambda:InvokeFunction', principal='apigateway.amazonaws.com', function=fn)\n",
    )
    started = time.monotonic()
    result = run_cli("discover", str(program), "--stack", "dev", "--json", "--timeout", "30")
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 30
    data = json.loads(result.stdout)
    assert {"iam:AttachRolePolicy", "lambda:AddPermission", "lambda:CreateFunction"} <= set(data["actions"])
    rendering = run_service_program(program, "dev", reveal(render({}).outputs))[1]
    assert rendering.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")[0].inputs["role"] == "fn-role"
    assert rendering.of_type("aws:lambda/permission:Permission")[0].inputs["function"] == "fn-id"


def test_a_required_config_key_the_stack_lacks_is_one_line_naming_it(tmp_path):
    program = _program(tmp_path, "import pulumi\n\npulumi.Config().require('targetDomain')\n")
    line = _one_line_refusal(run_cli("discover", str(program), "--stack", "dev"))
    assert "requires config inline-app:targetDomain" in line and "no config file" in line and "Pulumi.dev.yaml" in line
    assert "pulumi config set inline-app:targetDomain VALUE --stack dev" in line
    (program / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    assert "which " in _one_line_refusal(run_cli("discover", str(program), "--stack", "dev")), "the file exists but lacks the key"


def test_a_config_value_of_the_wrong_type_is_one_line_without_the_value(tmp_path):
    program = _program(tmp_path, "import pulumi\n\npulumi.Config('cfg').require_int('size')\n", stack="config:\n  cfg:size: s3cr3t\n")
    line = _one_line_refusal(run_cli("discover", str(program), "--stack", "dev"))
    assert "reads config cfg:size as int" in line and "s3cr3t" not in line


def test_pulumi_yaml_config_defaults_main_and_stack_config_dir_are_honoured(tmp_path):
    """Project-level config (Pulumi.yaml `config:`, its defaults for every stack), `main:` (the program's folder,
    which it runs from) and `stackConfigDir:` (where Pulumi.<stack>.yaml lives), as `pulumi preview` reads them."""
    program = _program(
        tmp_path,
        "raise SystemExit('not this one')\n",
        "name: inline-app\nruntime: python\nmain: infra/\nstackConfigDir: stacks\n"
        "config:\n  prefix:\n    type: string\n    default: logs\n  size: 2\n  region:\n    type: string\n",
    )
    (program / "infra").mkdir()
    (program / "infra" / "naming.py").write_text("def name(prefix, size):\n    return f'{prefix}-{size}'\n")
    (program / "infra" / "__main__.py").write_text(
        "import pathlib\n\nimport pulumi\nimport pulumi_aws as aws\nfrom naming import name\n\n"
        "config = pulumi.Config()\n"
        "assert pathlib.Path.cwd().name == 'infra'\n"
        "aws.s3.Bucket('b', bucket=name(config.require('prefix'), config.require_int('size')) + config.require('region'))\n"
    )
    (program / "stacks").mkdir()
    (program / "stacks" / "Pulumi.dev.yaml").write_text("config:\n  inline-app:size: 3\n  region: -eu\n")
    rendering = run_service_program(program, "dev", reveal(render({}).outputs))[1]
    assert rendering.of_type("aws:s3/bucket:Bucket")[0].inputs["bucket"] == "logs-3-eu", "the stack file overrides Pulumi.yaml"
    (program / "infra" / "__main__.py").unlink()
    line = _one_line_refusal(run_cli("discover", str(program), "--stack", "dev"))
    assert "no program at" in line and "main: infra" in line


def test_declared_outputs_take_the_declared_type_and_a_maps_documented_keys(tmp_path):
    """A data source's echoed input in the type its result declares (`most_recent="true"` -> True), an enum
    output one of its members (not {}), and a map output the keys the provider's docs show (`uris["GRAPHQL"]`)."""
    ctx_fields = invoke_fields("aws:ec2/getAmi:getAmi")
    ami = Plausible(CTX, "aws:ec2/getAmi:getAmi", "ami", "ami-id").fill(ctx_fields, {"mostRecent": "true", "owners": "amazon"})
    assert ami["mostRecent"] is True and ami["owners"] == ["amazon"]
    api = Plausible(CTX, "aws:appsync/graphQLApi:GraphQLApi", "api", "api-id").fill(
        resource_fields("aws:appsync/graphQLApi:GraphQLApi"), {}
    )
    assert api["uris"]["GRAPHQL"].startswith("https://")
    group = Plausible(CTX, "aws:autoscaling/group:Group", "asg", "asg-id").fill(resource_fields("aws:autoscaling/group:Group"), {})
    assert isinstance(group["enabledMetrics"][0], str)
    program = _program(
        tmp_path,
        "import pulumi\nimport pulumi_aws as aws\n\n"
        "ami = aws.ec2.get_ami(most_recent='true', owners=['amazon'], filters=[{'name': 'name', 'values': ['amzn2-*']}])\n"
        "aws.autoscaling.Group('asg', min_size=1, max_size=1, availability_zones=['eu-west-1a'])\n"
        "api = aws.appsync.GraphQLApi('api', authentication_type='API_KEY')\n"
        "pulumi.export('endpoint', api.uris['GRAPHQL'])\n"
        "pulumi.export('ami', ami.id)\n",
    )
    result = run_cli("discover", str(program), "--stack", "dev", "--json")
    assert result.returncode == 0, result.stderr
    assert {"appsync:CreateGraphqlApi", "autoscaling:CreateAutoScalingGroup", "ec2:DescribeImages"} <= set(
        json.loads(result.stdout)["actions"]
    )


def test_a_stack_reference_output_discover_cannot_know_is_one_line(tmp_path):
    program = _program(
        tmp_path,
        "import pulumi\nimport pulumi_aws as aws\n\n"
        "network = pulumi.StackReference('acme/network/dev')\n"
        "aws.ec2.SecurityGroup('sg', vpc_id=network.require_output('vpcId'))\n",
    )
    line = _one_line_refusal(run_cli("discover", str(program), "--stack", "dev"))
    assert "requires output 'vpcId' of a StackReference" in line and "--preview" in line


def test_a_resource_read_with_get_has_its_outputs_answered_and_its_read_proposed(tmp_path):
    """`aws.sqs.Queue.get(name, id)` reads an existing queue: its outputs were None (the mock monitor's read passes
    no `custom`), so a program computing with them crashed; its read actions were missing from the proposal."""
    program = _program(
        tmp_path,
        "import pulumi_aws as aws\n\n"
        "queue = aws.sqs.Queue.get('existing', 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs')\n"
        "aws.sqs.QueuePolicy('jobs', queue_url=queue.url, policy=queue.arn.apply(lambda arn: '{\"Resource\": \"%s\"}' % arn.upper()))\n",
    )
    result = run_cli("discover", str(program), "--stack", "dev", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data["resourceTypes"]) == {"aws:sqs/queuePolicy:QueuePolicy"}, "a read creates nothing"
    assert "sqs:GetQueueAttributes" in data["dataSources"]["aws:sqs/queue:Queue"]["deploy"] and data["unmapped"] == []


def test_two_programs_with_a_module_of_the_same_name_each_import_their_own(tmp_path):
    """pulumi/examples programs often keep their IAM in a local `iam.py`: a program run after another in the same
    process (the benchmark, the tests) must import its own, not the one the first program left in sys.modules."""
    outputs = reveal(render({}).outputs)
    registered = []
    for name, bucket in (("first", "one"), ("second", "two")):
        program = _program(tmp_path / name, "import pulumi_aws as aws\nimport shared\n\naws.s3.Bucket('b', bucket=shared.BUCKET)\n")
        (program / "shared.py").write_text(f"BUCKET = {bucket!r}\n")
        rendering = run_service_program(program, "dev", outputs)[1]
        registered.append(rendering.of_type("aws:s3/bucket:Bucket")[0].inputs["bucket"])
    assert registered == ["one", "two"]


def test_tagging_actions_come_with_tags_set_on_the_resource_or_by_default(tmp_path):
    """The provider tags and untags only a resource that has tags: its own `tags`, or the default tags its provider
    gives every resource (the stack's `aws:defaultTags`, or `default_tags` of a provider the program creates)."""
    outputs = reveal(render({}).outputs)
    source = "import pulumi_aws as aws\n\naws.sqs.Queue('plain')\naws.sns.Topic('tagged', tags={'team': 'x'})\n"
    untagged = discover(_program(tmp_path / "own", source), "dev", outputs)
    assert "sqs:TagQueue" not in untagged.actions and "sqs:UntagQueue" not in untagged.actions
    assert "sqs:ListQueueTags" in untagged.actions, "the read still lists the queue's tags"
    assert {"sns:TagResource", "sns:UntagResource"} <= set(untagged.actions)
    stack = "config:\n  aws:defaultTags:\n    tags:\n      team: x\n"
    by_stack = discover(_program(tmp_path / "stack", source, stack=stack), "dev", outputs)
    assert {"sqs:TagQueue", "sqs:UntagQueue"} <= set(by_stack.actions)
    provider = "import pulumi\n" + source.replace(
        "aws.sqs.Queue('plain')",
        "p = aws.Provider('p', default_tags={'tags': {'team': 'x'}})\naws.sqs.Queue('plain', opts=pulumi.ResourceOptions(provider=p))",
    )
    by_provider = discover(_program(tmp_path / "provider", provider), "dev", outputs)
    assert {"sqs:TagQueue", "sqs:UntagQueue"} <= set(by_provider.actions)
