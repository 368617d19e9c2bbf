"""An official account given by its platform alone, as `policy-sites new --fact
social_media.official_channels Facebook` writes it, reads as a sentence on the pages,
never as a bare 'Facebook' after a colon (issue 19)."""

from __future__ import annotations

import re

from click.testing import CliRunner

from policy_sites.cli.main import cli
from tests.conftest import copy_project
from tests.helpers import article_text


def test_a_channel_with_neither_address_nor_description_reads_as_a_sentence(tmp_path):
    project = copy_project(tmp_path / "project")
    root = str(project.root)
    # new never leaves the area to the federation's (the authority register): name it.
    args = ["new", "acorns", "--no-input", "--project", root, "--name", "Acorns",
            "--local-authority", "kent", "--provision", "Nursery",
            "--dsl", "Jo Bloggs", "", "Nursery",
            "--fact", "social_media.official_channels", "Facebook"]  # fmt: skip
    made = CliRunner().invoke(cli, args)
    assert made.exit_code == 0, made.output
    built = CliRunner().invoke(cli, ["build", "acorns", "--project", root, "--no-pdf"])
    assert built.exit_code == 0, built.output
    site = project.root / "site" / "acorns"
    sentence = "Our official social media account is our Facebook account."
    for page in (site / "index.html", site / "policies" / "social-media.html"):
        text = article_text(page)
        assert sentence in text, page
        assert not re.search(r"accounts? (?:is|are): Facebook\b", text), page
