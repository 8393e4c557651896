"""Installing and releasing: the README's install commands, the license, the release workflow, and what
the pre-commit `rev:` and the Action's `uses:` name."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from goleaklint import __version__
from goleaklint.cli import main

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
URL = "https://github.com/goleaklint/goleaklint"


def install_block() -> list[str]:
    section = README.split("<!-- BEGIN install", 1)[1].split("<!-- END install", 1)[0]
    [block] = re.findall(r"```sh\n(.*?)```", section, re.S)
    return [line for line in block.splitlines() if line and not line.startswith("#")]


def test_readme_installs_into_an_environment_of_its_own_from_the_repository():
    commands = install_block()
    assert commands[0] == f"pipx install git+{URL}"
    assert commands[1] == f"uv tool install git+{URL}"
    assert commands[2].startswith("python3 -m venv ") and commands[2].endswith(f"/bin/pip install git+{URL}")
    # Not `pip install goleaklint` (not on PyPI yet) nor a bare `pip install .` (PEP 668 refuses it).
    assert not re.search(r"^\s*pip install", README, re.M)


@pytest.mark.slow
def test_readme_venv_command_installs_a_working_goleaklint(tmp_path):
    """The venv line as written, with the repository URL pointing at this clone (no network here)
    and the venv under a temporary HOME."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    line = install_block()[2]
    line = line.replace(f"git+{URL}", f"git+file://{ROOT}").replace("python3 ", f"{shlex.quote(sys.executable)} ", 1)
    env = {**os.environ, "HOME": str(tmp_path)}
    proc = subprocess.run(["bash", "-c", line], env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    venv = tmp_path / ".local" / "share" / "goleaklint"
    run = subprocess.run([str(venv / "bin" / "goleaklint"), "--version"], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == f"goleaklint {__version__}"
    metadata = subprocess.run([str(venv / "bin" / "python"), "-c",
                               "import importlib.metadata as m; d = m.metadata('goleaklint'); "
                               "print(d['License-Expression']); print(d.get_all('License-File'))"],
                              cwd=tmp_path, capture_output=True, text=True, check=True).stdout.splitlines()
    assert metadata == ["MIT", "['LICENSE']"]


def test_mit_license_with_an_spdx_expression_and_a_setuptools_that_reads_it():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "MIT"
    assert project["project"]["license-files"] == ["LICENSE"]
    assert not any(c.startswith("License ::") for c in project["project"]["classifiers"])  # PEP 639 forbids both
    [setuptools] = [r for r in project["build-system"]["requires"] if r.startswith("setuptools")]
    assert setuptools == "setuptools>=77"  # the first to accept an SPDX `license` string


def test_pre_commit_rev_action_ref_and_pins_name_the_release_tag_of_this_version():
    tag = f"v{__version__}"
    assert re.findall(r"^\s*rev: (\S+)", README, re.M) == [tag]
    assert set(re.findall(r"uses: goleaklint/goleaklint@(\S+)", README)) == {tag, "<40-hex-sha>"}
    for doc in ("README.md", "docs/adoption.md", "docs/speed.md"):
        for pin in re.findall(r"git\+https://github\.com/goleaklint/goleaklint@([\w.]+)", (ROOT / doc).read_text()):
            assert pin == tag, doc
    assert "until that tag" in README and "commit SHA" in README  # and says what to do before it exists


def test_release_workflow_publishes_version_tags_by_trusted_publishing():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    assert workflow[True]["push"]["tags"] == ["v*"]  # YAML 1.1 reads the key `on` as True
    assert workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]
    build = [step.get("run", "") for step in jobs["build"]["steps"]]
    assert any(".ci/check-release-tag" in run for run in build) and any("python -m build" in run for run in build)
    publish = jobs["pypi"]
    assert publish["permissions"] == {"id-token": "write"} and publish["environment"]["name"] == "pypi"
    assert publish["steps"][-1]["uses"] == "pypa/gh-action-pypi-publish@release/v1"
    assert "with" not in publish["steps"][-1]  # no password: trusted publishing
    assert jobs["github-release"]["needs"] == "pypi"


@pytest.mark.parametrize("tag, code", [(f"v{__version__}", 0), (f"refs/tags/v{__version__}", 0),
                                       (__version__, 1), ("v9.9.9", 1)])
def test_release_refuses_a_tag_that_is_not_v_plus_the_version(tag, code):
    proc = subprocess.run([sys.executable, str(ROOT / ".ci" / "check-release-tag"), tag], capture_output=True, text=True)
    assert proc.returncode == code, proc.stderr


def test_pre_commit_hooks_point_at_docs_that_exist():
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text()
    for doc in re.findall(r"docs/[\w.-]+\.md", hooks + README):
        assert (ROOT / doc).is_file(), doc
    assert "docs/workflows.md" in hooks


def test_in_its_own_repository_goleaklint_does_not_lint_its_fixtures(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(["./..."]) == 2  # nothing of its own to lint, and it says why
    assert "nothing to lint" in (err := capsys.readouterr().err) and "tests/fixtures" in err
    assert main(["--show-settings"]) == 0
    assert "skipped: tests/fixtures/: exclude" in capsys.readouterr().out
