"""Without Chromium the browser tests skip with a one-line hint, except in CI, where they fail."""

from __future__ import annotations

import pytest

from tests.browser import conftest


def test_missing_chromium_skips_with_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setattr(conftest, "CHROMIUM", tmp_path / "chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        conftest.require_chromium()
    reason = str(skipped.value)
    assert "apt-get install -y chromium" in reason and "\n" not in reason


def test_missing_chromium_fails_in_ci(monkeypatch, tmp_path):
    monkeypatch.setattr(conftest, "CHROMIUM", tmp_path / "chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y chromium"):
        conftest.require_chromium()


def test_chromium_present_runs(monkeypatch, tmp_path):
    browser = tmp_path / "chromium"  # an executable where Chromium is looked for
    browser.write_text("#!/bin/sh\n", encoding="utf-8")
    browser.chmod(0o755)
    monkeypatch.setattr(conftest, "CHROMIUM", browser)
    monkeypatch.setenv("CI", "true")
    conftest.require_chromium()  # neither skips nor fails
