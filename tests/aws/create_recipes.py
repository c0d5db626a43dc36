"""Create recipes: per tabled resource type, the boto3 calls the AWS provider makes to create a minimal
resource of that type, in its order: the Create function's calls (with its tagging calls when it tags
in a separate call), then the Read function's calls (the provider reads after every create), with the
transparent-tagging ListTags the provider adds when Read does not set tags itself.

Each recipe names the provider file and lines it was written from (terraform-provider-aws, April 2024
snapshot). Prerequisites (a VPC for a subnet, a bucket for a bucket policy, a role for a function) are
made by the admin in `setup`, never by the role under test. `exists` is asked by the admin afterwards.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

TAGS = {"team": "baseline"}
TAG_LIST = [{"Key": "team", "Value": "baseline"}]


class World:
    """What a recipe sees: a unique name, clients acting as the role or as the admin, and its prerequisites."""

    def __init__(self, name: str, account: Any, role_client: Callable[[str], Any] | None = None) -> None:
        self.name = name
        self.account = account
        self.region: str = account.region
        self.account_id: str = account.account_id
        self.prereq: dict[str, Any] = {}
        self._role_client = role_client

    def role(self, service: str) -> Any:
        """A client acting as the role under test."""
        assert self._role_client is not None, "setup and exists run as the admin"
        return self._role_client(service)

    def admin(self, service: str) -> Any:
        return self.account.admin(service)

    def shared(self, key: str) -> Any:
        """A prerequisite made once per module by the admin (a VPC, a Lambda execution role, ...); setup asks, not run."""
        assert self._role_client is None, "shared prerequisites are fetched in setup, by the admin"
        return self.account.shared(key)


@dataclass(frozen=True)
class Recipe:
    token: str
    source: str  # provider file and the lines of its Create and Read functions
    primary: str  # the IAM action of the call that creates the resource
    run: Callable[[World], None]  # as the role: the create calls, tagging calls, read calls
    exists: Callable[[World], bool]  # as the admin
    setup: Callable[[World], None] | None = None  # as the admin, before the run
    inputs: frozenset[str] = field(default_factory=frozenset)  # optional inputs set (their calls join the grant)
    passes_role: bool = False  # the run hands a role to AWS (iam:PassRole joins the grant)


RECIPES: dict[str, Recipe] = {}
SHARED: dict[str, Callable[[World], Any]] = {}  # prerequisites made once per module, by key


def shared(key: str) -> Callable[[Callable[[World], Any]], Callable[[World], Any]]:
    def register(make: Callable[[World], Any]) -> Callable[[World], Any]:
        SHARED[key] = make
        return make

    return register


def recipe(
    token: str,
    source: str,
    primary: str,
    exists: Callable[[World], bool],
    setup: Callable[[World], None] | None = None,
    inputs: tuple[str, ...] = (),
    passes_role: bool = False,
) -> Callable[[Callable[[World], None]], Callable[[World], None]]:
    def register(run: Callable[[World], None]) -> Callable[[World], None]:
        assert token not in RECIPES, token
        RECIPES[token] = Recipe(token, source, primary, run, exists, setup, frozenset(inputs), passes_role)
        return run

    return register


def tolerate(call: Callable[..., Any], *codes: str, **kwargs: Any) -> Any:
    """Make a call whose listed error codes the provider treats as 'not set' (other errors, and AccessDenied, propagate)."""
    try:
        return call(**kwargs)
    except ClientError as error:
        if error.response["Error"]["Code"] in codes:
            return None
        raise


def found(call: Callable[..., Any], **kwargs: Any) -> bool:
    """Whether an admin lookup finds the resource (a not-found error is False)."""
    try:
        result = call(**kwargs)
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if "NotFound" in code or "NoSuch" in code or code.endswith(".NotFound") or code in ("ResourceNotFoundException", "404"):
            return False
        raise
    return result is not None


def policy_document(statement: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


# --- SQS -----------------------------------------------------------------------------------------


def _queue_exists(w: World) -> bool:
    return found(w.admin("sqs").get_queue_url, QueueName=w.name)


@recipe(
    "aws:sqs/queue:Queue",
    "internal/service/sqs/queue.go:211-265 (create), :267-308 (read), :448 (GetQueueAttributes)",
    "sqs:CreateQueue",
    _queue_exists,
)
def _sqs_queue(w: World) -> None:
    sqs = w.role("sqs")
    # queue.go:215-228 CreateQueue with Attributes and Tags; :246 waitQueueAttributesPropagated -> GetQueueAttributes
    url = sqs.create_queue(QueueName=w.name, Attributes={"VisibilityTimeout": "30"}, tags=TAGS)["QueueUrl"]
    sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
    # read: findQueueAttributesByURL (GetQueueAttributes All); transparent tagging (@Tags id) -> ListQueueTags
    sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    sqs.list_queue_tags(QueueUrl=url)


def _admin_queue(w: World, key: str = "queue") -> None:
    url = w.admin("sqs").create_queue(QueueName=f"{w.name}-{key}")["QueueUrl"]
    w.prereq[key] = url
    w.prereq[f"{key}_arn"] = w.admin("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _queue_attribute_set(attribute: str) -> Callable[[World], bool]:
    def check(w: World) -> bool:
        attributes = w.admin("sqs").get_queue_attributes(QueueUrl=w.prereq["queue"], AttributeNames=[attribute])
        return attribute in attributes.get("Attributes", {})

    return check


def _queue_attribute_recipe(token: str, file: str, attribute: str, value: Callable[[World], str]) -> None:
    def setup(w: World) -> None:
        _admin_queue(w)
        _admin_queue(w, "dlq")

    @recipe(
        token,
        f"{file} -> internal/service/sqs/attribute_funcs.go:29-61 (Upsert), :63 (Read)",
        "sqs:SetQueueAttributes",
        _queue_attribute_set(attribute),
        setup,
    )
    def run(w: World) -> None:
        sqs = w.role("sqs")
        # attribute_funcs.go:46-48 SetQueueAttributes; :56 waitQueueAttributesPropagated -> GetQueueAttributes
        sqs.set_queue_attributes(QueueUrl=w.prereq["queue"], Attributes={attribute: value(w)})
        sqs.get_queue_attributes(QueueUrl=w.prereq["queue"], AttributeNames=[attribute])
        # :63-67 Read: findQueueAttributeByTwoPartKey -> GetQueueAttributes(attribute)
        sqs.get_queue_attributes(QueueUrl=w.prereq["queue"], AttributeNames=[attribute])


_queue_attribute_recipe(
    "aws:sqs/queuePolicy:QueuePolicy",
    "internal/service/sqs/queue_policy.go",
    "Policy",
    lambda w: policy_document({"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": w.prereq["queue_arn"]}),
)
_queue_attribute_recipe(
    "aws:sqs/redrivePolicy:RedrivePolicy",
    "internal/service/sqs/queue_redrive_policy.go",
    "RedrivePolicy",
    lambda w: json.dumps({"deadLetterTargetArn": w.prereq["dlq_arn"], "maxReceiveCount": 3}),
)


# --- SNS -----------------------------------------------------------------------------------------


def _topic_arn(w: World) -> str:
    return f"arn:aws:sns:{w.region}:{w.account_id}:{w.name}"


@recipe(
    "aws:sns/topic:Topic",
    "internal/service/sns/topic.go:262-327 (create), :329 (read), :507 (GetTopicAttributes)",
    "sns:CreateTopic",
    lambda w: found(w.admin("sns").get_topic_attributes, TopicArn=_topic_arn(w)),
)
def _sns_topic(w: World) -> None:
    sns = w.role("sns")
    # topic.go:266-286 CreateTopic(Name, Tags); :303-305 putTopicAttributes -> SetTopicAttributes per attribute
    arn = sns.create_topic(Name=w.name, Tags=TAG_LIST)["TopicArn"]
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="baseline")
    # read: findTopicAttributesWithValidAWSPrincipalsByARN -> GetTopicAttributes; transparent tagging -> ListTagsForResource
    sns.get_topic_attributes(TopicArn=arn)
    sns.list_tags_for_resource(ResourceArn=arn)


def _admin_topic(w: World) -> None:
    w.prereq["topic"] = w.admin("sns").create_topic(Name=f"{w.name}-topic")["TopicArn"]


def _topic_policy_set(w: World) -> bool:
    attributes = w.admin("sns").get_topic_attributes(TopicArn=w.prereq["topic"])["Attributes"]
    return "baseline-row" in attributes.get("Policy", "")


@recipe(
    "aws:sns/topicPolicy:TopicPolicy",
    "internal/service/sns/topic_policy.go:62-82 (upsert), :84 (read), :172 putTopicPolicy -> topic.go:452 SetTopicAttributes",
    "sns:SetTopicAttributes",
    _topic_policy_set,
    _admin_topic,
)
def _sns_topic_policy(w: World) -> None:
    sns = w.role("sns")
    topic = w.prereq["topic"]
    policy = policy_document(
        {"Sid": "baseline-row", "Effect": "Allow", "Principal": {"AWS": w.account_id}, "Action": "sns:Publish", "Resource": topic}
    )
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=policy)
    sns.get_topic_attributes(TopicArn=topic)  # read: findTopicAttributesWithValidAWSPrincipalsByARN


def _subscription_exists(w: World) -> bool:
    subscriptions = w.admin("sns").list_subscriptions_by_topic(TopicArn=w.prereq["topic"])["Subscriptions"]
    return any(s["Endpoint"] == w.prereq["queue_arn"] for s in subscriptions)


def _topic_and_queue(w: World) -> None:
    _admin_topic(w)
    _admin_queue(w)


@recipe(
    "aws:sns/topicSubscription:TopicSubscription",
    "internal/service/sns/topic_subscription.go:175-227 (create), :229 (read), :355 (GetSubscriptionAttributes)",
    "sns:Subscribe",
    _subscription_exists,
    _topic_and_queue,
)
def _sns_subscription(w: World) -> None:
    sns = w.role("sns")
    # :197 Subscribe(ReturnSubscriptionArn); :221 waitSubscriptionConfirmed (sqs protocol) -> GetSubscriptionAttributes
    arn = sns.subscribe(TopicArn=w.prereq["topic"], Protocol="sqs", Endpoint=w.prereq["queue_arn"], ReturnSubscriptionArn=True)[
        "SubscriptionArn"
    ]
    sns.get_subscription_attributes(SubscriptionArn=arn)
    sns.get_subscription_attributes(SubscriptionArn=arn)  # read: findSubscriptionAttributesByARN


# --- CloudWatch Logs -----------------------------------------------------------------------------


def _log_group_exists(w: World) -> bool:
    groups = w.admin("logs").describe_log_groups(logGroupNamePrefix=f"/baseline/{w.name}")["logGroups"]
    return any(g["logGroupName"] == f"/baseline/{w.name}" for g in groups)


@recipe(
    "aws:cloudwatch/logGroup:LogGroup",
    "internal/service/logs/group.go, CURRENT provider (not the snapshot; newest stored version): resourceGroupCreate "
    "(CreateLogGroup with getTagsIn, PutRetentionPolicy), resourceGroupRead (findLogGroupByName); @Tags(identifierAttribute=arn) "
    "-> tags_gen.go@07e0d0b9 listTags (ListTagsForResource)",
    "logs:CreateLogGroup",
    _log_group_exists,
    inputs=("retentionInDays",),
)
def _log_group(w: World) -> None:
    logs = w.role("logs")
    name = f"/baseline/{w.name}"
    logs.create_log_group(logGroupName=name, tags=TAGS)  # resourceGroupCreate: tags sent in CreateLogGroup
    logs.put_retention_policy(logGroupName=name, retentionInDays=7)  # when retentionInDays is set
    groups = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]  # read: findLogGroupByName (DescribeLogGroups pages)
    arn = next(g["arn"] for g in groups if g["logGroupName"] == name).removesuffix(":*")  # trimLogGroupARNWildcardSuffix
    logs.list_tags_for_resource(resourceArn=arn)  # transparent tagging (@Tags arn): read sets no tags


def _admin_log_group(w: World) -> None:
    w.prereq["group"] = f"/baseline/{w.name}-group"
    w.admin("logs").create_log_group(logGroupName=w.prereq["group"])


@recipe(
    "aws:cloudwatch/logStream:LogStream",
    "internal/service/logs/stream.go:56-84 (create), :86 (read), :146 (DescribeLogStreams)",
    "logs:CreateLogStream",
    lambda w: bool(w.admin("logs").describe_log_streams(logGroupName=w.prereq["group"], logStreamNamePrefix=w.name)["logStreams"]),
    _admin_log_group,
)
def _log_stream(w: World) -> None:
    logs = w.role("logs")
    logs.create_log_stream(logGroupName=w.prereq["group"], logStreamName=w.name)  # stream.go:62-67
    logs.describe_log_streams(logGroupName=w.prereq["group"], logStreamNamePrefix=w.name)  # :75-77 wait
    logs.describe_log_streams(logGroupName=w.prereq["group"], logStreamNamePrefix=w.name)  # read


@recipe(
    "aws:cloudwatch/logMetricFilter:LogMetricFilter",
    "internal/service/logs/metric_filter.go:110-142 (put), :144 (read), :213 (DescribeMetricFilters)",
    "logs:PutMetricFilter",
    lambda w: bool(w.admin("logs").describe_metric_filters(logGroupName=w.prereq["group"], filterNamePrefix=w.name)["metricFilters"]),
    _admin_log_group,
)
def _log_metric_filter(w: World) -> None:
    logs = w.role("logs")
    logs.put_metric_filter(
        logGroupName=w.prereq["group"],
        filterName=w.name,
        filterPattern="ERROR",
        metricTransformations=[{"metricName": "errors", "metricNamespace": "baseline", "metricValue": "1"}],
    )
    logs.describe_metric_filters(logGroupName=w.prereq["group"], filterNamePrefix=w.name)


@recipe(
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
    "internal/service/logs/resource_policy.go:59-85 (put), :87 (read), :142 (DescribeResourcePolicies)",
    "logs:PutResourcePolicy",
    lambda w: any(p["policyName"] == w.name for p in w.admin("logs").describe_resource_policies()["resourcePolicies"]),
)
def _log_resource_policy(w: World) -> None:
    logs = w.role("logs")
    document = policy_document(
        {"Effect": "Allow", "Principal": {"Service": "route53.amazonaws.com"}, "Action": "logs:PutLogEvents", "Resource": "*"}
    )
    logs.put_resource_policy(policyName=w.name, policyDocument=document)
    logs.describe_resource_policies()


@shared("lambda_role")
def _shared_lambda_role(w: World) -> str:
    trust = policy_document({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
    return str(w.admin("iam").create_role(RoleName="baseline-lambda", AssumeRolePolicyDocument=trust)["Role"]["Arn"])


@shared("service_role")
def _shared_service_role(w: World) -> str:
    """A role services assume (logs, events, states, firehose, ...), handed to them with iam:PassRole."""
    services = ["logs", "events", "states", "firehose", "streams.metrics.cloudwatch", "apigateway", "ecs-tasks", "ec2", "sns", "scheduler"]
    principals = [f"{s}.amazonaws.com" for s in services]
    trust = policy_document({"Effect": "Allow", "Principal": {"Service": principals}, "Action": "sts:AssumeRole"})
    return str(w.admin("iam").create_role(RoleName="baseline-service", AssumeRolePolicyDocument=trust)["Role"]["Arn"])


def function_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return 0\n")
    return buffer.getvalue()


@shared("function")
def _shared_function(w: World) -> str:
    return str(
        w.admin("lambda").create_function(
            FunctionName="baseline-shared",
            Runtime="python3.12",
            Role=w.shared("lambda_role"),
            Handler="index.handler",
            Code={"ZipFile": function_zip()},
        )["FunctionArn"]
    )


@shared("stream")
def _shared_stream(w: World) -> str:
    kinesis = w.admin("kinesis")
    kinesis.create_stream(StreamName="baseline-shared", ShardCount=1)
    return str(kinesis.describe_stream_summary(StreamName="baseline-shared")["StreamDescriptionSummary"]["StreamARN"])


def _group_and_function(w: World) -> None:
    _admin_log_group(w)
    w.prereq["function"] = w.shared("function")


@recipe(
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
    "internal/service/logs/subscription_filter.go:81-130 (put: PutSubscriptionFilter; create does not read)",
    "logs:PutSubscriptionFilter",
    lambda w: bool(w.admin("logs").describe_subscription_filters(logGroupName=w.prereq["group"])["subscriptionFilters"]),
    _group_and_function,
)
def _log_subscription_filter(w: World) -> None:
    w.role("logs").put_subscription_filter(
        logGroupName=w.prereq["group"], filterName=w.name, filterPattern="", destinationArn=w.prereq["function"]
    )


def _destination_exists(w: World, name: str | None = None) -> bool:
    destinations = w.admin("logs").describe_destinations(DestinationNamePrefix=name or w.name)["destinations"]
    return any(d["destinationName"] == (name or w.name) for d in destinations)


@recipe(
    "aws:cloudwatch/logDestination:LogDestination",
    "internal/service/logs/destination.go:76-106 (create: PutDestination, createTags), :108 (read), :178 (DescribeDestinations)",
    "logs:PutDestination",
    _destination_exists,
    lambda w: w.prereq.update(stream=w.shared("stream"), role=w.shared("service_role")),
    passes_role=True,
)
def _log_destination(w: World) -> None:
    logs = w.role("logs")
    arn = logs.put_destination(destinationName=w.name, targetArn=w.prereq["stream"], roleArn=w.prereq["role"])["destination"]["arn"]
    logs.tag_resource(resourceArn=arn, tags=TAGS)  # destination.go:101 createTags (PutDestination rejects tags)
    logs.describe_destinations(DestinationNamePrefix=w.name)  # read: findDestinationByName
    logs.list_tags_for_resource(resourceArn=arn)  # transparent tagging (@Tags arn): read sets no tags


def _admin_destination(w: World) -> None:
    w.prereq["destination"] = f"{w.name}-dest"
    w.admin("logs").put_destination(destinationName=w.prereq["destination"], targetArn=w.shared("stream"), roleArn=w.shared("service_role"))


def _destination_policy_set(w: World) -> bool:
    destinations = w.admin("logs").describe_destinations(DestinationNamePrefix=w.prereq["destination"])["destinations"]
    return bool(destinations and destinations[0].get("accessPolicy"))


@recipe(
    "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy",
    "internal/service/logs/destination_policy.go:58-84 (put), :86 (read: findDestinationByName -> DescribeDestinations)",
    "logs:PutDestinationPolicy",
    _destination_policy_set,
    _admin_destination,
)
def _log_destination_policy(w: World) -> None:
    logs = w.role("logs")
    arn = f"arn:aws:logs:{w.region}:{w.account_id}:destination:{w.prereq['destination']}"
    document = policy_document(
        {"Effect": "Allow", "Principal": {"AWS": w.account_id}, "Action": "logs:PutSubscriptionFilter", "Resource": arn}
    )
    logs.put_destination_policy(destinationName=w.prereq["destination"], accessPolicy=document)
    logs.describe_destinations(DestinationNamePrefix=w.prereq["destination"])


# --- CloudWatch ----------------------------------------------------------------------------------


@recipe(
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "internal/service/cloudwatch/metric_alarm.go:321-364 (create), :366 (read), :455 (DescribeAlarms)",
    "cloudwatch:PutMetricAlarm",
    lambda w: bool(w.admin("cloudwatch").describe_alarms(AlarmNames=[w.name])["MetricAlarms"]),
)
def _metric_alarm(w: World) -> None:
    cloudwatch = w.role("cloudwatch")
    cloudwatch.put_metric_alarm(  # :328 PutMetricAlarm with the definition and tags (expandPutMetricAlarmInput :479)
        AlarmName=w.name,
        MetricName="Errors",
        Namespace="AWS/Lambda",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        Tags=TAG_LIST,
    )
    arn = cloudwatch.describe_alarms(AlarmNames=[w.name], AlarmTypes=["MetricAlarm"])["MetricAlarms"][0]["AlarmArn"]
    cloudwatch.list_tags_for_resource(ResourceARN=arn)  # transparent tagging (@Tags arn)


@recipe(
    "aws:cloudwatch/dashboard:Dashboard",
    "internal/service/cloudwatch/dashboard.go:66-87 (put), :89 (read), :128 (GetDashboard)",
    "cloudwatch:PutDashboard",
    lambda w: found(w.admin("cloudwatch").get_dashboard, DashboardName=w.name),
)
def _dashboard(w: World) -> None:
    cloudwatch = w.role("cloudwatch")
    body = {"widgets": [{"type": "text", "x": 0, "y": 0, "width": 3, "height": 3, "properties": {"markdown": "baseline"}}]}
    cloudwatch.put_dashboard(DashboardName=w.name, DashboardBody=json.dumps(body))
    cloudwatch.get_dashboard(DashboardName=w.name)


# --- EventBridge ---------------------------------------------------------------------------------


@recipe(
    "aws:cloudwatch/eventBus:EventBus",
    "internal/service/events/bus.go:63-107 (create), :109 (read), :159 (DescribeEventBus)",
    "events:CreateEventBus",
    lambda w: found(w.admin("events").describe_event_bus, Name=w.name),
)
def _event_bus(w: World) -> None:
    events = w.role("events")
    arn = events.create_event_bus(Name=w.name, Tags=TAG_LIST)["EventBusArn"]
    events.describe_event_bus(Name=w.name)
    events.list_tags_for_resource(ResourceARN=arn)  # transparent tagging (@Tags arn)


def _rule_exists(w: World) -> bool:
    return found(w.admin("events").describe_rule, Name=w.name)


@recipe(
    "aws:cloudwatch/eventRule:EventRule",
    "internal/service/events/rule.go:145-195 (create: PutRule, DescribeRule until visible), :197-242 (read), :313 (DescribeRule)",
    "events:PutRule",
    _rule_exists,
)
def _event_rule(w: World) -> None:
    events = w.role("events")
    arn = events.put_rule(Name=w.name, ScheduleExpression="rate(1 hour)", Tags=TAG_LIST)["RuleArn"]
    events.describe_rule(Name=w.name, EventBusName="default")
    events.describe_rule(Name=w.name, EventBusName="default")
    events.list_tags_for_resource(ResourceARN=arn)  # transparent tagging (@Tags arn)


def _admin_rule(w: World) -> None:
    w.prereq["rule"] = f"{w.name}-rule"
    w.admin("events").put_rule(Name=w.prereq["rule"], ScheduleExpression="rate(1 hour)")
    _admin_queue(w)


@recipe(
    "aws:cloudwatch/eventTarget:EventTarget",
    "internal/service/events/target.go:490-523 (create: PutTargets), :525 (read), :694 (ListTargetsByRule)",
    "events:PutTargets",
    lambda w: bool(w.admin("events").list_targets_by_rule(Rule=w.prereq["rule"])["Targets"]),
    _admin_rule,
)
def _event_target(w: World) -> None:
    events = w.role("events")
    events.put_targets(Rule=w.prereq["rule"], EventBusName="default", Targets=[{"Id": w.name, "Arn": w.prereq["queue_arn"]}])
    events.list_targets_by_rule(Rule=w.prereq["rule"], EventBusName="default")


def _admin_bus(w: World) -> None:
    w.prereq["bus"] = f"{w.name}-bus"
    w.prereq["bus_arn"] = w.admin("events").create_event_bus(Name=w.prereq["bus"])["EventBusArn"]


def _bus_policy_has(w: World) -> bool:
    return w.name in w.admin("events").describe_event_bus(Name=w.prereq["bus"]).get("Policy", "")


@recipe(
    "aws:cloudwatch/eventPermission:EventPermission",
    "internal/service/events/permission.go:93-118 (create: PutPermission), :120 (read: findPermissionByTwoPartKey -> DescribeEventBus)",
    "events:PutPermission",
    _bus_policy_has,
    _admin_bus,
)
def _event_permission(w: World) -> None:
    events = w.role("events")
    events.put_permission(EventBusName=w.prereq["bus"], Action="events:PutEvents", Principal="111122223333", StatementId=w.name)
    events.describe_event_bus(Name=w.prereq["bus"])


@recipe(
    "aws:cloudwatch/eventArchive:EventArchive",
    "internal/service/events/archive.go:76-112 (create: CreateArchive), :114 (read), :194 (DescribeArchive)",
    "events:CreateArchive",
    lambda w: found(w.admin("events").describe_archive, ArchiveName=w.name),
    _admin_bus,
)
def _event_archive(w: World) -> None:
    events = w.role("events")
    events.create_archive(ArchiveName=w.name, EventSourceArn=w.prereq["bus_arn"])
    events.describe_archive(ArchiveName=w.name)


CONNECTION_AUTH = {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "secret"}}


@recipe(
    "aws:cloudwatch/eventConnection:EventConnection",
    "internal/service/events/connection.go:276-304 (create: CreateConnection, waitConnectionCreated), :306 (read), :393 (DescribeConnection)",
    "events:CreateConnection",
    lambda w: found(w.admin("events").describe_connection, Name=w.name),
)
def _event_connection(w: World) -> None:
    events = w.role("events")
    events.create_connection(Name=w.name, AuthorizationType="API_KEY", AuthParameters=CONNECTION_AUTH)
    events.describe_connection(Name=w.name)  # waitConnectionCreated
    events.describe_connection(Name=w.name)  # read


def _admin_connection(w: World) -> None:
    w.prereq["connection_arn"] = w.admin("events").create_connection(
        Name=f"{w.name}-conn", AuthorizationType="API_KEY", AuthParameters=CONNECTION_AUTH
    )["ConnectionArn"]


@recipe(
    "aws:cloudwatch/eventApiDestination:EventApiDestination",
    "internal/service/events/api_destination.go:81-113 (create: CreateApiDestination), :115 (read), :193 (DescribeApiDestination)",
    "events:CreateApiDestination",
    lambda w: found(w.admin("events").describe_api_destination, Name=w.name),
    _admin_connection,
)
def _event_api_destination(w: World) -> None:
    events = w.role("events")
    events.create_api_destination(
        Name=w.name, ConnectionArn=w.prereq["connection_arn"], InvocationEndpoint="https://example.com/hook", HttpMethod="POST"
    )
    events.describe_api_destination(Name=w.name)


# --- DynamoDB ------------------------------------------------------------------------------------


def _table_exists(w: World) -> bool:
    return found(w.admin("dynamodb").describe_table, TableName=w.name)


@recipe(
    "aws:dynamodb/table:Table",
    "internal/service/dynamodb/table.go:478-757 (create: CreateTable :694, waitTableActive :718), :759-880 (read)",
    "dynamodb:CreateTable",
    _table_exists,
)
def _dynamodb_table(w: World) -> None:
    dynamodb = w.role("dynamodb")
    arn = dynamodb.create_table(
        TableName=w.name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        Tags=TAG_LIST,
    )["TableDescription"]["TableArn"]
    dynamodb.describe_table(TableName=w.name)  # :718 waitTableActive
    dynamodb.describe_table(TableName=w.name)  # read :763 FindTableByName
    dynamodb.describe_continuous_backups(TableName=w.name)  # :854
    dynamodb.describe_time_to_live(TableName=w.name)  # :866
    dynamodb.list_tags_of_resource(ResourceArn=arn)  # transparent tagging (@Tags arn)


def _admin_table(w: World) -> None:
    w.prereq["table"] = f"{w.name}-table"
    w.admin("dynamodb").create_table(
        TableName=w.prereq["table"],
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )


@recipe(
    "aws:dynamodb/tableItem:TableItem",
    "internal/service/dynamodb/table_item.go:69-98 (create: PutItem :83), :179 (read), :246 FindTableItem (GetItem)",
    "dynamodb:PutItem",
    lambda w: "Item" in w.admin("dynamodb").get_item(TableName=w.prereq["table"], Key={"pk": {"S": w.name}}),
    _admin_table,
)
def _dynamodb_item(w: World) -> None:
    dynamodb = w.role("dynamodb")
    key = {"pk": {"S": w.name}}
    dynamodb.put_item(
        TableName=w.prereq["table"],
        Item={**key, "v": {"S": "1"}},
        ExpressionAttributeNames={"#hk": "pk"},
        ConditionExpression="attribute_not_exists(#hk)",
    )
    dynamodb.get_item(TableName=w.prereq["table"], Key=key, ConsistentRead=True)


# --- IAM -----------------------------------------------------------------------------------------

LAMBDA_TRUST = policy_document({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
READ_ONLY = policy_document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})


def _admin_user(w: World) -> None:
    w.prereq["user"] = f"{w.name}-user"
    w.admin("iam").create_user(UserName=w.prereq["user"])


def _admin_group(w: World) -> None:
    w.prereq["group"] = f"{w.name}-group"
    w.admin("iam").create_group(GroupName=w.prereq["group"])


def _admin_role(w: World) -> None:
    w.prereq["role"] = f"{w.name}-role"
    w.prereq["role_arn"] = w.admin("iam").create_role(RoleName=w.prereq["role"], AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]


def _admin_managed_policy(w: World) -> None:
    w.prereq["policy_arn"] = w.admin("iam").create_policy(PolicyName=f"{w.name}-policy", PolicyDocument=READ_ONLY)["Policy"]["Arn"]


@recipe(
    "aws:iam/role:Role",
    "internal/service/iam/role.go:180-256 (create: CreateRole via retryCreateRole :588), :258-334 (read)",
    "iam:CreateRole",
    lambda w: found(w.admin("iam").get_role, RoleName=w.name),
)
def _iam_role(w: World) -> None:
    iam = w.role("iam")
    iam.create_role(RoleName=w.name, Path="/", AssumeRolePolicyDocument=LAMBDA_TRUST, Tags=TAG_LIST)
    iam.get_role(RoleName=w.name)  # :263 findRoleByName (waitRoleARNIsNotUniqueID re-reads only on a unique-ID ARN)
    for name in iam.list_role_policies(RoleName=w.name)["PolicyNames"]:  # :307 readRoleInlinePolicies
        iam.get_role_policy(RoleName=w.name, PolicyName=name)
    iam.list_attached_role_policies(RoleName=w.name)  # :325 findRoleAttachedPolicies


@recipe(
    "aws:iam/policy:Policy",
    "internal/service/iam/policy.go:110-159 (create: CreatePolicy :128), :161-210 (read: GetPolicy :353, GetPolicyVersion :421)",
    "iam:CreatePolicy",
    lambda w: found(w.admin("iam").get_policy, PolicyArn=f"arn:aws:iam::{w.account_id}:policy/{w.name}"),
)
def _iam_policy(w: World) -> None:
    iam = w.role("iam")
    policy = iam.create_policy(PolicyName=w.name, Path="/", PolicyDocument=READ_ONLY, Tags=TAG_LIST)["Policy"]
    version = iam.get_policy(PolicyArn=policy["Arn"])["Policy"]["DefaultVersionId"]
    iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=version)


@recipe(
    "aws:iam/user:User",
    "internal/service/iam/user.go:93-140 (create: CreateUser :109), :142-175 (read: findUserByName -> GetUser)",
    "iam:CreateUser",
    lambda w: found(w.admin("iam").get_user, UserName=w.name),
)
def _iam_user(w: World) -> None:
    iam = w.role("iam")
    iam.create_user(UserName=w.name, Path="/", Tags=TAG_LIST)
    iam.get_user(UserName=w.name)


@recipe(
    "aws:iam/group:Group",
    "internal/service/iam/group.go:71-98 (create: CreateGroup :81, GetGroup retry :90), :100 (read), :166 (GetGroup)",
    "iam:CreateGroup",
    lambda w: found(w.admin("iam").get_group, GroupName=w.name),
)
def _iam_group(w: World) -> None:
    iam = w.role("iam")
    iam.create_group(GroupName=w.name, Path="/")
    iam.get_group(GroupName=w.name)
    iam.get_group(GroupName=w.name)


def _user_and_group(w: World) -> None:
    _admin_user(w)
    _admin_group(w)


@recipe(
    "aws:iam/groupMembership:GroupMembership",
    "internal/service/iam/group_membership.go:55-69 (create: addUsersToGroup :194 -> AddUserToGroup), :71-125 (read: GetGroup pages)",
    "iam:AddUserToGroup",
    lambda w: bool(w.admin("iam").get_group(GroupName=w.prereq["group"])["Users"]),
    _user_and_group,
)
def _iam_group_membership(w: World) -> None:
    iam = w.role("iam")
    iam.add_user_to_group(GroupName=w.prereq["group"], UserName=w.prereq["user"])
    iam.get_group(GroupName=w.prereq["group"])


@recipe(
    "aws:iam/groupPolicy:GroupPolicy",
    "internal/service/iam/group_policy.go:74-110 (put: PutGroupPolicy :91, GetGroupPolicy retry :101), :112 (read), :177",
    "iam:PutGroupPolicy",
    lambda w: found(w.admin("iam").get_group_policy, GroupName=w.prereq["group"], PolicyName=w.name),
    _admin_group,
)
def _iam_group_policy(w: World) -> None:
    iam = w.role("iam")
    iam.put_group_policy(GroupName=w.prereq["group"], PolicyName=w.name, PolicyDocument=READ_ONLY)
    iam.get_group_policy(GroupName=w.prereq["group"], PolicyName=w.name)
    iam.get_group_policy(GroupName=w.prereq["group"], PolicyName=w.name)


@recipe(
    "aws:iam/rolePolicy:RolePolicy",
    "internal/service/iam/role_policy.go:83-119 (put: PutRolePolicy :100, GetRolePolicy retry :110), :121 (read), :186",
    "iam:PutRolePolicy",
    lambda w: found(w.admin("iam").get_role_policy, RoleName=w.prereq["role"], PolicyName=w.name),
    _admin_role,
)
def _iam_role_policy(w: World) -> None:
    iam = w.role("iam")
    iam.put_role_policy(RoleName=w.prereq["role"], PolicyName=w.name, PolicyDocument=READ_ONLY)
    iam.get_role_policy(RoleName=w.prereq["role"], PolicyName=w.name)
    iam.get_role_policy(RoleName=w.prereq["role"], PolicyName=w.name)


@recipe(
    "aws:iam/userPolicy:UserPolicy",
    "internal/service/iam/user_policy.go:74-110 (put: PutUserPolicy :91, GetUserPolicy retry :101), :112 (read), :177",
    "iam:PutUserPolicy",
    lambda w: found(w.admin("iam").get_user_policy, UserName=w.prereq["user"], PolicyName=w.name),
    _admin_user,
)
def _iam_user_policy(w: World) -> None:
    iam = w.role("iam")
    iam.put_user_policy(UserName=w.prereq["user"], PolicyName=w.name, PolicyDocument=READ_ONLY)
    iam.get_user_policy(UserName=w.prereq["user"], PolicyName=w.name)
    iam.get_user_policy(UserName=w.prereq["user"], PolicyName=w.name)


def _role_and_policy(w: World) -> None:
    _admin_role(w)
    _admin_managed_policy(w)


@recipe(
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "internal/service/iam/role_policy_attachment.go:54-69 (create: AttachRolePolicy :127), :71 (read: ListAttachedRolePolicies :183)",
    "iam:AttachRolePolicy",
    lambda w: bool(w.admin("iam").list_attached_role_policies(RoleName=w.prereq["role"])["AttachedPolicies"]),
    _role_and_policy,
)
def _iam_role_policy_attachment(w: World) -> None:
    iam = w.role("iam")
    iam.attach_role_policy(RoleName=w.prereq["role"], PolicyArn=w.prereq["policy_arn"])
    iam.list_attached_role_policies(RoleName=w.prereq["role"])


def _user_and_policy(w: World) -> None:
    _admin_user(w)
    _admin_managed_policy(w)


@recipe(
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "internal/service/iam/user_policy_attachment.go:54-69 (create: AttachUserPolicy :126), :71 (read: ListAttachedUserPolicies :181)",
    "iam:AttachUserPolicy",
    lambda w: bool(w.admin("iam").list_attached_user_policies(UserName=w.prereq["user"])["AttachedPolicies"]),
    _user_and_policy,
)
def _iam_user_policy_attachment(w: World) -> None:
    iam = w.role("iam")
    iam.attach_user_policy(UserName=w.prereq["user"], PolicyArn=w.prereq["policy_arn"])
    iam.list_attached_user_policies(UserName=w.prereq["user"])


@recipe(
    "aws:iam/accessKey:AccessKey",
    "internal/service/iam/access_key.go:112-188 (create: CreateAccessKey :122; create does not read)",
    "iam:CreateAccessKey",
    lambda w: bool(w.admin("iam").list_access_keys(UserName=w.prereq["user"])["AccessKeyMetadata"]),
    _admin_user,
)
def _iam_access_key(w: World) -> None:
    w.role("iam").create_access_key(UserName=w.prereq["user"])


@recipe(
    "aws:iam/instanceProfile:InstanceProfile",
    "internal/service/iam/instance_profile.go:95-153 (create: CreateInstanceProfile :106, GetInstanceProfile wait :123, "
    "AddRoleToInstanceProfile :131), :155-205 (read: GetInstanceProfile :159, GetRole :173)",
    "iam:CreateInstanceProfile",
    lambda w: found(w.admin("iam").get_instance_profile, InstanceProfileName=w.name),
    _admin_role,
    inputs=("role",),
    passes_role=True,
)
def _iam_instance_profile(w: World) -> None:
    iam = w.role("iam")
    iam.create_instance_profile(InstanceProfileName=w.name, Path="/", Tags=TAG_LIST)
    iam.get_instance_profile(InstanceProfileName=w.name)
    iam.add_role_to_instance_profile(InstanceProfileName=w.name, RoleName=w.prereq["role"])
    iam.get_instance_profile(InstanceProfileName=w.name)
    iam.get_role(RoleName=w.prereq["role"])


@recipe(
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    "internal/service/iam/openid_connect_provider.go:78-120 (create: CreateOpenIDConnectProvider :89), :122 (read: GetOpenIDConnectProvider :193)",
    "iam:CreateOpenIDConnectProvider",
    lambda w: found(
        w.admin("iam").get_open_id_connect_provider,
        OpenIDConnectProviderArn=f"arn:aws:iam::{w.account_id}:oidc-provider/{w.name}.example.com",
    ),
)
def _iam_oidc_provider(w: World) -> None:
    iam = w.role("iam")
    arn = iam.create_open_id_connect_provider(
        Url=f"https://{w.name}.example.com", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["a" * 40], Tags=TAG_LIST
    )["OpenIDConnectProviderArn"]
    iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)


@recipe(
    "aws:iam/serviceLinkedRole:ServiceLinkedRole",
    "internal/service/iam/service_linked_role.go:95-141 (create: CreateServiceLinkedRole :112, roleUpdateTags :127 -> TagRole), "
    ":143-180 (read: GetRole)",
    "iam:CreateServiceLinkedRole",
    lambda w: found(w.admin("iam").get_role, RoleName=w.prereq["slr"]),
)
def _iam_service_linked_role(w: World) -> None:
    iam = w.role("iam")
    role = iam.create_service_linked_role(AWSServiceName="elasticbeanstalk.amazonaws.com", CustomSuffix=w.name)["Role"]
    w.prereq["slr"] = role["RoleName"]
    iam.tag_role(RoleName=role["RoleName"], Tags=TAG_LIST)
    iam.get_role(RoleName=role["RoleName"])


# --- Lambda --------------------------------------------------------------------------------------


def _function_exists(w: World) -> bool:
    return found(w.admin("lambda").get_function, FunctionName=w.name)


@recipe(
    "aws:lambda/function:Function",
    "internal/service/lambda/function.go:471-622 (create: CreateFunction :589, GetFunction :599, waitFunctionCreated :606), "
    ":624-770 (read: GetFunction :638, ListVersionsByFunction :730, GetFunctionCodeSigningConfig :754)",
    "lambda:CreateFunction",
    _function_exists,
    lambda w: w.prereq.update(role=w.shared("lambda_role")),
    passes_role=True,
)
def _lambda_function(w: World) -> None:
    lam = w.role("lambda")
    lam.create_function(
        FunctionName=w.name,
        Runtime="python3.12",
        Role=w.prereq["role"],
        Handler="index.handler",
        Code={"ZipFile": function_zip()},
        Tags=TAGS,
    )
    lam.get_function(FunctionName=w.name)  # :599 RetryWhenNotFound FindFunctionByName
    lam.get_function(FunctionName=w.name)  # :606 waitFunctionCreated
    lam.get_function(FunctionName=w.name)  # read :638 (tags from its output)
    lam.list_versions_by_function(FunctionName=w.name)  # :730 findLatestFunctionVersionByName
    lam.get_function_code_signing_config(FunctionName=w.name)  # :754


def _admin_function(w: World) -> None:
    w.prereq["function"] = f"{w.name}-fn"
    w.prereq["function_arn"] = w.admin("lambda").create_function(
        FunctionName=w.prereq["function"],
        Runtime="python3.12",
        Role=w.shared("lambda_role"),
        Handler="index.handler",
        Code={"ZipFile": function_zip()},
        Publish=True,
    )["FunctionArn"]


@recipe(
    "aws:lambda/alias:Alias",
    "internal/service/lambda/alias.go:86-113 (create: CreateAlias :103), :115 (read: GetAlias :126)",
    "lambda:CreateAlias",
    lambda w: found(w.admin("lambda").get_alias, FunctionName=w.prereq["function"], Name=w.name),
    _admin_function,
)
def _lambda_alias(w: World) -> None:
    lam = w.role("lambda")
    lam.create_alias(FunctionName=w.prereq["function"], Name=w.name, FunctionVersion="1")
    lam.get_alias(FunctionName=w.prereq["function"], Name=w.name)


def _function_and_queue(w: World) -> None:
    _admin_function(w)
    _admin_queue(w)


@recipe(
    "aws:lambda/eventSourceMapping:EventSourceMapping",
    "internal/service/lambda/event_source_mapping.go:370-494 (create: CreateEventSourceMapping :480, waitEventSourceMappingCreate :489), "
    ":496 (read: GetEventSourceMapping :1137)",
    "lambda:CreateEventSourceMapping",
    lambda w: bool(w.admin("lambda").list_event_source_mappings(FunctionName=w.prereq["function"])["EventSourceMappings"]),
    _function_and_queue,
)
def _lambda_event_source_mapping(w: World) -> None:
    lam = w.role("lambda")
    uuid = lam.create_event_source_mapping(EventSourceArn=w.prereq["queue_arn"], FunctionName=w.prereq["function"], BatchSize=10)["UUID"]
    lam.get_event_source_mapping(UUID=uuid)
    lam.get_event_source_mapping(UUID=uuid)


@recipe(
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
    "internal/service/lambda/function_event_invoke_config.go:103-161 (create: PutFunctionEventInvokeConfig :131), "
    ":163 (read: GetFunctionEventInvokeConfig :181)",
    "lambda:PutFunctionEventInvokeConfig",
    lambda w: found(w.admin("lambda").get_function_event_invoke_config, FunctionName=w.prereq["function"]),
    _admin_function,
)
def _lambda_event_invoke_config(w: World) -> None:
    lam = w.role("lambda")
    lam.put_function_event_invoke_config(FunctionName=w.prereq["function"], MaximumRetryAttempts=1)
    lam.get_function_event_invoke_config(FunctionName=w.prereq["function"])


@recipe(
    "aws:lambda/functionUrl:FunctionUrl",
    "internal/service/lambda/function_url.go:126-183 (create: CreateFunctionUrlConfig :149; AddPermission :171 only for authType NONE), "
    ":185 (read: GetFunctionUrlConfig :324)",
    "lambda:CreateFunctionUrlConfig",
    lambda w: found(w.admin("lambda").get_function_url_config, FunctionName=w.prereq["function"]),
    _admin_function,
)
def _lambda_function_url(w: World) -> None:
    lam = w.role("lambda")
    lam.create_function_url_config(FunctionName=w.prereq["function"], AuthType="AWS_IAM", InvokeMode="BUFFERED")
    lam.get_function_url_config(FunctionName=w.prereq["function"])


@recipe(
    "aws:lambda/layerVersion:LayerVersion",
    "internal/service/lambda/layer_version.go:146-208 (publish: PublishLayerVersion :200), :210 (read: GetLayerVersion :280)",
    "lambda:PublishLayerVersion",
    lambda w: bool(w.admin("lambda").list_layer_versions(LayerName=w.name)["LayerVersions"]),
)
def _lambda_layer_version(w: World) -> None:
    lam = w.role("lambda")
    version = lam.publish_layer_version(LayerName=w.name, Content={"ZipFile": function_zip()}, CompatibleRuntimes=["python3.12"])["Version"]
    lam.get_layer_version(LayerName=w.name, VersionNumber=version)


def _function_has_statement(w: World) -> bool:
    policy = tolerate(w.admin("lambda").get_policy, "ResourceNotFoundException", FunctionName=w.prereq["function"])
    return policy is not None and w.name in policy["Policy"]


@recipe(
    "aws:lambda/permission:Permission",
    "internal/service/lambda/permission.go:114-173 (create: AddPermission :162), :175 (read: GetPolicy :288)",
    "lambda:AddPermission",
    _function_has_statement,
    _admin_function,
)
def _lambda_permission(w: World) -> None:
    lam = w.role("lambda")
    lam.add_permission(
        FunctionName=w.prereq["function"], StatementId=w.name, Action="lambda:InvokeFunction", Principal="events.amazonaws.com"
    )
    lam.get_policy(FunctionName=w.prereq["function"])


# --- KMS -----------------------------------------------------------------------------------------


def _admin_key(w: World) -> None:
    w.prereq["key"] = w.admin("kms").create_key(Description=w.name)["KeyMetadata"]["KeyId"]


def _kms_read(kms: Any, key: str) -> None:
    """key.go:351-403 findKey: DescribeKey, GetKeyPolicy(default), GetKeyRotationStatus (AWS_KMS origin), ListResourceTags."""
    kms.describe_key(KeyId=key)
    kms.get_key_policy(KeyId=key, PolicyName="default")
    kms.get_key_rotation_status(KeyId=key)
    kms.list_resource_tags(KeyId=key)


@recipe(
    "aws:kms/key:Key",
    "internal/service/kms/key.go:135-215 (create: CreateKey :178, waitTagsPropagated :209 -> ListResourceTags), :217 (read: findKey :351)",
    "kms:CreateKey",
    lambda w: any(k["KeyId"] == w.prereq.get("created") for k in w.admin("kms").list_keys()["Keys"]),
)
def _kms_key(w: World) -> None:
    kms = w.role("kms")
    key = kms.create_key(
        Description=w.name,
        KeyUsage="ENCRYPT_DECRYPT",
        CustomerMasterKeySpec="SYMMETRIC_DEFAULT",
        Tags=[{"TagKey": "team", "TagValue": "baseline"}],
    )["KeyMetadata"]["KeyId"]
    w.prereq["created"] = key
    kms.list_resource_tags(KeyId=key)
    _kms_read(kms, key)


@recipe(
    "aws:kms/alias:Alias",
    "internal/service/kms/alias.go:71-100 (create: CreateAlias :90), :102 (read: FindAliasByName -> ListAliases)",
    "kms:CreateAlias",
    lambda w: any(a["AliasName"] == f"alias/{w.name}" for a in w.admin("kms").list_aliases()["Aliases"]),
    _admin_key,
)
def _kms_alias(w: World) -> None:
    kms = w.role("kms")
    kms.create_alias(AliasName=f"alias/{w.name}", TargetKeyId=w.prereq["key"])
    kms.list_aliases()


def _key_and_role(w: World) -> None:
    _admin_key(w)
    _admin_role(w)


@recipe(
    "aws:kms/grant:Grant",
    "internal/service/kms/grant.go:140-189 (create: CreateGrant :175), :191 (read: findGrantByTwoPartKeyWithRetry -> ListGrants :287)",
    "kms:CreateGrant",
    lambda w: bool(w.admin("kms").list_grants(KeyId=w.prereq["key"])["Grants"]),
    _key_and_role,
)
def _kms_grant(w: World) -> None:
    kms = w.role("kms")
    kms.create_grant(KeyId=w.prereq["key"], GranteePrincipal=w.prereq["role_arn"], Operations=["Decrypt"], Name=w.name)
    kms.list_grants(KeyId=w.prereq["key"])


def _key_policy_set(w: World) -> bool:
    return w.name in w.admin("kms").get_key_policy(KeyId=w.prereq["key"], PolicyName="default")["Policy"]


@recipe(
    "aws:kms/keyPolicy:KeyPolicy",
    "internal/service/kms/key_policy.go:58-71 (create: updateKeyPolicy -> key.go:479 PutKeyPolicy, :490 WaitKeyPolicyPropagated -> GetKeyPolicy), "
    ":73 (read: findKey)",
    "kms:PutKeyPolicy",
    _key_policy_set,
    _admin_key,
)
def _kms_key_policy(w: World) -> None:
    kms = w.role("kms")
    policy = policy_document(
        {"Sid": w.name, "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{w.account_id}:root"}, "Action": "kms:*", "Resource": "*"}
    )
    kms.put_key_policy(KeyId=w.prereq["key"], PolicyName="default", Policy=policy)
    kms.get_key_policy(KeyId=w.prereq["key"], PolicyName="default")
    _kms_read(kms, w.prereq["key"])


# --- Secrets Manager -----------------------------------------------------------------------------


@recipe(
    "aws:secretsmanager/secret:Secret",
    "internal/service/secretsmanager/secret.go:156-224 (create: CreateSecret :180, findSecretByID :200 -> DescribeSecret), "
    ":226-300 (read: DescribeSecret :230, GetResourcePolicy :253)",
    "secretsmanager:CreateSecret",
    lambda w: found(w.admin("secretsmanager").describe_secret, SecretId=w.name),
)
def _secret(w: World) -> None:
    sm = w.role("secretsmanager")
    arn = sm.create_secret(Name=w.name, Description="", ClientRequestToken=f"{w.name}-client-request-token-0000000000", Tags=TAG_LIST)[
        "ARN"
    ]
    sm.describe_secret(SecretId=arn)
    sm.describe_secret(SecretId=arn)
    sm.get_resource_policy(SecretId=arn)


def _admin_secret(w: World) -> None:
    w.prereq["secret"] = w.admin("secretsmanager").create_secret(Name=f"{w.name}-secret", SecretString="initial")["ARN"]


@recipe(
    "aws:secretsmanager/secretPolicy:SecretPolicy",
    "internal/service/secretsmanager/secret_policy.go:63-98 (create: putSecretPolicy :81 -> PutResourcePolicy, GetResourcePolicy :90), "
    ":100 (read: GetResourcePolicy :197)",
    "secretsmanager:PutResourcePolicy",
    lambda w: "ResourcePolicy" in w.admin("secretsmanager").get_resource_policy(SecretId=w.prereq["secret"]),
    _admin_secret,
)
def _secret_policy(w: World) -> None:
    sm = w.role("secretsmanager")
    policy = policy_document(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{w.account_id}:root"},
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "*",
        }
    )
    sm.put_resource_policy(SecretId=w.prereq["secret"], ResourcePolicy=policy, BlockPublicPolicy=True)
    sm.get_resource_policy(SecretId=w.prereq["secret"])
    sm.get_resource_policy(SecretId=w.prereq["secret"])


def _secret_has_version(w: World) -> bool:
    versions = w.admin("secretsmanager").list_secret_version_ids(SecretId=w.prereq["secret"])["Versions"]
    return len(versions) > 1


@recipe(
    "aws:secretsmanager/secretVersion:SecretVersion",
    "internal/service/secretsmanager/secret_version.go:84-126 (create: PutSecretValue :108, GetSecretValue wait :118), "
    ":128 (read: GetSecretValue :325)",
    "secretsmanager:PutSecretValue",
    _secret_has_version,
    _admin_secret,
)
def _secret_version(w: World) -> None:
    sm = w.role("secretsmanager")
    version = sm.put_secret_value(SecretId=w.prereq["secret"], SecretString="value")["VersionId"]
    sm.get_secret_value(SecretId=w.prereq["secret"], VersionId=version)
    sm.get_secret_value(SecretId=w.prereq["secret"], VersionId=version)


def _secret_and_function(w: World) -> None:
    _admin_secret(w)
    w.prereq["function_arn"] = w.shared("function")


@recipe(
    "aws:secretsmanager/secretRotation:SecretRotation",
    "internal/service/secretsmanager/secret_rotation.go:98-126 (create: RotateSecret :116), :128 (read: findSecretByID -> DescribeSecret)",
    "secretsmanager:RotateSecret",
    lambda w: bool(w.admin("secretsmanager").describe_secret(SecretId=w.prereq["secret"]).get("RotationEnabled")),
    _secret_and_function,
    inputs=("rotationLambdaArn",),
)
def _secret_rotation(w: World) -> None:
    sm = w.role("secretsmanager")
    sm.rotate_secret(  # rotateImmediately=false: moto would run the rotation Lambda in Docker
        SecretId=w.prereq["secret"],
        ClientRequestToken=f"{w.name}-client-request-token-0000000000",
        RotationLambdaARN=w.prereq["function_arn"],
        RotationRules={"AutomaticallyAfterDays": 30},
        RotateImmediately=False,
    )
    sm.describe_secret(SecretId=w.prereq["secret"])


# --- SSM -----------------------------------------------------------------------------------------


@recipe(
    "aws:ssm/parameter:Parameter",
    "internal/service/ssm/parameter.go:148-215 (create: PutParameter :191, tags in the call when not overwriting), "
    ":217-300 (read: GetParameter :243, DescribeParameters :282)",
    "ssm:PutParameter",
    lambda w: found(w.admin("ssm").get_parameter, Name=f"/baseline/{w.name}"),
)
def _ssm_parameter(w: World) -> None:
    ssm = w.role("ssm")
    name = f"/baseline/{w.name}"
    ssm.put_parameter(Name=name, Type="String", Value="v", Overwrite=False, AllowedPattern="", Tags=TAG_LIST)
    ssm.get_parameter(Name=name, WithDecryption=True)
    ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}])
    ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)  # transparent tagging (@Tags id, Parameter)


DOCUMENT = json.dumps(
    {
        "schemaVersion": "2.2",
        "description": "baseline",
        "mainSteps": [{"action": "aws:runShellScript", "name": "x", "inputs": {"runCommand": ["true"]}}],
    }
)


@recipe(
    "aws:ssm/document:Document",
    "internal/service/ssm/document.go:252-312 (create: CreateDocument :277, waitDocumentActive :307 -> DescribeDocument), "
    ":314-398 (read: DescribeDocument :318, GetDocument :365, DescribeDocumentPermission :380)",
    "ssm:CreateDocument",
    lambda w: found(w.admin("ssm").describe_document, Name=w.name),
)
def _ssm_document(w: World) -> None:
    ssm = w.role("ssm")
    ssm.create_document(Name=w.name, Content=DOCUMENT, DocumentType="Command", DocumentFormat="JSON", Tags=TAG_LIST)
    ssm.describe_document(Name=w.name)
    ssm.describe_document(Name=w.name)
    ssm.get_document(Name=w.name, DocumentFormat="JSON", DocumentVersion="$LATEST")
    ssm.describe_document_permission(Name=w.name, PermissionType="Share")


# --- ECR -----------------------------------------------------------------------------------------


@recipe(
    "aws:ecr/repository:Repository",
    "internal/service/ecr/repository.go:117-166 (create: CreateRepository :136), :168 (read: DescribeRepositories :280)",
    "ecr:CreateRepository",
    lambda w: found(w.admin("ecr").describe_repositories, repositoryNames=[w.name]),
)
def _ecr_repository(w: World) -> None:
    ecr = w.role("ecr")
    arn = ecr.create_repository(
        repositoryName=w.name,
        imageTagMutability="MUTABLE",
        imageScanningConfiguration={"scanOnPush": False},
        encryptionConfiguration={"encryptionType": "AES256"},
        tags=TAG_LIST,
    )["repository"]["repositoryArn"]
    ecr.describe_repositories(repositoryNames=[w.name])
    ecr.list_tags_for_resource(resourceArn=arn)  # transparent tagging (@Tags arn)


def _admin_repository(w: World) -> None:
    w.prereq["repository"] = f"{w.name}-repo"
    w.admin("ecr").create_repository(repositoryName=w.prereq["repository"])


LIFECYCLE = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 5},
                "action": {"type": "expire"},
            }
        ]
    }
)


@recipe(
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "internal/service/ecr/lifecycle_policy.go:69-93 (create: PutLifecyclePolicy :83), :95 (read: GetLifecyclePolicy :157)",
    "ecr:PutLifecyclePolicy",
    lambda w: found(w.admin("ecr").get_lifecycle_policy, repositoryName=w.prereq["repository"]),
    _admin_repository,
)
def _ecr_lifecycle_policy(w: World) -> None:
    ecr = w.role("ecr")
    ecr.put_lifecycle_policy(repositoryName=w.prereq["repository"], lifecyclePolicyText=LIFECYCLE)
    ecr.get_lifecycle_policy(repositoryName=w.prereq["repository"])


@recipe(
    "aws:ecr/repositoryPolicy:RepositoryPolicy",
    "internal/service/ecr/repository_policy.go:62-90 (put: SetRepositoryPolicy :78), :92 (read: GetRepositoryPolicy :155)",
    "ecr:SetRepositoryPolicy",
    lambda w: found(w.admin("ecr").get_repository_policy, repositoryName=w.prereq["repository"]),
    _admin_repository,
)
def _ecr_repository_policy(w: World) -> None:
    ecr = w.role("ecr")
    policy = policy_document(
        {"Sid": "pull", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{w.account_id}:root"}, "Action": "ecr:BatchGetImage"}
    )
    ecr.set_repository_policy(repositoryName=w.prereq["repository"], policyText=policy)
    ecr.get_repository_policy(repositoryName=w.prereq["repository"])


# --- Kinesis, Firehose, Step Functions -----------------------------------------------------------


@recipe(
    "aws:kinesis/stream:Stream",
    "internal/service/kinesis/stream.go:151-248 (create: CreateStream :168, waitStreamCreated :174, IncreaseStreamRetentionPeriod :190 "
    "+ waitStreamUpdated :196, createTags :243 -> AddTagsToStream), :250 (read: DescribeStreamSummary :513)",
    "kinesis:CreateStream",
    lambda w: found(w.admin("kinesis").describe_stream_summary, StreamName=w.name),
)
def _kinesis_stream(w: World) -> None:
    kinesis = w.role("kinesis")
    kinesis.create_stream(StreamName=w.name, ShardCount=1, StreamModeDetails={"StreamMode": "PROVISIONED"})
    kinesis.describe_stream_summary(StreamName=w.name)
    kinesis.increase_stream_retention_period(StreamName=w.name, RetentionPeriodHours=24)
    kinesis.describe_stream_summary(StreamName=w.name)
    kinesis.add_tags_to_stream(StreamName=w.name, Tags=TAGS)
    kinesis.describe_stream_summary(StreamName=w.name)
    kinesis.list_tags_for_stream(StreamName=w.name)  # transparent tagging (@Tags name)


@recipe(
    "aws:sfn/activity:Activity",
    "internal/service/sfn/activity.go:57-75 (create: CreateActivity :66), :77 (read: DescribeActivity :123)",
    "states:CreateActivity",
    lambda w: found(w.admin("stepfunctions").describe_activity, activityArn=f"arn:aws:states:{w.region}:{w.account_id}:activity:{w.name}"),
)
def _sfn_activity(w: World) -> None:
    sfn = w.role("stepfunctions")
    arn = sfn.create_activity(name=w.name, tags=[{"key": "team", "value": "baseline"}])["activityArn"]
    sfn.describe_activity(activityArn=arn)
    sfn.list_tags_for_resource(resourceArn=arn)  # transparent tagging (@Tags id)


# --- EC2 networking ------------------------------------------------------------------------------


def tag_spec(resource_type: str) -> list[dict[str, Any]]:
    """getTagSpecificationsIn: tags sent with the create call (tag-on-create)."""
    return [{"ResourceType": resource_type, "Tags": TAG_LIST}]


def _admin_vpc(w: World) -> None:
    ec2 = w.admin("ec2")
    w.prereq["vpc"] = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    w.prereq["subnet"] = ec2.create_subnet(VpcId=w.prereq["vpc"], CidrBlock="10.0.1.0/24", AvailabilityZone=f"{w.region}a")["Subnet"][
        "SubnetId"
    ]
    w.prereq["subnet_b"] = ec2.create_subnet(VpcId=w.prereq["vpc"], CidrBlock="10.0.2.0/24", AvailabilityZone=f"{w.region}b")["Subnet"][
        "SubnetId"
    ]


def _admin_vpc_and_group(w: World) -> None:
    _admin_vpc(w)
    w.prereq["group"] = w.admin("ec2").create_security_group(GroupName=f"{w.name}-sg", Description="x", VpcId=w.prereq["vpc"])["GroupId"]


def _tagged(w: World, resource_id: str) -> bool:
    """The admin sees the resource (EC2 Describe* by resource id through the tag index) with its tag."""
    tags = w.admin("ec2").describe_tags(Filters=[{"Name": "resource-id", "Values": [resource_id]}])["Tags"]
    return any(t["Key"] == "team" for t in tags)


def _vpc_read(ec2: Any, vpc: str) -> None:
    """vpc_.go:257-378 resourceVPCRead: DescribeVpcs, DescribeVpcAttribute x3, default NACL, main route table, default group."""
    ec2.describe_vpcs(VpcIds=[vpc])
    for attribute in ("enableDnsHostnames", "enableDnsSupport", "enableNetworkAddressUsageMetrics"):
        ec2.describe_vpc_attribute(VpcId=vpc, Attribute=attribute)
    ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "default", "Values": ["true"]}])
    ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]}])
    ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}])


@recipe(
    "aws:ec2/vpc:Vpc",
    "internal/service/ec2/vpc_.go:178-255 (create: CreateVpc :218, waitVPCCreatedV2 :229 -> DescribeVpcs; "
    "modifyVPCAttributesOnCreate :568 makes no call for default attributes), :257-378 (read)",
    "ec2:CreateVpc",
    lambda w: _tagged(w, w.prereq["created"]),
)
def _ec2_vpc(w: World) -> None:
    ec2 = w.role("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16", InstanceTenancy="default", TagSpecifications=tag_spec("vpc"))["Vpc"]["VpcId"]
    w.prereq["created"] = vpc
    ec2.describe_vpcs(VpcIds=[vpc])
    _vpc_read(ec2, vpc)


@recipe(
    "aws:ec2/subnet:Subnet",
    "internal/service/ec2/vpc_subnet.go:160-226 (create: CreateSubnet :193, waitSubnetAvailable -> DescribeSubnets; "
    "modifySubnetAttributesOnCreate :395 makes no call for default attributes), :228 (read: FindSubnetByID -> DescribeSubnets)",
    "ec2:CreateSubnet",
    lambda w: _tagged(w, w.prereq["created"]),
    _admin_vpc,
)
def _ec2_subnet(w: World) -> None:
    ec2 = w.role("ec2")
    subnet = ec2.create_subnet(VpcId=w.prereq["vpc"], CidrBlock="10.0.9.0/24", TagSpecifications=tag_spec("subnet"))["Subnet"]["SubnetId"]
    w.prereq["created"] = subnet
    ec2.describe_subnets(SubnetIds=[subnet])
    ec2.describe_subnets(SubnetIds=[subnet])


@recipe(
    "aws:ec2/securityGroup:SecurityGroup",
    "internal/service/ec2/vpc_security_group.go:187-265 (create: CreateSecurityGroup :206, WaitSecurityGroupCreated -> DescribeSecurityGroups, "
    "RevokeSecurityGroupEgress IPv4 :237 and IPv6 :257, then Update :323 -> FindSecurityGroupByID), :267-320 (read)",
    "ec2:CreateSecurityGroup",
    lambda w: _tagged(w, w.prereq["created"]),
    _admin_vpc,
)
def _ec2_security_group(w: World) -> None:
    ec2 = w.role("ec2")
    group = ec2.create_security_group(
        GroupName=w.name, Description="Managed by Pulumi", VpcId=w.prereq["vpc"], TagSpecifications=tag_spec("security-group")
    )["GroupId"]
    w.prereq["created"] = group
    ec2.describe_security_groups(GroupIds=[group])
    all_ports = {"IpProtocol": "-1", "FromPort": 0, "ToPort": 0}
    ec2.revoke_security_group_egress(GroupId=group, IpPermissions=[{**all_ports, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    tolerate(  # :258-262 the IPv6 default rule is absent on a group without IPv6
        ec2.revoke_security_group_egress,
        "InvalidPermission.NotFound",
        "InvalidParameterValue",
        GroupId=group,
        IpPermissions=[{**all_ports, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}],
    )
    ec2.describe_security_groups(GroupIds=[group])  # Update's FindSecurityGroupByID
    ec2.describe_security_groups(GroupIds=[group])  # read


HTTPS_IN = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}


def _group_has_ingress(w: World) -> bool:
    group = w.admin("ec2").describe_security_groups(GroupIds=[w.prereq["group"]])["SecurityGroups"][0]
    return any(p.get("FromPort") == 443 for p in group["IpPermissions"])


@recipe(
    "aws:ec2/securityGroupRule:SecurityGroupRule",
    "internal/service/ec2/vpc_security_group_rule.go:156-254 (create: FindSecurityGroupByID :165, AuthorizeSecurityGroupIngress :183, "
    "FindSecurityGroupByID until the rule appears :224; create does not read)",
    "ec2:AuthorizeSecurityGroupIngress",
    _group_has_ingress,
    _admin_vpc_and_group,
)
def _ec2_security_group_rule(w: World) -> None:
    ec2 = w.role("ec2")
    ec2.describe_security_groups(GroupIds=[w.prereq["group"]])
    ec2.authorize_security_group_ingress(GroupId=w.prereq["group"], IpPermissions=[HTTPS_IN])
    ec2.describe_security_groups(GroupIds=[w.prereq["group"]])


@recipe(
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "internal/service/ec2/vpc_security_group_ingress_rule.go:69-84 (create: AuthorizeSecurityGroupIngress :77), "
    ":239-267 (Create: createTags :260 -> CreateTags on the rule id; the framework create does not read)",
    "ec2:AuthorizeSecurityGroupIngress",
    _group_has_ingress,
    _admin_vpc_and_group,
)
def _vpc_ingress_rule(w: World) -> None:
    ec2 = w.role("ec2")
    rules = ec2.authorize_security_group_ingress(GroupId=w.prereq["group"], IpPermissions=[HTTPS_IN])["SecurityGroupRules"]
    ec2.create_tags(Resources=[rules[0]["SecurityGroupRuleId"]], Tags=TAG_LIST)


def _group_has_egress(w: World) -> bool:
    group = w.admin("ec2").describe_security_groups(GroupIds=[w.prereq["group"]])["SecurityGroups"][0]
    return any(p.get("FromPort") == 443 for p in group["IpPermissionsEgress"])


@recipe(
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "internal/service/ec2/vpc_security_group_egress_rule.go (create: AuthorizeSecurityGroupEgress), "
    "vpc_security_group_ingress_rule.go:239-267 (Create: createTags :260 -> CreateTags on the rule id; no read)",
    "ec2:AuthorizeSecurityGroupEgress",
    _group_has_egress,
    _admin_vpc_and_group,
)
def _vpc_egress_rule(w: World) -> None:
    ec2 = w.role("ec2")
    rules = ec2.authorize_security_group_egress(GroupId=w.prereq["group"], IpPermissions=[HTTPS_IN])["SecurityGroupRules"]
    ec2.create_tags(Resources=[rules[0]["SecurityGroupRuleId"]], Tags=TAG_LIST)


@recipe(
    "aws:ec2/internetGateway:InternetGateway",
    "internal/service/ec2/vpc_internet_gateway.go:67-91 (create: CreateInternetGateway :76, attachInternetGateway :85 when vpcId is set), "
    ":93 (read: FindInternetGatewayByID -> DescribeInternetGateways)",
    "ec2:CreateInternetGateway",
    lambda w: _tagged(w, w.prereq["created"]),
    _admin_vpc,
    inputs=("vpcId",),
)
def _ec2_internet_gateway(w: World) -> None:
    ec2 = w.role("ec2")
    gateway = ec2.create_internet_gateway(TagSpecifications=tag_spec("internet-gateway"))["InternetGateway"]["InternetGatewayId"]
    w.prereq["created"] = gateway
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=w.prereq["vpc"])
    ec2.describe_internet_gateways(InternetGatewayIds=[gateway])  # attach waiter
    ec2.describe_internet_gateways(InternetGatewayIds=[gateway])  # read


@recipe(
    "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
    "internal/service/ec2/vpc_egress_only_internet_gateway.go (create: CreateEgressOnlyInternetGateway; read: DescribeEgressOnlyInternetGateways)",
    "ec2:CreateEgressOnlyInternetGateway",
    lambda w: bool(
        w.admin("ec2").describe_egress_only_internet_gateways(EgressOnlyInternetGatewayIds=[w.prereq["created"]])[
            "EgressOnlyInternetGateways"
        ]
    ),
    _admin_vpc,
)
def _ec2_egress_only_gateway(w: World) -> None:
    ec2 = w.role("ec2")
    gateway = ec2.create_egress_only_internet_gateway(VpcId=w.prereq["vpc"], TagSpecifications=tag_spec("egress-only-internet-gateway"))[
        "EgressOnlyInternetGateway"
    ]["EgressOnlyInternetGatewayId"]
    w.prereq["created"] = gateway
    ec2.describe_egress_only_internet_gateways(EgressOnlyInternetGatewayIds=[gateway])


@recipe(
    "aws:ec2/routeTable:RouteTable",
    "internal/service/ec2/vpc_route_table.go:168-211 (create: CreateRouteTable :178, WaitRouteTableReady :186 -> DescribeRouteTables), "
    ":213 (read: FindRouteTableByID)",
    "ec2:CreateRouteTable",
    lambda w: _tagged(w, w.prereq["created"]),
    _admin_vpc,
)
def _ec2_route_table(w: World) -> None:
    ec2 = w.role("ec2")
    table = ec2.create_route_table(VpcId=w.prereq["vpc"], TagSpecifications=tag_spec("route-table"))["RouteTable"]["RouteTableId"]
    w.prereq["created"] = table
    ec2.describe_route_tables(RouteTableIds=[table])
    ec2.describe_route_tables(RouteTableIds=[table])


def _admin_route_table(w: World) -> None:
    _admin_vpc(w)
    ec2 = w.admin("ec2")
    w.prereq["table"] = ec2.create_route_table(VpcId=w.prereq["vpc"])["RouteTable"]["RouteTableId"]
    w.prereq["gateway"] = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=w.prereq["gateway"], VpcId=w.prereq["vpc"])


def _table_has_default_route(w: World) -> bool:
    table = w.admin("ec2").describe_route_tables(RouteTableIds=[w.prereq["table"]])["RouteTables"][0]
    return any(r.get("DestinationCidrBlock") == "0.0.0.0/0" for r in table["Routes"])


@recipe(
    "aws:ec2/route:Route",
    "internal/service/ec2/vpc_route.go:182-278 (create: routeFinder :242 -> DescribeRouteTables, CreateRoute :256, wait -> DescribeRouteTables), "
    ":280 (read: routeFinder -> DescribeRouteTables)",
    "ec2:CreateRoute",
    _table_has_default_route,
    _admin_route_table,
)
def _ec2_route(w: World) -> None:
    ec2 = w.role("ec2")
    ec2.describe_route_tables(RouteTableIds=[w.prereq["table"]])
    ec2.create_route(RouteTableId=w.prereq["table"], DestinationCidrBlock="0.0.0.0/0", GatewayId=w.prereq["gateway"])
    ec2.describe_route_tables(RouteTableIds=[w.prereq["table"]])
    ec2.describe_route_tables(RouteTableIds=[w.prereq["table"]])


def _subnet_associated(w: World) -> bool:
    table = w.admin("ec2").describe_route_tables(RouteTableIds=[w.prereq["table"]])["RouteTables"][0]
    return any(a.get("SubnetId") == w.prereq["subnet"] for a in table["Associations"])


@recipe(
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "internal/service/ec2/vpc_route_table_association.go:61-96 (create: AssociateRouteTable :80, WaitRouteTableAssociationCreated :91 "
    "-> DescribeRouteTables), :98 (read: FindRouteTableAssociationByID -> DescribeRouteTables)",
    "ec2:AssociateRouteTable",
    _subnet_associated,
    _admin_route_table,
)
def _ec2_route_table_association(w: World) -> None:
    ec2 = w.role("ec2")
    association = ec2.associate_route_table(RouteTableId=w.prereq["table"], SubnetId=w.prereq["subnet"])["AssociationId"]
    by_association = [{"Name": "association.route-table-association-id", "Values": [association]}]
    ec2.describe_route_tables(Filters=by_association)
    ec2.describe_route_tables(Filters=by_association)


def _table_is_main(w: World) -> bool:
    table = w.admin("ec2").describe_route_tables(RouteTableIds=[w.prereq["table"]])["RouteTables"][0]
    return any(a.get("Main") for a in table["Associations"])


@recipe(
    "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
    "internal/service/ec2/vpc_main_route_table_association.go:57-92 (create: FindMainRouteTableAssociationByVPCID :63 -> DescribeRouteTables, "
    "ReplaceRouteTableAssociation :76, WaitRouteTableAssociationUpdated :85), :94 (read: FindMainRouteTableAssociationByID)",
    "ec2:ReplaceRouteTableAssociation",
    _table_is_main,
    _admin_route_table,
)
def _ec2_main_route_table_association(w: World) -> None:
    ec2 = w.role("ec2")
    main = [{"Name": "association.main", "Values": ["true"]}, {"Name": "vpc-id", "Values": [w.prereq["vpc"]]}]
    current = ec2.describe_route_tables(Filters=main)["RouteTables"][0]
    association = next(a["RouteTableAssociationId"] for a in current["Associations"] if a.get("Main"))
    new = ec2.replace_route_table_association(AssociationId=association, RouteTableId=w.prereq["table"])["NewAssociationId"]
    by_association = [{"Name": "association.route-table-association-id", "Values": [new]}]
    ec2.describe_route_tables(Filters=by_association)
    ec2.describe_route_tables(Filters=by_association)


@recipe(
    "aws:ec2/eip:Eip",
    "internal/service/ec2/ec2_eip.go:138-198 (create: AllocateAddress :170, FindEIPByAllocationID :179 -> DescribeAddresses), "
    ":200 (read: DescribeAddresses)",
    "ec2:AllocateAddress",
    lambda w: _tagged(w, w.prereq["created"]),
)
def _ec2_eip(w: World) -> None:
    ec2 = w.role("ec2")
    allocation = ec2.allocate_address(Domain="vpc", TagSpecifications=tag_spec("elastic-ip"))["AllocationId"]
    w.prereq["created"] = allocation
    ec2.describe_addresses(AllocationIds=[allocation])
    ec2.describe_addresses(AllocationIds=[allocation])


def _admin_eip_and_interface(w: World) -> None:
    _admin_vpc(w)
    ec2 = w.admin("ec2")
    w.prereq["allocation"] = ec2.allocate_address(Domain="vpc")["AllocationId"]
    w.prereq["interface"] = ec2.create_network_interface(SubnetId=w.prereq["subnet"])["NetworkInterface"]["NetworkInterfaceId"]


def _eip_associated(w: World) -> bool:
    address = w.admin("ec2").describe_addresses(AllocationIds=[w.prereq["allocation"]])["Addresses"][0]
    return address.get("NetworkInterfaceId") == w.prereq["interface"]


@recipe(
    "aws:ec2/eipAssociation:EipAssociation",
    "internal/service/ec2/ec2_eip_association.go:72-133 (create: AssociateAddress :102, FindEIPByAssociationID :112 -> DescribeAddresses), "
    ":135 (read: DescribeAddresses)",
    "ec2:AssociateAddress",
    _eip_associated,
    _admin_eip_and_interface,
)
def _ec2_eip_association(w: World) -> None:
    ec2 = w.role("ec2")
    association = ec2.associate_address(AllocationId=w.prereq["allocation"], NetworkInterfaceId=w.prereq["interface"])["AssociationId"]
    by_association = [{"Name": "association-id", "Values": [association]}]
    ec2.describe_addresses(Filters=by_association)
    ec2.describe_addresses(Filters=by_association)


PUBLIC_KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC3F6tyPEFEzV0LX3X8BsXdMsQz1x2cEikKDEY0aIj41qgxMCP/iteneqXSIFZBp5vizPvaoIR3Um9xK7PGoW8giupGn+EPuxIA4cDM4vzOqOkiMPhz5XK0whEjkVzTo4+S0puvDZuwIsdiW9mxhJc7tgBNL0cYlWSYVkz4G/fslNfRPW5mYAM49f4fhtxPb5ok4Q2Lg9dPKVHO/Bgeu5woMc7RY0p1ej6D4CKFE6lymSDJpW0YHX/wqE9+cfEauh7xZcG0q9t2ta6F6fmX0agvpFyZo8aFbXeUBr7osSCJNgvavWbM/06niWrOvYX2xwWdhXmXSrbX8ZbabVohBK41 test@example"


@recipe(
    "aws:ec2/keyPair:KeyPair",
    "internal/service/ec2/ec2_key_pair.go:101-121 (create: ImportKeyPair :112 with TagSpecifications), :123 (read: findKeyPairByName -> DescribeKeyPairs)",
    "ec2:ImportKeyPair",
    lambda w: found(w.admin("ec2").describe_key_pairs, KeyNames=[w.name]),
)
def _ec2_key_pair(w: World) -> None:
    ec2 = w.role("ec2")
    ec2.import_key_pair(KeyName=w.name, PublicKeyMaterial=PUBLIC_KEY.encode(), TagSpecifications=tag_spec("key-pair"))
    ec2.describe_key_pairs(KeyNames=[w.name], IncludePublicKey=True)


def _image(w: World) -> str:
    return str(w.shared("image"))


@shared("image")
def _shared_image(w: World) -> str:
    return str(w.admin("ec2").describe_images(Owners=["amazon"])["Images"][0]["ImageId"])


@recipe(
    "aws:ec2/launchTemplate:LaunchTemplate",
    "internal/service/ec2/ec2_launch_template.go:979-1009 (create: CreateLaunchTemplate :1000), "
    ":1011-1053 (read: FindLaunchTemplateByID :1015 -> DescribeLaunchTemplates, FindLaunchTemplateVersionByTwoPartKey :1028)",
    "ec2:CreateLaunchTemplate",
    lambda w: found(w.admin("ec2").describe_launch_templates, LaunchTemplateNames=[w.name]),
    lambda w: w.prereq.update(image=_image(w)),
)
def _ec2_launch_template(w: World) -> None:
    ec2 = w.role("ec2")
    template = ec2.create_launch_template(
        LaunchTemplateName=w.name,
        LaunchTemplateData={"ImageId": w.prereq["image"], "InstanceType": "t3.micro"},
        TagSpecifications=tag_spec("launch-template"),
    )["LaunchTemplate"]
    ec2.describe_launch_templates(LaunchTemplateIds=[template["LaunchTemplateId"]])
    ec2.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"], Versions=[str(template["LatestVersionNumber"])])


@recipe(
    "aws:ec2/networkInterface:NetworkInterface",
    "internal/service/ec2/vpc_network_interface.go:337-489 (create: CreateNetworkInterface :425, waitNetworkInterfaceCreatedV2 :433 "
    "-> DescribeNetworkInterfaces), :491 (read: findNetworkInterfaceByIDV2)",
    "ec2:CreateNetworkInterface",
    lambda w: _tagged(w, w.prereq["created"]),
    _admin_vpc,
)
def _ec2_network_interface(w: World) -> None:
    ec2 = w.role("ec2")
    interface = ec2.create_network_interface(SubnetId=w.prereq["subnet"], TagSpecifications=tag_spec("network-interface"))[
        "NetworkInterface"
    ]["NetworkInterfaceId"]
    w.prereq["created"] = interface
    ec2.describe_network_interfaces(NetworkInterfaceIds=[interface])
    ec2.describe_network_interfaces(NetworkInterfaceIds=[interface])


def _admin_vpc_and_eip(w: World) -> None:
    _admin_vpc(w)
    w.prereq["allocation"] = w.admin("ec2").allocate_address(Domain="vpc")["AllocationId"]


@recipe(
    "aws:ec2/natGateway:NatGateway",
    "internal/service/ec2/vpc_nat_gateway.go:116-167 (create: CreateNatGateway :154, WaitNATGatewayCreated :162 -> DescribeNatGateways), "
    ":169 (read: FindNATGatewayByID)",
    "ec2:CreateNatGateway",
    lambda w: _tagged(w, w.prereq["created"]),
    _admin_vpc_and_eip,
)
def _ec2_nat_gateway(w: World) -> None:
    ec2 = w.role("ec2")
    gateway = ec2.create_nat_gateway(
        SubnetId=w.prereq["subnet"],
        AllocationId=w.prereq["allocation"],
        ConnectivityType="public",
        TagSpecifications=tag_spec("natgateway"),
    )["NatGateway"]["NatGatewayId"]
    w.prereq["created"] = gateway
    ec2.describe_nat_gateways(NatGatewayIds=[gateway])
    ec2.describe_nat_gateways(NatGatewayIds=[gateway])


def _admin_vpc_log_group_role(w: World) -> None:
    _admin_vpc(w)
    _admin_log_group(w)
    w.prereq["role_arn"] = w.shared("service_role")


@recipe(
    "aws:ec2/flowLog:FlowLog",
    "internal/service/ec2/vpc_flow_log.go:168-263 (create: CreateFlowLogs :249 with iam_role_arn and log_group_name), "
    ":265 (read: FindFlowLogByID -> DescribeFlowLogs)",
    "ec2:CreateFlowLogs",
    lambda w: bool(w.admin("ec2").describe_flow_logs(FlowLogIds=[w.prereq["created"]])["FlowLogs"]),
    _admin_vpc_log_group_role,
    inputs=("iamRoleArn",),
    passes_role=True,
)
def _ec2_flow_log(w: World) -> None:
    ec2 = w.role("ec2")
    flow_log = ec2.create_flow_logs(
        ResourceIds=[w.prereq["vpc"]],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName=w.prereq["group"],
        DeliverLogsPermissionArn=w.prereq["role_arn"],
        MaxAggregationInterval=600,
        TagSpecifications=tag_spec("vpc-flow-log"),
    )["FlowLogIds"][0]
    w.prereq["created"] = flow_log
    ec2.describe_flow_logs(FlowLogIds=[flow_log])


@recipe(
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "internal/service/ec2/vpc_endpoint.go:195-285 (create: CreateVpcEndpoint :245, WaitVPCEndpointAvailable :266 -> DescribeVpcEndpoints), "
    ":287-366 (read: FindVPCEndpointByID :291, FindPrefixListByName :340 -> DescribePrefixLists)",
    "ec2:CreateVpcEndpoint",
    lambda w: _tagged(w, w.prereq["created"]),
    _admin_vpc,
)
def _ec2_vpc_endpoint(w: World) -> None:
    ec2 = w.role("ec2")
    service = f"com.amazonaws.{w.region}.s3"
    endpoint = ec2.create_vpc_endpoint(
        VpcId=w.prereq["vpc"], ServiceName=service, VpcEndpointType="Gateway", TagSpecifications=tag_spec("vpc-endpoint")
    )["VpcEndpoint"]["VpcEndpointId"]
    w.prereq["created"] = endpoint
    ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint])
    ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint])
    ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [service]}])


def _admin_two_vpcs(w: World) -> None:
    _admin_vpc(w)
    w.prereq["peer_vpc"] = w.admin("ec2").create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]


@recipe(
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
    "internal/service/ec2/vpc_peering_connection.go:104-154 (create: CreateVpcPeeringConnection :127, WaitVPCPeeringConnectionActive :135 "
    "-> DescribeVpcPeeringConnections; modifyVPCPeeringConnectionOptions :149 makes no call without accepter/requester), :156 (read)",
    "ec2:CreateVpcPeeringConnection",
    lambda w: _tagged(w, w.prereq["created"]),
    _admin_two_vpcs,
)
def _ec2_vpc_peering(w: World) -> None:
    ec2 = w.role("ec2")
    peering = ec2.create_vpc_peering_connection(
        VpcId=w.prereq["vpc"], PeerVpcId=w.prereq["peer_vpc"], TagSpecifications=tag_spec("vpc-peering-connection")
    )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    w.prereq["created"] = peering
    ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[peering])
    ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[peering])


def _instance_read(ec2: Any, instance: str) -> None:
    """ec2_instance.go:1114-1440 resourceInstanceRead for a t3.micro in a VPC with no launch template."""
    described = ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]  # :1118 FindInstanceByID
    ec2.describe_instance_types(InstanceTypes=[described["InstanceType"]])  # :1131 FindInstanceTypeByName
    launch_template_tag = [{"Name": "resource-id", "Values": [instance]}, {"Name": "key", "Values": ["aws:ec2launchtemplate:id"]}]
    ec2.describe_tags(Filters=launch_template_tag)  # :3828 flattenInstanceLaunchTemplate -> findInstanceLaunchTemplateID
    ec2.describe_vpcs(VpcIds=[described["VpcId"]])  # :2747 readSecurityGroups (default-VPC check)
    ec2.describe_instance_attribute(InstanceId=instance, Attribute="instanceInitiatedShutdownBehavior")  # :2789
    volumes = [m["Ebs"]["VolumeId"] for m in described.get("BlockDeviceMappings", []) if "Ebs" in m]
    if volumes:
        ec2.describe_volumes(VolumeIds=volumes)  # :2316 readBlockDevicesFromInstance
    ec2.describe_instance_attribute(InstanceId=instance, Attribute="disableApiTermination")  # :1368
    ec2.describe_instance_attribute(InstanceId=instance, Attribute="disableApiStop")  # :1383
    ec2.describe_instance_attribute(InstanceId=instance, Attribute="userData")  # :1396
    ec2.describe_instance_credit_specifications(InstanceIds=[instance])  # :1420 burstable type


def _admin_vpc_and_image(w: World) -> None:
    _admin_vpc(w)
    w.prereq["image"] = _image(w)


@recipe(
    "aws:ec2/instance:Instance",
    "internal/service/ec2/ec2_instance.go:958-1112 (create: RunInstances :1019, waitInstanceCreated :1045 -> DescribeInstances, "
    "then Update, which makes no call for a default instance, and Read), :1114-1440 (read)",
    "ec2:RunInstances",
    lambda w: _tagged(w, w.prereq["created"]),
    lambda w: _admin_vpc_and_image(w),
)
def _ec2_instance(w: World) -> None:
    ec2 = w.role("ec2")
    instance = ec2.run_instances(
        ImageId=w.prereq["image"],
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        SubnetId=w.prereq["subnet"],
        TagSpecifications=tag_spec("instance"),
    )["Instances"][0]["InstanceId"]
    w.prereq["created"] = instance
    ec2.describe_instances(InstanceIds=[instance])
    _instance_read(ec2, instance)


def _admin_instance_and_volume(w: World) -> None:
    _admin_vpc(w)
    ec2 = w.admin("ec2")
    w.prereq["instance"] = ec2.run_instances(
        ImageId=_image(w), InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=w.prereq["subnet"]
    )["Instances"][0]["InstanceId"]
    w.prereq["volume"] = ec2.create_volume(AvailabilityZone=f"{w.region}a", Size=1)["VolumeId"]


def _volume_attached(w: World) -> bool:
    volume = w.admin("ec2").describe_volumes(VolumeIds=[w.prereq["volume"]])["Volumes"][0]
    return any(a["InstanceId"] == w.prereq["instance"] for a in volume["Attachments"])


@recipe(
    "aws:ec2/volumeAttachment:VolumeAttachment",
    "internal/service/ec2/ebs_volume_attachment.go:89-129 (create: FindEBSVolumeAttachment :96 -> DescribeVolumes, waitInstanceReady :102 "
    "-> DescribeInstances, AttachVolume :113, WaitVolumeAttachmentCreated :122 -> DescribeVolumes), :131 (read)",
    "ec2:AttachVolume",
    _volume_attached,
    _admin_instance_and_volume,
)
def _ec2_volume_attachment(w: World) -> None:
    ec2 = w.role("ec2")
    attached = [
        {"Name": "attachment.device", "Values": ["/dev/sdh"]},
        {"Name": "attachment.instance-id", "Values": [w.prereq["instance"]]},
        {"Name": "volume-id", "Values": [w.prereq["volume"]]},
    ]
    ec2.describe_volumes(Filters=attached)
    ec2.describe_instances(InstanceIds=[w.prereq["instance"]])
    ec2.attach_volume(Device="/dev/sdh", InstanceId=w.prereq["instance"], VolumeId=w.prereq["volume"])
    ec2.describe_volumes(Filters=attached)
    ec2.describe_volumes(Filters=attached)


def _default_group_tagged(w: World) -> bool:
    return _tagged(w, w.prereq["default_group"])


@recipe(
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "internal/service/ec2/vpc_default_security_group.go:84-134 (create: FindSecurityGroup :111 -> DescribeSecurityGroups, updateTags :124 "
    "-> CreateTags, forceRevokeSecurityGroupRules -> vpc_security_group.go:438 DescribeSecurityGroupRules, :466 RevokeSecurityGroupIngress, "
    ":473 RevokeSecurityGroupEgress, then Update :323 and Read)",
    "ec2:RevokeSecurityGroupEgress",  # moto's default group has only the allow-all egress rule (AWS adds a self-referencing ingress)
    _default_group_tagged,
    _admin_vpc,
)
def _ec2_default_security_group(w: World) -> None:
    ec2 = w.role("ec2")
    default = [{"Name": "group-name", "Values": ["default"]}, {"Name": "vpc-id", "Values": [w.prereq["vpc"]]}]
    group = ec2.describe_security_groups(Filters=default)["SecurityGroups"][0]["GroupId"]
    w.prereq["default_group"] = group
    ec2.create_tags(Resources=[group], Tags=TAG_LIST)
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]
    for rule in rules:
        if rule["IsEgress"]:
            ec2.revoke_security_group_egress(GroupId=rule["GroupId"], SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]])
        else:
            ec2.revoke_security_group_ingress(GroupId=rule["GroupId"], SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]])
    ec2.describe_security_groups(GroupIds=[group])  # Update's FindSecurityGroupByID
    ec2.describe_security_groups(GroupIds=[group])  # read


@recipe(
    "aws:ec2/defaultVpc:DefaultVpc",
    "internal/service/ec2/vpc_default_vpc.go:156-284 (create: findVPCV2 :169 -> DescribeVpcs isDefault, findVPCAttributeV2 x3 :177-188, "
    "CreateDefaultVpc :196 only when none exists, modifyVPCAttributesOnCreate :221, updateTagsV2 :278 -> CreateTags), vpc_.go:257 (read)",
    "ec2:CreateTags",
    lambda w: _tagged(w, w.prereq["default_vpc"]),
)
def _ec2_default_vpc(w: World) -> None:
    ec2 = w.role("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    w.prereq["default_vpc"] = vpc
    hostnames = ec2.describe_vpc_attribute(VpcId=vpc, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"]
    support = ec2.describe_vpc_attribute(VpcId=vpc, Attribute="enableDnsSupport")["EnableDnsSupport"]["Value"]
    ec2.describe_vpc_attribute(VpcId=vpc, Attribute="enableNetworkAddressUsageMetrics")
    # aws_default_vpc defaults both DNS attributes to true and moto's default VPC has them on: no ModifyVpcAttribute (:221)
    assert hostnames and support, "moto's default VPC differs from aws_default_vpc's defaults; the recipe would need ModifyVpcAttribute"
    ec2.create_tags(Resources=[vpc], Tags=TAG_LIST)
    _vpc_read(ec2, vpc)


@recipe(
    "aws:ec2/launchConfiguration:LaunchConfiguration",
    "internal/service/autoscaling/launch_configuration.go:313-425 (create: findImageRootDeviceName :366 -> DescribeImages, "
    "CreateLaunchConfiguration :407), :427 (read: findLaunchConfigurationByName :432, findImageRootDeviceName :476)",
    "autoscaling:CreateLaunchConfiguration",
    lambda w: bool(w.admin("autoscaling").describe_launch_configurations(LaunchConfigurationNames=[w.name])["LaunchConfigurations"]),
    lambda w: w.prereq.update(image=_image(w)),
)
def _launch_configuration(w: World) -> None:
    ec2, autoscaling = w.role("ec2"), w.role("autoscaling")
    ec2.describe_images(ImageIds=[w.prereq["image"]])
    autoscaling.create_launch_configuration(LaunchConfigurationName=w.name, ImageId=w.prereq["image"], InstanceType="t3.micro")
    autoscaling.describe_launch_configurations(LaunchConfigurationNames=[w.name])
    ec2.describe_images(ImageIds=[w.prereq["image"]])


# --- Transit gateways ----------------------------------------------------------------------------


@recipe(
    "aws:ec2transitgateway/transitGateway:TransitGateway",
    "internal/service/ec2/transitgateway_.go:143-185 (create: CreateTransitGateway :172, WaitTransitGatewayCreated :180 -> "
    "DescribeTransitGateways), :187 (read: FindTransitGatewayByID)",
    "ec2:CreateTransitGateway",
    lambda w: _tagged(w, w.prereq["created"]),
)
def _tgw(w: World) -> None:
    ec2 = w.role("ec2")
    gateway = ec2.create_transit_gateway(TagSpecifications=tag_spec("transit-gateway"))["TransitGateway"]["TransitGatewayId"]
    w.prereq["created"] = gateway
    ec2.describe_transit_gateways(TransitGatewayIds=[gateway])
    ec2.describe_transit_gateways(TransitGatewayIds=[gateway])


def _admin_tgw(w: World) -> None:
    w.prereq["tgw"] = w.admin("ec2").create_transit_gateway()["TransitGateway"]["TransitGatewayId"]


@recipe(
    "aws:ec2transitgateway/routeTable:RouteTable",
    "internal/service/ec2/transitgateway_route_table.go:66-89 (create: CreateTransitGatewayRouteTable :76, WaitTransitGatewayRouteTableCreated "
    ":84 -> DescribeTransitGatewayRouteTables), :91 (read)",
    "ec2:CreateTransitGatewayRouteTable",
    lambda w: _tagged(w, w.prereq["created"]),
    _admin_tgw,
)
def _tgw_route_table(w: World) -> None:
    ec2 = w.role("ec2")
    table = ec2.create_transit_gateway_route_table(
        TransitGatewayId=w.prereq["tgw"], TagSpecifications=tag_spec("transit-gateway-route-table")
    )["TransitGatewayRouteTable"]["TransitGatewayRouteTableId"]
    w.prereq["created"] = table
    ec2.describe_transit_gateway_route_tables(TransitGatewayRouteTableIds=[table])
    ec2.describe_transit_gateway_route_tables(TransitGatewayRouteTableIds=[table])


def _admin_tgw_attachment(w: World) -> None:
    _admin_vpc(w)
    _admin_tgw(w)
    ec2 = w.admin("ec2")
    w.prereq["attachment"] = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=w.prereq["tgw"], VpcId=w.prereq["vpc"], SubnetIds=[w.prereq["subnet"]]
    )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    w.prereq["table"] = ec2.create_transit_gateway_route_table(TransitGatewayId=w.prereq["tgw"])["TransitGatewayRouteTable"][
        "TransitGatewayRouteTableId"
    ]


def _by_attachment(w: World) -> list[dict[str, Any]]:
    return [{"Name": "transit-gateway-attachment-id", "Values": [w.prereq["attachment"]]}]


@recipe(
    "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation",
    "internal/service/ec2/transitgateway_route_table_association.go:65-112 (create: AssociateTransitGatewayRouteTable :99, "
    "WaitTransitGatewayRouteTableAssociationCreated :107 -> GetTransitGatewayRouteTableAssociations), :114 (read)",
    "ec2:AssociateTransitGatewayRouteTable",
    lambda w: bool(
        w.admin("ec2").get_transit_gateway_route_table_associations(
            TransitGatewayRouteTableId=w.prereq["table"], Filters=_by_attachment(w)
        )["Associations"]
    ),
    _admin_tgw_attachment,
)
def _tgw_route_table_association(w: World) -> None:
    ec2 = w.role("ec2")
    ec2.associate_transit_gateway_route_table(
        TransitGatewayRouteTableId=w.prereq["table"], TransitGatewayAttachmentId=w.prereq["attachment"]
    )
    ec2.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=w.prereq["table"], Filters=_by_attachment(w))
    ec2.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=w.prereq["table"], Filters=_by_attachment(w))


@recipe(
    "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation",
    "internal/service/ec2/transitgateway_route_table_propagation.go:59-84 (create: EnableTransitGatewayRouteTablePropagation :71, "
    "WaitTransitGatewayRouteTablePropagationCreated :79 -> GetTransitGatewayRouteTablePropagations), :86 (read)",
    "ec2:EnableTransitGatewayRouteTablePropagation",
    lambda w: bool(
        w.admin("ec2").get_transit_gateway_route_table_propagations(
            TransitGatewayRouteTableId=w.prereq["table"], Filters=_by_attachment(w)
        )["TransitGatewayRouteTablePropagations"]
    ),
    _admin_tgw_attachment,
)
def _tgw_route_table_propagation(w: World) -> None:
    ec2 = w.role("ec2")
    ec2.enable_transit_gateway_route_table_propagation(
        TransitGatewayRouteTableId=w.prereq["table"], TransitGatewayAttachmentId=w.prereq["attachment"]
    )
    ec2.get_transit_gateway_route_table_propagations(TransitGatewayRouteTableId=w.prereq["table"], Filters=_by_attachment(w))
    ec2.get_transit_gateway_route_table_propagations(TransitGatewayRouteTableId=w.prereq["table"], Filters=_by_attachment(w))


def _static_route(w: World) -> list[dict[str, Any]]:
    return [{"Name": "type", "Values": ["static"]}, {"Name": "route-search.exact-match", "Values": ["10.9.0.0/16"]}]


@recipe(
    "aws:ec2transitgateway/route:Route",
    "internal/service/ec2/transitgateway_route.go:64-92 (create: CreateTransitGatewayRoute :79, WaitTransitGatewayRouteCreated :87 -> "
    "SearchTransitGatewayRoutes), :94 (read: FindTransitGatewayStaticRoute)",
    "ec2:CreateTransitGatewayRoute",
    lambda w: bool(
        w.admin("ec2").search_transit_gateway_routes(TransitGatewayRouteTableId=w.prereq["table"], Filters=_static_route(w))["Routes"]
    ),
    _admin_tgw_attachment,
)
def _tgw_route(w: World) -> None:
    ec2 = w.role("ec2")
    ec2.create_transit_gateway_route(
        DestinationCidrBlock="10.9.0.0/16", TransitGatewayRouteTableId=w.prereq["table"], TransitGatewayAttachmentId=w.prereq["attachment"]
    )
    ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=w.prereq["table"], Filters=_static_route(w))
    ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=w.prereq["table"], Filters=_static_route(w))


# --- S3 ------------------------------------------------------------------------------------------


def _bucket_config(w: World) -> dict[str, Any]:
    return {"LocationConstraint": w.region}


S3_UNSET = (  # the error codes the provider's S3 finders read as "not configured"
    "NoSuchBucketPolicy",
    "NoSuchCORSConfiguration",
    "NoSuchWebsiteConfiguration",
    "NoSuchLifecycleConfiguration",
    "ReplicationConfigurationNotFoundError",
    "ServerSideEncryptionConfigurationNotFoundError",
    "ObjectLockConfigurationNotFoundError",
    "NoSuchTagSet",
    "NoSuchPublicAccessBlockConfiguration",
    "OwnershipControlsNotFoundError",
)


def _bucket_read(s3: Any, bucket: str) -> None:
    """bucket.go:783-1148 resourceBucketRead: HeadBucket, then every bucket Get* (each read even when unset), GetBucketRegion."""
    s3.head_bucket(Bucket=bucket)  # :787 findBucket
    for call in (
        s3.get_bucket_policy,  # :814
        s3.get_bucket_acl,  # :844
        s3.get_bucket_cors,  # :868
        s3.get_bucket_website,  # :892
        s3.get_bucket_versioning,  # :920
        s3.get_bucket_accelerate_configuration,  # :944
        s3.get_bucket_request_payment,  # :966
        s3.get_bucket_logging,  # :988
        s3.get_bucket_lifecycle_configuration,  # :1012
        s3.get_bucket_replication,  # :1036
        s3.get_bucket_encryption,  # :1060
        s3.get_object_lock_configuration,  # :1084
    ):
        tolerate(call, *S3_UNSET, Bucket=bucket)
    s3.head_bucket(Bucket=bucket)  # :1114 manager.GetBucketRegion (HeadBucket)
    tolerate(s3.get_bucket_tagging, *S3_UNSET, Bucket=bucket)  # transparent tagging (@Tags bucket): read sets no tags


def _s3_bucket(w: World) -> None:
    s3 = w.role("s3")
    s3.create_bucket(Bucket=w.name, ACL="private", CreateBucketConfiguration=_bucket_config(w))  # :758
    s3.head_bucket(Bucket=w.name)  # :768 findBucket until visible
    tolerate(s3.get_bucket_tagging, *S3_UNSET, Bucket=w.name)  # :776 bucketCreateTags -> tags.go:52 bucketListTags
    s3.put_bucket_tagging(Bucket=w.name, Tagging={"TagSet": TAG_LIST})  # tags.go:75
    _bucket_read(s3, w.name)  # :780 Update (every Put* guarded by HasChange) tail-calls Read


def _bucket_exists(w: World) -> bool:
    return found(w.admin("s3").head_bucket, Bucket=w.name)


for _token in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"):
    recipe(
        _token,
        "internal/service/s3/bucket.go:708-781 (create: CreateBucket :759, findBucket :769 -> HeadBucket, bucketCreateTags :776 -> "
        "tags.go:25 GetBucketTagging + PutBucketTagging, Update :780), :783-1148 (read)",
        "s3:CreateBucket",
        _bucket_exists,
    )(_s3_bucket)


def _admin_bucket(w: World) -> None:
    w.prereq["bucket"] = f"{w.name}-bucket"
    w.admin("s3").create_bucket(Bucket=w.prereq["bucket"], CreateBucketConfiguration=_bucket_config(w))


def _bucket_subresource(
    tokens: tuple[str, ...],
    source: str,
    primary: str,
    put: Callable[[Any, str], Any],
    get: Callable[[Any, str], Any],
    exists: Callable[[World], bool],
) -> None:
    """A bucket configuration resource: Put, then the finder until it sees the configuration, then Read (the same finder)."""

    def run(w: World) -> None:
        s3 = w.role("s3")
        put(s3, w.prereq["bucket"])
        get(s3, w.prereq["bucket"])
        get(s3, w.prereq["bucket"])

    for token in tokens:
        recipe(token, source, primary, exists, _admin_bucket)(run)


def _admin_sees(call: str, key: str) -> Callable[[World], bool]:
    """The admin's Get* of the bucket's configuration returns `key`."""

    def check(w: World) -> bool:
        output = tolerate(getattr(w.admin("s3"), call), *S3_UNSET, Bucket=w.prereq["bucket"])
        return bool(output and output.get(key))

    return check


_bucket_subresource(
    ("aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"),
    "internal/service/s3/bucket_versioning.go:101-146 (create: PutBucketVersioning :127), :148 (read: waitForBucketVersioningStatus -> GetBucketVersioning)",
    "s3:PutBucketVersioning",
    lambda s3, b: s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"}),
    lambda s3, b: s3.get_bucket_versioning(Bucket=b),
    _admin_sees("get_bucket_versioning", "Status"),
)
_bucket_subresource(
    ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"),
    "internal/service/s3/bucket_acl.go:149-192 (create: PutBucketAcl :170, findBucketACL :184 -> GetBucketAcl), :194 (read)",
    "s3:PutBucketAcl",
    lambda s3, b: s3.put_bucket_acl(Bucket=b, ACL="private"),
    lambda s3, b: s3.get_bucket_acl(Bucket=b),
    _admin_sees("get_bucket_acl", "Grants"),
)
_bucket_subresource(
    ("aws:s3/bucketCorsConfiguration:BucketCorsConfiguration", "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2"),
    "internal/service/s3/bucket_cors_configuration.go:91-129 (create: PutBucketCors :107, findCORSRules :121 -> GetBucketCors), :131 (read)",
    "s3:PutBucketCORS",
    lambda s3, b: s3.put_bucket_cors(Bucket=b, CORSConfiguration={"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]}),
    lambda s3, b: s3.get_bucket_cors(Bucket=b),
    _admin_sees("get_bucket_cors", "CORSRules"),
)
_bucket_subresource(
    (
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
    ),
    "internal/service/s3/bucket_lifecycle_configuration.go:257-294 (create: PutBucketLifecycleConfiguration :274, waitLifecycleRulesEquals :287 "
    "-> GetBucketLifecycleConfiguration), :296 (read: findLifecycleRules)",
    "s3:PutLifecycleConfiguration",
    lambda s3, b: s3.put_bucket_lifecycle_configuration(
        Bucket=b,
        LifecycleConfiguration={"Rules": [{"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 30}}]},
    ),
    lambda s3, b: s3.get_bucket_lifecycle_configuration(Bucket=b),
    _admin_sees("get_bucket_lifecycle_configuration", "Rules"),
)


def _admin_two_buckets(w: World) -> None:
    _admin_bucket(w)
    w.prereq["target"] = f"{w.name}-logs"
    w.admin("s3").create_bucket(Bucket=w.prereq["target"], CreateBucketConfiguration=_bucket_config(w))
    w.admin("s3").put_bucket_acl(Bucket=w.prereq["target"], ACL="log-delivery-write")


def _bucket_logging_run(w: World) -> None:
    s3 = w.role("s3")
    s3.put_bucket_logging(
        Bucket=w.prereq["bucket"], BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": w.prereq["target"], "TargetPrefix": "log/"}}
    )
    s3.get_bucket_logging(Bucket=w.prereq["bucket"])
    s3.get_bucket_logging(Bucket=w.prereq["bucket"])


for _token in ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"):
    recipe(
        _token,
        "internal/service/s3/bucket_logging.go:138-188 (create: PutBucketLogging :166, findLoggingEnabled :180 -> GetBucketLogging), :190 (read)",
        "s3:PutBucketLogging",
        _admin_sees("get_bucket_logging", "LoggingEnabled"),
        _admin_two_buckets,
    )(_bucket_logging_run)


_bucket_subresource(
    (
        "aws:s3/bucketAccelerateConfiguration:BucketAccelerateConfiguration",
        "aws:s3/bucketAccelerateConfigurationV2:BucketAccelerateConfigurationV2",
    ),
    "internal/service/s3/bucket_accelerate_configuration.go:58-96 (create: PutBucketAccelerateConfiguration :74, "
    "findBucketAccelerateConfiguration :88), :98 (read)",
    "s3:PutAccelerateConfiguration",
    lambda s3, b: s3.put_bucket_accelerate_configuration(Bucket=b, AccelerateConfiguration={"Status": "Enabled"}),
    lambda s3, b: s3.get_bucket_accelerate_configuration(Bucket=b),
    _admin_sees("get_bucket_accelerate_configuration", "Status"),
)


def _bucket_website_run(w: World) -> None:
    s3 = w.role("s3")
    s3.put_bucket_website(Bucket=w.prereq["bucket"], WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
    s3.get_bucket_website(Bucket=w.prereq["bucket"])
    s3.get_bucket_website(Bucket=w.prereq["bucket"])  # read :253
    s3.get_bucket_location(Bucket=w.prereq["bucket"])  # read :289 findBucketLocation


for _token in (
    "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration",
    "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2",
):
    recipe(
        _token,
        "internal/service/s3/bucket_website_configuration.go:181-243 (create: PutBucketWebsite :221, findBucketWebsite :235), "
        ":245-300 (read: GetBucketWebsite :253, GetBucketLocation :289)",
        "s3:PutBucketWebsite",
        _admin_sees("get_bucket_website", "IndexDocument"),
        _admin_bucket,
    )(_bucket_website_run)


def _bucket_policy_run(w: World) -> None:
    s3 = w.role("s3")
    policy = policy_document(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{w.account_id}:root"},
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{w.prereq['bucket']}/*",
        }
    )
    s3.put_bucket_policy(Bucket=w.prereq["bucket"], Policy=policy)
    s3.get_bucket_policy(Bucket=w.prereq["bucket"])
    s3.get_bucket_policy(Bucket=w.prereq["bucket"])


recipe(
    "aws:s3/bucketPolicy:BucketPolicy",
    "internal/service/s3/bucket_policy.go (put: PutBucketPolicy :76, findBucketPolicy :87 -> GetBucketPolicy), :98 (read)",
    "s3:PutBucketPolicy",
    _admin_sees("get_bucket_policy", "Policy"),
    _admin_bucket,
)(_bucket_policy_run)


def _admin_bucket_and_queue(w: World) -> None:
    _admin_bucket(w)
    _admin_queue(w)


def _bucket_notification_run(w: World) -> None:
    s3 = w.role("s3")
    s3.put_bucket_notification_configuration(
        Bucket=w.prereq["bucket"],
        NotificationConfiguration={"QueueConfigurations": [{"QueueArn": w.prereq["queue_arn"], "Events": ["s3:ObjectCreated:*"]}]},
    )
    s3.get_bucket_notification_configuration(Bucket=w.prereq["bucket"])
    s3.get_bucket_notification_configuration(Bucket=w.prereq["bucket"])


recipe(
    "aws:s3/bucketNotification:BucketNotification",
    "internal/service/s3/bucket_notification.go (put: PutBucketNotificationConfiguration :307, findBucketNotificationConfiguration :322), :333 (read)",
    "s3:PutBucketNotification",
    _admin_sees("get_bucket_notification_configuration", "QueueConfigurations"),
    _admin_bucket_and_queue,
)(_bucket_notification_run)


def _object_run(w: World) -> None:
    s3 = w.role("s3")
    s3.put_object(Bucket=w.prereq["bucket"], Key="hello.txt", Body=b"hello", ContentType="text/plain", Tagging="team=baseline")
    s3.head_object(Bucket=w.prereq["bucket"], Key="hello.txt")  # read: findObjectByBucketAndKey (HeadObject)
    s3.get_object_tagging(Bucket=w.prereq["bucket"], Key="hello.txt")  # transparent tagging (resourceType BucketObject/Object)


def _object_exists(w: World) -> bool:
    return found(w.admin("s3").head_object, Bucket=w.prereq["bucket"], Key="hello.txt")


recipe(
    "aws:s3/bucketObject:BucketObject",
    "internal/service/s3/bucket_object.go:204-207 (create), :373-504 (upload: manager.Uploader :495 -> PutObject with Tagging), "
    ":209 (read: findObjectByBucketAndKey -> HeadObject)",
    "s3:PutObject",
    _object_exists,
    _admin_bucket,
)(_object_run)
recipe(
    "aws:s3/bucketObjectv2:BucketObjectv2",
    "internal/service/s3/object.go:252-255 (create), :449-598 (upload: manager.Uploader :589 -> PutObject with Tagging), "
    ":257 (read: findObjectByBucketAndKey :271 -> HeadObject)",
    "s3:PutObject",
    _object_exists,
    _admin_bucket,
)(_object_run)


# --- Route 53 ------------------------------------------------------------------------------------


def _zone_id(raw: str) -> str:
    return raw.rsplit("/", 1)[-1]


@recipe(
    "aws:route53/zone:Zone",
    "internal/service/route53/zone.go:130-184 (create: CreateHostedZone :154, waitForChangeSynchronization :163 -> GetChange, "
    "createTags :168 -> ChangeTagsForResource), :186 (read: FindHostedZoneByID -> GetHostedZone)",
    "route53:CreateHostedZone",
    lambda w: found(w.admin("route53").get_hosted_zone, Id=w.prereq["created"]),
)
def _route53_zone(w: World) -> None:
    route53 = w.role("route53")
    output = route53.create_hosted_zone(
        Name=f"{w.name}.example.com", CallerReference=w.name, HostedZoneConfig={"Comment": "Managed by Pulumi"}
    )
    zone = _zone_id(output["HostedZone"]["Id"])
    w.prereq["created"] = zone
    route53.get_change(Id=_zone_id(output["ChangeInfo"]["Id"]))
    route53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone, AddTags=TAG_LIST)
    route53.get_hosted_zone(Id=zone)
    route53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone)  # transparent tagging (@Tags id, hostedzone)


def _admin_zone(w: World) -> None:
    output = w.admin("route53").create_hosted_zone(Name=f"{w.name}.example.com", CallerReference=f"{w.name}-zone")
    w.prereq["zone"] = _zone_id(output["HostedZone"]["Id"])


def _record_exists(w: World) -> bool:
    records = w.admin("route53").list_resource_record_sets(HostedZoneId=w.prereq["zone"])["ResourceRecordSets"]
    return any(r["Name"].startswith(f"www.{w.name}") for r in records)


@recipe(
    "aws:route53/record:Record",
    "internal/service/route53/record.go:335-398 (create: FindHostedZoneByID :340 -> GetHostedZone, ChangeResourceRecordSets, "
    "WaitForRecordSetToSync :393 -> GetChange), :400 (read: FindResourceRecordSetByFourPartKey :769 -> GetHostedZone, ListResourceRecordSets)",
    "route53:ChangeResourceRecordSets",
    _record_exists,
    _admin_zone,
)
def _route53_record(w: World) -> None:
    route53 = w.role("route53")
    zone = w.prereq["zone"]
    name = f"www.{w.name}.example.com"
    route53.get_hosted_zone(Id=zone)
    change = route53.change_resource_record_sets(
        HostedZoneId=zone,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "CREATE",
                    "ResourceRecordSet": {"Name": name, "Type": "A", "TTL": 300, "ResourceRecords": [{"Value": "192.0.2.1"}]},
                }
            ]
        },
    )["ChangeInfo"]["Id"]
    route53.get_change(Id=_zone_id(change))
    route53.get_hosted_zone(Id=zone)
    route53.list_resource_record_sets(HostedZoneId=zone, StartRecordName=name, StartRecordType="A")


@recipe(
    "aws:route53/healthCheck:HealthCheck",
    "internal/service/route53/health_check.go:180-291 (create: CreateHealthCheck :278, createTags :286 -> ChangeTagsForResource), "
    ":293 (read: FindHealthCheckByID -> GetHealthCheck)",
    "route53:CreateHealthCheck",
    lambda w: found(w.admin("route53").get_health_check, HealthCheckId=w.prereq["created"]),
)
def _route53_health_check(w: World) -> None:
    route53 = w.role("route53")
    check = route53.create_health_check(
        CallerReference=w.name,
        HealthCheckConfig={
            "Type": "HTTPS",
            "FullyQualifiedDomainName": "example.com",
            "Port": 443,
            "ResourcePath": "/",
            "RequestInterval": 30,
            "FailureThreshold": 3,
        },
    )["HealthCheck"]["Id"]
    w.prereq["created"] = check
    route53.change_tags_for_resource(ResourceType="healthcheck", ResourceId=check, AddTags=TAG_LIST)
    route53.get_health_check(HealthCheckId=check)
    route53.list_tags_for_resource(ResourceType="healthcheck", ResourceId=check)  # transparent tagging (@Tags id, healthcheck)


def _admin_private_zone(w: World) -> None:
    _admin_vpc(w)
    w.prereq["other_vpc"] = w.admin("ec2").create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    output = w.admin("route53").create_hosted_zone(
        Name=f"{w.name}.internal",
        CallerReference=f"{w.name}-private",
        VPC={"VPCRegion": w.region, "VPCId": w.prereq["vpc"]},
        HostedZoneConfig={"PrivateZone": True},
    )
    w.prereq["zone"] = _zone_id(output["HostedZone"]["Id"])


def _zone_has_other_vpc(w: World) -> bool:
    vpcs = w.admin("route53").get_hosted_zone(Id=w.prereq["zone"]).get("VPCs", [])
    return any(v["VPCId"] == w.prereq["other_vpc"] for v in vpcs)


@recipe(
    "aws:route53/zoneAssociation:ZoneAssociation",
    "internal/service/route53/zone_association.go:61-106 (create: AssociateVPCWithHostedZone :82, wait :97 -> GetChange), "
    ":108 (read: ListHostedZonesByVPC)",
    "route53:AssociateVPCWithHostedZone",
    _zone_has_other_vpc,
    _admin_private_zone,
)
def _route53_zone_association(w: World) -> None:
    route53 = w.role("route53")
    change = route53.associate_vpc_with_hosted_zone(
        HostedZoneId=w.prereq["zone"], VPC={"VPCRegion": w.region, "VPCId": w.prereq["other_vpc"]}
    )
    route53.get_change(Id=_zone_id(change["ChangeInfo"]["Id"]))
    route53.list_hosted_zones_by_vpc(VPCId=w.prereq["other_vpc"], VPCRegion=w.region)


# --- ACM -----------------------------------------------------------------------------------------


@recipe(
    "aws:acm/certificate:Certificate",
    "internal/service/acm/certificate.go:331-407 (create with domainName: RequestCertificate :375, waitCertificateDomainValidationsAvailable "
    ":402 -> DescribeCertificate), :409 (read: findCertificateByARN -> DescribeCertificate)",
    "acm:RequestCertificate",
    lambda w: found(w.admin("acm").describe_certificate, CertificateArn=w.prereq["created"]),
    inputs=("domainName",),
)
def _acm_certificate(w: World) -> None:
    acm = w.role("acm")
    arn = acm.request_certificate(DomainName=f"{w.name}.example.com", ValidationMethod="DNS", Tags=TAG_LIST)["CertificateArn"]
    w.prereq["created"] = arn
    acm.describe_certificate(CertificateArn=arn)
    acm.describe_certificate(CertificateArn=arn)
    acm.list_tags_for_certificate(CertificateArn=arn)  # transparent tagging (@Tags id)


def _admin_certificate(w: World) -> None:
    w.prereq["certificate"] = w.admin("acm").request_certificate(DomainName=f"{w.name}.example.com", ValidationMethod="DNS")[
        "CertificateArn"
    ]


@recipe(
    "aws:acm/certificateValidation:CertificateValidation",
    "internal/service/acm/certificate_validation.go (create: findCertificateByARN -> DescribeCertificate, waitCertificateIssued -> "
    "DescribeCertificate; read: DescribeCertificate). It changes nothing in AWS: its one action, DescribeCertificate, is the one withheld",
    "acm:DescribeCertificate",
    lambda w: w.admin("acm").describe_certificate(CertificateArn=w.prereq["certificate"])["Certificate"]["Status"] == "ISSUED",
    _admin_certificate,
)
def _acm_certificate_validation(w: World) -> None:
    acm = w.role("acm")
    acm.describe_certificate(CertificateArn=w.prereq["certificate"])
    acm.describe_certificate(CertificateArn=w.prereq["certificate"])
    acm.describe_certificate(CertificateArn=w.prereq["certificate"])


# --- ECS -----------------------------------------------------------------------------------------

ECS_TAGS = [{"key": "team", "value": "baseline"}]


@recipe(
    "aws:ecs/cluster:Cluster",
    "internal/service/ecs/cluster.go:161-219 (create: retryClusterCreate :432 -> CreateCluster, waitClusterAvailable :200 -> DescribeClusters), "
    ":221 (read: FindClusterByNameOrARN :299 -> DescribeClusters with tags)",
    "ecs:CreateCluster",
    lambda w: bool(w.admin("ecs").describe_clusters(clusters=[w.name])["clusters"]),
)
def _ecs_cluster(w: World) -> None:
    ecs = w.role("ecs")
    ecs.create_cluster(clusterName=w.name, tags=ECS_TAGS, settings=[{"name": "containerInsights", "value": "disabled"}])
    ecs.describe_clusters(clusters=[w.name], include=["TAGS", "SETTINGS", "CONFIGURATIONS"])
    ecs.describe_clusters(clusters=[w.name], include=["TAGS", "SETTINGS", "CONFIGURATIONS"])


@recipe(
    "aws:ecs/taskDefinition:TaskDefinition",
    "internal/service/ecs/task_definition.go:455-566 (create: RegisterTaskDefinition :532), :568 (read: DescribeTaskDefinition :582 include TAGS)",
    "ecs:RegisterTaskDefinition",
    lambda w: found(w.admin("ecs").describe_task_definition, taskDefinition=w.name),
    lambda w: w.prereq.update(role=w.shared("service_role")),
    passes_role=True,
)
def _ecs_task_definition(w: World) -> None:
    ecs = w.role("ecs")
    arn = ecs.register_task_definition(
        family=w.name,
        executionRoleArn=w.prereq["role"],
        containerDefinitions=[{"name": "web", "image": "nginx", "memory": 512, "essential": True}],
        tags=ECS_TAGS,
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])


def _admin_cluster_and_task(w: World) -> None:
    ecs = w.admin("ecs")
    w.prereq["cluster"] = ecs.create_cluster(clusterName=f"{w.name}-cluster")["cluster"]["clusterArn"]
    w.prereq["task"] = ecs.register_task_definition(
        family=f"{w.name}-task", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 512}]
    )["taskDefinition"]["taskDefinitionArn"]


@recipe(
    "aws:ecs/service:Service",
    "internal/service/ecs/service.go:531-693 (create: serviceCreateWithRetry :655 -> CreateService, waitServiceActive :670 -> DescribeServices), "
    ":695 (read: FindServiceByIDWaitForActive -> DescribeServices)",
    "ecs:CreateService",
    lambda w: bool(w.admin("ecs").describe_services(cluster=w.prereq["cluster"], services=[w.name])["services"]),
    _admin_cluster_and_task,
)
def _ecs_service(w: World) -> None:
    ecs = w.role("ecs")
    arn = ecs.create_service(
        cluster=w.prereq["cluster"], serviceName=w.name, taskDefinition=w.prereq["task"], desiredCount=0, tags=ECS_TAGS
    )["service"]["serviceArn"]
    ecs.describe_services(cluster=w.prereq["cluster"], services=[arn], include=["TAGS"])
    ecs.describe_services(cluster=w.prereq["cluster"], services=[arn], include=["TAGS"])


def _admin_group_for_capacity(w: World) -> None:
    autoscaling = w.admin("autoscaling")
    w.prereq["launch_configuration"] = f"{w.name}-lc"
    autoscaling.create_launch_configuration(
        LaunchConfigurationName=w.prereq["launch_configuration"], ImageId=_image(w), InstanceType="t3.micro"
    )
    w.prereq["asg"] = f"{w.name}-asg"
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=w.prereq["asg"],
        LaunchConfigurationName=w.prereq["launch_configuration"],
        MinSize=0,
        MaxSize=1,
        AvailabilityZones=[f"{w.region}a"],
    )
    w.prereq["asg_arn"] = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[w.prereq["asg"]])["AutoScalingGroups"][0][
        "AutoScalingGroupARN"
    ]


@recipe(
    "aws:ecs/capacityProvider:CapacityProvider",
    "internal/service/ecs/capacity_provider.go:126-167 (create: CreateCapacityProvider :137), :169 (read: FindCapacityProviderByARN -> "
    "DescribeCapacityProviders include TAGS)",
    "ecs:CreateCapacityProvider",
    lambda w: bool(w.admin("ecs").describe_capacity_providers(capacityProviders=[w.name])["capacityProviders"]),
    _admin_group_for_capacity,
)
def _ecs_capacity_provider(w: World) -> None:
    ecs = w.role("ecs")
    arn = ecs.create_capacity_provider(name=w.name, autoScalingGroupProvider={"autoScalingGroupArn": w.prereq["asg_arn"]}, tags=ECS_TAGS)[
        "capacityProvider"
    ]["capacityProviderArn"]
    ecs.describe_capacity_providers(capacityProviders=[arn], include=["TAGS"])


def _admin_cluster(w: World) -> None:
    w.prereq["cluster"] = f"{w.name}-cluster"
    w.admin("ecs").create_cluster(clusterName=w.prereq["cluster"])


@recipe(
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
    "internal/service/ecs/cluster_capacity_providers.go:79-106 (put: retryClusterCapacityProvidersPut :168 -> PutClusterCapacityProviders, "
    "waitClusterAvailable :101 -> DescribeClusters), :108 (read: FindClusterByNameOrARN)",
    "ecs:PutClusterCapacityProviders",
    lambda w: "FARGATE" in w.admin("ecs").describe_clusters(clusters=[w.prereq["cluster"]])["clusters"][0].get("capacityProviders", []),
    _admin_cluster,
)
def _ecs_cluster_capacity_providers(w: World) -> None:
    ecs = w.role("ecs")
    ecs.put_cluster_capacity_providers(
        cluster=w.prereq["cluster"],
        capacityProviders=["FARGATE"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
    )
    ecs.describe_clusters(clusters=[w.prereq["cluster"]], include=["TAGS", "SETTINGS", "CONFIGURATIONS"])
    ecs.describe_clusters(clusters=[w.prereq["cluster"]], include=["TAGS", "SETTINGS", "CONFIGURATIONS"])


# --- EFS -----------------------------------------------------------------------------------------


@recipe(
    "aws:efs/fileSystem:FileSystem",
    "internal/service/efs/file_system.go:182-263 (create: CreateFileSystem :227, waitFileSystemAvailable :235 -> DescribeFileSystems), "
    ":265-320 (read: FindFileSystemByID :270, DescribeLifecycleConfiguration :304)",
    "elasticfilesystem:CreateFileSystem",
    lambda w: found(w.admin("efs").describe_file_systems, FileSystemId=w.prereq["created"]),
)
def _efs_file_system(w: World) -> None:
    efs = w.role("efs")
    fs = efs.create_file_system(CreationToken=w.name, PerformanceMode="generalPurpose", ThroughputMode="bursting", Tags=TAG_LIST)[
        "FileSystemId"
    ]
    w.prereq["created"] = fs
    efs.describe_file_systems(FileSystemId=fs)
    efs.describe_file_systems(FileSystemId=fs)
    efs.describe_lifecycle_configuration(FileSystemId=fs)


def _admin_file_system(w: World) -> None:
    w.prereq["fs"] = w.admin("efs").create_file_system(CreationToken=f"{w.name}-fs")["FileSystemId"]


@recipe(
    "aws:efs/accessPoint:AccessPoint",
    "internal/service/efs/access_point.go:133-165 (create: CreateAccessPoint :153, waitAccessPointCreated :160 -> DescribeAccessPoints), "
    ":175 (read: DescribeAccessPoints :179)",
    "elasticfilesystem:CreateAccessPoint",
    lambda w: bool(w.admin("efs").describe_access_points(FileSystemId=w.prereq["fs"])["AccessPoints"]),
    _admin_file_system,
)
def _efs_access_point(w: World) -> None:
    efs = w.role("efs")
    point = efs.create_access_point(FileSystemId=w.prereq["fs"], ClientToken=w.name, Tags=TAG_LIST)["AccessPointId"]
    efs.describe_access_points(AccessPointId=point)
    efs.describe_access_points(AccessPointId=point)


def _admin_file_system_and_subnet(w: World) -> None:
    _admin_vpc(w)
    _admin_file_system(w)


@recipe(
    "aws:efs/mountTarget:MountTarget",
    "internal/service/efs/mount_target.go:101-147 (create: getAZFromSubnetID -> ec2 DescribeSubnets, CreateMountTarget :134, "
    "waitMountTargetCreated :142 -> DescribeMountTargets), :149-190 (read: FindMountTargetByID :153, DescribeMountTargetSecurityGroups :184)",
    "elasticfilesystem:CreateMountTarget",
    lambda w: bool(w.admin("efs").describe_mount_targets(FileSystemId=w.prereq["fs"])["MountTargets"]),
    _admin_file_system_and_subnet,
)
def _efs_mount_target(w: World) -> None:
    efs, ec2 = w.role("efs"), w.role("ec2")
    ec2.describe_subnets(SubnetIds=[w.prereq["subnet"]])
    target = efs.create_mount_target(FileSystemId=w.prereq["fs"], SubnetId=w.prereq["subnet"])["MountTargetId"]
    efs.describe_mount_targets(MountTargetId=target)
    efs.describe_mount_targets(MountTargetId=target)
    efs.describe_mount_target_security_groups(MountTargetId=target)


@recipe(
    "aws:efs/fileSystemPolicy:FileSystemPolicy",
    "internal/service/efs/file_system_policy.go:61-90 (put: PutFileSystemPolicy :78), :92 (read: FindFileSystemPolicyByID -> DescribeFileSystemPolicy)",
    "elasticfilesystem:PutFileSystemPolicy",
    lambda w: found(w.admin("efs").describe_file_system_policy, FileSystemId=w.prereq["fs"]),
    _admin_file_system,
)
def _efs_file_system_policy(w: World) -> None:
    efs = w.role("efs")
    policy = policy_document(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "elasticfilesystem:ClientMount",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "true"}},
        }
    )
    efs.put_file_system_policy(FileSystemId=w.prereq["fs"], Policy=policy, BypassPolicyLockoutSafetyCheck=False)
    efs.describe_file_system_policy(FileSystemId=w.prereq["fs"])


# --- Auto Scaling --------------------------------------------------------------------------------


def _admin_launch_configuration(w: World) -> None:
    w.prereq["launch_configuration"] = f"{w.name}-lc"
    w.admin("autoscaling").create_launch_configuration(
        LaunchConfigurationName=w.prereq["launch_configuration"], ImageId=_image(w), InstanceType="t3.micro"
    )


@recipe(
    "aws:autoscaling/group:Group",
    "internal/service/autoscaling/group.go:1000-1232 (create: CreateAutoScalingGroup :1131, waitGroupCapacitySatisfied :1190 -> "
    ":2267 DescribeScalingActivities, :2292 DescribeAutoScalingGroups), :1234 (read: findGroupByName -> DescribeAutoScalingGroups)",
    "autoscaling:CreateAutoScalingGroup",
    lambda w: bool(w.admin("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[w.name])["AutoScalingGroups"]),
    _admin_launch_configuration,
)
def _autoscaling_group(w: World) -> None:
    autoscaling = w.role("autoscaling")
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=w.name,
        LaunchConfigurationName=w.prereq["launch_configuration"],
        MinSize=0,
        MaxSize=1,
        AvailabilityZones=[f"{w.region}a"],
        Tags=[{"Key": "team", "Value": "baseline", "PropagateAtLaunch": True, "ResourceId": w.name, "ResourceType": "auto-scaling-group"}],
    )
    autoscaling.describe_scaling_activities(AutoScalingGroupName=w.name)
    autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[w.name])
    autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[w.name])


def _admin_autoscaling_group(w: World) -> None:
    _admin_launch_configuration(w)
    w.prereq["asg"] = f"{w.name}-asg"
    w.admin("autoscaling").create_auto_scaling_group(
        AutoScalingGroupName=w.prereq["asg"],
        LaunchConfigurationName=w.prereq["launch_configuration"],
        MinSize=0,
        MaxSize=1,
        AvailabilityZones=[f"{w.region}a"],
    )


@recipe(
    "aws:autoscaling/lifecycleHook:LifecycleHook",
    "internal/service/autoscaling/lifecycle_hook.go:91-138 (put: PutLifecycleHook :127), :140 (read: findLifecycleHookByTwoPartKey -> "
    "DescribeLifecycleHooks)",
    "autoscaling:PutLifecycleHook",
    lambda w: bool(w.admin("autoscaling").describe_lifecycle_hooks(AutoScalingGroupName=w.prereq["asg"])["LifecycleHooks"]),
    _admin_autoscaling_group,
)
def _autoscaling_lifecycle_hook(w: World) -> None:
    autoscaling = w.role("autoscaling")
    autoscaling.put_lifecycle_hook(
        LifecycleHookName=w.name,
        AutoScalingGroupName=w.prereq["asg"],
        LifecycleTransition="autoscaling:EC2_INSTANCE_LAUNCHING",
        HeartbeatTimeout=300,
    )
    autoscaling.describe_lifecycle_hooks(AutoScalingGroupName=w.prereq["asg"], LifecycleHookNames=[w.name])


@recipe(
    "aws:autoscaling/policy:Policy",
    "internal/service/autoscaling/policy.go:506-526 (create: PutScalingPolicy :517), :528 (read: findScalingPolicyByTwoPartKey -> DescribePolicies)",
    "autoscaling:PutScalingPolicy",
    lambda w: bool(w.admin("autoscaling").describe_policies(AutoScalingGroupName=w.prereq["asg"])["ScalingPolicies"]),
    _admin_autoscaling_group,
)
def _autoscaling_policy(w: World) -> None:
    autoscaling = w.role("autoscaling")
    autoscaling.put_scaling_policy(
        AutoScalingGroupName=w.prereq["asg"],
        PolicyName=w.name,
        PolicyType="SimpleScaling",
        AdjustmentType="ChangeInCapacity",
        ScalingAdjustment=1,
    )
    autoscaling.describe_policies(AutoScalingGroupName=w.prereq["asg"], PolicyNames=[w.name])


@recipe(
    "aws:autoscaling/schedule:Schedule",
    "internal/service/autoscaling/schedule.go:95-155 (put: PutScheduledUpdateGroupAction :144), :157 (read: findScheduleByTwoPartKey -> "
    "DescribeScheduledActions)",
    "autoscaling:PutScheduledUpdateGroupAction",
    lambda w: bool(w.admin("autoscaling").describe_scheduled_actions(AutoScalingGroupName=w.prereq["asg"])["ScheduledUpdateGroupActions"]),
    _admin_autoscaling_group,
)
def _autoscaling_schedule(w: World) -> None:
    autoscaling = w.role("autoscaling")
    autoscaling.put_scheduled_update_group_action(
        AutoScalingGroupName=w.prereq["asg"], ScheduledActionName=w.name, Recurrence="0 8 * * *", MinSize=0, MaxSize=1, DesiredCapacity=0
    )
    autoscaling.describe_scheduled_actions(AutoScalingGroupName=w.prereq["asg"], ScheduledActionNames=[w.name])


# --- Cloud Map, Scheduler, Pipes -----------------------------------------------------------------


def _namespace_from_operation(sd: Any, operation: str) -> str:
    return str(sd.get_operation(OperationId=operation)["Operation"]["Targets"]["NAMESPACE"])


@recipe(
    "aws:servicediscovery/httpNamespace:HttpNamespace",
    "internal/service/servicediscovery/http_namespace.go:65-101 (create: CreateHttpNamespace :80, WaitOperationSuccess :86 -> GetOperation), "
    ":103 (read: FindNamespaceByID -> GetNamespace)",
    "servicediscovery:CreateHttpNamespace",
    lambda w: found(w.admin("servicediscovery").get_namespace, Id=w.prereq["created"]),
)
def _sd_http_namespace(w: World) -> None:
    sd = w.role("servicediscovery")
    operation = sd.create_http_namespace(Name=w.name, CreatorRequestId=w.name, Tags=TAG_LIST)["OperationId"]
    namespace = _namespace_from_operation(sd, operation)
    w.prereq["created"] = namespace
    arn = sd.get_namespace(Id=namespace)["Namespace"]["Arn"]
    sd.list_tags_for_resource(ResourceARN=arn)  # transparent tagging (@Tags arn)


@recipe(
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace",
    "internal/service/servicediscovery/private_dns_namespace.go:77-113 (create: CreatePrivateDnsNamespace :92, WaitOperationSuccess :98 -> "
    "GetOperation), :115 (read: FindNamespaceByID -> GetNamespace)",
    "servicediscovery:CreatePrivateDnsNamespace",
    lambda w: found(w.admin("servicediscovery").get_namespace, Id=w.prereq["created"]),
    _admin_vpc,
)
def _sd_private_dns_namespace(w: World) -> None:
    sd = w.role("servicediscovery")
    operation = sd.create_private_dns_namespace(Name=f"{w.name}.local", CreatorRequestId=w.name, Vpc=w.prereq["vpc"], Tags=TAG_LIST)[
        "OperationId"
    ]
    namespace = _namespace_from_operation(sd, operation)
    w.prereq["created"] = namespace
    arn = sd.get_namespace(Id=namespace)["Namespace"]["Arn"]
    sd.list_tags_for_resource(ResourceARN=arn)


def _admin_namespace(w: World) -> None:
    sd = w.admin("servicediscovery")
    operation = sd.create_http_namespace(Name=f"{w.name}-ns")["OperationId"]
    w.prereq["namespace"] = _namespace_from_operation(sd, operation)


@recipe(
    "aws:servicediscovery/service:Service",
    "internal/service/servicediscovery/service.go:156-199 (create: CreateService :190), :201 (read: FindServiceByID -> GetService)",
    "servicediscovery:CreateService",
    lambda w: found(w.admin("servicediscovery").get_service, Id=w.prereq["created"]),
    _admin_namespace,
)
def _sd_service(w: World) -> None:
    sd = w.role("servicediscovery")
    service = sd.create_service(Name=w.name, NamespaceId=w.prereq["namespace"], CreatorRequestId=w.name, Tags=TAG_LIST)["Service"]
    w.prereq["created"] = service["Id"]
    sd.get_service(Id=service["Id"])
    sd.list_tags_for_resource(ResourceARN=service["Arn"])  # transparent tagging (@Tags arn)


@recipe(
    "aws:scheduler/scheduleGroup:ScheduleGroup",
    "internal/service/scheduler/schedule_group.go:97-123 (create: CreateScheduleGroup :107, waitScheduleGroupActive :118 -> GetScheduleGroup), "
    ":125 (read: findScheduleGroupByName -> GetScheduleGroup)",
    "scheduler:CreateScheduleGroup",
    lambda w: found(w.admin("scheduler").get_schedule_group, Name=w.name),
)
def _scheduler_group(w: World) -> None:
    scheduler = w.role("scheduler")
    arn = scheduler.create_schedule_group(Name=w.name, Tags=[{"Key": "team", "Value": "baseline"}])["ScheduleGroupArn"]
    scheduler.get_schedule_group(Name=w.name)
    scheduler.get_schedule_group(Name=w.name)
    scheduler.list_tags_for_resource(ResourceArn=arn)  # transparent tagging (@Tags arn)


def _admin_queue_and_role(w: World) -> None:
    _admin_queue(w)
    w.prereq["role_arn"] = w.shared("service_role")


@recipe(
    "aws:scheduler/schedule:Schedule",
    "internal/service/scheduler/schedule.go:434-510 (create: CreateSchedule :483), :512 (read: findScheduleByTwoPartKey -> GetSchedule)",
    "scheduler:CreateSchedule",
    lambda w: found(w.admin("scheduler").get_schedule, Name=w.name),
    _admin_queue_and_role,
    passes_role=True,
)
def _scheduler_schedule(w: World) -> None:
    scheduler = w.role("scheduler")
    scheduler.create_schedule(
        Name=w.name,
        GroupName="default",
        ScheduleExpression="rate(1 hour)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": w.prereq["queue_arn"], "RoleArn": w.prereq["role_arn"]},
        State="ENABLED",
    )
    scheduler.get_schedule(Name=w.name, GroupName="default")


def _admin_two_queues_and_role(w: World) -> None:
    _admin_queue(w)
    _admin_queue(w, "target")
    w.prereq["role_arn"] = w.shared("service_role")


@recipe(
    "aws:pipes/pipe:Pipe",
    "internal/service/pipes/pipe.go:128-174 (create: CreatePipe :161, waitPipeCreated :169 -> DescribePipe), :176 (read: findPipeByName -> DescribePipe)",
    "pipes:CreatePipe",
    lambda w: found(w.admin("pipes").describe_pipe, Name=w.name),
    _admin_two_queues_and_role,
    passes_role=True,
)
def _pipe(w: World) -> None:
    pipes = w.role("pipes")
    arn = pipes.create_pipe(
        Name=w.name,
        Source=w.prereq["queue_arn"],
        Target=w.prereq["target_arn"],
        RoleArn=w.prereq["role_arn"],
        DesiredState="RUNNING",
        Tags=TAGS,
    )["Arn"]
    pipes.describe_pipe(Name=w.name)
    pipes.describe_pipe(Name=w.name)
    pipes.list_tags_for_resource(resourceArn=arn)  # transparent tagging (@Tags arn)


# --- EKS -----------------------------------------------------------------------------------------


def _admin_vpc_and_role(w: World) -> None:
    _admin_vpc(w)
    w.prereq["role_arn"] = w.shared("service_role")


@recipe(
    "aws:eks/cluster:Cluster",
    "internal/service/eks/cluster.go:317-392 (create: CreateCluster :350, waitClusterCreated :387 -> DescribeCluster), :394 (read: findClusterByName)",
    "eks:CreateCluster",
    lambda w: found(w.admin("eks").describe_cluster, name=w.name),
    _admin_vpc_and_role,
    passes_role=True,
)
def _eks_cluster(w: World) -> None:
    eks = w.role("eks")
    eks.create_cluster(
        name=w.name,
        roleArn=w.prereq["role_arn"],
        resourcesVpcConfig={"subnetIds": [w.prereq["subnet"], w.prereq["subnet_b"]]},
        tags=TAGS,
    )
    eks.describe_cluster(name=w.name)
    eks.describe_cluster(name=w.name)


def _admin_eks_cluster(w: World) -> None:
    _admin_vpc_and_role(w)
    w.prereq["cluster"] = f"{w.name}-eks"
    w.admin("eks").create_cluster(
        name=w.prereq["cluster"], roleArn=w.prereq["role_arn"], resourcesVpcConfig={"subnetIds": [w.prereq["subnet"], w.prereq["subnet_b"]]}
    )


@recipe(
    "aws:eks/fargateProfile:FargateProfile",
    "internal/service/eks/fargate_profile.go:113-152 (create: CreateFargateProfile :138, waitFargateProfileCreated :147 -> DescribeFargateProfile), "
    ":154 (read: findFargateProfileByTwoPartKey)",
    "eks:CreateFargateProfile",
    lambda w: found(w.admin("eks").describe_fargate_profile, clusterName=w.prereq["cluster"], fargateProfileName=w.name),
    _admin_eks_cluster,
    passes_role=True,
)
def _eks_fargate_profile(w: World) -> None:
    eks = w.role("eks")
    eks.create_fargate_profile(
        clusterName=w.prereq["cluster"],
        fargateProfileName=w.name,
        podExecutionRoleArn=w.prereq["role_arn"],
        subnets=[w.prereq["subnet"]],
        selectors=[{"namespace": "default"}],
        tags=TAGS,
    )
    eks.describe_fargate_profile(clusterName=w.prereq["cluster"], fargateProfileName=w.name)
    eks.describe_fargate_profile(clusterName=w.prereq["cluster"], fargateProfileName=w.name)


@recipe(
    "aws:eks/nodeGroup:NodeGroup",
    "internal/service/eks/node_group.go:303-381 (create: CreateNodegroup :368, waitNodegroupCreated :376 -> DescribeNodegroup), "
    ":383 (read: findNodegroupByTwoPartKey)",
    "eks:CreateNodegroup",
    lambda w: found(w.admin("eks").describe_nodegroup, clusterName=w.prereq["cluster"], nodegroupName=w.name),
    _admin_eks_cluster,
    passes_role=True,
)
def _eks_node_group(w: World) -> None:
    eks = w.role("eks")
    eks.create_nodegroup(
        clusterName=w.prereq["cluster"],
        nodegroupName=w.name,
        nodeRole=w.prereq["role_arn"],
        subnets=[w.prereq["subnet"]],
        scalingConfig={"minSize": 1, "maxSize": 1, "desiredSize": 1},
        tags=TAGS,
    )
    eks.describe_nodegroup(clusterName=w.prereq["cluster"], nodegroupName=w.name)
    eks.describe_nodegroup(clusterName=w.prereq["cluster"], nodegroupName=w.name)


# --- ElastiCache ---------------------------------------------------------------------------------


@recipe(
    "aws:elasticache/subnetGroup:SubnetGroup",
    "internal/service/elasticache/subnet_group.go:84-130 (create: CreateCacheSubnetGroup :96), :132 (read: findCacheSubnetGroupByName -> "
    "DescribeCacheSubnetGroups)",
    "elasticache:CreateCacheSubnetGroup",
    lambda w: found(w.admin("elasticache").describe_cache_subnet_groups, CacheSubnetGroupName=w.name),
    _admin_vpc,
)
def _elasticache_subnet_group(w: World) -> None:
    elasticache = w.role("elasticache")
    arn = elasticache.create_cache_subnet_group(
        CacheSubnetGroupName=w.name, CacheSubnetGroupDescription="Managed by Pulumi", SubnetIds=[w.prereq["subnet"]], Tags=TAG_LIST
    )["CacheSubnetGroup"]["ARN"]
    elasticache.describe_cache_subnet_groups(CacheSubnetGroupName=w.name)
    elasticache.list_tags_for_resource(ResourceName=arn)  # transparent tagging (@Tags arn)


@recipe(
    "aws:elasticache/cluster:Cluster",
    "internal/service/elasticache/cluster.go:351-497 (create: CreateCacheCluster, waitCacheClusterAvailable :478 -> DescribeCacheClusters), "
    ":499 (read: FindCacheClusterWithNodeInfoByID -> DescribeCacheClusters)",
    "elasticache:CreateCacheCluster",
    lambda w: found(w.admin("elasticache").describe_cache_clusters, CacheClusterId=w.name),
)
def _elasticache_cluster(w: World) -> None:
    elasticache = w.role("elasticache")
    arn = elasticache.create_cache_cluster(
        CacheClusterId=w.name, Engine="redis", CacheNodeType="cache.t3.micro", NumCacheNodes=1, Tags=TAG_LIST
    )["CacheCluster"]["ARN"]
    elasticache.describe_cache_clusters(CacheClusterId=w.name, ShowCacheNodeInfo=True)
    elasticache.describe_cache_clusters(CacheClusterId=w.name, ShowCacheNodeInfo=True)
    elasticache.list_tags_for_resource(ResourceName=arn)  # transparent tagging (@Tags arn)


# --- Network Firewall, Cognito Identity, Firehose ------------------------------------------------


@recipe(
    "aws:networkfirewall/firewall:Firewall",
    "internal/service/networkfirewall/firewall.go:158-205 (create: CreateFirewall :192, waitFirewallCreated :200 -> DescribeFirewall), "
    ":207 (read: FindFirewallByARN -> DescribeFirewall)",
    "network-firewall:CreateFirewall",
    lambda w: found(w.admin("network-firewall").describe_firewall, FirewallArn=w.prereq["created"]),
    _admin_vpc,
)
def _network_firewall(w: World) -> None:
    nfw = w.role("network-firewall")
    policy = f"arn:aws:network-firewall:{w.region}:{w.account_id}:firewall-policy/{w.name}"
    arn = nfw.create_firewall(
        FirewallName=w.name,
        FirewallPolicyArn=policy,
        VpcId=w.prereq["vpc"],
        SubnetMappings=[{"SubnetId": w.prereq["subnet"]}],
        Tags=TAG_LIST,
    )["Firewall"]["FirewallArn"]
    w.prereq["created"] = arn
    nfw.describe_firewall(FirewallArn=arn)
    nfw.describe_firewall(FirewallArn=arn)


@recipe(
    "aws:cognito/identityPool:IdentityPool",
    "internal/service/cognitoidentity/pool.go:130-169 (create: CreateIdentityPool :161), :171 (read: DescribeIdentityPool :175)",
    "cognito-identity:CreateIdentityPool",
    lambda w: found(w.admin("cognito-identity").describe_identity_pool, IdentityPoolId=w.prereq["created"]),
)
def _cognito_identity_pool(w: World) -> None:
    cognito = w.role("cognito-identity")
    pool = cognito.create_identity_pool(IdentityPoolName=w.name, AllowUnauthenticatedIdentities=False, IdentityPoolTags=TAGS)[
        "IdentityPoolId"
    ]
    w.prereq["created"] = pool
    cognito.describe_identity_pool(IdentityPoolId=pool)


def _admin_bucket_and_role(w: World) -> None:
    _admin_bucket(w)
    w.prereq["role_arn"] = w.shared("service_role")


@recipe(
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    "internal/service/firehose/delivery_stream.go:1236-1320 (create: CreateDeliveryStream :1287, waitDeliveryStreamCreated :1294 -> "
    "DescribeDeliveryStream), :1322 (read: findDeliveryStreamByName :1565)",
    "firehose:CreateDeliveryStream",
    lambda w: found(w.admin("firehose").describe_delivery_stream, DeliveryStreamName=w.name),
    _admin_bucket_and_role,
    passes_role=True,
)
def _firehose_stream(w: World) -> None:
    firehose = w.role("firehose")
    firehose.create_delivery_stream(
        DeliveryStreamName=w.name,
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={"RoleARN": w.prereq["role_arn"], "BucketARN": f"arn:aws:s3:::{w.prereq['bucket']}"},
        Tags=TAG_LIST,
    )
    firehose.describe_delivery_stream(DeliveryStreamName=w.name)
    firehose.describe_delivery_stream(DeliveryStreamName=w.name)
    firehose.list_tags_for_delivery_stream(DeliveryStreamName=w.name)  # transparent tagging (@Tags name)


# --- Elastic Load Balancing v2 (aws:lb/* and its aws:alb/* aliases share the provider's code) ---------


def _lb_exists(w: World) -> bool:
    return found(w.admin("elbv2").describe_load_balancers, Names=[w.name])


def _elbv2_load_balancer(w: World) -> None:
    elbv2 = w.role("elbv2")
    tolerate(elbv2.describe_load_balancers, "LoadBalancerNotFound", Names=[w.name])  # :338 findLoadBalancer by name (must not exist)
    arn = elbv2.create_load_balancer(
        Name=w.name,
        Subnets=[w.prereq["subnet"], w.prereq["subnet_b"]],
        SecurityGroups=[w.prereq["group"]],
        Scheme="internet-facing",
        Type="application",
        IpAddressType="ipv4",
        Tags=TAG_LIST,
    )["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.describe_load_balancers(LoadBalancerArns=[arn])  # :398 waitLoadBalancerActive
    elbv2.modify_load_balancer_attributes(  # :444 access_logs/connection_logs disabled and the attribute defaults
        LoadBalancerArn=arn,
        Attributes=[
            {"Key": "access_logs.s3.enabled", "Value": "false"},
            {"Key": "deletion_protection.enabled", "Value": "false"},
            {"Key": "idle_timeout.timeout_seconds", "Value": "60"},
        ],
    )
    elbv2.describe_load_balancers(LoadBalancerArns=[arn])  # :471 waitLoadBalancerActive
    elbv2.describe_load_balancers(LoadBalancerArns=[arn])  # read :483
    elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)  # read :516
    elbv2.describe_tags(ResourceArns=[arn])  # transparent tagging (@Tags id)


for _token in ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"):
    recipe(
        _token,
        "internal/service/elbv2/load_balancer.go:329-477 (create: findLoadBalancer :338, CreateLoadBalancer :383, waitLoadBalancerActive :398, "
        "modifyLoadBalancerAttributes :444, waitLoadBalancerActive :471), :479-533 (read: DescribeLoadBalancers, DescribeLoadBalancerAttributes)",
        "elasticloadbalancing:CreateLoadBalancer",
        _lb_exists,
        _admin_vpc_and_group,
    )(_elbv2_load_balancer)


def _elbv2_target_group(w: World) -> None:
    elbv2 = w.role("elbv2")
    tolerate(elbv2.describe_target_groups, "TargetGroupNotFound", Names=[w.name])  # :365 findTargetGroupByName
    arn = elbv2.create_target_group(Name=w.name, Port=80, Protocol="HTTP", VpcId=w.prereq["vpc"], TargetType="instance", Tags=TAG_LIST)[
        "TargetGroups"
    ][0]["TargetGroupArn"]
    elbv2.describe_target_groups(TargetGroupArns=[arn])  # :462 FindTargetGroupByARN until visible
    elbv2.modify_target_group_attributes(  # :494 the attribute defaults
        TargetGroupArn=arn,
        Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "300"}, {"Key": "stickiness.enabled", "Value": "false"}],
    )
    elbv2.describe_target_groups(TargetGroupArns=[arn])  # read :522
    elbv2.describe_target_group_attributes(TargetGroupArn=arn)  # read :565
    elbv2.describe_tags(ResourceArns=[arn])  # transparent tagging (@Tags id)


for _token in ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"):
    recipe(
        _token,
        "internal/service/elbv2/target_group.go:356-516 (create: findTargetGroupByName :365, CreateTargetGroup :438, FindTargetGroupByARN :462, "
        "ModifyTargetGroupAttributes :494), :518-584 (read: DescribeTargetGroups, DescribeTargetGroupAttributes)",
        "elasticloadbalancing:CreateTargetGroup",
        lambda w: found(w.admin("elbv2").describe_target_groups, Names=[w.name]),
        _admin_vpc,
    )(_elbv2_target_group)


def _admin_alb_and_target_group(w: World) -> None:
    _admin_vpc_and_group(w)
    elbv2 = w.admin("elbv2")
    w.prereq["lb"] = elbv2.create_load_balancer(
        Name=f"{w.name}-lb", Subnets=[w.prereq["subnet"], w.prereq["subnet_b"]], SecurityGroups=[w.prereq["group"]]
    )["LoadBalancers"][0]["LoadBalancerArn"]
    w.prereq["tg"] = elbv2.create_target_group(Name=f"{w.name}-tg", Port=80, Protocol="HTTP", VpcId=w.prereq["vpc"])["TargetGroups"][0][
        "TargetGroupArn"
    ]


def _elbv2_listener(w: World) -> None:
    elbv2 = w.role("elbv2")
    arn = elbv2.create_listener(
        LoadBalancerArn=w.prereq["lb"],
        Port=80,
        Protocol="HTTP",
        DefaultActions=[{"Type": "forward", "TargetGroupArn": w.prereq["tg"]}],
        Tags=TAG_LIST,
    )["Listeners"][0]["ListenerArn"]
    w.prereq["created"] = arn
    elbv2.describe_listeners(ListenerArns=[arn])  # :485 findListenerByARN until visible
    elbv2.describe_listeners(ListenerArns=[arn])  # read :513
    elbv2.describe_tags(ResourceArns=[arn])  # transparent tagging (@Tags id)


for _token in ("aws:lb/listener:Listener", "aws:alb/listener:Listener"):
    recipe(
        _token,
        "internal/service/elbv2/listener.go:415-507 (create: retryListenerCreate :621 -> CreateListener, findListenerByARN :485), "
        ":509 (read: findListenerByARN -> DescribeListeners)",
        "elasticloadbalancing:CreateListener",
        lambda w: bool(w.admin("elbv2").describe_listeners(LoadBalancerArn=w.prereq["lb"])["Listeners"]),
        _admin_alb_and_target_group,
    )(_elbv2_listener)


def _admin_listener(w: World) -> None:
    _admin_alb_and_target_group(w)
    w.prereq["listener"] = w.admin("elbv2").create_listener(
        LoadBalancerArn=w.prereq["lb"], Port=80, Protocol="HTTP", DefaultActions=[{"Type": "forward", "TargetGroupArn": w.prereq["tg"]}]
    )["Listeners"][0]["ListenerArn"]


def _elbv2_listener_rule(w: World) -> None:
    elbv2 = w.role("elbv2")
    arn = elbv2.create_rule(
        ListenerArn=w.prereq["listener"],
        Priority=10,
        Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}],
        Actions=[{"Type": "forward", "TargetGroupArn": w.prereq["tg"]}],
        Tags=TAG_LIST,
    )["Rules"][0]["RuleArn"]
    elbv2.describe_rules(RuleArns=[arn])  # read :570
    elbv2.describe_tags(ResourceArns=[arn])  # transparent tagging (@Tags id)


for _token in ("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"):
    recipe(
        _token,
        "internal/service/elbv2/listener_rule.go:505-557 (create: retryListenerRuleCreate :758 -> CreateRule), :559 (read: DescribeRules :570)",
        "elasticloadbalancing:CreateRule",
        lambda w: len(w.admin("elbv2").describe_rules(ListenerArn=w.prereq["listener"])["Rules"]) > 1,
        _admin_listener,
    )(_elbv2_listener_rule)


def _admin_https_listener(w: World) -> None:
    _admin_alb_and_target_group(w)
    acm = w.admin("acm")
    default = acm.request_certificate(DomainName=f"{w.name}.example.com")["CertificateArn"]
    w.prereq["certificate"] = acm.request_certificate(DomainName=f"extra.{w.name}.example.com")["CertificateArn"]
    w.prereq["listener"] = w.admin("elbv2").create_listener(
        LoadBalancerArn=w.prereq["lb"],
        Port=443,
        Protocol="HTTPS",
        Certificates=[{"CertificateArn": default}],
        DefaultActions=[{"Type": "forward", "TargetGroupArn": w.prereq["tg"]}],
    )["Listeners"][0]["ListenerArn"]


def _listener_has_certificate(w: World) -> bool:
    certificates = w.admin("elbv2").describe_listener_certificates(ListenerArn=w.prereq["listener"])["Certificates"]
    return any(c["CertificateArn"] == w.prereq["certificate"] for c in certificates)


def _elbv2_listener_certificate(w: World) -> None:
    elbv2 = w.role("elbv2")
    elbv2.add_listener_certificates(ListenerArn=w.prereq["listener"], Certificates=[{"CertificateArn": w.prereq["certificate"]}])
    elbv2.describe_listener_certificates(ListenerArn=w.prereq["listener"])  # read :115 findListenerCertificate


for _token in ("aws:lb/listenerCertificate:ListenerCertificate", "aws:alb/listenerCertificate:ListenerCertificate"):
    recipe(
        _token,
        "internal/service/elbv2/listener_certificate.go:59-101 (create: AddListenerCertificates :76), :103 (read: findListenerCertificate -> "
        "DescribeListenerCertificates)",
        "elasticloadbalancing:AddListenerCertificates",
        _listener_has_certificate,
        _admin_https_listener,
    )(_elbv2_listener_certificate)


def _admin_target_group_and_instance(w: World) -> None:
    _admin_vpc(w)
    w.prereq["tg"] = w.admin("elbv2").create_target_group(Name=f"{w.name}-tg", Port=80, Protocol="HTTP", VpcId=w.prereq["vpc"])[
        "TargetGroups"
    ][0]["TargetGroupArn"]
    w.prereq["instance"] = w.admin("ec2").run_instances(
        ImageId=_image(w), InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=w.prereq["subnet"]
    )["Instances"][0]["InstanceId"]


def _target_registered(w: World) -> bool:
    health = w.admin("elbv2").describe_target_health(TargetGroupArn=w.prereq["tg"])["TargetHealthDescriptions"]
    return any(h["Target"]["Id"] == w.prereq["instance"] for h in health)


def _elbv2_target_group_attachment(w: World) -> None:
    w.role("elbv2").register_targets(TargetGroupArn=w.prereq["tg"], Targets=[{"Id": w.prereq["instance"], "Port": 80}])


for _token in ("aws:lb/targetGroupAttachment:TargetGroupAttachment", "aws:alb/targetGroupAttachment:TargetGroupAttachment"):
    recipe(
        _token,
        "internal/service/elbv2/target_group_attachment.go:57-91 (create: RegisterTargets :78; create does not read)",
        "elasticloadbalancing:RegisterTargets",
        _target_registered,
        _admin_target_group_and_instance,
    )(_elbv2_target_group_attachment)


# --- RDS -----------------------------------------------------------------------------------------


@recipe(
    "aws:rds/subnetGroup:SubnetGroup",
    "internal/service/rds/subnet_group.go:90-110 (create: CreateDBSubnetGroup :102), :112 (read: findDBSubnetGroupByName -> DescribeDBSubnetGroups)",
    "rds:CreateDBSubnetGroup",
    lambda w: found(w.admin("rds").describe_db_subnet_groups, DBSubnetGroupName=w.name),
    _admin_vpc,
)
def _rds_subnet_group(w: World) -> None:
    rds = w.role("rds")
    arn = rds.create_db_subnet_group(
        DBSubnetGroupName=w.name,
        DBSubnetGroupDescription="Managed by Pulumi",
        SubnetIds=[w.prereq["subnet"], w.prereq["subnet_b"]],
        Tags=TAG_LIST,
    )["DBSubnetGroup"]["DBSubnetGroupArn"]
    rds.describe_db_subnet_groups(DBSubnetGroupName=w.name)
    rds.list_tags_for_resource(ResourceName=arn)  # transparent tagging (@Tags arn)


@recipe(
    "aws:rds/parameterGroup:ParameterGroup",
    "internal/service/rds/parameter_group.go:107-130 (create: CreateDBParameterGroup :119, then Update :229, which makes no call without "
    "parameters, and Read), :132-228 (read: FindDBParameterGroupByName :136, DescribeDBParameters :173 Source=user)",
    "rds:CreateDBParameterGroup",
    lambda w: found(w.admin("rds").describe_db_parameter_groups, DBParameterGroupName=w.name),
)
def _rds_parameter_group(w: World) -> None:
    rds = w.role("rds")
    arn = rds.create_db_parameter_group(
        DBParameterGroupName=w.name, DBParameterGroupFamily="postgres16", Description="Managed by Pulumi", Tags=TAG_LIST
    )["DBParameterGroup"]["DBParameterGroupArn"]
    rds.describe_db_parameter_groups(DBParameterGroupName=w.name)
    rds.describe_db_parameters(DBParameterGroupName=w.name, Source="user")
    rds.list_tags_for_resource(ResourceName=arn)  # transparent tagging (@Tags arn)


@recipe(
    "aws:rds/clusterParameterGroup:ClusterParameterGroup",
    "internal/service/rds/cluster_parameter_group.go:106-129 (create: CreateDBClusterParameterGroup :118, then Update :219 and Read), "
    ":131-218 (read: FindDBClusterParameterGroupByName :135, DescribeDBClusterParameters user :161 and system :192)",
    "rds:CreateDBClusterParameterGroup",
    lambda w: found(w.admin("rds").describe_db_cluster_parameter_groups, DBClusterParameterGroupName=w.name),
)
def _rds_cluster_parameter_group(w: World) -> None:
    rds = w.role("rds")
    arn = rds.create_db_cluster_parameter_group(
        DBClusterParameterGroupName=w.name, DBParameterGroupFamily="aurora-postgresql16", Description="Managed by Pulumi", Tags=TAG_LIST
    )["DBClusterParameterGroup"]["DBClusterParameterGroupArn"]
    rds.describe_db_cluster_parameter_groups(DBClusterParameterGroupName=w.name)
    rds.describe_db_cluster_parameters(DBClusterParameterGroupName=w.name, Source="user")
    rds.describe_db_cluster_parameters(DBClusterParameterGroupName=w.name, Source="system")
    rds.list_tags_for_resource(ResourceName=arn)  # transparent tagging (@Tags arn)


@recipe(
    "aws:rds/optionGroup:OptionGroup",
    "internal/service/rds/option_group.go:136-158 (create: CreateOptionGroup :149, then Update :189, which makes no call without options, "
    "and Read), :160 (read: FindOptionGroupByName -> DescribeOptionGroups)",
    "rds:CreateOptionGroup",
    lambda w: found(w.admin("rds").describe_option_groups, OptionGroupName=w.name),
)
def _rds_option_group(w: World) -> None:
    rds = w.role("rds")
    arn = rds.create_option_group(
        OptionGroupName=w.name, EngineName="mysql", MajorEngineVersion="8.0", OptionGroupDescription="Managed by Pulumi", Tags=TAG_LIST
    )["OptionGroup"]["OptionGroupArn"]
    rds.describe_option_groups(OptionGroupName=w.name)
    rds.list_tags_for_resource(ResourceName=arn)  # transparent tagging (@Tags arn)


@recipe(
    "aws:rds/instance:Instance",
    "internal/service/rds/instance.go:698-1780 (create: CreateDBInstance :1714, waitDBInstanceAvailableSDKv1 :1743 -> DescribeDBInstances; "
    "no ModifyDBInstance or reboot for a plain create), :1782-1931 (read: findDBInstanceByIDSDKv1, tags from its TagList)",
    "rds:CreateDBInstance",
    lambda w: found(w.admin("rds").describe_db_instances, DBInstanceIdentifier=w.name),
)
def _rds_instance(w: World) -> None:
    rds = w.role("rds")
    rds.create_db_instance(
        DBInstanceIdentifier=w.name,
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="baseline",
        MasterUserPassword="not-a-real-password",
        Tags=TAG_LIST,
    )
    rds.describe_db_instances(DBInstanceIdentifier=w.name)
    rds.describe_db_instances(DBInstanceIdentifier=w.name)


def _rds_cluster_read(rds: Any, cluster: str) -> None:
    """cluster.go:1154-1284 resourceClusterRead: FindDBClusterByID, and for a provisioned cluster FindGlobalClusterByDBClusterARN."""
    described = rds.describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][0]
    if described.get("EngineMode") in ("global", "provisioned"):
        rds.describe_global_clusters()


@recipe(
    "aws:rds/cluster:Cluster",
    "internal/service/rds/cluster.go:574-1152 (create: CreateDBCluster :1116, waitDBClusterCreated :1126 -> DescribeDBClusters; no "
    "ModifyDBCluster for a plain create), :1154-1284 (read: FindDBClusterByID :1157, FindGlobalClusterByDBClusterARN :1271)",
    "rds:CreateDBCluster",
    lambda w: found(w.admin("rds").describe_db_clusters, DBClusterIdentifier=w.name),
)
def _rds_cluster(w: World) -> None:
    rds = w.role("rds")
    rds.create_db_cluster(
        DBClusterIdentifier=w.name,
        Engine="aurora-postgresql",
        EngineMode="provisioned",
        MasterUsername="baseline",
        MasterUserPassword="not-a-real-password",
        Tags=TAG_LIST,
    )
    rds.describe_db_clusters(DBClusterIdentifier=w.name)
    _rds_cluster_read(rds, w.name)


def _admin_rds_cluster(w: World) -> None:
    w.prereq["cluster"] = f"{w.name}-cluster"
    w.admin("rds").create_db_cluster(
        DBClusterIdentifier=w.prereq["cluster"],
        Engine="aurora-postgresql",
        MasterUsername="baseline",
        MasterUserPassword="not-a-real-password",
    )


@recipe(
    "aws:rds/clusterInstance:ClusterInstance",
    "internal/service/rds/cluster_instance.go:240-355 (create: CreateDBInstance :312, waitDBClusterInstanceCreated :323 -> DescribeDBInstances), "
    ":357 (read: findDBInstanceByIDSDKv1 :361, FindDBClusterByID :377)",
    "rds:CreateDBInstance",
    lambda w: found(w.admin("rds").describe_db_instances, DBInstanceIdentifier=w.name),
    _admin_rds_cluster,
)
def _rds_cluster_instance(w: World) -> None:
    rds = w.role("rds")
    rds.create_db_instance(
        DBInstanceIdentifier=w.name,
        DBClusterIdentifier=w.prereq["cluster"],
        Engine="aurora-postgresql",
        DBInstanceClass="db.t3.medium",
        Tags=TAG_LIST,
    )
    rds.describe_db_instances(DBInstanceIdentifier=w.name)
    rds.describe_db_instances(DBInstanceIdentifier=w.name)
    rds.describe_db_clusters(DBClusterIdentifier=w.prereq["cluster"])


# --- CloudFront ----------------------------------------------------------------------------------


def _distribution_config(w: World) -> dict[str, Any]:
    return {
        "CallerReference": w.name,
        "Comment": "",
        "Enabled": True,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "origin",
                    "DomainName": "example.com",
                    "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "origin",
            "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        },
    }


@recipe(
    "aws:cloudfront/distribution:Distribution",
    "internal/service/cloudfront/distribution.go:845-880 (create: CreateDistributionWithTags :863, WaitDistributionDeployed :874 -> "
    "GetDistribution), :882 (read: FindDistributionByID -> GetDistribution)",
    "cloudfront:CreateDistribution",
    lambda w: found(w.admin("cloudfront").get_distribution, Id=w.prereq["created"]),
)
def _cloudfront_distribution(w: World) -> None:
    cloudfront = w.role("cloudfront")
    distribution = cloudfront.create_distribution_with_tags(
        DistributionConfigWithTags={"DistributionConfig": _distribution_config(w), "Tags": {"Items": TAG_LIST}}
    )["Distribution"]
    w.prereq["created"] = distribution["Id"]
    cloudfront.get_distribution(Id=distribution["Id"])
    cloudfront.get_distribution(Id=distribution["Id"])
    cloudfront.list_tags_for_resource(Resource=distribution["ARN"])  # transparent tagging (@Tags arn)


@recipe(
    "aws:cloudfront/originAccessControl:OriginAccessControl",
    "internal/service/cloudfront/origin_access_control.go:75-102 (create: CreateOriginAccessControl :90), :104 (read: "
    "findOriginAccessControlByID -> GetOriginAccessControl)",
    "cloudfront:CreateOriginAccessControl",
    lambda w: found(w.admin("cloudfront").get_origin_access_control, Id=w.prereq["created"]),
)
def _cloudfront_oac(w: World) -> None:
    cloudfront = w.role("cloudfront")
    control = cloudfront.create_origin_access_control(
        OriginAccessControlConfig={
            "Name": w.name,
            "Description": "",
            "SigningProtocol": "sigv4",
            "SigningBehavior": "always",
            "OriginAccessControlOriginType": "s3",
        }
    )["OriginAccessControl"]["Id"]
    w.prereq["created"] = control
    cloudfront.get_origin_access_control(Id=control)


def _admin_vpc_and_tgw(w: World) -> None:
    _admin_vpc(w)
    _admin_tgw(w)


def _default_table_membership(ec2: Any, gateway: dict[str, Any], attachment: str, associate: bool) -> None:
    """transitgateway_route_table_association.go:164-210 / _propagation.go:149-190: look the attachment up in the transit gateway's
    default route table, and associate it (enable propagation) only when it is not there yet."""
    options = gateway["Options"]
    by_attachment = [{"Name": "transit-gateway-attachment-id", "Values": [attachment]}]
    table = options.get("AssociationDefaultRouteTableId" if associate else "PropagationDefaultRouteTableId")
    if not table:
        return
    if associate:
        if not ec2.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=table, Filters=by_attachment)["Associations"]:
            ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=table, TransitGatewayAttachmentId=attachment)
            ec2.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=table, Filters=by_attachment)
    elif not ec2.get_transit_gateway_route_table_propagations(TransitGatewayRouteTableId=table, Filters=by_attachment)[
        "TransitGatewayRouteTablePropagations"
    ]:
        ec2.enable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=table, TransitGatewayAttachmentId=attachment)
        ec2.get_transit_gateway_route_table_propagations(TransitGatewayRouteTableId=table, Filters=by_attachment)


def _attachment_exists(w: World) -> bool:
    """The attachment exists (moto keeps no tags given in a transit-gateway-attachment TagSpecification)."""
    attachments = w.admin("ec2").describe_transit_gateway_vpc_attachments(TransitGatewayAttachmentIds=[w.prereq["created"]])
    return bool(attachments["TransitGatewayVpcAttachments"])


@recipe(
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
    "internal/service/ec2/transitgateway_vpc_attachment.go:97-156 (create: CreateTransitGatewayVpcAttachment :115, "
    "WaitTransitGatewayVPCAttachmentCreated :123, FindTransitGatewayByID :127, default route table association :141 and propagation :150), "
    ":158-210 (read: FindTransitGatewayVPCAttachmentByID, FindTransitGatewayByID, association :187 and propagation :199 lookups)",
    "ec2:CreateTransitGatewayVpcAttachment",
    _attachment_exists,
    _admin_vpc_and_tgw,
    # Set explicitly to their defaults (true): AWS associates and propagates a new attachment itself, moto only associates,
    # so the provider's reconciliation enables the propagation (transitgateway_route_table_propagation.go:165).
    inputs=("transitGatewayDefaultRouteTableAssociation", "transitGatewayDefaultRouteTablePropagation"),
)
def _tgw_vpc_attachment(w: World) -> None:
    ec2 = w.role("ec2")
    attachment = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=w.prereq["tgw"],
        VpcId=w.prereq["vpc"],
        SubnetIds=[w.prereq["subnet"]],
        TagSpecifications=tag_spec("transit-gateway-attachment"),
    )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    w.prereq["created"] = attachment
    ec2.describe_transit_gateway_vpc_attachments(TransitGatewayAttachmentIds=[attachment])
    gateway = ec2.describe_transit_gateways(TransitGatewayIds=[w.prereq["tgw"]])["TransitGateways"][0]
    _default_table_membership(ec2, gateway, attachment, associate=True)
    _default_table_membership(ec2, gateway, attachment, associate=False)
    ec2.describe_transit_gateway_vpc_attachments(TransitGatewayAttachmentIds=[attachment])  # read
    gateway = ec2.describe_transit_gateways(TransitGatewayIds=[w.prereq["tgw"]])["TransitGateways"][0]
    by_attachment = [{"Name": "transit-gateway-attachment-id", "Values": [attachment]}]
    if table := gateway["Options"].get("AssociationDefaultRouteTableId"):
        ec2.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=table, Filters=by_attachment)
    if table := gateway["Options"].get("PropagationDefaultRouteTableId"):
        ec2.get_transit_gateway_route_table_propagations(TransitGatewayRouteTableId=table, Filters=by_attachment)


def _admin_firewall_and_log_group(w: World) -> None:
    _admin_vpc(w)
    _admin_log_group(w)
    w.prereq["firewall"] = w.admin("network-firewall").create_firewall(
        FirewallName=f"{w.name}-fw",
        FirewallPolicyArn=f"arn:aws:network-firewall:{w.region}:{w.account_id}:firewall-policy/{w.name}",
        VpcId=w.prereq["vpc"],
        SubnetMappings=[{"SubnetId": w.prereq["subnet"]}],
    )["Firewall"]["FirewallArn"]


def _firewall_logs(w: World) -> bool:
    configuration = w.admin("network-firewall").describe_logging_configuration(FirewallArn=w.prereq["firewall"])
    return bool(configuration.get("LoggingConfiguration", {}).get("LogDestinationConfigs"))


@recipe(
    "aws:networkfirewall/loggingConfiguration:LoggingConfiguration",
    "internal/service/networkfirewall/logging_configuration.go:79-97 (create: putLoggingConfiguration :186 -> UpdateLoggingConfiguration :195 "
    "per destination), :99 (read: FindLoggingConfiguration -> DescribeLoggingConfiguration)",
    "network-firewall:UpdateLoggingConfiguration",
    _firewall_logs,
    _admin_firewall_and_log_group,
)
def _network_firewall_logging(w: World) -> None:
    nfw = w.role("network-firewall")
    destination = {"LogType": "FLOW", "LogDestinationType": "CloudWatchLogs", "LogDestination": {"logGroup": w.prereq["group"]}}
    nfw.update_logging_configuration(FirewallArn=w.prereq["firewall"], LoggingConfiguration={"LogDestinationConfigs": [destination]})
    nfw.describe_logging_configuration(FirewallArn=w.prereq["firewall"])


@recipe(
    "aws:cloudfront/function:Function",
    "internal/service/cloudfront/function.go:87-127 (create: CreateFunction :105; PublishFunction :119 only when publish is true, "
    "here false: moto has no PublishFunction), :129-178 (read: DescribeFunction DEVELOPMENT :133, GetFunction :155, DescribeFunction LIVE :166)",
    "cloudfront:CreateFunction",
    lambda w: found(w.admin("cloudfront").describe_function, Name=w.name),
)
def _cloudfront_function(w: World) -> None:
    cloudfront = w.role("cloudfront")
    code = b"function handler(event) { return event.request; }"
    cloudfront.create_function(Name=w.name, FunctionConfig={"Comment": "", "Runtime": "cloudfront-js-2.0"}, FunctionCode=code)
    cloudfront.describe_function(Name=w.name, Stage="DEVELOPMENT")
    cloudfront.get_function(Name=w.name, Stage="DEVELOPMENT")
    tolerate(cloudfront.describe_function, "NoSuchFunctionExists", "NoSuchResource", Name=w.name, Stage="LIVE")  # not published: NotFound
