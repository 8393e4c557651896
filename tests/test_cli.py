"""The command line as users meet it: exit codes, errors that say where, output formats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from goleaklint.cli import main

LEAKY = """package app

import "context"

func handle(parent context.Context) {
	ctx, _ := context.WithTimeout(parent, 0)
	_ = ctx
}
"""

CLEAN = """package app

import "context"

func handle(parent context.Context) {
	ctx, cancel := context.WithTimeout(parent, 0)
	defer cancel()
	_ = ctx
}
"""


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)

    def write(files: dict[str, str]) -> Path:
        for rel, text in files.items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return tmp_path

    return write


def test_discarded_cancel_exits_1_and_names_the_line(tree, capsys):
    tree({"svc/handler.go": LEAKY})
    assert main(["./...", "-j", "1"]) == 1
    out = capsys.readouterr().out
    assert "svc/handler.go:6:7" in out
    assert "GL401" in out and "lost-cancel" in out
    assert "Found 1 finding" in out


def test_no_arguments_means_dot_dot_dot(tree, capsys):
    tree({"a/b/c/handler.go": LEAKY})
    assert main([]) == 1
    assert "a/b/c/handler.go:6:7" in capsys.readouterr().out


def test_clean_tree_exits_0_with_a_quiet_line(tree, capsys):
    tree({"svc/handler.go": CLEAN})
    assert main(["./..."]) == 0
    assert capsys.readouterr().out.strip() == "No leaks found in 1 file."


def test_plain_dir_is_one_package_not_recursive(tree, capsys):
    tree({"svc/handler.go": CLEAN, "svc/inner/leak.go": LEAKY})
    assert main(["svc"]) == 0
    assert main(["svc/..."]) == 1


def test_exit_zero_and_fail_on(tree, capsys):
    tree({"svc/handler.go": LEAKY})
    assert main(["--exit-zero"]) == 0
    assert main(["--fail-on", "error"]) == 0
    assert main(["--fail-on", "warning"]) == 1


def test_missing_path_exits_2_naming_it(tree, capsys):
    assert main(["does/not/exist/..."]) == 2
    assert "does/not/exist/...: no such file or directory" in capsys.readouterr().err


def test_config_selecting_unknown_rule_exits_2_with_file_and_line(tree, capsys):
    tree({".goleaklint.toml": "# rules\nselect = [\"GL401\", \"GL999\"]\n", "a.go": CLEAN})
    assert main([]) == 2
    err = capsys.readouterr().err
    assert ".goleaklint.toml:2:" in err and "GL999" in err


def test_invalid_toml_exits_2_with_file_and_line(tree, capsys):
    tree({".goleaklint.toml": "tests = true\nselect = [\"GL401\"\nignore = 3\n", "a.go": CLEAN})
    assert main([]) == 2
    err = capsys.readouterr().err
    assert ".goleaklint.toml:3:" in err and "invalid TOML" in err


def test_unknown_key_exits_2_with_line(tree, capsys):
    tree({"pyproject.toml": "[project]\nname = \"x\"\n\n[tool.goleaklint]\ntests = false\nselct = [\"GL401\"]\n",
          "a.go": CLEAN})
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "pyproject.toml:6:" in err and "unknown key 'selct'" in err


def test_config_is_found_walking_up(tree, capsys, monkeypatch):
    root = tree({".goleaklint.toml": "ignore = [\"lost-cancel\"]\n", "svc/handler.go": LEAKY})
    monkeypatch.chdir(root / "svc")
    assert main([]) == 0


def test_explicit_config_wins(tree, capsys):
    tree({".goleaklint.toml": "ignore = [\"GL401\"]\n", "strict.toml": "select = [\"GL401\"]\n", "a.go": LEAKY})
    assert main([]) == 0
    assert main(["--config", "strict.toml"]) == 1
    assert main(["--config", "missing.toml"]) == 2


def test_select_and_ignore_flags(tree, capsys):
    tree({"a.go": LEAKY})
    assert main(["--select", "GL404"]) == 0
    assert main(["--ignore", "lost-cancel"]) == 0
    assert main(["--select", "GL401"]) == 1
    assert main(["--select", "GL4O1"]) == 2
    assert "unknown rule 'GL4O1'" in capsys.readouterr().err


def test_severity_override_changes_the_level(tree, capsys):
    tree({".goleaklint.toml": "[severity]\nGL401 = \"note\"\n", "a.go": LEAKY})
    assert main(["--format", "json"]) == 0  # notes do not fail the run by default, nor are they shown
    document = json.loads(capsys.readouterr().out)
    assert document["findings"] == [] and document["summary"]["hidden_notes"] == 1
    assert main(["--format", "json", "--show-notes"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["findings"][0]["severity"] == "note"


def test_unwritable_output_fails_before_any_work(tree, capsys):
    tree({"a.go": LEAKY})
    assert main(["-o", "no/such/dir/out.json"]) == 2
    assert "cannot write no/such/dir/out.json" in capsys.readouterr().err


def test_json_output_schema(tree, capsys):
    tree({"svc/handler.go": LEAKY})
    assert main(["--format", "json", "-o", "out.json"]) == 1
    document = json.loads(Path("out.json").read_text(encoding="utf-8"))
    assert document["version"] == 1
    assert document["columns"] == "unicode-code-points"
    [finding] = document["findings"]
    assert finding == {
        "rule": "GL401", "slug": "lost-cancel", "severity": "warning", "path": "svc/handler.go",
        "line": 6, "column": 7, "end_line": 6, "end_column": 8, "message": finding["message"],
        "fix": finding["fix"], "function": "handle",
    }
    assert document["summary"] == {"files": 1, "findings": 1, "suppressed": 0, "hidden_notes": 0,
                                   "by_rule": {"GL401": 1}}


def test_output_is_deterministic_across_runs_and_jobs(tree, capsys):
    files = {f"p{i}/f{j}.go": LEAKY.replace("package app", f"package p{i}") for i in range(6) for j in range(3)}
    tree(files)
    outputs = []
    for jobs in ("1", "2", "2"):
        assert main(["--format", "json", "-j", jobs]) == 1
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(json.loads(outputs[0])["findings"]) == 18


def test_list_rules_and_version(capsys):
    assert main(["--list-rules"]) == 0
    out = capsys.readouterr().out
    assert "GL401  lost-cancel" in out and "GL404  defer-in-loop" in out
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("goleaklint ")


def test_rule_command_prints_the_docs(capsys):
    assert main(["rule", "GL401"]) == 0
    out = capsys.readouterr().out
    for section in ("What it does", "Why is this bad?", "Example", "Use instead", "Known limits"):
        assert section in out
    assert main(["rule", "lost-cancel"]) == 0
    assert main(["rule", "GL999"]) == 2


def test_bad_flag_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--format", "xml"])
    assert exit_info.value.code == 2


def test_no_color_when_not_a_tty_or_no_color_set(tree):
    root = tree({"a.go": LEAKY})
    for env_extra in ({}, {"NO_COLOR": "1"}):
        run = subprocess.run([sys.executable, "-m", "goleaklint"], cwd=root, capture_output=True, text=True,
                             env={"PATH": "", "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"], **env_extra})
        assert run.returncode == 1
        assert "\x1b[" not in run.stdout


def test_console_script_entry_point_runs(tree):
    root = tree({"a.go": CLEAN})
    run = subprocess.run([sys.executable, "-m", "goleaklint", "./..."], cwd=root, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "No leaks found" in run.stdout
