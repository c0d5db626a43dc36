"""`discover` against the example services: the proposal lets each program's resources be created
(checked in moto with IAM enforcement) and grants no service the program does not use."""

import contextlib
import json
import uuid
from pathlib import Path
from types import SimpleNamespace

import boto3
import pytest
from moto import mock_aws, settings
from moto.core.authorization import ActionAuthenticatorMixin

from baseline.design.grants import expand_patterns
from baseline.discover.proposal import actions_for_type, format_proposal, iam_prefix
from baseline.discover.runner import discover
from baseline.offline.engine import reveal
from tests.emulated_account import denied
from tests.helpers import PROJECT_DIR, render_shipped, run_cli

EXAMPLES = PROJECT_DIR / "examples"
REGION = "eu-west-1"
EXPECTED = {
    "service-app": {"s3", "sqs"},
    "worker-lambda": {"iam", "lambda", "logs", "sqs"},
    "data-api": {"dynamodb", "kms", "sns"},
    "web-ecs": {"ec2", "ecs", "logs"},
}
TRUST_LAMBDA = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


def _zip():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return 0\n")
    return buffer.getvalue()


def _function(session, name):
    role = session.client("iam").create_role(RoleName=f"{name}-role", Path="/x/", AssumeRolePolicyDocument=TRUST_LAMBDA)["Role"]["Arn"]
    return session.client("lambda").create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="index.handler", Code={"ZipFile": _zip()}
    )


def _event_source_mapping(session, name):
    queue = session.client("sqs").create_queue(QueueName=f"{name}-q")["QueueUrl"]
    arn = session.client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    _function(session, f"{name}-fn")
    return session.client("lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName=f"{name}-fn", BatchSize=10)


def create_calls(session, token, suffix):
    """Return the boto3 call that creates one resource of a pulumi-aws type (the example types)."""
    name = f"discovered-{suffix}"
    calls = {
        "aws:sqs/queue:Queue": lambda: session.client("sqs").create_queue(QueueName=name),
        "aws:s3/bucket:Bucket": lambda: session.client("s3").create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}
        ),
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": lambda: session.client("s3").put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        ),
        "aws:iam/role:Role": lambda: session.client("iam").create_role(RoleName=name, Path="/x/", AssumeRolePolicyDocument=TRUST_LAMBDA),
        "aws:cloudwatch/logGroup:LogGroup": lambda: session.client("logs").create_log_group(logGroupName=f"/x/{name}"),
        "aws:dynamodb/table:Table": lambda: session.client("dynamodb").create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        ),
        "aws:sns/topic:Topic": lambda: session.client("sns").create_topic(Name=name),
        "aws:kms/key:Key": lambda: session.client("kms").create_key(Description=name),
        "aws:ecs/cluster:Cluster": lambda: session.client("ecs").create_cluster(clusterName=name),
        "aws:ecs/taskDefinition:TaskDefinition": lambda: session.client("ecs").register_task_definition(
            family=name, containerDefinitions=[{"name": "web", "image": "nginx", "memory": 512}]
        ),
        "aws:lambda/function:Function": lambda: _function(session, f"{name}-fn1"),
        "aws:lambda/eventSourceMapping:EventSourceMapping": lambda: _event_source_mapping(session, f"{name}-esm"),
        "aws:ec2/securityGroup:SecurityGroup": lambda: session.client("ec2").create_security_group(
            GroupName=name, Description="discovered"
        ),
    }
    return calls.get(token)


@contextlib.contextmanager
def enforcing():
    """Check every moto request against IAM inside the block (the setup before it runs unchecked)."""
    previous = settings.INITIAL_NO_AUTH_ACTION_COUNT
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0
    try:
        yield
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT = previous


@pytest.fixture(scope="module")
def baseline_outputs():
    return reveal(render_shipped("dev").outputs)


@pytest.mark.parametrize("example", sorted(EXPECTED))
def test_the_proposal_names_exactly_the_services_the_program_uses(example, baseline_outputs):
    proposal = discover(EXAMPLES / example, "dev", baseline_outputs)
    assert proposal.unmapped == []
    assert set(proposal.prefixes) == EXPECTED[example]
    granted = {a.split(":")[0] for a in expand_patterns(proposal.actions)}
    assert granted == EXPECTED[example], f"{example}: grants services it does not use: {granted - EXPECTED[example]}"


@pytest.mark.parametrize("example", sorted(EXPECTED))
def test_the_proposal_creates_every_resource_in_the_emulator(example, baseline_outputs):
    proposal = discover(EXAMPLES / example, "dev", baseline_outputs)
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(proposal.actions), "Resource": "*"}]}
    with mock_aws():
        admin = boto3.client("iam", region_name=REGION, aws_access_key_id="a", aws_secret_access_key="b")
        admin.create_user(UserName="ci")
        key = admin.create_access_key(UserName="ci")["AccessKey"]
        admin.put_user_policy(
            UserName="ci",
            PolicyName="assume",
            PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}
            ),
        )
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/ci"}, "Action": "sts:AssumeRole"}],
        }
        role = admin.create_role(RoleName="discovered", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
        admin.put_role_policy(RoleName="discovered", PolicyName="proposal", PolicyDocument=json.dumps(policy))
        with enforcing():
            sts = boto3.client(
                "sts", region_name=REGION, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
            )
            creds = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="discover")["Credentials"]
            session = boto3.Session(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"], region_name=REGION)
            suffix = uuid.uuid4().hex[:8]
            for token in proposal.types:
                call = create_calls(session, token, suffix)
                assert call is not None, f"the test has no create call for {token}"
                call()  # raises AccessDenied if the proposal misses what creating it takes
            unused = "sqs" if "sqs" not in EXPECTED[example] else "dynamodb"
            probe = session.client(unused).list_queues if unused == "sqs" else session.client(unused).list_tables
            assert denied(probe), f"{example}'s proposal reaches {unused}, which it does not use"


def test_module_names_that_differ_from_iam_prefixes_are_mapped():
    assert iam_prefix("aws:lb/loadBalancer:LoadBalancer") == "elasticloadbalancing"
    assert iam_prefix("aws:cloudwatch/logGroup:LogGroup") == "logs"
    assert iam_prefix("aws:cloudwatch/metricAlarm:MetricAlarm") == "cloudwatch"
    assert iam_prefix("aws:sfn/stateMachine:StateMachine") == "states"
    assert iam_prefix("aws:nosuch/thing:Thing") is None


def test_deletes_are_proposed_separately():
    needs = actions_for_type("aws:sqs/queue:Queue")
    assert "sqs:CreateQueue" in needs.manage and "sqs:DeleteQueue" in needs.delete
    assert "sqs:SendMessage" not in needs.manage, "data-plane actions are not a deployer's"
    assert not needs.manage & needs.delete


def test_discover_command_prints_a_ready_yaml_snippet():
    result = run_cli("discover", "examples/data-api", "--stack", "dev")
    assert result.returncode == 0, result.stderr
    import yaml

    snippet = yaml.safe_load(result.stdout.split("# Paste into Pulumi.<stack>.yaml", 1)[1].split("\n", 1)[1])
    actions = snippet["config"]["iam-baseline:services"]["data-api"]["actions"]
    assert "dynamodb:CreateTable" in expand_patterns(actions) and "sns:CreateTopic" in expand_patterns(actions)


PROGRAMS = PROJECT_DIR / "tests" / "fixtures" / "programs"


@pytest.fixture(scope="module")
def ec2_web(baseline_outputs):
    return discover(PROGRAMS / "ec2-web", "dev", baseline_outputs, "ec2-web")


def test_data_sources_run_offline_and_bring_their_reads(ec2_web):
    assert set(ec2_web.data_sources) == {
        "aws:ec2/getAmi:getAmi",
        "aws:ec2/getSubnets:getSubnets",
        "aws:ec2/getVpc:getVpc",
        "aws:iam/getPolicyDocument:getPolicyDocument",
        "aws:index/getAvailabilityZones:getAvailabilityZones",
    }
    actions = expand_patterns(ec2_web.actions)
    assert {"ec2:DescribeImages", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeAvailabilityZones"} <= actions


def test_table_rows_bring_the_verbs_name_matching_missed_and_passrole_through_the_instance_profile(ec2_web):
    actions = expand_patterns(ec2_web.actions)
    assert {"ec2:RunInstances", "ec2:ImportKeyPair", "ec2:AllocateAddress", "ec2:AuthorizeSecurityGroupIngress"} <= actions
    assert {"ec2:DeleteTags", "iam:PassRole"} <= actions, "tag removal is an update; the profile hands the role to EC2"
    assert "ec2:TerminateInstances" in ec2_web.types["aws:ec2/instance:Instance"].delete
    assert "ec2:RevokeSecurityGroupIngress" in ec2_web.types["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"].delete
    assert not {"ec2:GetPasswordData", "ec2:CreateInstanceExportTask", "ec2:ModifyEbsDefaultKmsKeyId"} & actions


def test_a_generated_row_is_used_and_named_as_not_yet_proved(ec2_web):
    glue = ec2_web.types["aws:glue/job:Job"]
    assert glue.verified and not glue.proved, "aws:glue/job:Job has a generated row, not a hand-written one"
    assert "glue:CreateJob" in glue.manage and "glue:DeleteJob" in glue.delete
    assert "aws:glue/job:Job" in ec2_web.unproved and "aws:ec2/instance:Instance" not in ec2_web.unproved
    assert "aws:glue/job:Job's row was generated from the AWS provider's code and is not yet proved" in format_proposal(ec2_web)
    assert ec2_web.unverified == []


def test_a_type_without_a_row_is_proposed_by_name_with_a_warning_and_no_data_plane_actions(monkeypatch):
    import baseline.discover.proposal as proposal

    monkeypatch.setattr(proposal, "get_resource_permissions", lambda token: None)
    job = SimpleNamespace(typ="aws:glue/job:Job", custom=True, inputs={"roleArn": "arn:aws:iam::123456789012:role/etl", "command": {}})
    found = proposal.propose("etl", [job])
    assert found.unverified == ["aws:glue/job:Job"]
    glue = found.types["aws:glue/job:Job"]
    assert "glue:CreateJob" in glue.manage and not {
        a for a in glue.manage if a.split(":")[1].startswith(("StartJobRun", "GetDataflowGraph"))
    }
    assert found.pass_roles == ["arn:aws:iam::123456789012:role/etl"], "a role input passes the role even without a row"
    assert "unverified, review by hand" in format_proposal(found)


def test_a_type_whose_calls_the_catalogue_lacks_is_proposed_with_them_named_and_kept_out_of_the_config():
    from baseline.discover.proposal import propose

    program = [
        SimpleNamespace(typ="aws:s3/filesAccessPoint:FilesAccessPoint", custom=True, inputs={"fileSystemId": "fs-1"}),
        SimpleNamespace(typ="aws:ecs/daemon:Daemon", custom=True, inputs={"name": "agent", "tags": {"team": "a"}}),
    ]
    found = propose("files", program, ["aws:odb/getAutonomousDatabase:getAutonomousDatabase"])
    assert found.unmapped == [] and found.unverified == [], "every type has a proposal, none matched by name"
    assert "s3files:CreateAccessPoint" in found.uncatalogued["aws:s3/filesAccessPoint:FilesAccessPoint"]
    assert found.uncatalogued["aws:odb/getAutonomousDatabase:getAutonomousDatabase"] == ("odb:GetAutonomousDatabase",)
    daemon = found.to_json()["resourceTypes"]["aws:ecs/daemon:Daemon"]
    assert "ecs:CreateDaemon" in daemon["uncatalogued"] and "ecs:TagResource" in daemon["deploy"], "what the catalogue names is granted"
    assert "ecs:TagResource" in found.actions and not {a for a in found.actions if a.startswith("s3files:") or "Daemon" in a}
    report = format_proposal(found)
    assert "aws:s3/filesAccessPoint:FilesAccessPoint: the AWS provider also calls s3files:CreateAccessPoint" in report
    assert "not yet proved; it brings nothing" not in report


def test_a_type_no_iam_action_authorises_or_no_row_answers_is_named_with_why():
    from baseline.discover.proposal import propose

    program = [
        SimpleNamespace(typ="aws:codecatalyst/project:Project", custom=True, inputs={"spaceName": "acme"}),
        SimpleNamespace(typ="aws:agentregistry/registry:Registry", custom=True, inputs={"name": "agents"}),
    ]
    found = propose("tools", program)
    assert found.not_iam.keys() == {"aws:codecatalyst/project:Project"} and found.actions == ()
    report = format_proposal(found)
    assert "aws:codecatalyst/project:Project: the codecatalyst API authenticates with a bearer token" in report
    assert "the deployment needs the service's own token" in report and "it brings nothing" not in report
    assert found.unmapped == ["aws:agentregistry/registry:Registry"]
    assert "aws:agentregistry/registry:Registry: the IAM catalogue does not know this service's actions yet" in report
    assert "no IAM service found" not in report


def test_a_role_handed_over_inside_a_nested_input_is_passed_by_its_arn():
    from baseline.discover.proposal import propose

    sms = {"snsCallerArn": "arn:aws:iam::123456789012:role/sms-sender", "externalId": "pool-sms"}
    pool = SimpleNamespace(typ="aws:cognito/userPool:UserPool", custom=True, inputs={"name": "users", "smsConfiguration": sms})
    found = propose("auth", [pool])
    assert found.pass_roles == ["arn:aws:iam::123456789012:role/sms-sender"] and "iam:PassRole" in found.actions
    plain = propose("auth", [SimpleNamespace(typ="aws:cognito/userPool:UserPool", custom=True, inputs={"name": "users"})])
    assert plain.pass_roles == [] and "iam:PassRole" not in plain.actions


def test_types_replaced_on_updates_are_named_with_their_fix(ec2_web):
    assert ec2_web.replaced == ["aws:ecs/taskDefinition:TaskDefinition"]
    assert "skip_destroy=True" in format_proposal(ec2_web)


def test_discover_json_gives_every_type_and_data_source_and_the_actions():
    result = run_cli("discover", str(PROGRAMS / "ec2-web"), "--stack", "dev", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"service", "resourceTypes", "dataSources", "passRole", "unmapped", "principalProblems", "actions"}
    instance = data["resourceTypes"]["aws:ec2/instance:Instance"]
    assert instance["verified"] and "ec2:RunInstances" in instance["deploy"] and instance["delete"] == ["ec2:TerminateInstances"]
    assert data["dataSources"]["aws:ec2/getAmi:getAmi"]["deploy"] == ["ec2:DescribeImages"]


def test_a_data_source_without_an_offline_answer_is_one_clear_line():
    result = run_cli("discover", str(PROGRAMS / "unknown-invoke"), "--stack", "dev")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "the program calls data source acme:index/getWidget:getWidget, which has no offline stand-in" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_prod_role_deploys_an_image_change_of_the_ecs_example(baseline_outputs):
    """The web-ecs example keeps old task definitions (skip_destroy), so the replacement an image change
    causes registers a revision and deregisters nothing: the prod grant (no deletes) suffices."""
    from baseline.design.grants import resolve_grant

    proposal = discover(EXAMPLES / "web-ecs", "dev", baseline_outputs)
    assert proposal.replaced == [], "skip_destroy is set, so discover has nothing to warn about"
    prod = resolve_grant(proposal.actions, allow_delete=False)
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(prod.allow), "Resource": "*"}]}
    if prod.deny_destructive:
        policy["Statement"].append({"Effect": "Deny", "Action": list(prod.deny_destructive), "Resource": "*"})
    with mock_aws():
        admin = boto3.client("iam", region_name=REGION, aws_access_key_id="a", aws_secret_access_key="b")
        admin.create_user(UserName="prod-web")
        admin.put_user_policy(UserName="prod-web", PolicyName="prod", PolicyDocument=json.dumps(policy))
        key = admin.create_access_key(UserName="prod-web")["AccessKey"]
        with enforcing():
            ecs = boto3.client(
                "ecs", region_name=REGION, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
            )
            for image in ("nginx:1.27", "nginx:1.28"):  # the deploy, then the image change
                revision = ecs.register_task_definition(family="web", containerDefinitions=[{"name": "web", "image": image, "memory": 512}])
            assert revision["taskDefinition"]["revision"] == 2
            assert denied(ecs.deregister_task_definition, taskDefinition="web:1"), "without skip_destroy the replacement would fail here"


def test_skip_destroy_means_destroying_calls_nothing():
    from baseline.discover.proposal import _needs_from_table

    inputs = frozenset({"family", "containerDefinitions"})
    assert "ecs:DeregisterTaskDefinition" in _needs_from_table("aws:ecs/taskDefinition:TaskDefinition", inputs).delete
    kept = _needs_from_table("aws:ecs/taskDefinition:TaskDefinition", inputs | {"skipDestroy"})
    assert kept.delete == set() and not kept.replaced_on_update


def test_a_program_reading_acm_validation_options_runs_offline_and_relative_paths_work(baseline_outputs, monkeypatch):
    monkeypatch.chdir(PROJECT_DIR)
    proposal = discover(Path("tests/fixtures/heldout/static-site"), "dev", baseline_outputs)  # relative, as a caller may pass
    assert (
        "aws:route53/record:Record" in proposal.types
        and "route53:ChangeResourceRecordSets" in proposal.types["aws:route53/record:Record"].manage
    )
