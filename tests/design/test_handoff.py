"""`handoff` and `publish`: each service repository receives its own values, through its own stack."""

from __future__ import annotations

import json
import shutil

import pytest

from baseline.cli.publish import handoff_program, prune_handoffs, publish_handoffs, stale_handoff_stacks
from baseline.design.handoff import UnknownService, format_handoff, handoff_stack_outputs, service_handoff
from baseline.offline.engine import Secret, reveal, run_offline
from tests.helpers import render, run_cli


@pytest.fixture(scope="module")
def prod(shipped_prod_outputs):
    return shipped_prod_outputs


def test_a_static_key_repository_gets_the_key_its_state_external_id_and_its_passphrase(prod):
    handoff = service_handoff(prod, "etl-processor")
    entry = prod["provisioningRoles"]["etl-processor"]
    assert handoff.secrets == {
        "AWS_ACCESS_KEY_ID": prod["ciUser"]["accessKeyId"],
        "AWS_SECRET_ACCESS_KEY": prod["ciUser"]["secretAccessKey"],
        "IAM_BASELINE_STATE_EXTERNAL_ID": entry["stateRole"]["externalId"],
        "PULUMI_CONFIG_PASSPHRASE": entry["handoffPassphrase"],
    }
    assert handoff.variables == {
        "AWS_REGION": "eu-west-1",
        "IAM_BASELINE_ACCOUNT_ID": prod["accountId"],
        "IAM_BASELINE_BACKEND_URL": prod["backendUrl"],
        "IAM_BASELINE_HANDOFF_STACK": "organization/iam-baseline-handoff/prod.etl-processor",
        "IAM_BASELINE_ROLE_ARN": entry["arn"],
        "IAM_BASELINE_STATE_ROLE_ARN": entry["stateRole"]["arn"],
    }


def test_the_handoff_stack_holds_only_the_services_own_roles(prod):
    values = handoff_stack_outputs(prod, "etl-processor")
    entry = prod["provisioningRoles"]["etl-processor"]
    assert set(values) == {"service", "accountId", "region", "backendUrl", "baselineVersion", "role", "stateRole"}
    assert values["role"] == {"arn": entry["arn"], "externalId": entry["externalId"], "allowDelete": False}
    assert values["stateRole"] == entry["stateRole"]
    assert "public-api" not in json.dumps(values) and "handoffPassphrase" not in json.dumps(values)


def test_the_handoff_program_exports_external_ids_as_secrets(prod):
    values = handoff_stack_outputs(prod, "etl-processor")
    rendering = run_offline(handoff_program(values), "prod.etl-processor", {}, project="iam-baseline-handoff")
    assert isinstance(rendering.outputs["role"], Secret) and isinstance(rendering.outputs["stateRole"], Secret)
    assert rendering.outputs["service"] == "etl-processor" and reveal(rendering.outputs) == values
    assert [r for r in rendering.registrations if r.custom] == [], "a handoff stack creates no resource"


def test_with_github_only_the_role_is_not_secret_and_no_aws_secret_is_handed_over():
    github = {"repository": "acme/api", "branches": ["main"]}
    outputs = reveal(render({"ci": {"mode": "github"}, "services": {"api": {"actions": ["sqs:*"], "github": github}}}).outputs)
    assert set(service_handoff(outputs, "api").secrets) == {"PULUMI_CONFIG_PASSPHRASE"}
    rendering = run_offline(handoff_program(handoff_stack_outputs(outputs, "api")), "dev.api", {}, project="iam-baseline-handoff")
    assert not isinstance(rendering.outputs["role"], Secret)


def test_a_shared_state_stack_hands_over_the_shared_state_role():
    outputs = reveal(render({"stateIsolation": "shared", "services": {"api": {"actions": ["sqs:*"]}}}).outputs)
    handoff = service_handoff(outputs, "api")
    assert handoff.variables["IAM_BASELINE_STATE_ROLE_ARN"] == outputs["stateRole"]["arn"]
    assert handoff.secrets["IAM_BASELINE_STATE_EXTERNAL_ID"] == outputs["stateRole"]["externalId"]


def test_an_unknown_service_names_the_known_ones(prod):
    with pytest.raises(UnknownService, match=r"'billing' is not in the baseline \(it has: etl-processor, public-api\)"):
        service_handoff(prod, "billing")


def test_the_text_form_is_gh_commands_with_quoted_values_and_no_secret_on_any_command_line(prod):
    handoff = service_handoff(prod, "public-api")
    command = "iam-baseline handoff --stack prod --service public-api --outputs out.json"
    text = format_handoff(handoff, command)
    assert f"{command} --secret PULUMI_CONFIG_PASSPHRASE | gh secret set PULUMI_CONFIG_PASSPHRASE" in text
    assert "gh variable set IAM_BASELINE_BACKEND_URL --body 's3://" in text  # '?' and '&' quoted for the shell
    assert "etl-processor" not in text
    assert handoff.secrets and not [v for v in handoff.secrets.values() if v in text], "a secret value is on a command line"
    assert "STAND-IN" not in text and "STAND-IN values" in format_handoff(handoff, command, stand_in=True)


def test_the_secret_pipe_prints_exactly_the_value_and_masked_outputs_are_refused(prod, tmp_path):
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(prod))
    base = ["handoff", "--stack", "prod", "--service", "public-api", "--outputs", str(outputs)]
    result = run_cli(*base, "--secret", "PULUMI_CONFIG_PASSPHRASE")
    assert result.returncode == 0 and result.stdout == prod["provisioningRoles"]["public-api"]["handoffPassphrase"]
    assert run_cli(*base, "--secret", "NOPE").returncode == 2
    masked = json.loads(json.dumps(prod))
    masked["provisioningRoles"]["public-api"]["handoffPassphrase"] = "[secret]"
    outputs.write_text(json.dumps(masked))
    for command in (base, ["publish", "--stack", "prod", "--outputs", str(outputs), "--dry-run"]):
        refused = run_cli(*command)
        assert refused.returncode == 2 and "--body" not in refused.stdout and "Traceback" not in refused.stderr
        assert "saved masked as [secret]" in refused.stderr and "--show-secrets" in refused.stderr


class FakePublisher:
    def __init__(self):
        self.calls = []

    def publish(self, stack, backend_url, passphrase, program):
        self.calls.append((stack, backend_url, passphrase, program))


def test_publish_writes_one_stack_per_service_with_its_own_passphrase(prod):
    publisher = FakePublisher()
    lines = []
    stacks = publish_handoffs(prod, publisher, echo=lines.append)
    assert stacks == ["organization/iam-baseline-handoff/prod.etl-processor", "organization/iam-baseline-handoff/prod.public-api"]
    for (stack, url, passphrase, program), service in zip(publisher.calls, ["etl-processor", "public-api"], strict=True):
        assert stack == prod["provisioningRoles"][service]["handoffStack"] and url == prod["backendUrl"]
        assert passphrase == prod["provisioningRoles"][service]["handoffPassphrase"]
        rendering = run_offline(program, stack.rsplit("/", 1)[1], {}, project="iam-baseline-handoff")
        assert reveal(rendering.outputs) == handoff_stack_outputs(prod, service)
    assert len({call[2] for call in publisher.calls}) == 2, "each service has its own passphrase"
    assert publish_handoffs(prod, FakePublisher(), ["public-api"], dry_run=True, echo=lines.append) == [stacks[1]]
    assert lines[-1].startswith("would publish")


def test_handoff_cli_prints_json_from_an_outputs_file(prod, tmp_path):
    outputs_file = tmp_path / "outputs.json"
    outputs_file.write_text(json.dumps(prod))
    result = run_cli("handoff", "--stack", "prod", "--service", "etl-processor", "--outputs", str(outputs_file), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == service_handoff(prod, "etl-processor").to_json()
    offline = run_cli("handoff", "--stack", "prod", "--service", "etl-processor", "--offline", "--json")
    assert json.loads(offline.stdout) == json.loads(result.stdout), "--offline uses the same stand-ins as plan"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--service", "billing", "--offline"], "--service: service 'billing' is not in the baseline"),
        (["--service", "api", "--outputs", "/nonexistent.json"], "no such file"),
        (["--service", "api"], "needs the Pulumi CLI"),
    ],
)
def test_handoff_cli_errors_exit_2_with_one_line(args, message):
    result = run_cli("handoff", "--stack", "prod", *args)
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_handoff_cli_refuses_a_file_that_is_not_the_baselines_outputs(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    other = tmp_path / "other.json"
    other.write_text('{"queueUrl": "x"}')
    for path, message in ((bad, "not the JSON"), (other, "no provisioningRoles")):
        result = run_cli("handoff", "--stack", "prod", "--service", "api", "--outputs", str(path))
        assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_publish_cli_dry_run_names_the_stacks_and_needs_the_cli_otherwise():
    dry = run_cli("publish", "--stack", "prod", "--offline", "--dry-run")
    assert dry.returncode == 0 and "would publish organization/iam-baseline-handoff/prod.public-api" in dry.stdout
    real = run_cli("publish", "--stack", "prod", "--offline")
    assert real.returncode == 2 and "needs the Pulumi CLI" in real.stderr


class ListingPublisher(FakePublisher):
    def __init__(self, existing):
        super().__init__()
        self.existing, self.removed = existing, []

    def list_stacks(self, backend_url, project):
        return list(self.existing)

    def remove(self, stack, backend_url):
        self.removed.append(stack)


def test_prune_names_only_this_baseline_stacks_removed_services_and_removes_only_when_confirmed(prod):
    current = sorted(entry["handoffStack"] for entry in prod["provisioningRoles"].values())
    gone = "organization/iam-baseline-handoff/prod.billing"
    other_stack = "organization/iam-baseline-handoff/dev.billing"  # dev's handoffs share the bucket
    look_alike = "organization/iam-baseline-handoff/production.billing"
    publisher = ListingPublisher([*current, gone, other_stack, look_alike])
    lines = []
    assert prune_handoffs(prod, publisher, echo=lines.append) == [gone]
    assert publisher.removed == [] and "would remove" in lines[0] and "--prune --yes" in lines[-1]
    assert prune_handoffs(prod, publisher, confirmed=True, echo=lines.append) == [gone]
    assert publisher.removed == [gone]
    assert stale_handoff_stacks(prod, current) == []


def test_prune_refuses_yes_alone_and_needs_the_cli_to_list(prod, tmp_path):
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(prod))
    yes_alone = run_cli("publish", "--stack", "prod", "--outputs", str(outputs), "--yes")
    assert yes_alone.returncode == 2 and "--prune" in yes_alone.stderr
    if shutil.which("pulumi") is None:
        listing = run_cli("publish", "--stack", "prod", "--outputs", str(outputs), "--prune", "--dry-run")
        assert listing.returncode == 2 and "Pulumi CLI" in listing.stderr and "Traceback" not in listing.stderr
