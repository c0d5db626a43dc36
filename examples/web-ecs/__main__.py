"""A web service on ECS Fargate: cluster, task definition, security group and log group."""

import json

import pulumi
import pulumi_aws as aws

from iam_baseline_consume import provider_for

config = pulumi.Config()
service = config.get("service") or "web-ecs"
deploy = pulumi.ResourceOptions(provider=provider_for(service, stack=config.get("handoffStack")))

cluster = aws.ecs.Cluster("web", name="web", settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="enabled")], opts=deploy)
logs = aws.cloudwatch.LogGroup("web", name="/ecs/web", retention_in_days=30, opts=deploy)
firewall = aws.ec2.SecurityGroup(
    "web",
    name="web-tasks",
    description="web tasks: HTTPS in, anything out",
    ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=443, to_port=443, cidr_blocks=["0.0.0.0/0"])],
    egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])],
    opts=deploy,
)
task = aws.ecs.TaskDefinition(
    "web",
    family="web",
    cpu="256",
    memory="512",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    container_definitions=json.dumps(
        [
            {
                "name": "web",
                "image": config.get("image") or "public.ecr.aws/nginx/nginx:stable",
                "portMappings": [{"containerPort": 443}],
                "essential": True,
            }
        ]
    ),
    # Every image change replaces the task definition; keeping old revisions means the replacement
    # never calls ecs:DeregisterTaskDefinition, which a prod role (no deletes) may not.
    skip_destroy=True,
    opts=deploy,
)
pulumi.export("clusterArn", cluster.arn)
