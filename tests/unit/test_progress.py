"""What a federation build prints: one plain line per setting off a terminal, then a summary."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from policy_sites.builder.federation import FederationReport
from policy_sites.builder.progress import BuildProgress, summary_lines
from policy_sites.builder.site import BuildResult

RESULTS = [
    BuildResult("acorns", Path("site/acorns"), seconds=0.5),
    BuildResult("birch", Path("site/birch"), skipped=True),
    BuildResult(
        "cedar",
        Path("site/cedar"),
        error="Staff view: invalid settings:\nsettings/cedar.yml:3: name: required\n",
    ),
]


def test_plain_lines_when_not_a_terminal() -> None:
    stream = io.StringIO()
    with BuildProgress(stream=stream, bar=False) as progress:
        progress.on_start(len(RESULTS))
        for result in RESULTS:
            progress.on_result(result)
    lines = stream.getvalue().splitlines()
    assert lines[0].split() == ["built", "acorns", "0.50s"]
    assert lines[1] == "skipped birch (unchanged)"
    assert lines[2] == (  # cedar has never been built: there is no previous site to keep
        "FAILED  cedar: Staff view: invalid settings: settings/cedar.yml:3: name: required "
        "(no site written)"
    )


def test_a_failed_rebuild_says_the_previous_site_is_kept(tmp_path: Path) -> None:
    (tmp_path / "cedar").mkdir()
    stream = io.StringIO()
    with BuildProgress(stream=stream, bar=False) as progress:
        progress.on_start(1)
        progress.on_result(BuildResult("cedar", tmp_path / "cedar", error="broken"))
    assert stream.getvalue().strip().endswith("(previous site left as it was)")


def test_the_bar_still_prints_failures() -> None:
    stream = io.StringIO()
    with BuildProgress(stream=stream, bar=True) as progress:
        progress.on_start(len(RESULTS))
        for result in RESULTS:
            progress.on_result(result)
    assert "FAILED  cedar" in stream.getvalue()


def test_the_summary_counts_and_gives_each_failures_reason() -> None:
    report = FederationReport(Path("site"), dt.date(2024, 9, 1), RESULTS, seconds=1.25)
    lines = summary_lines(report)
    assert lines[0] == "1 built, 1 skipped as unchanged, 1 failed in 1.2s -> site"
    assert (
        lines[1]
        == "  FAILED cedar: Staff view: invalid settings: settings/cedar.yml:3: name: required"
    )
    assert report.to_json()["counts"] == {"built": 1, "skipped": 1, "failed": 1}


def test_the_summary_says_where_to_open_a_few_sites() -> None:
    report = FederationReport(Path("site"), dt.date(2024, 9, 1), RESULTS, seconds=1.25)
    lines = summary_lines(report)
    assert lines[2:] == [
        "open acorns: site/acorns/index.html",
        "  staff view: site/acorns/staff/index.html",
        "open birch: site/birch/index.html",
        "  staff view: site/birch/staff/index.html",
    ]


def test_a_large_federation_opens_from_the_portal_instead() -> None:
    many = [BuildResult(f"s{n:03d}", Path(f"site/s{n:03d}")) for n in range(11)]
    report = FederationReport(Path("site"), dt.date(2024, 9, 1), many, seconds=9.0)
    report.portal = Path("site/index.html")
    lines = summary_lines(report)
    assert not [line for line in lines if line.startswith("open ")]
    assert lines[-1] == "portal: site/index.html"
