"""`--shard K/N`: every package in exactly one shard, the same shard on every machine."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from goleaklint.cli import main
from goleaklint.config import Config, ConfigError
from goleaklint.discover import discover, parse_shard, select_shard, shard_of

LEAK = 'package {pkg}\n\nimport "context"\n\nfunc f(p context.Context) {{\n\tx, _ := context.WithCancel(p)\n\t_ = x\n}}\n'
PACKAGES = [f"svc{i}/pkg{j}" for i in range(6) for j in range(4)] + ["."]


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "repo"
    for rel in PACKAGES:
        directory = root / rel
        directory.mkdir(parents=True, exist_ok=True)
        name = rel.replace("/", "_").replace(".", "root")
        (directory / f"{name}.go").write_text(LEAK.format(pkg=name), encoding="utf-8")
    return root


@pytest.mark.parametrize("text, expected", [("1/1", (1, 1)), ("2/4", (2, 4)), ("4/4", (4, 4))])
def test_parse_shard(text, expected):
    assert parse_shard(text) == expected


@pytest.mark.parametrize("text", ["0/4", "5/4", "1/0", "2", "a/b", "1/-2", "-1/2", "1/2/3", ""])
def test_parse_shard_rejects(text):
    with pytest.raises(ConfigError, match="K/N"):
        parse_shard(text)


def test_shards_partition_the_packages(tree):
    jobs, _ = discover(["./..."], Config(), tree)
    everything = sorted(str(j.directory) for j in jobs)
    for count in (1, 2, 3, 7):
        parts = [sorted(str(j.directory) for j in select_shard(jobs, (k, count), tree)) for k in range(1, count + 1)]
        assert sorted(d for part in parts for d in part) == everything
        if count == 3:
            assert all(parts), "with 25 packages no shard of 3 is empty"


def test_shard_depends_on_the_relative_path_only(tree, tmp_path):
    elsewhere = tmp_path / "checkout" / "somewhere" / "else"
    shutil.copytree(tree, elsewhere)
    for rel in PACKAGES:
        assert shard_of(tree / rel, tree, 5) == shard_of(elsewhere / rel, elsewhere, 5)


def test_shard_assignment_is_pinned():
    # CI jobs on different machines, Python versions and releases must agree; a change to the hash
    # reshuffles every matrix, so it must be deliberate.
    root = Path("/r")
    assert [shard_of(root / rel, root, 4) for rel in ("svc0/pkg0", "svc1/pkg2", "cmd/api", ".")] == [3, 2, 4, 1]


def test_cli_shards_together_report_what_one_run_reports(tree, monkeypatch, capsys):
    monkeypatch.chdir(tree)
    assert main(["--no-cache", "-j", "1", "--format", "json"]) == 1
    whole = json.loads(capsys.readouterr().out)["findings"]
    assert len(whole) == len(PACKAGES)
    parts = []
    for k in (1, 2, 3):
        code = main(["--no-cache", "-j", "1", "--format", "json", "--shard", f"{k}/3"])
        found = json.loads(capsys.readouterr().out)["findings"]
        assert code == (1 if found else 0)
        parts.append(found)
    assert sorted(json.dumps(f, sort_keys=True) for part in parts for f in part) == sorted(
        json.dumps(f, sort_keys=True) for f in whole
    )


def test_cli_rejects_a_bad_shard(tree, monkeypatch, capsys):
    monkeypatch.chdir(tree)
    assert main(["--shard", "3/2"]) == 2
    assert "--shard 3/2" in capsys.readouterr().err
