"""Which conditions name a switch for developers (linter/switches.py), which GL406, GL502 and the
route reader ask."""

from __future__ import annotations

import pytest

from goleaklint.switches import names_developer_switch


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
