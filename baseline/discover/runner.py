"""Run a service's Pulumi program offline under discover's mocks and return what it registered and called.

`run_service_program` runs it in this process (tests, and the child). `run_isolated` runs it in a child
process, so that a program that never finishes (an Output that never resolves, `while True`) can be
stopped at a time limit, and so that the program's own virtualenv (named in its Pulumi.yaml) can be
added to the child's path after the baseline's own packages: the baseline's pulumi stays the one its
private APIs were written against. The child also renders the baseline whose outputs the program
reads (`BaselineSource`), so the caller never imports Pulumi: it loads the permission table meanwhile.
The child reads its request on stdin and writes its result to a file.

    python -m baseline.discover.runner   # the child; a JSON request on stdin
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from baseline.discover.project import (
    PREVIEW_HINT,
    DiscoverError,
    Project,
    check_runnable,
    program_path,
    read_project,
    read_pulumi_yaml,
    site_packages,
    stack_file,
)

if TYPE_CHECKING:
    from baseline.discover.proposal import Proposal


@dataclass
class ProgramRun:
    """What one program run registered (as plain registrations) and which data sources it called."""

    service: str
    registrations: list[Any]
    invokes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    baseline_warnings: list[str] = field(default_factory=list)  # what rendering the baseline warned about
    placement: dict[str, str] | None = None  # the service's IAM path and boundary ({} if it manages no IAM; None: not in the baseline)
    default_tags: Any = None  # the stack config's `aws:defaultTags`


@dataclass(frozen=True)
class BaselineSource:
    """The baseline the program's StackReferences are answered from: `program` (`module:function`) run
    offline with the config of `Pulumi.<stack>.yaml` in `project_dir`."""

    program: str
    project_dir: Path
    stack: str


def _stand_in_outputs(baseline_outputs: dict[str, Any], name: str, stack: str) -> dict[str, Any]:
    """Return the baseline's outputs with a stand-in role for a service not yet in it, so the program runs."""
    outputs = dict(baseline_outputs)
    roles = dict(outputs.get("provisioningRoles", {}))
    if name not in roles:
        from baseline.aws import arns
        from baseline.offline.fake_aws import offline_context

        ctx = offline_context(**{k: v for k, v in (("region", outputs.get("region")), ("account_id", outputs.get("accountId"))) if v})
        path = f"/discover-stand-in/{name}/"  # so a program that creates roles with iam_placement runs too
        stand_in = arns.role_arn(ctx, "/", f"discover-{name}")
        state = {"arn": f"{stand_in}-state", "externalId": "discover-stand-in"}
        handoff = f"organization/discover-stand-in/{stack}.{name}"
        roles[name] = {
            "arn": stand_in,
            "externalId": "discover-stand-in",
            "allowDelete": True,
            "stateRole": state,
            "handoffStack": handoff,
            "iamPath": path,
            "permissionsBoundaryArn": arns.policy_arn(ctx, path, "boundary"),
        }
    outputs["provisioningRoles"] = roles
    return outputs


def run_service_program(service_dir: Path, stack: str, baseline_outputs: dict[str, Any], service: str | None = None) -> tuple[str, Any]:
    """Run a service program offline in this process and return the service's name and the rendering."""
    import functools

    from baseline.design.handoff import handoff_stack_outputs
    from baseline.discover.mocks import PlausibleMocks
    from baseline.offline.engine import run_offline
    from iam_baseline_consume import HANDOFF_STACK_ENV, handoff_reference

    service_dir = service_dir.resolve()
    pulumi_yaml = read_pulumi_yaml(service_dir)
    project, config = read_project(service_dir, stack, pulumi_yaml)
    entry = program_path(service_dir, pulumi_yaml)
    # The program runs from its own folder, as Pulumi runs it: the folder `main` names, else the project's.
    workdir = entry.parent if entry.parent == pulumi_yaml.main else service_dir
    name = service or config.get(f"{project}:service") or project
    outputs = _stand_in_outputs(baseline_outputs, name, stack)
    handoff_reference.cache_clear()
    cwd, path, environ = os.getcwd(), list(sys.path), dict(os.environ)
    os.environ[HANDOFF_STACK_ENV] = outputs["provisioningRoles"][name]["handoffStack"]  # as the repository's variable would
    os.chdir(workdir)
    sys.path.insert(0, str(entry.parent))
    try:
        rendering = run_offline(
            functools.partial(_run_program, entry),
            stack,
            config,
            project=project,
            any_stack_outputs=handoff_stack_outputs(outputs, name),
            mocks_class=PlausibleMocks,
        )
    finally:
        os.chdir(cwd)
        sys.path[:] = path
        os.environ.clear()
        os.environ.update(environ)
        _forget_program_modules(service_dir)
    return name, rendering


def _forget_program_modules(service_dir: Path) -> None:
    """Forget the modules a program imported from its own folder (its `iam.py`, say), so that the next program run in
    this process imports its own module of that name, not this one's."""
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and Path(file).resolve().is_relative_to(service_dir):
            del sys.modules[name]


def service_placement(baseline_outputs: dict[str, Any], service: str) -> dict[str, str] | None:
    """Return the service's IAM path and boundary from the baseline's outputs (empty when it manages no IAM;
    None when the service is not in the baseline yet)."""
    from baseline.discover.proposal import PLACEMENT_KEYS

    role = (baseline_outputs.get("provisioningRoles") or {}).get(service)
    return None if role is None else {k: str(role[k]) for k in PLACEMENT_KEYS if k in role}


def discover(service_dir: Path, stack: str, baseline_outputs: dict[str, Any], service: str | None = None) -> Proposal:
    """Run a service program offline in this process (its StackReferences answered by its handoff stack's
    values) and return the proposal. A service not yet in the baseline gets a stand-in role so the program runs."""
    from baseline.discover.proposal import propose

    name, rendering = run_service_program(service_dir, stack, baseline_outputs, service)
    return propose(name, rendering.registrations, rendering.invokes, service_placement(baseline_outputs, name), rendering.default_tags)


def _run_program(entry: Path) -> None:
    import runpy

    from baseline.offline.pulumi_private import pass_resources_as_ids

    pass_resources_as_ids()
    runpy.run_path(str(entry), run_name="__main__")


class Child:
    """A child process that has started importing Pulumi and waits for its request."""

    def __init__(self) -> None:
        root = str(Path(__file__).resolve().parent.parent.parent)  # the folder holding the `baseline` package
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), root) if p)  # the caller's first
        self.result = Path(tempfile.mkstemp(prefix="iam-baseline-discover-", suffix=".json")[1])
        self.process = subprocess.Popen(
            [sys.executable, "-m", "baseline.discover.runner"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,  # its own process group, so a stop reaches anything it started
        )

    def run(
        self,
        service_dir: Path,
        stack: str,
        baseline: BaselineSource | dict[str, Any],
        service: str | None,
        timeout: float,
        meanwhile: Callable[[], object] | None = None,
    ) -> ProgramRun:
        """Send the request, do `meanwhile`, wait at most `timeout` seconds in all, and return the run or raise DiscoverError."""
        started = time.monotonic()
        project = check_runnable(service_dir)
        venv = project.virtualenv
        source = (
            {"program": baseline.program, "projectDir": str(baseline.project_dir.resolve()), "stack": baseline.stack}
            if isinstance(baseline, BaselineSource)
            else None
        )
        request = {
            "path": str(service_dir.resolve()),
            "stack": stack,
            "baseline": source,
            "baselineOutputs": None if source else baseline,
            "service": service,
            "siteDirs": [str(p) for p in site_packages(venv)] if venv else [],
            "result": str(self.result),
        }
        assert self.process.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.process.stdin.write(json.dumps(request).encode())
            self.process.stdin.close()
        self.process.stdin = None  # sent: `communicate` below only reads
        if meanwhile is not None:
            meanwhile()
        try:
            _, stderr = self.process.communicate(timeout=max(timeout - (time.monotonic() - started), 0.01))
        except subprocess.TimeoutExpired:
            self.stop()
            raise DiscoverError(
                f"{service_dir}: the program did not finish within the {timeout:g} s limit (--timeout {timeout:g}); it may wait on an "
                f"Output that never resolves or loop forever: fix that, raise --timeout, or {PREVIEW_HINT}"
            ) from None
        finally:
            self.stop()
        try:
            answer = json.loads(self.result.read_text() or "{}")
        finally:
            self.close()
        return _program_run(service_dir, stack, project, answer, stderr.decode(errors="replace"))

    def stop(self) -> None:
        """Stop the child (and whatever it started) if it is still running."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.communicate()

    def close(self) -> None:
        """Stop the child and remove its result file (also when the caller failed before running it)."""
        self.stop()
        self.result.unlink(missing_ok=True)


def _program_run(service_dir: Path, stack: str, project: Project, answer: dict[str, Any], stderr: str) -> ProgramRun:
    kind = answer.get("kind")
    if kind == "ok":
        from baseline.offline.fake_aws import Registration

        registrations = [Registration(**r) for r in answer["registrations"]]
        return ProgramRun(
            answer["service"],
            registrations,
            answer["invokes"],
            answer["warnings"],
            answer["baselineWarnings"],
            answer["placement"],
            answer["defaultTags"],
        )
    if kind == "baseline-error":  # the baseline's own config: the same one line `plan` prints
        raise DiscoverError(answer["message"])
    if kind == "missing-module":
        module = answer["module"]
        where = (
            f"neither in the baseline's environment nor in the virtualenv {project.virtualenv} its Pulumi.yaml names"
            if project.virtualenv and project.virtualenv.is_dir()
            else "in the baseline's environment, and its Pulumi.yaml names no virtualenv that exists"
        )
        raise DiscoverError(
            f"{service_dir}: the program imports {module}, which is not installed {where}: create that virtualenv "
            f"(runtime.options.virtualenv in Pulumi.yaml) and pip install the program's requirements, or pip install {module} here"
        )
    if kind == "consumer-refusal":
        given = f"--service {answer['service']}" if answer.get("service") else "its project name"
        reason = answer["message"].split("; set ")[0]  # the consumer's hint about the repository's variable is not discover's
        raise DiscoverError(f"{service_dir}: the program refused the handoff discover gave it for {given}: {reason}")
    if kind in ("missing-config", "config-type"):
        config_file = stack_file(service_dir, stack)
        key = answer["key"]
        if kind == "config-type":  # the value itself is not shown: it may be a secret
            problem = f"reads config {key} as {answer['type']}, and the value {config_file} sets is not one"
        elif config_file.is_file():
            problem = f"requires config {key}, which {config_file} does not set"
        else:
            problem = f"requires config {key}, and the stack has no config file {config_file}"
        secret = "--secret " if answer.get("secret") else ""
        raise DiscoverError(
            f"{service_dir}: the program {problem}: set it (`pulumi config set {secret}{key} VALUE --stack {stack}` there, "
            f"or `{key}: VALUE` under config: in that file) and run discover again"
        )
    if kind == "stack-output":
        raise DiscoverError(
            f"{service_dir}: the program requires output {answer['key']!r} of a StackReference; offline, discover answers every "
            f"StackReference with the service's handoff outputs, which have no such output: {PREVIEW_HINT}"
        )
    if kind == "unknown-invoke":
        raise DiscoverError(f"{service_dir}: the program calls {answer['message']}")
    if kind == "error":
        raise DiscoverError(f"{answer['traceback'].rstrip()}\n{service_dir}: the program raised {answer['message']}")
    last = stderr.strip().splitlines()[-1:] or ["no output"]
    raise DiscoverError(f"{service_dir}: the program's run stopped without a result ({last[0]})")


def run_isolated(
    service_dir: Path, stack: str, baseline: BaselineSource | dict[str, Any], service: str | None, timeout: float
) -> ProgramRun:
    """Run a service program in a child process with a time limit; see `Child` to start it earlier."""
    child = Child()
    try:
        return child.run(service_dir, stack, baseline, service, timeout)
    finally:
        child.close()


def _plain(value: Any) -> Any:
    """Return a JSON stand-in for an input the engine holds as an object (an asset or archive)."""
    return {"path": str(getattr(value, "path", value))}


E = TypeVar("E", bound=BaseException)


def _chain(error: BaseException | None) -> Iterator[BaseException]:
    """Yield the error and each exception of its cause/context chain, once each."""
    seen = set()
    while error is not None and id(error) not in seen:
        yield error
        seen.add(id(error))
        error = error.__cause__ or error.__context__


def _in_chain(error: BaseException | None, kind: type[E]) -> E | None:
    """Return the first exception of `kind` in the error's cause/context chain, or None."""
    return next((e for e in _chain(error) if isinstance(e, kind)), None)


def _stack_output_lookup(error: BaseException) -> str | None:
    """Return the output name when the error is a StackReference's `require_output` of an output its stack lacks."""
    import traceback

    for current in _chain(error):  # the KeyError whose own traceback ends in pulumi's lookup
        frames = traceback.extract_tb(current.__traceback__)
        if isinstance(current, KeyError) and current.args and frames and Path(frames[-1].filename).name == "stack_reference.py":
            return str(current.args[0])
    return None


def _render_baseline(source: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Return the baseline's outputs (secrets in the clear) and warnings, rendered offline as `plan` does."""
    import importlib

    from baseline.offline.engine import reveal, run_offline
    from baseline.offline.stack_files import load_stack_config

    module, function = source["program"].split(":")
    program = getattr(importlib.import_module(module), function)
    config, secret_keys = load_stack_config(Path(source["projectDir"]), source["stack"])
    rendering = run_offline(program, source["stack"], config, secret_keys)
    return dict(reveal(rendering.outputs)), list(rendering.warnings)


def child_main() -> int:
    """Run one program as `Child` asks (a JSON request on stdin) and write the result file it names."""
    import site
    import traceback

    import pulumi_aws  # noqa: F401 - imported before the request comes

    from baseline.aws.catalog import get_service_prefixes
    from baseline.discover import mocks  # noqa: F401
    from baseline.offline.fake_aws import UnknownInvoke

    get_service_prefixes()  # loads the catalogue the mocks' ARNs come from
    request = json.loads(sys.stdin.read())
    try:
        baseline_outputs, baseline_warnings = (
            _render_baseline(request["baseline"]) if request["baseline"] else (request["baselineOutputs"], [])
        )
    except (ValueError, FileNotFoundError) as error:  # ConfigError, StackFileError, no stack file: one line, as for `plan`
        Path(request["result"]).write_text(json.dumps({"kind": "baseline-error", "message": str(error)}))
        return 0
    for folder in request["siteDirs"]:
        site.addsitedir(folder)  # after the baseline's own packages, .pth files included
    answer: dict[str, Any]
    stdout, sys.stdout = sys.stdout, sys.stderr  # the program's prints are not discover's output
    try:
        name, rendering = run_service_program(Path(request["path"]), request["stack"], baseline_outputs, request["service"])
        registrations = [
            {"typ": r.typ, "name": r.name, "urn": r.urn, "inputs": r.inputs, "custom": r.custom, "parent": r.parent, "provider": r.provider}
            for r in rendering.registrations
        ]
        answer = {
            "kind": "ok",
            "service": name,
            "registrations": registrations,
            "invokes": rendering.invokes,
            "warnings": rendering.warnings,
            "baselineWarnings": baseline_warnings,
            "placement": service_placement(baseline_outputs, name),
            "defaultTags": rendering.default_tags,
        }
    except UnknownInvoke as error:
        answer = {
            "kind": "unknown-invoke",
            "message": f"data source {error.token}, which has no offline stand-in (no installed provider package declares it)",
        }
    except BaseException as error:  # the program's own failure, reported to the caller
        from pulumi.config import ConfigMissingError, ConfigTypeError

        from iam_baseline_consume import ServiceNotInBaseline

        missing = _in_chain(error, ModuleNotFoundError)
        # iam_baseline_consume's refusal (another service's handoff stack, a missing component, no IAM placement)
        refusal = _in_chain(error, ServiceNotInBaseline)
        handoff_mismatch = None if refusal is None else str(refusal)
        unset, mistyped = _in_chain(error, ConfigMissingError), _in_chain(error, ConfigTypeError)
        if missing is not None:
            answer = {"kind": "missing-module", "module": missing.name or str(missing)}
        elif unset is not None:  # the stack's config, not the program: one line, no traceback
            answer = {"kind": "missing-config", "key": unset.key, "secret": unset.secret}
        elif mistyped is not None:
            answer = {"kind": "config-type", "key": mistyped.key, "type": mistyped.expect_type}
        elif (output := _stack_output_lookup(error)) is not None:
            answer = {"kind": "stack-output", "key": output}
        elif handoff_mismatch is not None:  # the user's mistake, not the program's: one line, no traceback
            answer = {"kind": "consumer-refusal", "message": handoff_mismatch, "service": request["service"]}
        else:
            message = f"{type(error).__name__}: {error}".splitlines()[0]
            answer = {"kind": "error", "message": message, "traceback": traceback.format_exc()}
    finally:
        sys.stdout = stdout
    Path(request["result"]).write_text(json.dumps(answer, default=_plain))
    return 0


if __name__ == "__main__":
    from baseline.offline.pulumi_private import close_event_loops

    code = child_main()
    close_event_loops()
    sys.exit(code)
