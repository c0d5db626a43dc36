"""Generate a permission row for every pulumi-aws resource type and function from the AWS provider's code.

    python tools/permissions/generate.py --provider-src /tmp/tfaws --cfn-schemas /tmp/awsnative \
        --out baseline/aws/permissions/generated.json

`--provider-src` is a work tree of hashicorp/terraform-provider-aws (at least `internal/` and `names/`),
never copied into this repository. For each resource token and function token of the installed
pulumi-aws the generator:

1. finds its Terraform type name: normalised name matching against the TypeNames the provider registers
   in each service's `service_package_gen.go` (framework types: in their `Metadata` method), plus the
   reviewed TYPE_NAME_EXCEPTIONS below;
2. finds its lifecycle functions (SDKv2 schema literal: `CreateWithoutTimeout: resourceQueueCreate`...;
   framework: the type's `Create`/`Read`/`Update`/`Delete` methods; data sources: the read);
3. collects the AWS SDK calls each makes, following calls to functions of the same package (and of other
   service packages) transitively, with a depth limit and a memo: `conn.CreateQueue(ctx, ...)`,
   `conn.CreateQueueWithContext(ctx, ...)`, `conn.ListXPages...`, `NewListXPaginator(conn, ...)`, waiters
   (`NewXWaiter`, `WaitUntilX`, resolved through botocore's waiter definitions); a client is a variable bound
   to `meta.(*conns.AWSClient).<Service>Client(ctx)` / `...Conn(ctx)` or a parameter of an SDK client type;
   every operation is checked against botocore's model of that service;
4. maps operations to IAM actions: the service's IAM prefix is the catalogue prefix (among botocore's
   signingName, endpointPrefix and service name) that names the most of its operations; the action is the
   operation's name unless OPERATION_EXCEPTIONS says otherwise; anything the catalogue lacks is dropped
   and counted;
5. tagging: types registered with transparent tagging (`Tags: &types.ServicePackageResourceTags{...}`) read
   with the package's `ListTags` and tag with its `UpdateTags` (the interceptor calls them outside the CRUD
   bodies); catalogue `Tagging` actions found in create/update/delete move to tag/untag;
6. create calls made only inside `if ... d.GetOk("attr")` become `optional[attrCamel]`; the read that create
   and update end with is the read set, not theirs.

7. the tokens still without a counterpart (`source: none`) get rows from the second sources (`second_source.py`):
   reviewed rows read from the current provider code (`current_provider.py`), then the AWS CloudFormation
   resource schemas of pulumi/pulumi-aws-native (`--cfn-schemas`: a tree with `aws-cloudformation-schema/`,
   written by `second_source.py extract`), then botocore's models for functions. Provider code takes precedence
   over CloudFormation, CloudFormation over botocore; hand rows (`permissions/*.yaml`) over all of them.

Every row records its provenance and `proved: false`. Output is deterministic (sorted keys and sets).
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(HERE), str(ROOT)]

import second_source  # noqa: E402
from gosource import GoFunc, GoPackage, enclosing_conditions, load_package, mask, match_bracket  # noqa: E402

from baseline.aws.catalog import get_access_level, get_actions_for_service  # noqa: E402

SOURCE = "hashicorp/terraform-provider-aws"
COMMIT = "1a5174b137"  # the snapshot read (2024-04-17, v5.46 development)
MAX_DEPTH = 8

# --- Reviewed exception tables -----------------------------------------------------------------------

# Pulumi tokens whose Terraform type name the normalised-name heuristic cannot find (or finds wrongly).
# Each: token -> (terraform type name, reason). Reviewed against pulumi-aws's provider mapping conventions.
# fmt: off
TYPE_NAME_EXCEPTIONS: dict[str, tuple[str, str]] = {
    "aws:account/alternativeContact:AlternativeContact": ("aws_account_alternate_contact", "alternate vs alternative"),
    "aws:alb/getLoadBalancer:getLoadBalancer": ("aws_alb", "aws_alb is aws_lb's alias"),
    "aws:alb/loadBalancer:LoadBalancer": ("aws_alb", "aws_alb is aws_lb's alias"),
    "aws:apigateway/getKey:getKey": ("aws_api_gateway_api_key", "data source of an API key"),
    "aws:apigateway/response:Response": ("aws_api_gateway_gateway_response", "the Terraform name repeats gateway"),
    "aws:appconfig/eventIntegration:EventIntegration": ("aws_appintegrations_event_integration", "filed under appconfig by pulumi-aws"),
    "aws:autoscaling/getAmiIds:getAmiIds": ("aws_autoscaling_groups", "pulumi-aws's historical name for the groups data source"),
    "aws:autoscaling/tag:Tag": ("aws_autoscaling_group_tag", "the Terraform name says group_tag"),
    "aws:cfg/aggregateAuthorization:AggregateAuthorization": ("aws_config_aggregate_authorization", "pulumi module cfg = Terraform prefix config"),
    "aws:cfg/configurationAggregator:ConfigurationAggregator": ("aws_config_configuration_aggregator", "cfg = config"),
    "aws:cfg/conformancePack:ConformancePack": ("aws_config_conformance_pack", "cfg = config"),
    "aws:cfg/deliveryChannel:DeliveryChannel": ("aws_config_delivery_channel", "cfg = config"),
    "aws:cfg/organizationConformancePack:OrganizationConformancePack": ("aws_config_organization_conformance_pack", "cfg = config"),
    "aws:cfg/organizationCustomPolicyRule:OrganizationCustomPolicyRule": ("aws_config_organization_custom_policy_rule", "cfg = config"),
    "aws:cfg/organizationCustomRule:OrganizationCustomRule": ("aws_config_organization_custom_rule", "cfg = config"),
    "aws:cfg/organizationManagedRule:OrganizationManagedRule": ("aws_config_organization_managed_rule", "cfg = config"),
    "aws:cfg/recorder:Recorder": ("aws_config_configuration_recorder", "cfg = config; recorder = configuration_recorder"),
    "aws:cfg/recorderStatus:RecorderStatus": ("aws_config_configuration_recorder_status", "cfg = config; recorder = configuration_recorder"),
    "aws:cfg/remediationConfiguration:RemediationConfiguration": ("aws_config_remediation_configuration", "cfg = config"),
    "aws:cfg/retentionConfiguration:RetentionConfiguration": ("aws_config_retention_configuration", "cfg = config"),
    "aws:cfg/rule:Rule": ("aws_config_config_rule", "cfg = config; rule = config_rule"),
    "aws:cloudtrail/trail:Trail": ("aws_cloudtrail", "the Terraform name is the service's"),
    "aws:cloudwatch/internetMonitor:InternetMonitor": ("aws_internetmonitor_monitor", "filed under cloudwatch by pulumi-aws"),
    "aws:codeartifact/domainPermissions:DomainPermissions": ("aws_codeartifact_domain_permissions_policy", "the Terraform name ends in _policy"),
    "aws:codedeploy/application:Application": ("aws_codedeploy_app", "app vs application"),
    "aws:codepipeline/pipeline:Pipeline": ("aws_codepipeline", "the Terraform name is the service's"),
    "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment": ("aws_cognito_identity_pool_roles_attachment", "roles vs role"),
    "aws:datasync/efsLocation:EfsLocation": ("aws_datasync_location_efs", "word order"),
    "aws:datasync/fsxOpenZfsFileSystem:FsxOpenZfsFileSystem": ("aws_datasync_location_fsx_openzfs_file_system", "Terraform adds location_"),
    "aws:datasync/locationFsxLustre:LocationFsxLustre": ("aws_datasync_location_fsx_lustre_file_system", "Terraform adds _file_system"),
    "aws:datasync/locationFsxWindows:LocationFsxWindows": ("aws_datasync_location_fsx_windows_file_system", "Terraform adds _file_system"),
    "aws:datasync/nfsLocation:NfsLocation": ("aws_datasync_location_nfs", "word order"),
    "aws:datasync/s3Location:S3Location": ("aws_datasync_location_s3", "word order"),
    "aws:directconnect/hostedTransitVirtualInterfaceAcceptor:HostedTransitVirtualInterfaceAcceptor": ("aws_dx_hosted_transit_virtual_interface_accepter", "acceptor vs accepter"),
    "aws:directconnect/linkAggregationGroup:LinkAggregationGroup": ("aws_dx_lag", "lag abbreviates link aggregation group"),
    "aws:directoryservice/serviceRegion:ServiceRegion": ("aws_directory_service_region", "Terraform drops service_ from the name"),
    "aws:ec2/dedicatedHost:DedicatedHost": ("aws_ec2_host", "dedicated host = host"),
    "aws:ec2/getDedicatedHost:getDedicatedHost": ("aws_ec2_host", "dedicated host = host"),
    "aws:ec2/getElasticIp:getElasticIp": ("aws_eip", "elastic IP = eip"),
    "aws:ec2/getIpamPreviewNextCidr:getIpamPreviewNextCidr": ("aws_vpc_ipam_preview_next_cidr", "filed under ec2, named vpc_ by Terraform"),
    "aws:ec2/getLaunchConfiguration:getLaunchConfiguration": ("aws_launch_configuration", "filed under ec2; registered in autoscaling"),
    "aws:ec2/launchConfiguration:LaunchConfiguration": ("aws_launch_configuration", "filed under ec2; the provider registers it in autoscaling"),
    "aws:ec2/networkInterfaceSecurityGroupAttachment:NetworkInterfaceSecurityGroupAttachment": ("aws_network_interface_sg_attachment", "sg abbreviates security group"),
    "aws:ec2/peeringConnectionOptions:PeeringConnectionOptions": ("aws_vpc_peering_connection_options", "Terraform prefixes vpc_"),
    "aws:ec2/proxyProtocolPolicy:ProxyProtocolPolicy": ("aws_proxy_protocol_policy", "filed under ec2; registered in elb"),
    "aws:ec2/securityGroupAssociation:SecurityGroupAssociation": ("aws_vpc_endpoint_security_group_association", "Terraform names the endpoint"),
    "aws:ec2/vpcEndpointServiceAllowedPrinciple:VpcEndpointServiceAllowedPrinciple": ("aws_vpc_endpoint_service_allowed_principal", "principle vs principal"),
    "aws:ec2transitgateway/getDirectConnectGatewayAttachment:getDirectConnectGatewayAttachment": ("aws_ec2_transit_gateway_dx_gateway_attachment", "dx abbreviates Direct Connect"),
    "aws:ec2transitgateway/getTransitGateway:getTransitGateway": ("aws_ec2_transit_gateway", "Terraform prefixes ec2_"),
    "aws:ec2transitgateway/instanceConnectEndpoint:InstanceConnectEndpoint": ("aws_ec2_instance_connect_endpoint", "filed under ec2transitgateway by pulumi-aws"),
    "aws:ec2transitgateway/instanceState:InstanceState": ("aws_ec2_instance_state", "filed under ec2transitgateway by pulumi-aws"),
    "aws:ec2transitgateway/transitGateway:TransitGateway": ("aws_ec2_transit_gateway", "Terraform prefixes ec2_"),
    "aws:elb/getLoadBalancer:getLoadBalancer": ("aws_elb", "the classic load balancer is aws_elb"),
    "aws:elb/loadBalancer:LoadBalancer": ("aws_elb", "the classic load balancer is aws_elb"),
    "aws:elb/loadBalancerCookieStickinessPolicy:LoadBalancerCookieStickinessPolicy": ("aws_lb_cookie_stickiness_policy", "classic ELB policy named lb_"),
    "aws:elb/sslNegotiationPolicy:SslNegotiationPolicy": ("aws_lb_ssl_negotiation_policy", "classic ELB policy named lb_"),
    "aws:iam/sshKey:SshKey": ("aws_iam_user_ssh_key", "Terraform says user_ssh_key"),
    "aws:lb/getLoadBalancer:getLoadBalancer": ("aws_lb", "the load balancer is aws_lb"),
    "aws:lb/loadBalancer:LoadBalancer": ("aws_lb", "the load balancer is aws_lb"),
    "aws:licensemanager/getLicenseGrants:getLicenseGrants": ("aws_licensemanager_grants", "Terraform drops license_"),
    "aws:licensemanager/licenseGrant:LicenseGrant": ("aws_licensemanager_grant", "Terraform drops license_"),
    "aws:licensemanager/licenseGrantAccepter:LicenseGrantAccepter": ("aws_licensemanager_grant_accepter", "Terraform drops license_"),
    "aws:location/routeCalculation:RouteCalculation": ("aws_location_route_calculator", "calculation vs calculator"),
    "aws:macie/customDataIdentifier:CustomDataIdentifier": ("aws_macie2_custom_data_identifier", "pulumi module macie = macie2"),
    "aws:macie/findingsFilter:FindingsFilter": ("aws_macie2_findings_filter", "pulumi module macie = macie2"),
    "aws:mq/getInstanceTypeOfferings:getInstanceTypeOfferings": ("aws_mq_broker_instance_type_offerings", "Terraform says broker_"),
    "aws:opensearchingest/pipeline:Pipeline": ("aws_osis_pipeline", "OpenSearch Ingestion is osis"),
    "aws:rds/roleAssociation:RoleAssociation": ("aws_db_instance_role_association", "Terraform says db_instance_role_association"),
    "aws:resourceexplorer/index:Index": ("aws_resourceexplorer2_index", "pulumi module resourceexplorer = resourceexplorer2"),
    "aws:resourceexplorer/search:Search": ("aws_resourceexplorer2_search", "pulumi module resourceexplorer = resourceexplorer2"),
    "aws:resourceexplorer/view:View": ("aws_resourceexplorer2_view", "pulumi module resourceexplorer = resourceexplorer2"),
    "aws:route53/getQueryLogConfig:getQueryLogConfig": ("aws_route53_resolver_query_log_config", "Terraform says resolver_"),
    "aws:route53recoverycontrol/cluster:Cluster": ("aws_route53recoverycontrolconfig_cluster", "pulumi module = route53recoverycontrolconfig"),
    "aws:route53recoverycontrol/controlPanel:ControlPanel": ("aws_route53recoverycontrolconfig_control_panel", "pulumi module = route53recoverycontrolconfig"),
    "aws:route53recoverycontrol/routingControl:RoutingControl": ("aws_route53recoverycontrolconfig_routing_control", "pulumi module = route53recoverycontrolconfig"),
    "aws:route53recoverycontrol/safetyRule:SafetyRule": ("aws_route53recoverycontrolconfig_safety_rule", "pulumi module = route53recoverycontrolconfig"),
    "aws:s3/bucketAccelerateConfigurationV2:BucketAccelerateConfigurationV2": ("aws_s3_bucket_accelerate_configuration", "pulumi-aws v6 name kept as an alias"),
    "aws:s3/bucketAclV2:BucketAclV2": ("aws_s3_bucket_acl", "pulumi-aws v6 name kept as an alias"),
    "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2": ("aws_s3_bucket_cors_configuration", "pulumi-aws v6 name kept as an alias"),
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": ("aws_s3_bucket_lifecycle_configuration", "pulumi-aws v6 name kept as an alias"),
    "aws:s3/bucketLoggingV2:BucketLoggingV2": ("aws_s3_bucket_logging", "pulumi-aws v6 name kept as an alias"),
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2": ("aws_s3_bucket_object_lock_configuration", "pulumi-aws v6 name kept as an alias"),
    "aws:s3/bucketObjectv2:BucketObjectv2": ("aws_s3_object", "pulumi-aws's name for aws_s3_object"),
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": ("aws_s3_bucket_replication_configuration", "config vs configuration"),
    "aws:s3/bucketRequestPaymentConfigurationV2:BucketRequestPaymentConfigurationV2": ("aws_s3_bucket_request_payment_configuration", "pulumi-aws v6 name kept as an alias"),
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": ("aws_s3_bucket_server_side_encryption_configuration", "pulumi-aws v6 name kept as an alias"),
    "aws:s3/bucketV2:BucketV2": ("aws_s3_bucket", "pulumi-aws v6 name kept as an alias"),
    "aws:s3/bucketVersioningV2:BucketVersioningV2": ("aws_s3_bucket_versioning", "pulumi-aws v6 name kept as an alias"),
    "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2": ("aws_s3_bucket_website_configuration", "pulumi-aws v6 name kept as an alias"),
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": ("aws_serverlessapplicationrepository_cloudformation_stack", "module = serverlessapplicationrepository"),
    "aws:serverlessrepository/getApplication:getApplication": ("aws_serverlessapplicationrepository_application", "module = serverlessapplicationrepository"),
    "aws:ses/mailFrom:MailFrom": ("aws_ses_domain_mail_from", "Terraform says domain_mail_from"),
    "aws:sns/dataProtectionPolicy:DataProtectionPolicy": ("aws_sns_topic_data_protection_policy", "Terraform says topic_"),
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": ("aws_sqs_queue_redrive_allow_policy", "Terraform says queue_"),
    "aws:sqs/redrivePolicy:RedrivePolicy": ("aws_sqs_queue_redrive_policy", "Terraform says queue_"),
    "aws:storagegateway/cachesIscsiVolume:CachesIscsiVolume": ("aws_storagegateway_cached_iscsi_volume", "caches vs cached"),
    "aws:wafregional/getRateBasedMod:getRateBasedMod": ("aws_wafregional_rate_based_rule", "pulumi-aws's name for the rate-based rule data source"),
}
# fmt: on

# Operations whose IAM action is not the operation's name. Key: (botocore service, operation);
# value: (IAM actions, one-line reason). Resolved from the Service Authorization Reference (the catalogue:
# an action's description names the API it grants) and AWS's S3/API Gateway IAM documentation.
# fmt: off
OPERATION_EXCEPTIONS: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("budgets", "CreateBudget"): (("budgets:ModifyBudget",), "AWS Budgets authorises every budget write with budgets:ModifyBudget"),
    ("budgets", "CreateNotification"): (("budgets:ModifyBudget",), "AWS Budgets: notifications are budget writes (budgets:ModifyBudget)"),
    ("budgets", "DeleteBudget"): (("budgets:ModifyBudget",), "AWS Budgets authorises every budget write with budgets:ModifyBudget"),
    ("budgets", "DeleteNotification"): (("budgets:ModifyBudget",), "AWS Budgets: notifications are budget writes (budgets:ModifyBudget)"),
    ("budgets", "DescribeBudget"): (("budgets:ViewBudget",), "AWS Budgets authorises every budget read with budgets:ViewBudget"),
    ("budgets", "DescribeNotificationsForBudget"): (("budgets:ViewBudget",), "AWS Budgets authorises every budget read with budgets:ViewBudget"),
    ("budgets", "DescribeSubscribersForNotification"): (("budgets:ViewBudget",), "AWS Budgets authorises every budget read with budgets:ViewBudget"),
    ("budgets", "UpdateBudget"): (("budgets:ModifyBudget",), "AWS Budgets authorises every budget write with budgets:ModifyBudget"),
    ("cloudfront", "CreateDistributionWithTags"): (("cloudfront:CreateDistribution", "cloudfront:TagResource"), "creating with tags needs both the create and the tag action"),
    ("detective", "ListOrganizationAdminAccounts"): (("detective:ListOrganizationAdminAccount",), "the catalogue spells the action in the singular"),
    ("keyspaces", "CreateKeyspace"): (("cassandra:Create",), "Amazon Keyspaces authorises with CQL-style actions: creating is cassandra:Create"),
    ("keyspaces", "CreateTable"): (("cassandra:Create",), "Amazon Keyspaces: creating is cassandra:Create"),
    ("keyspaces", "DeleteKeyspace"): (("cassandra:Drop",), "Amazon Keyspaces: deleting is cassandra:Drop"),
    ("keyspaces", "DeleteTable"): (("cassandra:Drop",), "Amazon Keyspaces: deleting is cassandra:Drop"),
    ("keyspaces", "GetKeyspace"): (("cassandra:Select",), "Amazon Keyspaces: reading metadata is cassandra:Select (system tables)"),
    ("keyspaces", "GetTable"): (("cassandra:Select",), "Amazon Keyspaces: reading metadata is cassandra:Select (system tables)"),
    ("keyspaces", "ListTagsForResource"): (("cassandra:Select",), "Amazon Keyspaces: listing tags is cassandra:Select"),
    ("keyspaces", "UpdateTable"): (("cassandra:Alter",), "Amazon Keyspaces: altering a table is cassandra:Alter"),
    ("lambda", "Invoke"): (("lambda:InvokeFunction",), "the Invoke API is authorised by lambda:InvokeFunction"),
    ("quicksight", "DescribeAnalysisDefinition"): (("quicksight:DescribeAnalysis",), "the catalogue authorises the definition read with the resource's Describe action"),
    ("quicksight", "DescribeDashboardDefinition"): (("quicksight:DescribeDashboard",), "the catalogue authorises the definition read with the resource's Describe action"),
    ("quicksight", "DescribeTemplateDefinition"): (("quicksight:DescribeTemplate",), "the catalogue authorises the definition read with the resource's Describe action"),
    ("s3", "CopyObject"): (("s3:GetObject", "s3:PutObject"), "a copy reads the source object and writes the destination"),
    ("s3", "DeleteBucketAnalyticsConfiguration"): (("s3:PutAnalyticsConfiguration",), "the catalogue has no Delete action for this configuration; S3 authorises its removal with the Put action"),
    ("s3", "DeleteBucketCors"): (("s3:PutBucketCORS",), "the catalogue has no Delete action for this configuration; S3 authorises its removal with the Put action"),
    ("s3", "DeleteBucketEncryption"): (("s3:PutEncryptionConfiguration",), "the catalogue has no Delete action for this configuration; S3 authorises its removal with the Put action"),
    ("s3", "DeleteBucketIntelligentTieringConfiguration"): (("s3:PutIntelligentTieringConfiguration",), "the catalogue has no Delete action for this configuration; S3 authorises its removal with the Put action"),
    ("s3", "DeleteBucketInventoryConfiguration"): (("s3:PutInventoryConfiguration",), "the catalogue has no Delete action for this configuration; S3 authorises its removal with the Put action"),
    ("s3", "DeleteBucketLifecycle"): (("s3:PutLifecycleConfiguration",), "the catalogue has no Delete action for this configuration; S3 authorises its removal with the Put action"),
    ("s3", "DeleteBucketMetricsConfiguration"): (("s3:PutMetricsConfiguration",), "the catalogue has no Delete action for this configuration; S3 authorises its removal with the Put action"),
    ("s3", "DeleteBucketOwnershipControls"): (("s3:PutBucketOwnershipControls",), "the catalogue has no Delete action for this configuration; S3 authorises its removal with the Put action"),
    ("s3", "DeleteBucketReplication"): (("s3:PutReplicationConfiguration",), "the catalogue has no Delete action for this configuration; S3 authorises its removal with the Put action"),
    ("s3", "DeleteBucketTagging"): (("s3:PutBucketTagging",), "the catalogue has no Delete action for this configuration; S3 authorises its removal with the Put action"),
    ("s3", "DeleteObjects"): (("s3:DeleteObject", "s3:DeleteObjectVersion"), "a multi-object delete is authorised per object (DeleteObjectVersion when versions are named)"),
    ("s3", "DeletePublicAccessBlock"): (("s3:PutBucketPublicAccessBlock",), "the catalogue has no Delete action for this configuration; S3 authorises its removal with the Put action"),
    ("s3", "GetBucketAccelerateConfiguration"): (("s3:GetAccelerateConfiguration",), "S3 action names drop Bucket from configuration actions"),
    ("s3", "GetBucketAnalyticsConfiguration"): (("s3:GetAnalyticsConfiguration",), "S3 action names drop Bucket from configuration actions"),
    ("s3", "GetBucketEncryption"): (("s3:GetEncryptionConfiguration",), "S3 authorises bucket encryption reads with GetEncryptionConfiguration"),
    ("s3", "GetBucketIntelligentTieringConfiguration"): (("s3:GetIntelligentTieringConfiguration",), "S3 action names drop Bucket from configuration actions"),
    ("s3", "GetBucketInventoryConfiguration"): (("s3:GetInventoryConfiguration",), "S3 action names drop Bucket from configuration actions"),
    ("s3", "GetBucketLifecycleConfiguration"): (("s3:GetLifecycleConfiguration",), "S3 action names drop Bucket from configuration actions"),
    ("s3", "GetBucketMetricsConfiguration"): (("s3:GetMetricsConfiguration",), "S3 action names drop Bucket from configuration actions"),
    ("s3", "GetBucketNotificationConfiguration"): (("s3:GetBucketNotification",), "S3 authorises notification configuration with GetBucketNotification"),
    ("s3", "GetBucketReplication"): (("s3:GetReplicationConfiguration",), "S3 authorises replication reads with GetReplicationConfiguration"),
    ("s3", "GetObjectLockConfiguration"): (("s3:GetBucketObjectLockConfiguration",), "the Object Lock configuration is a bucket's"),
    ("s3", "GetPublicAccessBlock"): (("s3:GetBucketPublicAccessBlock",), "the bucket-level public access block action"),
    ("s3", "HeadBucket"): (("s3:ListBucket",), "S3 authorises HeadBucket with s3:ListBucket"),
    ("s3", "HeadObject"): (("s3:GetObject",), "S3 authorises HeadObject with s3:GetObject"),
    ("s3", "ListBuckets"): (("s3:ListAllMyBuckets",), "S3 authorises ListBuckets with s3:ListAllMyBuckets"),
    ("s3", "ListDirectoryBuckets"): (("s3express:ListAllMyDirectoryBuckets",), "directory buckets are authorised under s3express"),
    ("s3", "ListObjectVersions"): (("s3:ListBucketVersions",), "S3 authorises ListObjectVersions with s3:ListBucketVersions"),
    ("s3", "ListObjectsV2"): (("s3:ListBucket",), "S3 authorises object listing with s3:ListBucket"),
    ("s3", "PutBucketAccelerateConfiguration"): (("s3:PutAccelerateConfiguration",), "S3 action names drop Bucket from configuration actions"),
    ("s3", "PutBucketAnalyticsConfiguration"): (("s3:PutAnalyticsConfiguration",), "S3 action names drop Bucket from configuration actions"),
    ("s3", "PutBucketEncryption"): (("s3:PutEncryptionConfiguration",), "S3 authorises bucket encryption writes with PutEncryptionConfiguration"),
    ("s3", "PutBucketIntelligentTieringConfiguration"): (("s3:PutIntelligentTieringConfiguration",), "S3 action names drop Bucket from configuration actions"),
    ("s3", "PutBucketInventoryConfiguration"): (("s3:PutInventoryConfiguration",), "S3 action names drop Bucket from configuration actions"),
    ("s3", "PutBucketLifecycleConfiguration"): (("s3:PutLifecycleConfiguration",), "S3 action names drop Bucket from configuration actions"),
    ("s3", "PutBucketMetricsConfiguration"): (("s3:PutMetricsConfiguration",), "S3 action names drop Bucket from configuration actions"),
    ("s3", "PutBucketNotificationConfiguration"): (("s3:PutBucketNotification",), "S3 authorises notification configuration with PutBucketNotification"),
    ("s3", "PutBucketReplication"): (("s3:PutReplicationConfiguration",), "S3 authorises replication writes with PutReplicationConfiguration"),
    ("s3", "PutObjectLockConfiguration"): (("s3:PutBucketObjectLockConfiguration",), "the Object Lock configuration is a bucket's"),
    ("s3", "PutPublicAccessBlock"): (("s3:PutBucketPublicAccessBlock",), "the bucket-level public access block action"),
    ("s3control", "DeleteBucketLifecycleConfiguration"): (("s3-outposts:PutLifecycleConfiguration",), "S3 on Outposts buckets (s3control): removal is authorised with the Put action"),
    ("s3control", "DeleteBucketTagging"): (("s3-outposts:PutBucketTagging",), "S3 on Outposts buckets (s3control): removal is authorised with the Put action"),
    ("s3control", "DeletePublicAccessBlock"): (("s3:PutAccountPublicAccessBlock",), "the account-level public access block (s3control)"),
    ("s3control", "GetBucket"): (("s3-outposts:GetBucket",), "s3control's bucket API is S3 on Outposts'"),
    ("s3control", "GetBucketLifecycleConfiguration"): (("s3-outposts:GetLifecycleConfiguration",), "S3 on Outposts buckets (s3control)"),
    ("s3control", "GetPublicAccessBlock"): (("s3:GetAccountPublicAccessBlock",), "the account-level public access block (s3control)"),
    ("s3control", "PutBucketLifecycleConfiguration"): (("s3-outposts:PutLifecycleConfiguration",), "S3 on Outposts buckets (s3control)"),
    ("s3control", "PutPublicAccessBlock"): (("s3:PutAccountPublicAccessBlock",), "the account-level public access block (s3control)"),
}
# fmt: on

# Services whose IAM prefix is none of botocore's signingName/endpointPrefix/service name.
SERVICE_PREFIX_EXCEPTIONS: dict[str, tuple[str, str]] = {
    "cloudcontrol": (
        "cloudformation",
        "Cloud Control API actions are cloudformation:*Resource (the target type's own actions are also needed)",
    ),
    "resourcegroupstaggingapi": ("tag", "the Resource Groups Tagging API's IAM prefix is tag"),
}

# Services whose IAM actions are HTTP verbs: the action is the operation's HTTP method in botocore's model.
HTTP_VERB_SERVICES: dict[str, tuple[str, str]] = {
    "apigateway": ("apigateway", "API Gateway's management API is authorised per HTTP verb on the resource path (apigateway:GET, ...)"),
    "apigatewayv2": ("apigateway", "API Gateway v2 shares apigateway's per-HTTP-verb actions"),
}

# Helpers of the SDK's S3 transfer manager (feature/s3/manager; v1 service/s3/s3manager) and the S3 operation each makes.
S3_MANAGER_HELPERS: dict[str, tuple[Op, ...]] = {
    "NewUploader": (("s3", "PutObject"),),  # single or multipart upload: all authorised by s3:PutObject
    "NewDownloader": (("s3", "GetObject"),),
    "GetBucketRegion": (("s3", "HeadBucket"),),
}
S3_MANAGER_PATHS = ("github.com/aws/aws-sdk-go-v2/feature/s3/manager", "github.com/aws/aws-sdk-go/service/s3/s3manager")

# Method names that are the framework's own or too generic to follow by name alone.
IGNORED_METHODS = frozenset(
    {"Schema", "Metadata", "Configure", "ImportState", "ModifyPlan", "ValidateConfig", "ConfigValidators", "UpgradeState", "MoveState"}
    | {"String", "Error", "Unwrap", "Equal", "Get", "Set", "Len", "Add", "Keys", "Map", "Meta", "Region", "Partition", "AccountID"}
)
Op = tuple[str, str]  # (botocore service, operation)
LIFECYCLE_KEYS = {"Create": "create", "Read": "read", "Update": "update", "Delete": "delete"}
RETIRED = "retired:"  # pseudo-service for an SDK package botocore no longer models (elastictranscoder, qldb, ...)
CLIENT_ACQUIRE = re.compile(r"\.(\w+(?:Conn|Client))(?:ForRegion)?\(\s*ctx\b")


# --- pulumi-aws ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PulumiToken:
    token: str
    kind: str  # "resource" or "function"
    module: str
    name: str  # the type's name (`Queue`) or the function's without `get` (`queue`)
    inputs: frozenset[str]  # camelCase input names (resources)


def _snake_to_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def pulumi_tokens() -> list[PulumiToken]:
    """Return every resource and function token of the installed pulumi_aws, with resources' input names."""
    import pulumi_aws  # the installed package's files are read, not imported module by module

    package = Path(pulumi_aws.__file__).resolve().parent
    init = (package / "__init__.py").read_text()
    block = re.search(r'resource_modules="""(.*?)"""', init, re.DOTALL)
    assert block is not None
    resources = sorted({t for entry in json.loads(block.group(1)) for t in entry["classes"]})
    files: dict[str, str] = {}
    functions: set[str] = set()
    for path in sorted(package.rglob("*.py")):
        text = path.read_text()
        for m in re.finditer(r"__init__\(\s*'(aws:[^']+)'", text):
            files[m.group(1)] = text
        functions |= set(re.findall(r"pulumi\.runtime\.invoke(?:_output)?\('(aws:[^']+)'", text))
    tokens = []
    for token in resources:
        module, name = token.split(":")[1].split("/")
        text = files.get(token, "")
        inputs = frozenset(_snake_to_camel(n) for n, v in re.findall(r'__props__\.__dict__\["(\w+)"\] = (\w+)', text) if n == v)
        tokens.append(PulumiToken(token, "resource", module, token.rsplit(":", 1)[1], inputs))
    for token in sorted(functions):
        module, name = token.split(":")[1].split("/")
        base = name[3:] if name.startswith("get") else name
        tokens.append(PulumiToken(token, "function", module, base[:1].lower() + base[1:], frozenset()))
    return tokens


# --- the provider's registry ----------------------------------------------------------------------------


@dataclass
class Registration:
    type_name: str
    kind: str  # "resource" or "data_source"
    framework: bool
    package: str  # provider service package directory name
    factory: str
    transparent_tags: bool
    tag_resource_type: str  # `ResourceType: "InstanceProfile"` of its tags registration, or ""


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


class Provider:
    """The provider's source: service packages (parsed lazily), registrations, clients and names data."""

    def __init__(self, src: Path) -> None:
        self.src = src
        self.service_dir = src / "internal" / "service"
        self._packages: dict[str, GoPackage] = {}
        self.names = list(csv.DictReader((src / "names" / "data" / "names_data.csv").open()))
        self.client_methods = self._client_methods()
        self.registrations = self._registrations()

    def package(self, name: str) -> GoPackage | None:
        if name not in self._packages:
            directory = self.service_dir / name
            if not directory.is_dir():
                return None
            self._packages[name] = load_package(directory, self.src)
        return self._packages[name]

    def _client_methods(self) -> dict[str, str]:
        """Return AWSClient method name (`SQSClient`, `EC2Conn`) -> AWS SDK service package (`sqs`, `ec2`)."""
        methods: dict[str, str] = {}
        for name in ("awsclient_gen.go", "awsclient.go"):
            path = self.src / "internal" / "conns" / name
            text = path.read_text()
            imports = dict(re.findall(r'^\s*(\w+)\s+"github\.com/aws/aws-sdk-go(?:-v2)?/service/([\w]+)"', text, re.MULTILINE))
            for method, alias in re.findall(r"^func \(c \*AWSClient\) (\w+)\([^)]*\) \*(\w+)\.\w+ \{", text, re.MULTILINE):
                if alias in imports:
                    methods[method] = imports[alias]
        return methods

    def _registrations(self) -> list[Registration]:
        found = []
        for gen in sorted(self.service_dir.glob("*/service_package_gen.go")):
            text = mask(gen.read_text())
            raw = gen.read_text()
            for m in re.finditer(
                r"func \(p \*servicePackage\) (SDKResources|SDKDataSources|FrameworkResources|FrameworkDataSources)\(", raw
            ):
                start = text.index("{", text.index("return", m.end()))
                section = raw[start : match_bracket(text, start)]
                for entry in re.finditer(r"\{\s*Factory:\s*(\w+),(.*?)\n\t\t\},?\n", section, re.DOTALL):
                    factory, rest = entry.group(1), entry.group(2)
                    type_name = re.search(r'TypeName:\s*"(\w+)"', rest)
                    kind = "resource" if m.group(1).endswith("Resources") else "data_source"
                    framework = m.group(1).startswith("Framework")
                    package = gen.parent.name
                    name = type_name.group(1) if type_name else self._framework_type_name(package, factory)
                    resource_type = re.search(r'ResourceType:\s*"(\w+)"', rest)
                    if name:
                        found.append(
                            Registration(
                                name,
                                kind,
                                framework,
                                package,
                                factory,
                                "IdentifierAttribute" in rest,
                                resource_type.group(1) if resource_type else "",
                            )
                        )
        return found

    def _framework_type_name(self, package_name: str, factory: str) -> str | None:
        package = self.package(package_name)
        if package is None or factory not in package.functions:
            return None
        type_ = framework_type(package, package.functions[factory])
        metadata = package.method(type_, "Metadata") if type_ else None
        match = re.search(r'TypeName\s*=\s*"(\w+)"', metadata.raw_body) if metadata else None
        return match.group(1) if match else None

    @functools.cached_property
    def sdk_to_names_row(self) -> dict[str, dict[str, str]]:
        rows: dict[str, dict[str, str]] = {}
        for row in self.names:
            for key in ("GoV2Package", "GoV1Package"):
                if row[key]:
                    rows.setdefault(row[key], row)
        return rows


def framework_type(package: GoPackage, factory: GoFunc) -> str | None:
    """Return the struct type a framework factory builds (`r := &queueResource{}`, `return &r` of `r := t{}`)."""
    for match in re.finditer(r"(?:&|:=\s*|return\s+)(\w+)\s*\{", factory.body):
        if match.group(1) in package.embedded:
            return match.group(1)
    return None


# --- botocore and the catalogue ---------------------------------------------------------------------------


class Botocore:
    """botocore's service models: operations, waiters and HTTP methods, and each service's IAM prefix."""

    def __init__(self) -> None:
        import botocore.loaders

        self.loader = botocore.loaders.create_loader()
        self.services = sorted(self.loader.list_available_services("service-2"))
        self._models: dict[str, dict[str, Any]] = {}
        self._by_service_id: dict[str, str] | None = None

    def model(self, service: str) -> dict[str, Any]:
        if service.startswith(RETIRED):  # a service botocore no longer models: its catalogue actions stand in
            prefix = service[len(RETIRED) :]
            names = [a.split(":", 1)[1] for a in get_actions_for_service(prefix)]
            return {"metadata": {"signingName": prefix}, "operations": {name: {} for name in names}}
        if service not in self._models:
            self._models[service] = self.loader.load_service_model(service, "service-2")
        return self._models[service]

    @functools.cache  # noqa: B019 - one instance per run
    def operations(self, service: str) -> frozenset[str]:
        return frozenset(self.model(service)["operations"])

    @functools.cache  # noqa: B019
    def waiters(self, service: str) -> dict[str, str]:
        try:
            data = self.loader.load_service_model(service, "waiters-2")
        except Exception:  # a service without waiters (or one botocore no longer models)
            return {}
        return {name: w["operation"] for name, w in data.get("waiters", {}).items()}

    def service_for_sdk_package(self, sdk_package: str, provider: Provider) -> str | None:
        """Return the botocore service of an AWS SDK for Go package (`cloudwatchlogs` -> `logs`)."""
        if self._by_service_id is None:
            self._by_service_id = {}
            for service in self.services:
                metadata = self.model(service)["metadata"]
                self._by_service_id.setdefault(_norm(metadata.get("serviceId", service)), service)
        row = provider.sdk_to_names_row.get(sdk_package)
        for key in ([_norm(row["SdkId"])] if row and row["SdkId"] else []) + [_norm(sdk_package)]:
            if key in self._by_service_id:
                return self._by_service_id[key]
        if sdk_package in self.services:
            return sdk_package
        return RETIRED + sdk_package if get_actions_for_service(sdk_package) else None

    @functools.cache  # noqa: B019
    def iam_prefix(self, service: str) -> str | None:
        """Return the catalogue prefix naming the most of the service's operations (signingName first on ties)."""
        if service in HTTP_VERB_SERVICES:
            return HTTP_VERB_SERVICES[service][0]
        if service in SERVICE_PREFIX_EXCEPTIONS:
            return SERVICE_PREFIX_EXCEPTIONS[service][0]
        metadata = self.model(service)["metadata"]
        candidates = [metadata.get("signingName"), metadata.get("endpointPrefix"), service]
        best, best_score = None, -1
        for prefix in dict.fromkeys(c for c in candidates if c):
            actions = {a.split(":", 1)[1] for a in get_actions_for_service(prefix)}
            if not actions:
                continue
            score = len(actions & self.operations(service))
            if score > best_score:
                best, best_score = prefix, score
        return best


# --- call collection ------------------------------------------------------------------------------------------


@dataclass
class Site:
    offset: int
    ops: frozenset[Op] = frozenset()
    target: tuple[str, GoFunc] | None = None  # a followed function: (self type, func)
    client: bool = False  # acquires an AWS client


@dataclass
class Calls:
    ops: frozenset[Op] = frozenset()
    client: bool = False
    functions: frozenset[str] = frozenset()  # `file:function` followed
    sets_tags: bool = False  # calls setTagsOut (a read that does makes the tag interceptor skip ListTags)


class Analyzer:
    def __init__(self, provider: Provider, botocore: Botocore) -> None:
        self.provider = provider
        self.botocore = botocore
        self._memo: dict[tuple[str, str, str, str], Calls] = {}
        self._sdk_services: dict[str, str | None] = {}

    def _service(self, sdk_package: str) -> str | None:
        if sdk_package not in self._sdk_services:
            self._sdk_services[sdk_package] = self.botocore.service_for_sdk_package(sdk_package, self.provider)
        return self._sdk_services[sdk_package]

    def _sdk_aliases(self, func: GoFunc) -> dict[str, str]:
        """Return the file's import alias -> AWS SDK service package (`sqs`, `ec2` for `ec2iface`)."""
        package = self.provider.package(func.package)
        imports = package.imports.get(func.file, {}) if package else {}
        aliases = {}
        for alias, path in imports.items():
            m = re.match(r"github\.com/aws/aws-sdk-go(?:-v2)?/service/(\w+)(?:/(\w+)iface)?$", path)
            if m:
                aliases[alias] = m.group(1)
        return aliases

    def _internal_aliases(self, func: GoFunc) -> dict[str, str]:
        package = self.provider.package(func.package)
        imports = package.imports.get(func.file, {}) if package else {}
        prefix = "github.com/hashicorp/terraform-provider-aws/internal/service/"
        return {alias: path[len(prefix) :] for alias, path in imports.items() if path.startswith(prefix) and "/" not in path[len(prefix) :]}

    def sites(self, func: GoFunc, self_type: str, stop: frozenset[str], case: str = "") -> list[Site]:
        """Return every AWS call, client acquisition and followed call in the function's body, in order.

        With `case` (a tagging resource type, `InstanceProfile`), a `switch resourceType` keeps only that case."""
        body = select_case(func.body, case) if case else func.body
        package = self.provider.package(func.package)
        assert package is not None
        sdk = self._sdk_aliases(func)
        clients: dict[str, str] = {}  # variable -> botocore service
        for m in re.finditer(r"(\w+)\s+\*?(\w+)\.(\w+)", func.params):
            if m.group(2) in sdk and (m.group(3) == "Client" or m.group(3).endswith("API") or m.group(3)[:1].isupper()):
                service = self._service(sdk[m.group(2)])
                if service:
                    clients[m.group(1)] = service
        found: list[Site] = []
        for m in CLIENT_ACQUIRE.finditer(body):
            sdk_package = self.provider.client_methods.get(m.group(1))
            if sdk_package is None:
                continue
            found.append(Site(m.start(), client=True))
            service = self._service(sdk_package)
            line_start = body.rfind("\n", 0, m.start()) + 1
            bound = re.match(r"\s*(?:var\s+)?(\w+)\s*(?::=|=)", body[line_start : m.start()])
            if bound and service:
                clients[bound.group(1)] = service
            chained = re.match(r"\.(\w+)\(", body[body.index(")", m.end()) + 1 :])
            if chained and service:
                op = self._operation(service, chained.group(1))
                if op:
                    found.append(Site(m.start(), ops=frozenset({op})))
        for var, service in clients.items():
            for m in re.finditer(rf"(?<![\w.]){re.escape(var)}\.(\w+)\(", body):
                op = self._operation(service, m.group(1))
                if op:
                    found.append(Site(m.start(), ops=frozenset({op})))
        for m in re.finditer(r"(?<![\w.])(\w+)\.New(\w+)(Paginator|Waiter)\(", body):
            service = self._service(sdk[m.group(1)]) if m.group(1) in sdk else None
            if service is None:
                continue
            name = m.group(2)
            operation = name if m.group(3) == "Paginator" else self.botocore.waiters(service).get(name)
            if operation and operation in self.botocore.operations(service):
                found.append(Site(m.start(), ops=frozenset({(service, operation)})))
        imports = package.imports.get(func.file, {})
        for m in re.finditer(r"(?<![\w.])(\w+)\.(NewUploader|NewDownloader|GetBucketRegion)\(", body):
            if imports.get(m.group(1)) in S3_MANAGER_PATHS:
                found.append(Site(m.start(), ops=frozenset(S3_MANAGER_HELPERS[m.group(2)])))
        # receivers not bound above but named like a client (`conn`, `ec2conn`, `client`, a retryer's `t.connection`
        # whose GetChangeToken every classic WAF change calls first): the package's own services
        for m in re.finditer(r"((?<![\w.])\w*(?:conn|Conn|client|Client|svc)|(?<=\.)connection)\.(\w+)\(\s*ctx\b", body):
            if m.group(1) in clients or m.group(1) in sdk:
                continue
            for service in self._package_services(func.package):
                op = self._operation(service, m.group(2))
                if op:
                    found.append(Site(m.start(), ops=frozenset({op})))
                    break
        # calls to functions of the same package, of other service packages, and methods of this package's types
        # called or handed on as a value (`routeFinder = FindRouteByIPv4Destination`, retry helpers' arguments)
        for m in re.finditer(r"(?<![\w.\"])([A-Za-z_]\w*)\b", body):
            target = package.functions.get(m.group(1))
            if target is not None and target is not func and f"{target.file}:{target.name}" not in stop:
                found.append(Site(m.start(), target=("", target)))
        internal = self._internal_aliases(func)
        for m in re.finditer(r"(?<![\w.])(\w+)\.([A-Z]\w*)\s*\(", body):
            if m.group(1) in internal:
                other = self.provider.package(internal[m.group(1)])
                target = other.functions.get(m.group(2)) if other else None
                if target is not None:
                    found.append(Site(m.start(), target=("", target)))
        for m in re.finditer(r"(?<=[\w)\]])\.(\w+)\s*\(", body):
            name = m.group(1)
            if name in IGNORED_METHODS or name not in package.methods or name in LIFECYCLE_KEYS:
                continue
            receiver = re.search(r"(\w+)$", body[: m.start()])
            if receiver and (receiver.group(1) in clients or receiver.group(1) in sdk or receiver.group(1) in internal):
                continue
            family = package.type_family(self_type) if self_type else set()
            by_type = package.methods[name]
            chosen = [by_type[t] for t in sorted(by_type) if t in family] or (list(by_type.values()) if len(by_type) <= 3 else [])
            for target in chosen:
                if f"{target.file}:{target.name}" not in stop:
                    found.append(Site(m.start(), target=(self_type, target)))
        return sorted(found, key=lambda s: s.offset)

    @functools.cache  # noqa: B019
    def _package_services(self, package_name: str) -> tuple[str, ...]:
        package = self.provider.package(package_name)
        assert package is not None
        counts: Counter[str] = Counter()
        for text in package.texts.values():
            for method in CLIENT_ACQUIRE.findall(text):
                sdk_package = self.provider.client_methods.get(method)
                service = self._service(sdk_package) if sdk_package else None
                if service:
                    counts[service] += 1
        return tuple(s for s, _ in counts.most_common())

    def _operation(self, service: str, method: str) -> Op | None:
        operations = self.botocore.operations(service)
        if method.startswith("WaitUntil"):
            name = re.sub(r"WithContext$", "", method[len("WaitUntil") :])
            operation = self.botocore.waiters(service).get(name)
            return (service, operation) if operation else None
        for suffix in ("PagesWithContext", "WithContext", "Pages", "Request", ""):
            if method.endswith(suffix) and method[: len(method) - len(suffix)] in operations:
                return (service, method[: len(method) - len(suffix)])
        return None

    def calls(self, func: GoFunc, self_type: str = "", stop: frozenset[str] = frozenset(), depth: int = 0, case: str = "") -> Calls:
        """Return every operation the function makes, following calls transitively (memoised)."""
        key = (func.file, func.name, self_type, ",".join(sorted(stop)) + "|" + case)
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = Calls(functions=frozenset({f"{func.file}:{func.name}"}))  # recursion guard
        ops: set[Op] = set()
        client = False
        sets_tags = "setTagsOut(" in func.body
        functions = {f"{func.file}:{func.name}"}
        for site in self.sites(func, self_type, stop, case):
            ops |= site.ops
            client |= site.client
            if site.target is not None and depth < MAX_DEPTH:
                inner = self.calls(site.target[1], site.target[0], stop, depth + 1, case)
                ops |= inner.ops
                client |= inner.client
                functions |= inner.functions
                sets_tags |= inner.sets_tags
        result = Calls(frozenset(ops), client, frozenset(functions), sets_tags)
        self._memo[key] = result
        return result

    def entry_calls(self, func: GoFunc, self_type: str, stop: frozenset[str], conditional: bool) -> tuple[Calls, dict[str, frozenset[Op]]]:
        """Return the function's calls, and (when `conditional`) those made only under `if d.GetOk("attr")`."""
        if not conditional:
            return self.calls(func, self_type, stop), {}
        always: set[Op] = set()
        optional: dict[str, set[Op]] = defaultdict(set)
        client = False
        functions = {f"{func.file}:{func.name}"}
        for site in self.sites(func, self_type, stop):
            ops = set(site.ops)
            client |= site.client
            if site.target is not None:
                inner = self.calls(site.target[1], site.target[0], stop, 1)
                ops |= inner.ops
                client |= inner.client
                functions |= inner.functions
            attribute = None
            for condition in enclosing_conditions(func.body, site.offset):
                raw_condition = condition  # masked: string contents kept, only brackets blanked
                m = re.search(r"\bd\.Get(?:Ok|OkExists)?\(\s*\"([\w.]+)\"", raw_condition)
                if m:
                    attribute = m.group(1).split(".")[0]
            if attribute:
                optional[attribute] |= ops
            else:
                always |= ops
        only = {attr: frozenset(ops - always) for attr, ops in optional.items() if ops - always}
        return Calls(frozenset(always), client, frozenset(functions)), only


# --- rows ------------------------------------------------------------------------------------------------------


@dataclass
class Mapper:
    botocore: Botocore
    dropped: Counter[Op] = field(default_factory=Counter)
    excepted: Counter[Op] = field(default_factory=Counter)

    def actions(self, ops: Iterable[Op]) -> list[str]:
        found: set[str] = set()
        for service, operation in ops:
            found |= self.action(service, operation)
        return sorted(found)

    def action(self, service: str, operation: str) -> set[str]:
        if (service, operation) in OPERATION_EXCEPTIONS:
            self.excepted[(service, operation)] += 1
            return set(OPERATION_EXCEPTIONS[(service, operation)][0])
        if service in HTTP_VERB_SERVICES:
            method = self.botocore.model(service)["operations"][operation]["http"]["method"]
            return {f"{HTTP_VERB_SERVICES[service][0]}:{method}"}
        prefix = self.botocore.iam_prefix(service)
        action = f"{prefix}:{operation}"
        if prefix and action in _catalogue_actions(prefix):
            return {action}
        spelled = _catalogue_spelling(prefix).get(action.lower()) if prefix else None
        if spelled:  # IAM matches action names case-insensitively: CreateACL is memorydb:CreateAcl
            return {spelled}
        self.dropped[(service, operation)] += 1
        return set()


@functools.cache
def _catalogue_actions(prefix: str) -> frozenset[str]:
    return frozenset(get_actions_for_service(prefix))


@functools.cache
def _catalogue_spelling(prefix: str) -> dict[str, str]:
    return {a.lower(): a for a in get_actions_for_service(prefix)}


def lifecycle_functions(provider: Provider, registration: Registration) -> tuple[dict[str, GoFunc], str]:
    """Return the type's lifecycle step -> function, and the framework type (or "")."""
    package = provider.package(registration.package)
    assert package is not None
    factory = package.functions.get(registration.factory)
    if factory is None:
        return {}, ""
    if registration.framework:
        type_ = framework_type(package, factory) or ""
        steps = {}
        for method, step in LIFECYCLE_KEYS.items():
            found = package.method(type_, method)
            if found is not None:
                steps[step] = found
        return steps, type_
    steps = {"schema": factory}
    for m in re.finditer(r"\b(Create|Read|Update|Delete)(?:WithoutTimeout|Context)?:\s*([\w.]+)", factory.body):
        step, value = LIFECYCLE_KEYS[m.group(1)], m.group(2)
        if step in steps:
            continue  # nested schema.Resource literals never name lifecycle functions; the first wins
        if "." in value:
            method = value.rsplit(".", 1)[1]
            candidates = package.methods.get(method, {})
            if candidates:
                steps[step] = candidates[sorted(candidates)[0]]
        elif value in package.functions:
            steps[step] = package.functions[value]
    return steps, ""


def schema_defaults(factory: GoFunc | None) -> set[str]:
    """Return the top-level schema attributes of an SDKv2 resource with a non-zero `Default` (GetOk is then always true)."""
    if factory is None:
        return set()
    found = set()
    body = factory.raw_body
    masked = factory.body
    for m in re.finditer(r'^\t\t\t"(\w+)":\s*\{', masked, re.MULTILINE):
        block = masked[m.end() - 1 : match_bracket(masked, m.end() - 1)]
        raw = body[m.end() - 1 : m.end() - 1 + len(block)]
        head = raw.split("Elem:", 1)[0]
        default = re.search(r"^\t\t\t\tDefault:\s*([^,\n]+)", head, re.MULTILINE)
        if default and default.group(1).strip() not in ("false", "0", '""', "nil"):
            found.add(m.group(1))
    return found


def tag_calls(provider: Provider, analyzer: Analyzer, registration: Registration) -> tuple[Calls, Calls]:
    """Return what the tag interceptor's ListTags and UpdateTags of a service package call (for the type's
    tagging resource type, when the package tags several kinds through one `switch resourceType`)."""
    package = provider.package(registration.package)
    assert package is not None
    found = []
    for method, function in (("ListTags", "listTags"), ("UpdateTags", "updateTags")):
        func = package.method("servicePackage", method) or package.functions.get(function)
        found.append(analyzer.calls(func, case=registration.tag_resource_type) if func else Calls())
    return found[0], found[1]


def select_case(body: str, case: str) -> str:
    """Return the body with each `switch resourceType {...}` reduced to its `case "<case>":` clause."""
    out, position = [], 0
    for m in re.finditer(r"\bswitch\s+resourceType\s*\{", body):
        if m.start() < position:
            continue
        end = match_bracket(body, m.end() - 1)
        block = body[m.end() : end - 1]
        clause = re.search(rf'\bcase\s+[^:]*"{re.escape(case)}"[^:]*:(.*?)(?=\n\s*case\s|\n\s*default\s*:|$)', block, re.DOTALL)
        out += [body[position : m.start()], "{" + (clause.group(1) if clause else "") + "}"]
        position = end
    out.append(body[position:])
    return "".join(out)


PASS_ROLE_INPUT = re.compile(
    r"(^role$|^roles$|^roleArns?$|Role$|RoleArn$|RoleArns$|^iamRoles?$|InstanceProfile$|^credentialsArn$|CredentialsArn$)"
)


def resource_row(provider: Provider, analyzer: Analyzer, mapper: Mapper, token: PulumiToken, registration: Registration) -> dict[str, Any]:
    steps, self_type = lifecycle_functions(provider, registration)
    steps_schema = steps.pop("schema", None)
    stop = frozenset({f"{steps['read'].file}:{steps['read'].name}"}) if "read" in steps else frozenset()
    ops: dict[str, frozenset[Op]] = {}
    optional_ops: dict[tuple[str, str], frozenset[Op]] = {}  # (step, schema attribute) -> calls made only when it is set
    client = False
    functions: set[str] = set()
    for step in ("create", "read", "update", "delete"):
        if step not in steps:
            ops[step] = frozenset()
            continue
        calls, only = analyzer.entry_calls(
            steps[step], self_type, stop if step != "read" else frozenset(), conditional=step in ("create", "delete")
        )
        ops[step], client, functions = calls.ops, client or calls.client, functions | calls.functions
        for attribute, attribute_ops in only.items():
            optional_ops[(step, attribute)] = attribute_ops
    tags = {"read": frozenset[Op](), "tag": frozenset[Op](), "untag": frozenset[Op]()}
    if registration.transparent_tags:
        listed, updated = tag_calls(provider, analyzer, registration)
        read_sets_tags = "read" in steps and analyzer.calls(steps["read"], self_type).sets_tags
        tags["read"] = frozenset() if read_sets_tags else listed.ops  # the interceptor lists only when read did not
        tags["tag"] = updated.ops
        functions |= listed.functions | updated.functions
    sets = {step: set(mapper.actions(ops[step])) for step in ("create", "read", "update", "delete")}
    sets["read"] |= set(mapper.actions(tags["read"]))
    sets["tag"], sets["untag"] = set(), set()
    for op in tags["tag"]:
        for kind in _tag_kinds(op[1]):
            sets[kind] |= set(mapper.actions([op]))
    for step in ("create", "update", "delete"):
        for op in ops[step]:
            actions = set(mapper.actions([op]))
            if actions and all(get_access_level(a) == "Tagging" and not _is_tag_read(a) for a in actions):
                sets[step] -= actions
                for kind in _tag_kinds(op[1]):
                    sets[kind] |= actions
    optional: dict[str, set[str]] = defaultdict(set)
    defaults = schema_defaults(steps_schema)
    for (step, attribute), attribute_ops in sorted(optional_ops.items()):
        name = _snake_to_camel(attribute)
        actions = set(mapper.actions(attribute_ops)) - sets[step]
        if name in token.inputs and attribute not in defaults:
            optional[name] |= actions
        else:  # an input with a non-zero default is always set; an unknown name keeps its calls unconditional
            sets[step] |= actions
    pass_role = sorted(i for i in token.inputs if PASS_ROLE_INPUT.search(i)) if token.module != "iam" else []
    row: dict[str, Any] = {
        "terraform": registration.type_name,
        "file": steps["create"].file if "create" in steps else (steps["read"].file if "read" in steps else ""),
        **{step: sorted(sets[step]) for step in ("create", "read", "update", "tag", "untag", "delete")},
        "optional": {name: sorted(actions) for name, actions in sorted(optional.items()) if actions},
        "passRole": pass_role,
        "replacedOnUpdate": "update" not in steps,
        "provenance": _provenance(registration, steps, functions),
        "proved": False,
    }
    _mark_empty(row, client, any(ops.values()) or any(tags.values()), bool(steps))
    return row


def function_row(provider: Provider, analyzer: Analyzer, mapper: Mapper, registration: Registration) -> dict[str, Any]:
    steps, self_type = lifecycle_functions(provider, registration)
    steps.pop("schema", None)
    calls = analyzer.calls(steps["read"], self_type) if "read" in steps else Calls()
    row: dict[str, Any] = {
        "terraform": registration.type_name,
        "file": steps["read"].file if "read" in steps else "",
        "read": mapper.actions(calls.ops),
        "provenance": _provenance(registration, steps, set(calls.functions)),
        "proved": False,
    }
    _mark_empty(row, calls.client, bool(calls.ops), bool(steps))
    return row


def _mark_empty(row: dict[str, Any], client: bool, any_ops: bool, found_steps: bool) -> None:
    if not found_steps:
        row["reason"] = "lifecycle functions not found in the provider's code (generator limitation)"
    elif not client and not any_ops:
        row["noAwsCall"] = True
        row["reason"] = "its lifecycle functions acquire no AWS client and make no AWS call"
    elif not any_ops:
        row["reason"] = "acquires an AWS client but the generator resolved none of its calls"


def _tag_kinds(operation: str) -> tuple[str, ...]:
    """Return whether a tagging operation adds tags, removes them, or (replacing the whole set) both."""
    if operation.startswith(("Untag", "UnTag", "Remove", "Delete")):
        return ("untag",)
    if operation.startswith(("Change", "Put", "Replace", "Set")):
        return ("tag", "untag")  # ChangeTagsForResource, PutBucketTagging: removing a tag rewrites the set
    return ("tag",)


def _is_tag_read(action: str) -> bool:
    return action.split(":", 1)[1].startswith(("List", "Get", "Describe"))


def _provenance(registration: Registration, steps: dict[str, GoFunc], functions: Iterable[str]) -> dict[str, Any]:
    return {
        "source": SOURCE,
        "commit": COMMIT,
        "file": f"internal/service/{registration.package}/service_package_gen.go",
        "registration": registration.factory,
        "functions": sorted(functions),
        "steps": {step: f"{f.file}:{f.name}" for step, f in sorted(steps.items())},
    }


def none_row(token: PulumiToken) -> dict[str, Any]:
    empty: dict[str, Any] = {"read": []}
    if token.kind == "resource":
        empty = {s: [] for s in ("create", "read", "update", "tag", "untag", "delete")} | {
            "optional": {},
            "passRole": [],
            "replacedOnUpdate": False,
        }
    return {
        **empty,
        "provenance": {"source": "none", "commit": COMMIT},
        "proved": False,
        "reason": "no Terraform type of the provider snapshot matches this token (newer than the snapshot, or unmatched)",
    }


# --- token -> Terraform type name ---------------------------------------------------------------------------------


def match_type_names(tokens: list[PulumiToken], provider: Provider) -> dict[str, tuple[Registration, str]]:
    """Return token -> (registration, how it was matched) for every token the heuristic or exceptions resolve."""
    by_kind: dict[str, dict[str, list[Registration]]] = {"resource": defaultdict(list), "function": defaultdict(list)}
    by_name: dict[tuple[str, str], Registration] = {}
    for r in provider.registrations:
        kind = "resource" if r.kind == "resource" else "function"
        by_kind[kind][_norm(r.type_name)].append(r)
        by_name[(kind, r.type_name)] = r
    prefixes = _resource_prefixes(provider)
    found: dict[str, tuple[Registration, str]] = {}
    compat: dict[str, set[str]] = defaultdict(set)
    # pass 1: module + name, and the module's own provider prefixes
    for token in tokens:
        if token.token in TYPE_NAME_EXCEPTIONS:
            registration = by_name.get((token.kind, TYPE_NAME_EXCEPTIONS[token.token][0]))
            if registration:
                found[token.token] = (registration, "exception")
            continue
        names = by_kind[token.kind]
        candidates = [("aws" + token.module + token.name, "module+name")] if token.module != "index" else []
        candidates += [(p + token.name, "prefix+name") for p in prefixes.get(token.module, ())]
        for candidate, how in candidates:
            hits = names.get(_norm(candidate), [])
            if len(hits) == 1:
                found[token.token] = (hits[0], how)
                compat[token.module].add(hits[0].package)
                break
    # pass 2: name alone, when the type's provider package is one the module's other tokens live in
    for token in tokens:
        if token.token in found or token.token in TYPE_NAME_EXCEPTIONS:
            continue
        hits = by_kind[token.kind].get(_norm("aws" + token.name), [])
        allowed = compat[token.module] | {token.module}
        hits = [h for h in hits if token.module == "index" or h.package in allowed]
        if len(hits) == 1:
            found[token.token] = (hits[0], "name")
    return found


def _resource_prefixes(provider: Provider) -> dict[str, list[str]]:
    """Return pulumi module -> Terraform name prefixes of the provider package of the same name (names_data.csv)."""
    prefixes: dict[str, list[str]] = defaultdict(list)
    for row in provider.names:
        modules = {row["ProviderPackageCorrect"], row["ProviderPackageActual"], *row["Aliases"].split(";")} - {""}
        for pattern in (row["ResourcePrefixActual"], row["ResourcePrefixCorrect"]):
            for prefix in _expand_prefix(pattern):
                for module in modules:
                    if prefix not in prefixes[module]:
                        prefixes[module].append(prefix)
    return prefixes


def _expand_prefix(pattern: str) -> list[str]:
    """Expand a names_data prefix regex's simple alternations (`aws_(db_|rds_)`) into literal prefixes."""
    if not pattern or "?" in pattern.replace("(?!", "") or "\\" in pattern:
        return []
    pattern = re.sub(r"\(\?!.*?\)\)?", "", pattern)
    m = re.fullmatch(r"([\w]*)\(([\w|]+)\)([\w]*)", pattern)
    if m:
        return [m.group(1) + alt + m.group(3) for alt in m.group(2).split("|")]
    return [pattern] if re.fullmatch(r"\w+", pattern) else []


# --- main ------------------------------------------------------------------------------------------------------------


def generate(src: Path, log: Any = sys.stderr, cfn_schemas: Path | None = None) -> dict[str, Any]:
    started = time.perf_counter()
    provider = Provider(src)
    botocore = Botocore()
    analyzer = Analyzer(provider, botocore)
    mapper = Mapper(botocore)
    tokens = pulumi_tokens()
    matched = match_type_names(tokens, provider)
    resources: dict[str, Any] = {}
    functions: dict[str, Any] = {}
    for token in tokens:
        target = resources if token.kind == "resource" else functions
        if token.token not in matched:
            target[token.token] = none_row(token)
            continue
        registration, how = matched[token.token]
        if token.kind == "resource":
            row = resource_row(provider, analyzer, mapper, token, registration)
        else:
            row = function_row(provider, analyzer, mapper, registration)
        row["provenance"]["matchedBy"] = how
        target[token.token] = row
    stats = {
        "tokens": len(tokens),
        "matched": len(matched),
        "droppedOperations": sum(mapper.dropped.values()),
        "droppedDistinct": len(mapper.dropped),
    }
    print(f"generated {len(tokens)} rows in {time.perf_counter() - started:.1f} s: {stats}", file=log)
    for (service, operation), count in sorted(mapper.dropped.items()):
        print(f"  dropped (not in the catalogue): {service} {operation} x{count}", file=log)
    dropped = sorted(f"{s}:{o}" for s, o in mapper.dropped)  # the provider code's, before the second sources map theirs
    second = second_source.fill(
        {"resources": resources, "functions": functions}, tokens, cfn_schemas, botocore, mapper, PASS_ROLE_INPUT, log
    )
    return {
        "generator": {
            "source": SOURCE,
            "commit": COMMIT,
            "tool": "tools/permissions/generate.py",
            "operationExceptions": {
                f"{s}:{o}": {"actions": list(a), "reason": r} for (s, o), (a, r) in sorted(OPERATION_EXCEPTIONS.items())
            },
            "servicePrefixExceptions": {s: {"prefix": p, "reason": r} for s, (p, r) in sorted(SERVICE_PREFIX_EXCEPTIONS.items())},
            "httpVerbServices": {s: {"prefix": p, "reason": r} for s, (p, r) in sorted(HTTP_VERB_SERVICES.items())},
            "typeNameExceptions": {t: {"terraform": n, "reason": r} for t, (n, r) in sorted(TYPE_NAME_EXCEPTIONS.items())},
            "droppedOperations": dropped,
            "secondSources": second,
        },
        "resources": resources,
        "functions": functions,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--provider-src", type=Path, required=True, help="a terraform-provider-aws work tree (internal/, names/)")
    parser.add_argument(
        "--cfn-schemas", type=Path, help="a pulumi-aws-native tree with aws-cloudformation-schema/ (second_source.py extract)"
    )
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    table = generate(args.provider_src, cfn_schemas=args.cfn_schemas)
    args.out.write_text(dump(table))
    return 0


def dump(table: dict[str, Any]) -> str:
    """Return the table as JSON with sorted keys, one row a line (small diffs when a row changes)."""
    parts = []
    for key in sorted(table):
        if key in ("resources", "functions"):
            rows = [f"  {json.dumps(t)}: {json.dumps(r, sort_keys=True, separators=(',', ':'))}" for t, r in sorted(table[key].items())]
            parts.append(f"{json.dumps(key)}: {{\n" + ",\n".join(rows) + "\n }")
        else:
            parts.append(f"{json.dumps(key)}: " + json.dumps(table[key], sort_keys=True, indent=1).replace("\n", "\n "))
    return "{\n " + ",\n ".join(parts) + "\n}\n"


def iter_rows(table: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for kind in ("resources", "functions"):
        for token, row in table[kind].items():
            yield kind, token, row


if __name__ == "__main__":
    sys.exit(main())
