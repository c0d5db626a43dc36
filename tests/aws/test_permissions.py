"""The permission table: every action is AWS's, every type and input is pulumi-aws's, and it covers the
types real programs use (every AWS resource type in pulumi/examples' Python programs)."""

import functools
import re
from pathlib import Path

import pulumi_aws
import pytest
import yaml

from baseline.aws.catalog import get_actions_matching
from baseline.aws.permissions import TABLE_DIR, get_resource_permissions, get_tabled_data_sources, get_tabled_resource_types

PACKAGE = Path(pulumi_aws.__file__).resolve().parent
# Every AWS resource type the Python AWS programs of pulumi/examples declare (aws-py-*, read 2026-11).
EXAMPLE_TYPES = (
    "acm/certificate:Certificate", "acm/certificateValidation:CertificateValidation", "apigateway/deployment:Deployment",
    "apigateway/restApi:RestApi", "apigateway/stage:Stage", "apigatewayv2/api:Api", "apigatewayv2/integration:Integration",
    "apigatewayv2/route:Route", "apigatewayv2/stage:Stage", "autoscaling/group:Group", "cloudfront/distribution:Distribution",
    "cloudwatch/eventBus:EventBus", "cloudwatch/eventRule:EventRule", "cloudwatch/eventTarget:EventTarget",
    "cloudwatch/logGroup:LogGroup", "dynamodb/table:Table", "ec2/eip:Eip", "ec2/instance:Instance", "ec2/internetGateway:InternetGateway",
    "ec2/keyPair:KeyPair", "ec2/launchConfiguration:LaunchConfiguration", "ec2/mainRouteTableAssociation:MainRouteTableAssociation",
    "ec2/natGateway:NatGateway", "ec2/route:Route", "ec2/routeTable:RouteTable", "ec2/routeTableAssociation:RouteTableAssociation",
    "ec2/securityGroup:SecurityGroup", "ec2/subnet:Subnet", "ec2/vpc:Vpc", "ec2/vpcEndpoint:VpcEndpoint",
    "ec2transitgateway/route:Route", "ec2transitgateway/routeTable:RouteTable", "ec2transitgateway/routeTableAssociation:RouteTableAssociation",
    "ec2transitgateway/routeTablePropagation:RouteTablePropagation", "ec2transitgateway/transitGateway:TransitGateway",
    "ec2transitgateway/vpcAttachment:VpcAttachment", "ecr/lifecyclePolicy:LifecyclePolicy", "ecr/repository:Repository",
    "ecs/capacityProvider:CapacityProvider", "ecs/cluster:Cluster", "ecs/clusterCapacityProviders:ClusterCapacityProviders",
    "ecs/service:Service", "ecs/taskDefinition:TaskDefinition", "iam/accessKey:AccessKey", "iam/instanceProfile:InstanceProfile",
    "iam/role:Role", "iam/rolePolicy:RolePolicy", "iam/rolePolicyAttachment:RolePolicyAttachment", "iam/user:User", "kms/key:Key",
    "lb/listener:Listener", "lb/loadBalancer:LoadBalancer", "lb/targetGroup:TargetGroup", "networkfirewall/firewall:Firewall",
    "networkfirewall/firewallPolicy:FirewallPolicy", "networkfirewall/ruleGroup:RuleGroup", "rds/instance:Instance",
    "rds/subnetGroup:SubnetGroup", "route53/record:Record", "s3/bucket:Bucket", "s3/bucketAcl:BucketAcl", "s3/bucketObject:BucketObject",
    "s3/bucketOwnershipControls:BucketOwnershipControls", "s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration", "servicediscovery/privateDnsNamespace:PrivateDnsNamespace",
    "ssm/parameter:Parameter",
)  # fmt: skip
EXAMPLE_DATA_SOURCES = (
    "ec2/getAmi:getAmi", "ec2/getRouteTable:getRouteTable", "ec2/getSubnet:getSubnet", "ec2/getSubnets:getSubnets", "ec2/getVpc:getVpc",
    "ecr/getAuthorizationToken:getAuthorizationToken", "ecr/getCredentials:getCredentials", "iam/getPolicyDocument:getPolicyDocument",
    "index/getAvailabilityZones:getAvailabilityZones", "index/getCallerIdentity:getCallerIdentity", "index/getRegion:getRegion",
    "route53/getZone:getZone",
)  # fmt: skip


def rows():
    for path in sorted(TABLE_DIR.glob("*.yaml")):
        document = yaml.safe_load(path.read_text())
        for kind in ("resources", "data_sources"):
            for token, row in (document.get(kind) or {}).items():
                yield path.name, kind, token, row


def snake_case(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@functools.cache
def module_text(token):
    module, name = token.split(":")[1].split("/")
    folder = PACKAGE if module == "index" else next(p for p in (PACKAGE / module, PACKAGE / f"{module}_") if p.is_dir())  # lambda_
    path = folder / f"{snake_case(name)}.py"
    return path.read_text() if path.is_file() else ""


def test_every_action_in_the_table_is_an_iam_action_spelled_as_aws_spells_it():
    wrong = [
        (file, token, action)
        for file, _, token, row in rows()
        for action in [
            *(a for key in ("create", "read", "update", "tag", "untag", "delete") for a in row.get(key) or []),
            *(a for acts in (row.get("optional") or {}).values() for a in acts),
        ]
        if get_actions_matching(action) != (action,)
    ]
    assert not wrong, f"actions the IAM catalogue does not know: {wrong[:10]}"


def test_every_token_and_input_in_the_table_is_pulumi_awss():
    for file, kind, token, row in rows():
        text = module_text(token)
        assert f"'{token}'" in text, f"{file}: {token} is not a pulumi-aws {kind[:-1].replace('_', ' ')}"
        if kind == "resources":
            props = set(re.findall(r'__props__\.__dict__\["(\w+)"\]', text))
            for name in [*(row.get("optional") or {}), *(row.get("passRole") or [])]:
                assert snake_case(name) in props, f"{file}: {token} has no input {name!r}"


def test_every_row_names_all_six_lifecycle_sets():
    for file, kind, token, row in rows():
        if kind == "resources":
            assert {"create", "read", "update", "tag", "untag", "delete"} <= set(row), f"{file}: {token} lacks a set"


@pytest.mark.parametrize("suffix", EXAMPLE_TYPES)
def test_the_types_real_programs_use_have_rows(suffix):
    assert get_resource_permissions(f"aws:{suffix}") is not None


def test_the_data_sources_real_programs_call_have_rows_and_the_table_is_broad():
    missing = [d for d in EXAMPLE_DATA_SOURCES if f"aws:{d}" not in get_tabled_data_sources()]
    assert not missing, missing
    assert len(get_tabled_resource_types()) >= 150, "at least the 150 most common types"


def test_deletes_are_only_what_deploying_does_not_call_and_tag_removal_is_an_update():
    log_group = get_resource_permissions("aws:cloudwatch/logGroup:LogGroup")
    assert "logs:DeleteRetentionPolicy" in log_group.deploys() and "logs:DeleteRetentionPolicy" not in log_group.deletes()
    assert get_resource_permissions("aws:ec2/vpc:Vpc").untag >= {"ec2:DeleteTags"}
    assert "elasticloadbalancing:RemoveTags" in get_resource_permissions("aws:lb/loadBalancer:LoadBalancer").deploys()
    ingress = get_resource_permissions("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert "ec2:RevokeSecurityGroupIngress" in ingress.deletes(), "a standalone rule's delete is its revoke"
    queue = get_resource_permissions("aws:sqs/queue:Queue")
    assert queue.deletes() == {"sqs:DeleteQueue"} and not queue.deploys() & {"sqs:SendMessage", "sqs:PurgeQueue", "sqs:DeleteMessage"}


def test_optional_calls_are_proposed_only_when_their_input_is_set():
    instance = get_resource_permissions("aws:ec2/instance:Instance")
    assert "iam:PassRole" not in instance.deploys() and "iam:PassRole" in instance.deploys(frozenset({"iamInstanceProfile"}))
    assert instance.pass_role_inputs == ("iamInstanceProfile",)
    assert get_resource_permissions("aws:ecs/taskDefinition:TaskDefinition").replaced_on_update
