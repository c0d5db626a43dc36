"""Rows for the tokens the provider snapshot cannot answer, from independent machine-readable sources.

`generate.py` calls this module after it has generated every row it can from the provider snapshot; each
token whose row is still `source: none` gets, in order of precedence:

1. a row from the CURRENT provider code (`current_provider.py`: reviewed rows read from single files of
   hashicorp/terraform-provider-aws with their commits), for a few popular types newer than the snapshot;
2. a row from the AWS CloudFormation resource schemas (resource types): the schema of the CloudFormation type
   the token corresponds to (`aws-cloudformation-schema/*.json` of pulumi/pulumi-aws-native), its
   `handlers.{create,read,update,delete}.permissions` mapped to the lifecycle sets;
3. a row from botocore's service models (functions): the operation(s) a `get…` function's name points at in
   its module's service, plus the service's tag listing when the function outputs `tags`.

Every action is normalised against the IAM catalogue (IAM matches action names case-insensitively; about 280
schema entries differ from the catalogue only in case); what the catalogue does not know is dropped and
counted. Every row says `proved: false` and records where it comes from.

CloudFormation types are monoliths: a schema's lists include the actions of sibling pulumi resources (an
agent's action groups, a portal's settings associations). Two rules keep the rows to the pulumi resource:

* a type matched whole drops the actions of its own service whose noun (the action's name without its verb)
  names a SIBLING pulumi resource of the same module and not the resource itself (`bedrock:CreateAgentActionGroup`
  belongs to `AgentAgentActionGroup`, not to `AgentAgent`);
* a pulumi resource split out of a bigger CloudFormation type (association, attachment, policy,
  configuration) is matched only through CFN_TYPE_EXCEPTIONS with a `keep` pattern: only the actions whose
  names fit it are taken, each filed by its verb (Associate/Put/Create/Update -> create, Disassociate/Delete ->
  delete, the catalogue's Read/List -> read), since the parent's handlers describe the parent's lifecycle.

Extract the schemas from a fetched bare mirror (`git archive` fails on a missing blob; `cat-file --batch`
reads the blobs one by one):

    python tools/permissions/second_source.py extract --mirror /work/.mirror/pulumi+pulumi-aws-native/repo --out /tmp/awsnative

then `python tools/permissions/generate.py --provider-src /tmp/tfaws --cfn-schemas /tmp/awsnative --out ...`.
`python tools/permissions/second_source.py compare --cfn-schemas /tmp/awsnative` measures the CloudFormation
rows against the provider-code rows of the tokens that have both.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(HERE), str(ROOT)]

from current_provider import CURRENT_PROVIDER_ROWS  # noqa: E402

from baseline.aws.catalog import get_access_level, get_actions_for_service  # noqa: E402

CFN_SOURCE = "aws-cloudformation-schema"
CFN_REPOSITORY = "pulumi/pulumi-aws-native"
CFN_COMMIT = "43eed3b017fff3b41e0ceeae37ee943afce53275"  # the snapshot read (fetched 2025; 1,665 schemas)
CFN_DIR = "aws-cloudformation-schema"
BOTOCORE_SOURCE = "botocore-model"
STEPS = ("create", "read", "update", "delete")
SETS = ("create", "read", "update", "tag", "untag", "delete")


class TokenLike(Protocol):
    token: str
    kind: str
    module: str
    name: str
    inputs: frozenset[str]


# --- Reviewed exception tables -------------------------------------------------------------------------------

# Resource tokens whose CloudFormation type the normalised-name match cannot find. Each: token -> (CloudFormation
# type, reason, keep). `keep` is None when the type IS the pulumi resource (matched whole, sibling actions
# dropped); a regex over action names when the pulumi resource is split out of the type: only matching actions.
# Reviewed against each schema's handlers and the pulumi resource's documentation in the installed pulumi_aws.
# fmt: off
CFN_TYPE_EXCEPTIONS: dict[str, tuple[str, str, str | None]] = {
    "aws:amp/anomalyDetector:AnomalyDetector": ("AWS::APS::AnomalyDetector", "pulumi module amp = CloudFormation APS", None),
    "aws:amp/queryLoggingConfiguration:QueryLoggingConfiguration": ("AWS::APS::Workspace", "split out of the workspace", r"^aps:\w+QueryLoggingConfiguration$"),
    "aws:amp/resourcePolicy:ResourcePolicy": ("AWS::APS::ResourcePolicy", "pulumi module amp = CloudFormation APS", None),
    "aws:amp/scraperLoggingConfiguration:ScraperLoggingConfiguration": ("AWS::APS::Scraper", "split out of the scraper", r"^aps:\w+ScraperLoggingConfiguration$"),
    "aws:amp/workspaceConfiguration:WorkspaceConfiguration": ("AWS::APS::Workspace", "split out of the workspace", r"^aps:\w+WorkspaceConfiguration$"),
    "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault": ("AWS::Backup::LogicallyAirGappedBackupVault", "CloudFormation says BackupVault", None),
    "aws:bcmdata/export:Export": ("AWS::BCMDataExports::Export", "pulumi module bcmdata = BCMDataExports", None),
    "aws:bedrock/agentAgent:AgentAgent": ("AWS::Bedrock::Agent", "pulumi prefixes the bedrock-agent service's word (Agent)", None),
    "aws:bedrock/agentAgentActionGroup:AgentAgentActionGroup": ("AWS::Bedrock::Agent", "action groups are split out of the agent", r"^bedrock:\w+AgentActionGroups?$"),
    "aws:bedrock/agentAgentAlias:AgentAgentAlias": ("AWS::Bedrock::AgentAlias", "pulumi prefixes the bedrock-agent service's word", None),
    "aws:bedrock/agentAgentCollaborator:AgentAgentCollaborator": ("AWS::Bedrock::Agent", "collaborators are split out of the agent", r"^bedrock:\w+AgentCollaborators?$"),
    "aws:bedrock/agentAgentKnowledgeBaseAssociation:AgentAgentKnowledgeBaseAssociation": ("AWS::Bedrock::Agent", "knowledge base associations are split out of the agent", r"^bedrock:\w+AgentKnowledgeBases?$"),
    "aws:bedrock/agentDataSource:AgentDataSource": ("AWS::Bedrock::DataSource", "pulumi prefixes the bedrock-agent service's word", None),
    "aws:bedrock/agentFlow:AgentFlow": ("AWS::Bedrock::Flow", "pulumi prefixes the bedrock-agent service's word", None),
    "aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase": ("AWS::Bedrock::KnowledgeBase", "pulumi prefixes the bedrock-agent service's word", None),
    "aws:bedrock/agentPrompt:AgentPrompt": ("AWS::Bedrock::Prompt", "pulumi prefixes the bedrock-agent service's word", None),
    "aws:bedrock/agentcoreAgentRuntime:AgentcoreAgentRuntime": ("AWS::BedrockAgentCore::Runtime", "Terraform says agent_runtime", None),
    "aws:bedrock/agentcoreAgentRuntimeEndpoint:AgentcoreAgentRuntimeEndpoint": ("AWS::BedrockAgentCore::RuntimeEndpoint", "Terraform says agent_runtime_endpoint", None),
    "aws:bedrock/agentcoreBrowser:AgentcoreBrowser": ("AWS::BedrockAgentCore::BrowserCustom", "CloudFormation names the custom browser", None),
    "aws:bedrock/agentcoreCodeInterpreter:AgentcoreCodeInterpreter": ("AWS::BedrockAgentCore::CodeInterpreterCustom", "CloudFormation names the custom code interpreter", None),
    "aws:bedrock/inferenceProfile:InferenceProfile": ("AWS::Bedrock::ApplicationInferenceProfile", "the resource creates application inference profiles (CreateInferenceProfile)", None),
    "aws:billing/view:View": ("AWS::Billing::BillingView", "CloudFormation says BillingView", None),
    "aws:chatbot/teamsChannelConfiguration:TeamsChannelConfiguration": ("AWS::Chatbot::MicrosoftTeamsChannelConfiguration", "CloudFormation says MicrosoftTeams", None),
    "aws:cloudformation/stackInstances:StackInstances": ("AWS::CloudFormation::StackSet", "stack instances are split out of the stack set", r"^cloudformation:\w+StackInstances?$"),
    "aws:cloudfront/multitenantDistribution:MultitenantDistribution": ("AWS::CloudFront::Distribution", "a multi-tenant distribution is a distribution (ConnectionMode tenant-only)", None),
    "aws:cloudwatch/contributorInsightRule:ContributorInsightRule": ("AWS::CloudWatch::InsightRule", "Contributor Insights rules are CloudWatch insight rules", None),
    "aws:cloudwatch/logAccountPolicy:LogAccountPolicy": ("AWS::Logs::AccountPolicy", "pulumi files CloudWatch Logs under cloudwatch with a Log prefix", None),
    "aws:cloudwatch/logAnomalyDetector:LogAnomalyDetector": ("AWS::Logs::LogAnomalyDetector", "pulumi files CloudWatch Logs under cloudwatch", None),
    "aws:cloudwatch/logDelivery:LogDelivery": ("AWS::Logs::Delivery", "pulumi files CloudWatch Logs under cloudwatch with a Log prefix", None),
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": ("AWS::Logs::DeliveryDestination", "pulumi files CloudWatch Logs under cloudwatch with a Log prefix", None),
    "aws:cloudwatch/logDeliveryDestinationPolicy:LogDeliveryDestinationPolicy": ("AWS::Logs::DeliveryDestination", "the policy is split out of the delivery destination", r"^logs:\w+DeliveryDestinationPolicy$"),
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": ("AWS::Logs::DeliverySource", "pulumi files CloudWatch Logs under cloudwatch with a Log prefix", None),
    "aws:cloudwatch/logIndexPolicy:LogIndexPolicy": ("AWS::Logs::LogGroup", "the index policy is split out of the log group", r"^logs:\w+IndexPolic(y|ies)$"),
    "aws:cloudwatch/logTransformer:LogTransformer": ("AWS::Logs::Transformer", "pulumi files CloudWatch Logs under cloudwatch with a Log prefix", None),
    "aws:controltower/baseline:Baseline": ("AWS::ControlTower::EnabledBaseline", "the resource enables a baseline (EnableBaseline)", None),
    "aws:dsql/clusterPolicy:ClusterPolicy": ("AWS::DSQL::Cluster", "the resource policy is split out of the cluster", r"^dsql:\w+ClusterPolicy$"),
    "aws:ebs/snapshotBlockPublicAccess:SnapshotBlockPublicAccess": ("AWS::EC2::SnapshotBlockPublicAccess", "pulumi files it under ebs", None),
    "aws:ec2/encryptionControl:EncryptionControl": ("AWS::EC2::VPCEncryptionControl", "deprecated alias of vpcEncryptionControl", None),
    "aws:ec2/natGatewayEipAssociation:NatGatewayEipAssociation": ("AWS::EC2::NatGateway", "secondary addresses are split out of the NAT gateway", r"^ec2:(Associate|Disassociate)NatGatewayAddress$|^ec2:DescribeNatGateways$"),
    "aws:glue/catalogTableOptimizer:CatalogTableOptimizer": ("AWS::Glue::TableOptimizer", "Terraform says catalog_table_optimizer", None),
    "aws:inspector2/filter:Filter": ("AWS::InspectorV2::Filter", "pulumi module inspector2 = InspectorV2", None),
    "aws:lambda/coreNetworkConnector:CoreNetworkConnector": ("AWS::Lambda::NetworkConnector", "the Lambda (MicroVMs) network connector", None),
    "aws:lambda/functionRecursionConfig:FunctionRecursionConfig": ("AWS::Lambda::Function", "the recursion configuration is split out of the function", r"^lambda:\w+FunctionRecursionConfig$"),
    "aws:lambda/functionScalingConfig:FunctionScalingConfig": ("AWS::Lambda::Function", "the scaling configuration is split out of the function", r"^lambda:\w+FunctionScalingConfig$"),
    "aws:lambda/microvmsImage:MicrovmsImage": ("AWS::Lambda::MicrovmImage", "deprecated alias of lambdamicrovms/image", None),
    "aws:lambda/runtimeManagementConfig:RuntimeManagementConfig": ("AWS::Lambda::Function", "the runtime management configuration is split out of the function", r"^lambda:\w+RuntimeManagementConfig$"),
    "aws:lambdamicrovms/image:Image": ("AWS::Lambda::MicrovmImage", "CloudFormation files MicroVM images under Lambda", None),
    "aws:mailmanager/archive:Archive": ("AWS::SES::MailManagerArchive", "CloudFormation files Mail Manager under SES", None),
    "aws:mailmanager/ingressPoint:IngressPoint": ("AWS::SES::MailManagerIngressPoint", "CloudFormation files Mail Manager under SES", None),
    "aws:mailmanager/relay:Relay": ("AWS::SES::MailManagerRelay", "CloudFormation files Mail Manager under SES", None),
    "aws:mailmanager/ruleSet:RuleSet": ("AWS::SES::MailManagerRuleSet", "CloudFormation files Mail Manager under SES", None),
    "aws:mailmanager/trafficPolicy:TrafficPolicy": ("AWS::SES::MailManagerTrafficPolicy", "CloudFormation files Mail Manager under SES", None),
    "aws:msk/singleScramSecretAssociation:SingleScramSecretAssociation": ("AWS::MSK::BatchScramSecret", "one secret through the batch association API", None),
    "aws:networkmanager/dxGatewayAttachment:DxGatewayAttachment": ("AWS::NetworkManager::DirectConnectGatewayAttachment", "dx abbreviates Direct Connect", None),
    "aws:networkmanager/prefixListAssociation:PrefixListAssociation": ("AWS::NetworkManager::CoreNetworkPrefixListAssociation", "CloudFormation says CoreNetwork", None),
    "aws:observabilityadmin/centralizationRuleForOrganization:CentralizationRuleForOrganization": ("AWS::ObservabilityAdmin::OrganizationCentralizationRule", "word order", None),
    "aws:observabilityadmin/telemetryPipeline:TelemetryPipeline": ("AWS::ObservabilityAdmin::TelemetryPipelines", "CloudFormation says TelemetryPipelines", None),
    "aws:observabilityadmin/telemetryRuleForOrganization:TelemetryRuleForOrganization": ("AWS::ObservabilityAdmin::OrganizationTelemetryRule", "word order", None),
    "aws:odb/network:Network": ("AWS::ODB::OdbNetwork", "CloudFormation says OdbNetwork", None),
    "aws:odb/networkPeeringConnection:NetworkPeeringConnection": ("AWS::ODB::OdbPeeringConnection", "CloudFormation says OdbPeeringConnection", None),
    "aws:opensearch/application:Application": ("AWS::OpenSearchService::Application", "pulumi module opensearch = OpenSearchService", None),
    "aws:paymentcryptography/keyAlias:KeyAlias": ("AWS::PaymentCryptography::Alias", "CloudFormation says Alias", None),
    "aws:pinpoint/smsvoicev2ConfigurationSet:Smsvoicev2ConfigurationSet": ("AWS::SMSVOICE::ConfigurationSet", "pulumi files SMS Voice v2 under pinpoint", None),
    "aws:pinpoint/smsvoicev2EventDestination:Smsvoicev2EventDestination": ("AWS::SMSVOICE::ConfigurationSet", "event destinations are split out of the configuration set", r"^sms-voice:\w+EventDestinations?$|^sms-voice:DescribeConfigurationSets$"),
    "aws:pinpoint/smsvoicev2Keyword:Smsvoicev2Keyword": ("AWS::SMSVOICE::PhoneNumber", "keywords are split out of the phone number", r"^sms-voice:\w+Keywords?$"),
    "aws:pinpoint/smsvoicev2OptOutList:Smsvoicev2OptOutList": ("AWS::SMSVOICE::OptOutList", "pulumi files SMS Voice v2 under pinpoint", None),
    "aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber": ("AWS::SMSVOICE::PhoneNumber", "pulumi files SMS Voice v2 under pinpoint", None),
    "aws:pinpoint/smsvoicev2Pool:Smsvoicev2Pool": ("AWS::SMSVOICE::Pool", "pulumi files SMS Voice v2 under pinpoint", None),
    "aws:pinpoint/smsvoicev2ResourcePolicy:Smsvoicev2ResourcePolicy": ("AWS::SMSVOICE::ResourcePolicy", "pulumi files SMS Voice v2 under pinpoint", None),
    "aws:pinpoint/smsvoicev2SenderId:Smsvoicev2SenderId": ("AWS::SMSVOICE::SenderId", "pulumi files SMS Voice v2 under pinpoint", None),
    "aws:rds/shardGroup:ShardGroup": ("AWS::RDS::DBShardGroup", "CloudFormation says DBShardGroup", None),
    "aws:route53/profilesAssociation:ProfilesAssociation": ("AWS::Route53Profiles::ProfileAssociation", "pulumi files Route 53 Profiles under route53", None),
    "aws:route53/profilesResourceAssociation:ProfilesResourceAssociation": ("AWS::Route53Profiles::ProfileResourceAssociation", "pulumi files Route 53 Profiles under route53", None),
    "aws:s3/bucketAbac:BucketAbac": ("AWS::S3::Bucket", "the ABAC setting is split out of the bucket", r"^s3:\w+BucketAbac$"),
    "aws:s3/bucketMetadataConfiguration:BucketMetadataConfiguration": ("AWS::S3::Bucket", "the metadata configuration is split out of the bucket", r"^s3:\w+BucketMetadata\w*TableConfiguration$"),
    "aws:s3tables/tableBucketReplication:TableBucketReplication": ("AWS::S3Tables::TableBucket", "replication is split out of the table bucket", r"^s3tables:\w+TableBucketReplication$"),
    "aws:securityhub/accountV2:AccountV2": ("AWS::SecurityHub::HubV2", "enabling Security Hub (v2) in an account is CloudFormation's HubV2", None),
    "aws:sesv2/multiRegionEndpoint:MultiRegionEndpoint": ("AWS::SES::MultiRegionEndpoint", "pulumi module sesv2 = CloudFormation SES", None),
    "aws:sesv2/tenant:Tenant": ("AWS::SES::Tenant", "pulumi module sesv2 = CloudFormation SES", None),
    "aws:sesv2/tenantResourceAssociation:TenantResourceAssociation": ("AWS::SES::Tenant", "resource associations are split out of the tenant", r"^ses:\w+TenantResourceAssociation$|^ses:ListTenantResources$"),
    "aws:timestreaminfluxdb/dbCluster:DbCluster": ("AWS::Timestream::InfluxDBCluster", "CloudFormation files InfluxDB under Timestream", None),
    "aws:timestreaminfluxdb/dbInstance:DbInstance": ("AWS::Timestream::InfluxDBInstance", "CloudFormation files InfluxDB under Timestream", None),
    "aws:timestreamquery/scheduledQuery:ScheduledQuery": ("AWS::Timestream::ScheduledQuery", "CloudFormation files Timestream Query under Timestream", None),
    "aws:transfer/webAppCustomization:WebAppCustomization": ("AWS::Transfer::WebApp", "the customization is split out of the web app", r"^transfer:\w+WebAppCustomization$"),
    "aws:uxc/accountCustomizations:AccountCustomizations": ("AWS::UXC::AccountCustomization", "singular in CloudFormation", None),
    "aws:vpc/routeServer:RouteServer": ("AWS::EC2::RouteServer", "pulumi files VPC Route Server under vpc", None),
    "aws:vpc/routeServerEndpoint:RouteServerEndpoint": ("AWS::EC2::RouteServerEndpoint", "pulumi files VPC Route Server under vpc", None),
    "aws:vpc/routeServerPeer:RouteServerPeer": ("AWS::EC2::RouteServerPeer", "pulumi files VPC Route Server under vpc", None),
    "aws:vpc/routeServerPropagation:RouteServerPropagation": ("AWS::EC2::RouteServerPropagation", "pulumi files VPC Route Server under vpc", None),
    "aws:vpc/routeServerVpcAssociation:RouteServerVpcAssociation": ("AWS::EC2::RouteServerAssociation", "CloudFormation says RouteServerAssociation", None),
    "aws:vpc/securityGroupVpcAssociation:SecurityGroupVpcAssociation": ("AWS::EC2::SecurityGroupVpcAssociation", "pulumi files it under vpc", None),
    "aws:workspaces/pool:Pool": ("AWS::WorkSpaces::WorkspacesPool", "CloudFormation says WorkspacesPool", None),
    "aws:workspacesweb/browserSettingsAssociation:BrowserSettingsAssociation": ("AWS::WorkSpacesWeb::Portal", "associations are split out of the portal", r"^workspaces-web:(Associate|Disassociate)BrowserSettings$|^workspaces-web:GetPortal$"),
    "aws:workspacesweb/dataProtectionSettingsAssociation:DataProtectionSettingsAssociation": ("AWS::WorkSpacesWeb::Portal", "associations are split out of the portal", r"^workspaces-web:(Associate|Disassociate)DataProtectionSettings$|^workspaces-web:GetPortal$"),
    "aws:workspacesweb/ipAccessSettingsAssociation:IpAccessSettingsAssociation": ("AWS::WorkSpacesWeb::Portal", "associations are split out of the portal", r"^workspaces-web:(Associate|Disassociate)IpAccessSettings$|^workspaces-web:GetPortal$"),
    "aws:workspacesweb/networkSettingsAssociation:NetworkSettingsAssociation": ("AWS::WorkSpacesWeb::Portal", "associations are split out of the portal", r"^workspaces-web:(Associate|Disassociate)NetworkSettings$|^workspaces-web:GetPortal$"),
    "aws:workspacesweb/sessionLoggerAssociation:SessionLoggerAssociation": ("AWS::WorkSpacesWeb::Portal", "associations are split out of the portal", r"^workspaces-web:(Associate|Disassociate)SessionLogger$|^workspaces-web:GetPortal$"),
    "aws:workspacesweb/trustStoreAssociation:TrustStoreAssociation": ("AWS::WorkSpacesWeb::Portal", "associations are split out of the portal", r"^workspaces-web:(Associate|Disassociate)TrustStore$|^workspaces-web:GetPortal$"),
    "aws:workspacesweb/userAccessLoggingSettingsAssociation:UserAccessLoggingSettingsAssociation": ("AWS::WorkSpacesWeb::Portal", "associations are split out of the portal", r"^workspaces-web:(Associate|Disassociate)UserAccessLoggingSettings$|^workspaces-web:GetPortal$"),
    "aws:workspacesweb/userSettingsAssociation:UserSettingsAssociation": ("AWS::WorkSpacesWeb::Portal", "associations are split out of the portal", r"^workspaces-web:(Associate|Disassociate)UserSettings$|^workspaces-web:GetPortal$"),
    "aws:xray/indexingRule:IndexingRule": ("AWS::XRay::TransactionSearchConfig", "indexing rules are part of the transaction search configuration", r"^xray:\w+IndexingRules?$"),
    "aws:xray/traceSegmentDestination:TraceSegmentDestination": ("AWS::XRay::TransactionSearchConfig", "the destination is part of the transaction search configuration", r"^xray:\w+TraceSegmentDestination$"),
}

# Normalised-name matches that are wrong: token -> reason. Checked before a match is accepted.
CFN_TYPE_REJECTED: dict[str, str] = {
    "aws:networkmonitor/monitor:Monitor": "CloudWatch Network Monitor (networkmonitor) is not Network Flow Monitor",
    "aws:wafv2/webAclRule:WebAclRule": "AWS::WAF::Rule is classic WAF's, not a WAFv2 web ACL rule",
}

# Deprecated aliases whose sibling IS the same resource under its new name: matched whole, no sibling filter.
CFN_ALIASES: dict[str, str] = {
    "aws:ec2/encryptionControl:EncryptionControl": "deprecated in favour of aws:ec2/vpcEncryptionControl:VpcEncryptionControl",
    "aws:lambda/microvmsImage:MicrovmsImage": "deprecated in favour of aws:lambdamicrovms/image:Image",
}

# Services whose API authenticates with a bearer token, not with IAM credentials (botocore's model for the service
# says `signatureVersion: bearer`): no IAM action authorises their calls, so their rows name none on purpose and say
# why (`noIamAction`), for discover to tell the user. Keyed by pulumi module; the value is the botocore service name.
BEARER_TOKEN_MODULES: dict[str, str] = {"codecatalyst": "codecatalyst"}

# Functions that make no AWS call, with the fact that says so.
NO_AWS_CALL_FUNCTIONS: dict[str, str] = {
    "aws:index/arnParse:arnParse": "a pulumi-aws provider function that parses its ARN argument into its parts (no AWS API; pulumi_aws/arn_parse.py)",
}
# fmt: on

# Verbs that remove what a split-out resource made (its delete); writes otherwise file under create and update.
REMOVAL_VERBS = ("Delete", "Disassociate", "Remove", "Detach", "Disable", "Deregister", "Unassign", "Untag")
PASS_ROLE = "iam:PassRole"


# --- the catalogue ---------------------------------------------------------------------------------------------


@functools.cache
def _catalogue_spelling(prefix: str) -> dict[str, str]:
    return {a.lower(): a for a in get_actions_for_service(prefix)}


def normalise_action(action: str) -> str | None:
    """Return the catalogue's spelling of an action (`bedrock:getagent` -> `bedrock:GetAgent`), or None.

    A trailing-`*` pattern names at least the action it extends (`workspaces-web:GetPortal*` -> `GetPortal`); the
    rest of what it reaches is not taken (precision over recall). Other wildcards are dropped."""
    if ":" not in action or "?" in action:
        return None
    if "*" in action:
        if action.count("*") != 1 or not action.endswith("*") or action.endswith(":*"):
            return None
        action = action[:-1]
    prefix = action.split(":", 1)[0].lower()
    return _catalogue_spelling(prefix).get(action.lower())


def tag_kinds(action: str) -> tuple[str, ...]:
    """Return whether a tagging action adds tags, removes them, or (replacing the whole set) both."""
    name = action.split(":", 1)[1]
    if name.startswith(("Untag", "UnTag", "Remove", "Delete")):
        return ("untag",)
    if name.startswith(("Change", "Put", "Replace", "Set")):
        return ("tag", "untag")
    return ("tag",)


def is_tag_write(action: str) -> bool:
    return get_access_level(action) == "Tagging" and not action.split(":", 1)[1].startswith(("List", "Get", "Describe"))


_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z][a-z0-9]*|[a-z0-9]+")


def action_noun(action: str) -> str:
    """Return an action's name without its verb, normalised (`bedrock:ListAgentActionGroups` -> `agentactiongroup`)."""
    words = _CAMEL.findall(action.split(":", 1)[1])
    words = words[2:] if words[:1] == ["Batch"] else words[1:]
    noun = "".join(words).lower()
    return noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


# --- CloudFormation schemas ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CfnType:
    type_name: str  # AWS::Bedrock::Agent
    file: str  # aws-cloudformation-schema/aws-bedrock-agent.json
    handlers: dict[str, tuple[str, ...]]  # step -> permissions as written

    @property
    def service(self) -> str:
        return self.type_name.split("::")[1]

    @property
    def resource(self) -> str:
        return self.type_name.split("::")[2]


def load_cfn_schemas(directory: Path) -> dict[str, CfnType]:
    """Return CloudFormation type name -> its schema's handler permissions, for every `AWS::` schema."""
    types: dict[str, CfnType] = {}
    for path in sorted((directory / CFN_DIR).glob("*.json")):
        document = json.loads(path.read_text())
        name = document.get("typeName", "")
        if not name.startswith("AWS::"):
            continue
        handlers = {step: tuple(h.get("permissions") or ()) for step, h in (document.get("handlers") or {}).items()}
        types[name] = CfnType(name, f"{CFN_DIR}/{path.name}", handlers)
    return types


def match_cfn_types(tokens: Iterable[TokenLike], types: dict[str, CfnType]) -> dict[str, tuple[CfnType, str]]:
    """Return resource token -> (CloudFormation type, how matched): the reviewed exceptions, else the unique type
    whose normalised service + name equals the token's module + name (or whose service is the module's and whose
    name is the token's)."""
    by_full: dict[str, list[CfnType]] = defaultdict(list)
    by_service_name: dict[tuple[str, str], list[CfnType]] = defaultdict(list)
    for t in types.values():
        by_full[_norm(t.service + t.resource)].append(t)
        by_service_name[(_norm(t.service), _norm(t.resource))].append(t)
    found: dict[str, tuple[CfnType, str]] = {}
    for token in tokens:
        if token.token in CFN_TYPE_REJECTED:
            continue
        if token.token in CFN_TYPE_EXCEPTIONS:
            name = CFN_TYPE_EXCEPTIONS[token.token][0]
            if name in types:
                found[token.token] = (types[name], "exception")
            continue
        hits = by_full.get(_norm(token.module + token.name)) or by_service_name.get((_norm(token.module), _norm(token.name))) or []
        if len(hits) == 1:
            found[token.token] = (hits[0], "service+name")
    return found


@dataclass
class CfnStats:
    normalised: Counter[str] = field(default_factory=Counter)  # misspelled (case) actions fixed
    dropped: Counter[str] = field(default_factory=Counter)  # actions the catalogue does not know
    sibling: Counter[str] = field(default_factory=Counter)  # actions left to sibling pulumi resources


def _main_prefix(cfn: CfnType) -> str:
    """Return the IAM prefix of the type's own service: the handlers' prefix spelled as the type's service, else the
    create handler's first Create action's, else the most frequent prefix of its create and delete handlers."""
    written_prefixes = {a.split(":", 1)[0].lower() for step in STEPS for a in cfn.handlers.get(step, ()) if ":" in a}
    for prefix in sorted(written_prefixes):
        if _norm(prefix) == _norm(cfn.service):
            return prefix
    for written in cfn.handlers.get("create", ()):
        if ":" in written and written.split(":", 1)[1].lower().startswith("create"):
            return written.split(":", 1)[0].lower()
    prefixes = Counter(a.split(":", 1)[0].lower() for step in ("create", "delete") for a in cfn.handlers.get(step, ()) if ":" in a)
    return prefixes.most_common(1)[0][0] if prefixes else ""


def cfn_resource_row(
    token: TokenLike,
    cfn: CfnType,
    how: str,
    siblings: Iterable[str],
    pass_role_input: re.Pattern[str],
    stats: CfnStats,
    commit: str = CFN_COMMIT,
) -> dict[str, Any]:
    """Return the row a CloudFormation type's handlers give a pulumi resource (see the module's docstring)."""
    keep = CFN_TYPE_EXCEPTIONS.get(token.token, ("", "", None))[2]
    own, main = _norm(token.name), _main_prefix(cfn)
    sibling_names = [_SPLIT_SUFFIX.sub("", _norm(s)) for s in siblings if _norm(s) != own]
    dropped, normalised, narrowed, sibling_dropped, incomplete = set(), set(), set(), set(), set()
    handlers: dict[str, set[str]] = {}
    for step in STEPS:
        actions = set()
        for written in cfn.handlers.get(step, ()):
            action = normalise_action(written)
            name = action or written
            if keep is not None:
                if not re.search(keep, name, re.IGNORECASE):
                    continue
            elif token.token not in CFN_ALIASES and name.split(":", 1)[0].lower() == main and _belongs_to_sibling(name, own, sibling_names):
                sibling_dropped.add(name)
                continue
            if action is None:
                dropped.add(written)
                if step in ("create", "delete") and "*" not in written and written.split(":", 1)[0].lower() == main:
                    incomplete.add(written)
                continue
            if action != written:
                (narrowed if "*" in written else normalised).add(written)
            actions.add(action)
        handlers[step] = actions
    sets = _split_by_verb(handlers) if keep is not None else {step: set(handlers[step]) for step in STEPS}
    sets["tag"], sets["untag"] = set(), set()
    for step in ("create", "update", "delete"):
        for action in sorted(sets[step]):
            if is_tag_write(action):
                sets[step].discard(action)
                for kind in tag_kinds(action):
                    sets[kind].add(action)
    pass_role: list[str] = []
    note = ""
    if any(PASS_ROLE in sets[step] for step in STEPS):
        pass_role = sorted(i for i in token.inputs if pass_role_input.search(i)) if token.module != "iam" else []
        if pass_role:
            for step in STEPS:
                sets[step].discard(PASS_ROLE)
        else:
            note = "the schema lists iam:PassRole but no input of the pulumi resource names a role: kept in its steps"
    stats.normalised.update(normalised)
    stats.dropped.update(dropped)
    stats.sibling.update(sibling_dropped)
    provenance: dict[str, Any] = {
        "source": CFN_SOURCE,
        "repository": CFN_REPOSITORY,
        "commit": commit,
        "file": cfn.file,
        "cfnType": cfn.type_name,
        "matchedBy": how,
        "handlers": sorted(step for step in STEPS if step in cfn.handlers),
    }
    if keep is not None:
        provenance["splitOut"] = {"keep": keep, "by": "verb"}
    if dropped:
        provenance["droppedActions"] = sorted(dropped)
    if normalised:
        provenance["normalisedActions"] = sorted(normalised)
    if narrowed:
        provenance["narrowedPatterns"] = sorted(narrowed)
    if sibling_dropped:
        provenance["siblingActions"] = sorted(sibling_dropped)
    if note:
        provenance["passRoleNote"] = note
    row: dict[str, Any] = {
        "cfnType": cfn.type_name,
        "file": cfn.file,
        **{step: sorted(sets[step]) for step in SETS},
        "optional": {},
        "passRole": pass_role,
        "replacedOnUpdate": "update" not in cfn.handlers and keep is None,
        "provenance": provenance,
        "proved": False,
    }
    if not cfn.handlers:
        row["reason"] = "the CloudFormation schema lists no handler permissions"
    elif incomplete:
        row["reason"] = f"the IAM catalogue lacks the create/delete actions {sorted(incomplete)}: the row would be incomplete"
    elif not any(sets[step] for step in SETS):
        row["reason"] = "the IAM catalogue knows none of the actions the schema lists for this resource"
    return row


_SPLIT_SUFFIX = re.compile(r"(association|attachment)$")


def _belongs_to_sibling(action: str, own: str, siblings: list[str]) -> bool:
    """Return whether an action's noun names a sibling resource (a sibling's name ends with it, `association` and
    `attachment` aside) rather than this one. Tagging actions are every resource's."""
    noun = action_noun(action)
    if not noun or noun in own or noun.startswith(("tag", "resource")):
        return False
    nouns = (noun, noun + "s")  # action_noun drops a plural s: ListBrowserSettings -> browsersetting
    return any(sibling.endswith(nouns) for sibling in siblings)


def _split_by_verb(handlers: dict[str, set[str]]) -> dict[str, set[str]]:
    """File a split-out resource's actions (taken from every handler of its parent) by verb."""
    sets: dict[str, set[str]] = {step: set() for step in STEPS}
    for action in set().union(*handlers.values()):
        name = action.split(":", 1)[1]
        if get_access_level(action) in ("Read", "List"):
            sets["read"].add(action)
        elif name.startswith(REMOVAL_VERBS):
            sets["delete"].add(action)
            if action in handlers.get("update", set()):
                sets["update"].add(action)
        else:
            sets["create"].add(action)
            if action in handlers.get("update", set()):
                sets["update"].add(action)
    return sets


# --- botocore (functions) ---------------------------------------------------------------------------------------------


class BotocoreLike(Protocol):
    services: list[str]

    def model(self, service: str) -> dict[str, Any]: ...
    def operations(self, service: str) -> frozenset[str]: ...
    def iam_prefix(self, service: str) -> str | None: ...


class MapperLike(Protocol):
    def actions(self, ops: Iterable[tuple[str, str]]) -> list[str]: ...


TAG_OPERATIONS = ("ListTagsForResource", "ListTags", "DescribeTags", "ListTagsForResources", "ListTagsOfResource")


@functools.cache
def pulumi_function_signature(token: str) -> tuple[frozenset[str], frozenset[str]]:
    """Return a pulumi-aws function's input and output (result) names, snake_case, read from the installed package."""
    import pulumi_aws

    package = Path(pulumi_aws.__file__).resolve().parent
    module, name = token.split(":")[1].split("/")
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    candidates = [package / (module if module != "index" else "") / f"{snake}.py", package / f"{module}_" / f"{snake}.py"]
    for path in candidates:
        if path.is_file() and f"'{token}'" in (text := path.read_text()):
            result = re.search(r"class \w+Result:.*?def __init__\(__self__, ([^)]*)\)", text, re.DOTALL)
            call = re.search(rf"\ndef {snake}\(([^)]*?)opts:", text, re.DOTALL)
            outputs = frozenset(re.findall(r"(\w+)=None", result.group(1))) if result else frozenset()
            inputs = frozenset(re.findall(r"(\w+):", call.group(1))) if call else frozenset()
            return inputs, outputs
    return frozenset(), frozenset()


class FunctionMatcher:
    """Find the botocore operations a pulumi-aws function's name points at in its module's service(s)."""

    def __init__(self, botocore: BotocoreLike, module_prefixes: dict[str, set[str]]) -> None:
        self.botocore = botocore
        self.module_prefixes = module_prefixes  # pulumi module -> IAM prefixes its other rows use
        self._keys: dict[str, list[str]] | None = None
        self._by_prefix: dict[str, list[str]] | None = None

    def _index(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        if self._keys is None or self._by_prefix is None:
            keys: dict[str, list[str]] = defaultdict(list)
            by_prefix: dict[str, list[str]] = defaultdict(list)
            for service in self.botocore.services:
                metadata = self.botocore.model(service)["metadata"]
                names = {service, metadata.get("serviceId", ""), metadata.get("endpointPrefix", ""), metadata.get("signingName", "")}
                for name in {_norm(n) for n in names if n}:
                    keys[name].append(service)
                prefix = self.botocore.iam_prefix(service)
                if prefix:
                    by_prefix[prefix].append(service)
            self._keys, self._by_prefix = dict(keys), dict(by_prefix)
        return self._keys, self._by_prefix

    def candidates(self, module: str, words: list[str]) -> list[tuple[str, list[str], str]]:
        """Return (service, the name's words left for the noun, how) candidates, the most specific first."""
        keys, by_prefix = self._index()
        found: list[tuple[str, list[str], str]] = []
        for k in range(min(len(words) - 1, 3), -1, -1):  # module + leading words naming a service (bedrock + Agent)
            key = _norm(module + "".join(words[:k]))
            for service in sorted(keys.get(key, []), key=lambda s: (_norm(s) != key, s)):  # the service so named first
                found.append((service, words[k:], "module-name" if k == 0 else "module+words"))
        for prefix in sorted(self.module_prefixes.get(module, ())):
            for service in sorted(by_prefix.get(prefix, [])):
                if all(service != f[0] for f in found):
                    found.append((service, words, "module-rows"))
        return found

    def match(self, token: str) -> tuple[str, list[str], str] | None:
        """Return (service, operations, how) for a function token, or None when nothing (or more than one service) fits."""
        module, name = token.split(":")[1].split("/")
        base = name[3:] if name.startswith("get") else name
        words = _CAMEL.findall(base[:1].upper() + base[1:])
        if not words:
            return None
        for start in (0, 1):  # the name's noun, else without its first word (getVpcIpams -> DescribeIpams)
            for service, noun_words, how in self.candidates(module, words):
                if start >= len(noun_words):
                    continue
                operation = self._operation(service, "".join(noun_words[start:]))
                if operation:
                    return service, [operation], how + ("+suffix" if start else "")
        return None

    def _operation(self, service: str, noun: str) -> str | None:
        operations = self.botocore.operations(service)
        plural = noun.endswith("s") and not noun.endswith("ss")
        templates = [f"List{noun}", f"Describe{noun}", f"Get{noun}"] if plural else [f"Get{noun}", f"Describe{noun}", f"Describe{noun}s"]
        for candidate in templates:
            if candidate in operations:
                return candidate
        return None

    def tag_operation(self, service: str, operation: str) -> str | None:
        """Return the service's tag-listing operation when the operation's output carries no tags."""
        model = self.botocore.model(service)
        output = model["operations"][operation].get("output", {}).get("shape")
        if output and _shape_has_tags(model["shapes"], output, 3):
            return None
        return next((o for o in TAG_OPERATIONS if o in self.botocore.operations(service)), None)


def _shape_has_tags(shapes: dict[str, Any], name: str, depth: int) -> bool:
    shape = shapes.get(name, {})
    if depth < 0:
        return False
    if shape.get("type") == "structure":
        for member, spec in shape.get("members", {}).items():
            if member.lower() in ("tags", "taglist", "tagset", "resourcetags"):
                return True
            if _shape_has_tags(shapes, spec["shape"], depth - 1):
                return True
    if shape.get("type") == "list":
        return _shape_has_tags(shapes, shape["member"]["shape"], depth - 1)
    return False


def botocore_function_row(token: str, matcher: FunctionMatcher, mapper: MapperLike, botocore_version: str) -> dict[str, Any] | None:
    if token in NO_AWS_CALL_FUNCTIONS:
        return {
            "read": [],
            "noAwsCall": True,
            "reason": NO_AWS_CALL_FUNCTIONS[token],
            "provenance": {"source": "pulumi-aws", "file": "pulumi_aws (installed package)", "matchedBy": "exception"},
            "proved": False,
        }
    matched = matcher.match(token)
    if matched is None:
        return None
    service, operations, how = matched
    _, outputs = pulumi_function_signature(token)
    if outputs & {"tags", "tags_all"}:
        tag_operation = matcher.tag_operation(service, operations[0])
        if tag_operation:
            operations.append(tag_operation)
    if not mapper.actions([(service, operations[0])]):
        return None  # the catalogue does not know the operation the name points at
    actions = mapper.actions((service, o) for o in operations)
    model = matcher.botocore.model(service)
    version = model["metadata"].get("apiVersion", "")
    return {
        "read": actions,
        "provenance": {
            "source": BOTOCORE_SOURCE,
            "botocore": botocore_version,
            "service": service,
            "operations": operations,
            "file": f"botocore/data/{service}/{version}/service-2.json",
            "matchedBy": how,
        },
        "proved": False,
    }


# --- filling the table ---------------------------------------------------------------------------------------------


def is_none(row: dict[str, Any] | None) -> bool:
    return row is None or row.get("provenance", {}).get("source") == "none"


def module_prefixes(table: dict[str, Any]) -> dict[str, set[str]]:
    """Return pulumi module -> the IAM prefixes that are the main service (the most frequent prefix of its create and
    delete actions) of at least two of its provider-code rows: which services the module is."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for token, row in table["resources"].items():
        if row.get("provenance", {}).get("source") != "hashicorp/terraform-provider-aws":
            continue
        prefixes = Counter(a.split(":", 1)[0] for step in ("create", "delete") for a in row.get(step) or ())
        if prefixes:
            counts[token.split(":")[1].split("/")[0]][prefixes.most_common(1)[0][0]] += 1
    return {module: {p for p, n in c.items() if n >= 2} for module, c in counts.items()}


CROSS_CHECK_KEYS = ("create", "read", "update", "delete", "tag", "untag", "optional", "passRole", "reason", "provenance")


def _cross_check(row: dict[str, Any]) -> dict[str, Any]:
    """Return what a second source's row says, to keep beside a reviewed row."""
    return {key: row[key] for key in CROSS_CHECK_KEYS if key in row}


def bearer_token_reason(service: str) -> str:
    """Return why a bearer-token service's row names no IAM action (the fact read from botocore's model)."""
    return (
        f"the {service} API authenticates with a bearer token (an access token of the service), not with IAM credentials "
        f"(botocore's {service} model: signatureVersion bearer): no IAM action authorises these calls"
    )


def fill(
    table: dict[str, Any],
    tokens: list[TokenLike],
    cfn_dir: Path | None,
    botocore: BotocoreLike,
    mapper: MapperLike,
    pass_role_input: re.Pattern[str],
    log: Any = sys.stderr,
) -> dict[str, Any]:
    """Replace the table's `source: none` rows, and the snapshot's rows of types changed since, with the reviewed rows
    read from the current provider code where there is one; else fill `source: none` rows from the second sources (CloudFormation schemas, botocore models). Where both
    answer, the second source's row is kept beside the reviewed one as its `crossCheck` (never read by discover),
    so the two independent readings can be compared. Return what to record."""
    resources, functions = table["resources"], table["functions"]
    counts: Counter[str] = Counter()
    second: dict[str, dict[str, Any]] = {}
    stats = CfnStats()
    if cfn_dir is not None:
        types = load_cfn_schemas(cfn_dir)
        pending = [t for t in tokens if t.kind == "resource" and is_none(resources.get(t.token))]
        siblings: dict[str, list[str]] = defaultdict(list)
        for t in tokens:
            if t.kind == "resource":
                siblings[t.module].append(t.name)
        for token in pending:
            matched = match_cfn_types([token], types).get(token.token)
            if matched is None:
                continue
            cfn, how = matched
            second[token.token] = cfn_resource_row(token, cfn, how, siblings[token.module], pass_role_input, stats)
    import botocore as botocore_package

    version = str(getattr(botocore_package, "__version__", ""))
    matcher = FunctionMatcher(botocore, module_prefixes(table))
    for token in [t for t in tokens if t.kind == "function" and is_none(functions.get(t.token))]:
        row = botocore_function_row(token.token, matcher, mapper, version)
        if row is not None:
            second[token.token] = row
    for token, row in sorted(second.items()):
        target = resources if token.split(":")[2][:1].isupper() else functions
        if token in CURRENT_PROVIDER_ROWS:
            counts["crossChecked"] += 1
            continue
        target[token] = row
        counts["cloudformation" if target is resources else "botocore"] += 1
    for token, row in sorted(CURRENT_PROVIDER_ROWS.items()):
        target = resources if token.split(":")[2][:1].isupper() else functions
        if token not in target:
            continue
        # A reviewed reading of the current code: it fills a row the snapshot could not answer, and it supersedes
        # the snapshot's own reading of a type that has changed since (its tags, say), keeping that as `snapshot`.
        superseded = None if is_none(target[token]) else target[token]
        target[token] = {**json.loads(json.dumps(row)), "proved": False}
        if token in second:
            target[token]["crossCheck"] = _cross_check(second[token])
        if superseded is not None:
            target[token]["snapshot"] = _cross_check(superseded)
            counts["supersededSnapshot"] += 1
        counts["currentProvider"] += 1
    for target in (resources, functions):
        for token, row in target.items():
            service = BEARER_TOKEN_MODULES.get(token.split(":")[1].split("/")[0])
            if service is not None and not any(row.get(s) for s in ("create", "read", "update", "delete")):
                row["noIamAction"] = bearer_token_reason(service)
                counts["noIamAction"] += 1
    print(
        f"second sources: {dict(counts)}; CloudFormation actions normalised {sum(stats.normalised.values())}, "
        f"dropped {sum(stats.dropped.values())} ({len(stats.dropped)} distinct), left to siblings {sum(stats.sibling.values())}",
        file=log,
    )
    return {
        "cloudformation": {
            "source": CFN_SOURCE,
            "repository": CFN_REPOSITORY,
            "commit": CFN_COMMIT,
            "typeExceptions": {t: {"cfnType": c, "reason": r, "keep": k} for t, (c, r, k) in sorted(CFN_TYPE_EXCEPTIONS.items())},
            "rejectedMatches": dict(sorted(CFN_TYPE_REJECTED.items())),
            "aliases": dict(sorted(CFN_ALIASES.items())),
            "normalisedActions": sorted(stats.normalised),
            "droppedActions": sorted(stats.dropped),
        },
        "botocore": {"source": BOTOCORE_SOURCE, "noAwsCallFunctions": dict(sorted(NO_AWS_CALL_FUNCTIONS.items()))},
        "currentProvider": sorted(CURRENT_PROVIDER_ROWS),
        "rows": dict(sorted(counts.items())),
    }


# --- command line: extract the schemas; compare CloudFormation rows with provider-code rows --------------------------


def extract(mirror: Path, out: Path) -> int:
    """Write the mirror's `aws-cloudformation-schema/*.json` (HEAD) under `out`, blob by blob; return how many."""
    listing = subprocess.run(
        ["git", "-C", str(mirror), "ls-tree", "HEAD", f"{CFN_DIR}/"], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    entries = [(line.split()[2], line.split("\t", 1)[1]) for line in listing if line.endswith(".json")]
    batch = subprocess.run(
        ["git", "-C", str(mirror), "cat-file", "--batch"],
        input="".join(f"{sha}\n" for sha, _ in entries).encode(),
        check=True,
        capture_output=True,
    ).stdout
    (out / CFN_DIR).mkdir(parents=True, exist_ok=True)
    position, written = 0, 0
    for _, path in entries:
        end = batch.index(b"\n", position)
        header = batch[position:end].split()
        if header[1] == b"missing":
            position = end + 1
            continue
        size = int(header[2])
        (out / path).write_bytes(batch[end + 1 : end + 1 + size])
        position, written = end + 1 + size + 1, written + 1
    return written


# Popular resource types with both a provider-code row and a CloudFormation counterpart: the spot check's sample.
SPOT_CHECK = (
    "aws:sqs/queue:Queue",
    "aws:sns/topic:Topic",
    "aws:s3/bucket:Bucket",
    "aws:lambda/function:Function",
    "aws:lambda/alias:Alias",
    "aws:dynamodb/table:Table",
    "aws:ecs/cluster:Cluster",
    "aws:ecs/service:Service",
    "aws:ecr/repository:Repository",
    "aws:eks/cluster:Cluster",
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:kms/key:Key",
    "aws:iam/role:Role",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:ec2/vpc:Vpc",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:secretsmanager/secret:Secret",
    "aws:sfn/stateMachine:StateMachine",
    "aws:kinesis/stream:Stream",
    "aws:apigatewayv2/api:Api",
)
# Matches the normalised names cannot make for the sample (the same reviewed kind as CFN_TYPE_EXCEPTIONS).
SPOT_CHECK_TYPES = {
    "aws:rds/instance:Instance": "AWS::RDS::DBInstance",
    "aws:rds/cluster:Cluster": "AWS::RDS::DBCluster",
    "aws:cloudwatch/logGroup:LogGroup": "AWS::Logs::LogGroup",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "AWS::CloudWatch::Alarm",
    "aws:ec2/vpc:Vpc": "AWS::EC2::VPC",
    "aws:apigatewayv2/api:Api": "AWS::ApiGatewayV2::Api",
    "aws:sfn/stateMachine:StateMachine": "AWS::StepFunctions::StateMachine",
    "aws:lambda/alias:Alias": "AWS::Lambda::Alias",
}


def _all_actions(sets: dict[str, Iterable[str]]) -> set[str]:
    return {a for step in SETS for a in sets.get(step) or ()} - {PASS_ROLE}


def compare(cfn_dir: Path, tokens_only: Iterable[str] = SPOT_CHECK) -> str:
    """Return, per token of the sample, the provider-code row's actions against the CloudFormation row's: recall (how
    many of the provider's the schema names) and excess (how many of the schema's the provider does not call)."""
    import generate

    from baseline.aws.permissions import get_resource_permissions

    types = load_cfn_schemas(cfn_dir)
    tokens = {t.token: t for t in generate.pulumi_tokens()}
    siblings: dict[str, list[str]] = defaultdict(list)
    for t in tokens.values():
        if t.kind == "resource":
            siblings[t.module].append(t.name)
    lines = [
        f"{'token':<44} {'cfn type':<28} {'provider':>8} {'cfn':>5} {'both':>5} {'recall':>7} {'excess':>7} {'create':>7} {'delete':>7}"
    ]
    sums = Counter[str]()
    for name in tokens_only:
        token = tokens[name]
        cfn = types.get(SPOT_CHECK_TYPES.get(name, "")) or (match_cfn_types([token], types).get(name, (None, ""))[0])
        provider = get_resource_permissions(name)
        if cfn is None or provider is None:
            lines.append(f"{name:<44} (no counterpart)")
            continue
        row = cfn_resource_row(token, cfn, "spot-check", siblings[token.module], re.compile(r"$^"), CfnStats())
        p = _all_actions({s: getattr(provider, s) for s in SETS}) | {a for v in provider.optional.values() for a in v}
        c = _all_actions(row)
        both = p & c
        step_recall = []
        for step in ("create", "delete"):
            ps = set(getattr(provider, step)) - {PASS_ROLE}
            step_recall.append(f"{len(ps & set(row[step])) / len(ps):.0%}" if ps else "-")
        recall, excess = len(both) / len(p) if p else 1.0, len(c - p) / len(c) if c else 0.0
        sums.update(provider=len(p), cfn=len(c), both=len(both))
        lines.append(
            f"{name:<44} {cfn.type_name:<28} {len(p):>8} {len(c):>5} {len(both):>5} {recall:>7.0%} {excess:>7.0%} {step_recall[0]:>7} {step_recall[1]:>7}"
        )
    if sums["provider"] and sums["cfn"]:
        lines.append(
            f"{'total':<44} {'':<28} {sums['provider']:>8} {sums['cfn']:>5} {sums['both']:>5} "
            f"{sums['both'] / sums['provider']:>7.0%} {(sums['cfn'] - sums['both']) / sums['cfn']:>7.0%}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    ex = commands.add_parser("extract", help="write the CloudFormation schemas of a fetched pulumi-aws-native mirror")
    ex.add_argument("--mirror", type=Path, required=True)
    ex.add_argument("--out", type=Path, required=True)
    cp = commands.add_parser("compare", help="compare CloudFormation rows with provider-code rows (spot check)")
    cp.add_argument("--cfn-schemas", type=Path, required=True)
    cp.add_argument("tokens", nargs="*", help="tokens to compare (default: the popular sample)")
    args = parser.parse_args(argv)
    if args.command == "extract":
        print(f"extracted {extract(args.mirror, args.out)} schemas")
    else:
        print(compare(args.cfn_schemas, args.tokens or SPOT_CHECK))
    return 0


if __name__ == "__main__":
    sys.exit(main())
