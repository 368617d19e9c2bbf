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


def test_chromium_present_runs(monkeypatch):
    monkeypatch.setenv("CI", "true")
    if conftest._unavailable():
        pytest.skip(conftest._unavailable())
    conftest.require_chromium()  # neither skips nor fails
