"""The GitHub Action: its shape, and its script steps run here as the runner would run them.

What cannot run without GitHub (actions/setup-python, the upload) is replaced by this machine's Python
and a look at the documented workflow; everything else is the action's own bash, started the way the
runner starts a `shell: bash` step (`bash --noprofile --norc -eo pipefail FILE`).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS = ACTION["runs"]["steps"]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def documented_workflow() -> dict:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("<!-- BEGIN github-actions", 1)[1].split("<!-- END github-actions", 1)[0]
    [block] = re.findall(r"```yaml\n(.*?)```", section, re.S)
    return yaml.safe_load(block)


def test_is_a_composite_action_whose_run_steps_all_name_a_shell():
    assert ACTION["runs"]["using"] == "composite"
    run_steps = [step for step in STEPS if "run" in step]
    assert len(run_steps) == 2
    for step in run_steps:
        assert step["shell"] == "bash", step["name"]


def test_inputs_reach_scripts_only_through_env():
    for step in STEPS:
        if "run" in step:
            assert "${{" not in step["run"], f"expression spliced into the script of {step['name']!r}"
    used = {m.group(1) for step in STEPS for value in (step.get("env") or {}).values()
            for m in re.finditer(r"inputs\.([\w-]+)", str(value))}
    used |= {m.group(1) for step in STEPS for value in (step.get("with") or {}).values()
             for m in re.finditer(r"inputs\.([\w-]+)", str(value))}
    assert used == set(ACTION["inputs"]), "every input is used, and only through env/with"
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description"), name


def test_python_comes_from_setup_python_without_touching_the_jobs_path():
    [setup] = [step for step in STEPS if "uses" in step]
    assert setup["uses"].startswith("actions/setup-python@v")
    assert setup["with"]["update-environment"] is False
    assert setup["id"] == "python"


def test_documented_workflow_uploads_with_codeql_action():
    workflow = documented_workflow()
    [job] = workflow["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    uses = [step.get("uses", "") for step in job["steps"]]
    assert uses[0].startswith("actions/checkout@")
    [ours] = [step for step in job["steps"] if step.get("uses", "").startswith("goleaklint/goleaklint@")]
    [upload] = [step for step in job["steps"] if step.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert job["steps"].index(upload) > job["steps"].index(ours)
    assert upload["with"]["sarif_file"] == ours["with"]["sarif-file"]
    assert set(ours["with"]) <= set(ACTION["inputs"])


FROM_THIS_REPOSITORY = "github.event.pull_request.head.repo.full_name == github.repository"


def test_documented_workflow_skips_the_upload_from_forks_and_says_why():
    [job] = documented_workflow()["jobs"].values()
    # upload-sarif reads the workflow run in private repositories: without actions: read it fails there.
    assert job["permissions"] == {"contents": "read", "security-events": "write", "actions": "read"}
    [upload] = [step for step in job["steps"] if step.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    # After a failing lint step too (always()), but a fork's pull request has a read-only token.
    assert upload["if"] == f"always() && (github.event_name != 'pull_request' || {FROM_THIS_REPOSITORY})"
    [notice] = [step for step in job["steps"] if "run" in step and "::notice" in step["run"]]
    assert notice["if"] == ("always() && github.event_name == 'pull_request' && "
                            + FROM_THIS_REPOSITORY.replace("==", "!="))
    assert "read-only token" in notice["run"]


def test_documented_workflow_says_what_code_scanning_needs():
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("<!-- BEGIN github-actions", 1)[1]
    section = " ".join(section.split("<!-- END github-actions", 1)[0].split())
    assert "On private and internal ones it needs GitHub Code Security (part of GitHub Advanced Security)" in section


# One current set of action versions everywhere: README, docs, action.yml, this repository's workflows.
CURRENT = {
    "actions/checkout": "v6",
    "actions/setup-python": "v6",
    "actions/cache": "v5",
    "actions/upload-artifact": "v7",
    "actions/download-artifact": "v8",
    "github/codeql-action/upload-sarif": "v4",
    "pypa/gh-action-pypi-publish": "release/v1",
}


def test_every_workflow_and_doc_uses_one_current_set_of_action_versions():
    places = [ROOT / "README.md", ROOT / "action.yml", *sorted((ROOT / "docs").glob("*.md")),
              *sorted((ROOT / ".github" / "workflows").glob("*.yml"))]
    seen: dict[str, set[str]] = {}
    for path in places:
        for match in re.finditer(r"uses:\s*([\w.-]+/[\w./-]+)@([\w./-]+)", path.read_text(encoding="utf-8")):
            name, ref = match.groups()
            if name == "goleaklint/goleaklint":
                continue
            seen.setdefault(name, set()).add(ref)
            assert name in CURRENT, f"{path.name}: {name} is not in the list of checked actions"
            assert ref == CURRENT[name], f"{path.name}: {name}@{ref}, current is {CURRENT[name]}"
    assert {"actions/checkout", "actions/setup-python", "github/codeql-action/upload-sarif"} <= set(seen)


# Running the steps.


class Runner:
    """Just enough of the Actions runner: expressions over inputs, step outputs and the action path."""

    def __init__(self, workspace: Path, temp: Path, inputs: dict[str, str]):
        self.workspace = workspace
        self.temp = temp
        self.inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
        unknown = set(inputs) - set(self.inputs)
        assert not unknown, unknown
        self.inputs.update(inputs)
        self.outputs: dict[str, dict[str, str]] = {}

    def evaluate(self, text: str) -> str:
        def value(match: re.Match) -> str:
            expr = match.group(1)
            if expr.startswith("inputs."):
                return self.inputs[expr[len("inputs."):]]
            if expr == "github.action_path":
                return str(ROOT)
            step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
            if step:
                return self.outputs.get(step.group(1), {}).get(step.group(2), "")
            raise AssertionError(f"the test runner does not know the expression {expr!r}")

        return EXPRESSION.sub(value, text)

    def run(self, step: dict) -> subprocess.CompletedProcess:
        assert step["shell"] == "bash"
        script = self.temp / f"step-{step['id']}.sh"
        script.write_text(step["run"], encoding="utf-8")
        output_file = self.temp / f"output-{step['id']}"
        output_file.write_text("")
        env = {key: value for key, value in os.environ.items() if not key.startswith(("INPUT_", "GOLEAKLINT"))}
        env.pop("NO_COLOR", None)
        env.update(RUNNER_TEMP=str(self.temp), RUNNER_OS="Linux", GITHUB_OUTPUT=str(output_file),
                   GITHUB_WORKSPACE=str(self.workspace), GITHUB_ACTIONS="true")
        env.update({key: self.evaluate(str(value)) for key, value in (step.get("env") or {}).items()})
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=self.workspace, env=env, capture_output=True, text=True, timeout=600)
        outputs = {}
        for line in output_file.read_text().splitlines():
            key, _, value = line.partition("=")
            outputs[key] = value
        self.outputs[step["id"]] = outputs
        return proc


def step(step_id: str) -> dict:
    [found] = [s for s in STEPS if s.get("id") == step_id]
    return found


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, str]:
    """The install step, run once: pip installs goleaklint from the action's checkout into a venv."""
    temp = tmp_path_factory.mktemp("runner-temp")
    runner = Runner(temp, temp, {})
    runner.outputs["python"] = {"python-path": sys.executable}  # what setup-python would provide
    proc = runner.run(step("install"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    outputs = runner.outputs["install"]
    assert Path(outputs["goleaklint"]).is_file() and outputs["goleaklint"].startswith(str(temp))
    return outputs


# A handler: code that runs once per process, or that a main package reaches only through a function
# value, is not reported at warning (README: How often the code runs).
# A leak of a rule shown by default (GL405 is measured high in code that runs per request): a
# handler's response body never closed.
LEAKY = """package main

import "net/http"

func handle(w http.ResponseWriter, r *http.Request) {
	resp, err := http.Get("http://upstream.internal/status")
	if err != nil {
		return
	}
	w.WriteHeader(resp.StatusCode)
}

func main() { http.HandleFunc("/", handle) }
"""
CLEAN = LEAKY.replace("\tw.WriteHeader(resp.StatusCode)", "\tdefer resp.Body.Close()\n\tw.WriteHeader(resp.StatusCode)")


def lint(installed, tmp_path, source: str = LEAKY, **inputs) -> tuple[subprocess.CompletedProcess, dict, Path]:
    workspace = tmp_path / "repo"
    (workspace / "cmd" / "svc").mkdir(parents=True, exist_ok=True)
    (workspace / "go.mod").write_text("module example.com/svc\n\ngo 1.22\n")
    (workspace / "cmd" / "svc" / "main.go").write_text(source)
    temp = tmp_path / "temp"
    temp.mkdir(exist_ok=True)
    runner = Runner(workspace, temp, inputs)
    runner.outputs["install"] = installed
    proc = runner.run(step("lint"))
    return proc, runner.outputs["lint"], workspace



@pytest.mark.slow
def test_findings_fail_the_step_write_sarif_and_annotate(installed, tmp_path):
    proc, outputs, workspace = lint(installed, tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert outputs == {"sarif-file": "goleaklint.sarif", "exit-code": "1"}
    [run] = json.loads((workspace / "goleaklint.sarif").read_text())["runs"]
    [result] = run["results"]
    assert result["ruleId"] == "GL405"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "cmd/svc/main.go"
    assert "::warning file=cmd/svc/main.go,line=6,endLine=6,col=2,endColumn=6,title=GL405 response-body-not-closed::" in proc.stdout


@pytest.mark.slow
def test_findings_without_failing(installed, tmp_path):
    proc, outputs, _ = lint(installed, tmp_path, **{"fail-on-findings": "false", "annotations": "false"})
    assert proc.returncode == 0, proc.stderr
    assert outputs["exit-code"] == "1"
    assert "::warning" not in proc.stdout  # no annotations asked for, no second pass


@pytest.mark.slow
def test_clean_code_passes(installed, tmp_path):
    proc, outputs, workspace = lint(installed, tmp_path, CLEAN)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert outputs["exit-code"] == "0"
    assert json.loads((workspace / "goleaklint.sarif").read_text())["runs"][0]["results"] == []
    assert "goleaklint: no findings" in proc.stdout


@pytest.mark.slow
def test_quoted_args_and_paths(installed, tmp_path):
    proc, _, workspace = lint(installed, tmp_path, paths='"cmd/svc/..."', args="--sarif-category 'shard one'",
                              **{"sarif-file": "out dir.sarif"})
    assert proc.returncode == 1, proc.stderr
    [run] = json.loads((workspace / "out dir.sarif").read_text())["runs"]
    assert run["automationDetails"] == {"id": "shard one/"}


@pytest.mark.slow
def test_inputs_are_never_evaluated_as_shell(installed, tmp_path):
    proc, outputs, workspace = lint(installed, tmp_path, args="--select GL405 $(touch pwned) `touch pwned2`; touch pwned3")
    for name in ("pwned", "pwned2", "pwned3"):
        assert not (workspace / name).exists()
    # The words reach goleaklint as paths that do not exist: a usage error, not a pass.
    assert proc.returncode == 2 and outputs["exit-code"] == "2"
    assert "$(touch" in proc.stderr


@pytest.mark.slow
def test_without_sarif_file_prints_annotations(installed, tmp_path):
    proc, outputs, workspace = lint(installed, tmp_path, **{"sarif-file": ""})
    assert proc.returncode == 1
    assert outputs == {"sarif-file": "", "exit-code": "1"}
    assert not list(workspace.glob("*.sarif"))
    assert "::warning file=cmd/svc/main.go,line=6," in proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize("inputs, message", [
    ({"args": "--select 'GL405"}, "the args input is not valid shell quoting"),
    ({"fail-on-findings": "yes"}, "fail-on-findings must be true or false"),
    ({"args": "--select GL999"}, "goleaklint failed with exit code 2"),
])
def test_bad_inputs_fail_with_an_error_annotation(installed, tmp_path, inputs, message):
    proc, _, _ = lint(installed, tmp_path, **inputs)
    assert proc.returncode == 2
    assert f"::error title=goleaklint::{message}" in proc.stdout
