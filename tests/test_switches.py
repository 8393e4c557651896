"""Which conditions name a switch for developers (linter/switches.py), which GL406, GL502 and the
route reader ask."""

from __future__ import annotations

from pathlib import Path

import pytest

from goleaklint.source import SourceFile, new_parser
from goleaklint.switches import named_switch_spans, names_developer_switch


@pytest.mark.parametrize("condition", [
    "cfg.Debug", "*devMode", "devhttps", "isDev", "cfg.IsDev()", "DEV_MODE", "env.IsDevelopment",
    "cfg.TestMode", "*test", "IsTest()", "TEST_MODE", "APP.DemoEnable", "opts.Sandbox", "cfg.EnableDevTools",
])
def test_switches_for_developers(condition):
    assert names_developer_switch(condition)


@pytest.mark.parametrize("condition", [
    # `dev` and `test` inside longer words
    "device != nil", "len(cfg.Devices) > 0", "cfg.Attestation.Enabled", "latest", "Latest", "LATEST",
    # a feature an operator turns on; a string literal; a library's package
    "cfg.EnableUploads", 'mode == "test"', "contentType == echo.MIMEApplicationJSON", "testing.Short()",
])
def test_not_switches_for_developers(condition):
    assert not names_developer_switch(condition)


def _spans(code: str) -> list[str]:
    data = code.encode()
    source = SourceFile(Path("x.go"), "x.go", data, new_parser())
    return [data[start:end].decode() for start, end, _ in named_switch_spans(source)]


def test_named_switch_spans_take_the_block_of_an_if_with_an_else():
    code = ("package p\n\nfunc main() {\n\tif devHTTPS {\n\t\tserveDev()\n\t} else if https {\n\t\tserveTLS()\n"
            "\t} else {\n\t\tserve()\n\t}\n\tif device != nil {\n\t\tuse()\n\t}\n}\n")
    spans = _spans(code)
    assert any("serveDev()" in span for span in spans)
    # the `else` runs when the switch is off; `device` names no switch
    assert not any("serveTLS()" in span or "serve()\n" in span or "use()" in span for span in spans)


def test_named_switch_spans_skip_a_feature_switch_with_an_else():
    # A feature that may be on by default, with a fallback: the block is not taken as switched off.
    code = ("package p\n\nfunc main() {\n\tif cfg.DashboardEnabled {\n\t\tserveDashboard()\n\t} else {\n\t\twait()\n\t}\n"
            "\tif cfg.EnablePprof {\n\t\tservePprof()\n\t}\n}\n")
    spans = _spans(code)
    assert not any("serveDashboard()" in span for span in spans)
    assert any("servePprof()" in span for span in spans)
