"""The official SARIF checkers, found where `.ci/install-sarif-multitool` puts them.

Absent tools skip the tests that need them on a developer's machine, and fail them on CI (``CI`` set):
there, a missing tool means the check that code scanning accepts our SARIF silently did not run.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "node_modules" / "@microsoft" / "sarif-multitool-linux"
MULTITOOL = Path(os.environ.get("GOLEAKLINT_SARIF_MULTITOOL", PACKAGE_DIR / "Sarif.Multitool"))
SCHEMA = PACKAGE_DIR / "sarif-2.1.0.json"


def require(path: Path, what: str) -> Path:
    if path.exists():
        return path
    message = f"{what} not found at {path}: run .ci/install-sarif-multitool"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must run this check)")
    pytest.skip(message)


def multitool_problems(sarif_path: Path, tmp_path: Path) -> list[str]:
    """Errors and warnings of `Sarif.Multitool validate --rule-kind "Gh;Sarif"`, as readable lines.

    The multitool exits 0 even when it finds errors, so its own SARIF log is read instead.
    """
    tool = require(MULTITOOL, "the SARIF multitool")
    log = tmp_path / "multitool-log.sarif"
    proc = subprocess.run(
        [str(tool), "validate", "--rule-kind", "Gh;Sarif", "--output", str(log), str(sarif_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    problems = []
    for run in json.loads(log.read_text(encoding="utf-8-sig"))["runs"]:
        for result in run.get("results", []):
            level = result.get("level", "warning")  # SARIF's default level
            if level in ("error", "warning"):
                problems.append(f"{level} {result.get('ruleId')}: {json.dumps(result.get('message'))}")
    # The console lines carry the rendered text; keep them for the failure message.
    if problems:
        problems.append(proc.stdout)
    return problems


def schema_errors(document: dict) -> list[str]:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(require(SCHEMA, "the official sarif-2.1.0.json").read_text(encoding="utf-8-sig"))
    validator_class = jsonschema.validators.validator_for(schema)  # the file names its own draft
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]
