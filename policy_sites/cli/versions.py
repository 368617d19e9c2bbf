"""The ``policy-sites publish`` command: freeze a ratified version of a setting's policies."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection

import click

from policy_sites.check.checker import publish_errors
from policy_sites.cli.options import find_project, project_option, slug_argument
from policy_sites.context.views import policy_ids
from policy_sites.publish.snapshot import PublishError, Rendered, dates_to_update, publish
from policy_sites.settings.loader import SettingsError, setting_slugs
from policy_sites.versions.history import PolicyHistory
from policy_sites.versions.store import (
    REGISTER_FILE,
    VIEW_IDS,
    Version,
    VersionError,
    policy_history,
    read_versions,
    register_versions,
    shown_date,
)

__all__ = ["VERSION_COMMANDS", "publish_command"]


@click.command("publish")
@slug_argument()
@click.option("--version", "label", required=True, help="The version's label, e.g. 2022-23.")
@click.option("--ratified", required=True, help="The day it was ratified: YYYY-MM-DD.")
@click.option(
    "--next-review", required=True, help="When it is next due for review: YYYY-MM or YYYY-MM-DD."
)
@click.option(
    "--policy",
    "policies",
    multiple=True,
    help="Publish only this policy (repeat for several); default: all of the setting's.",
)
@click.option(
    "--summary",
    "summaries",
    multiple=True,
    metavar="[POLICY=]TEXT",
    help="One line on what changed, for the History page: POLICY=TEXT for one policy "
    "(repeat for several), or TEXT alone for every policy whose text changed. A policy "
    "whose text did not change says so instead.",
)
@project_option
def publish_command(
    slug: str,
    label: str,
    ratified: str,
    next_review: str,
    policies: tuple[str, ...],
    summaries: tuple[str, ...],
    project: str | None,
) -> None:
    """Freeze the rendered text of SLUG's policies as a published version.

    The version is written to settings/SLUG/versions/LABEL/ and never changes afterwards:
    the site shows it until a newer version is published. Nothing is published while
    'policy-sites check' reports an error in SLUG (warnings do not stop it); a draft
    still builds for preview ('policy-sites build --preview').
    """
    proj = find_project(project)

    def vet(rendered: Rendered) -> list[str]:
        return [str(finding) for finding in publish_errors(proj, rendered)]

    summary, own = _summaries(summaries, policy_ids(proj.docs_dir))
    try:
        version = publish(
            proj, slug, label, ratified, next_review, policies, summary,
            on_wait=lambda message: click.echo(message, err=True), vet=vet, summaries=own,
        )  # fmt: skip
    except (PublishError, SettingsError, VersionError) as error:
        raise click.ClickException(str(error)) from None
    folder = version.folder.relative_to(proj.root)
    click.echo(f"published {slug} {version.label}: {', '.join(version.policies)}")
    click.echo(
        f"          ratified {shown_date(version.ratified)}, next review "
        f"{shown_date(version.next_review)}, cites {version.cites()}"
    )
    published = read_versions(proj.settings_dir, slug)
    version = next(v for v in published if v.label == version.label)
    for policy in version.policies:
        if (since := _unchanged_since(published, version, policy)) and policy not in own:
            click.echo(f"          {policy}: no change to the text since {since} (History says so)")
    click.echo(f"          {folder}/ (commit it with the settings file)")
    for clash in dates_to_update(proj, slug, version):
        click.echo(
            f"warning: {clash}: write the version's date there, or delete the line "
            "('policy-sites check' reports it until then)",
            err=True,
        )


SUMMARY_SENTENCE_WORDS = 30
"""The longest sentence a summary may have: the History page is a parents' page, and
the parents' pages keep every sentence to 30 words (tests/integration/test_readability.py).
A version never changes, so a summary too long to read could only be mended by another."""
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")


def _too_long(value: str, text: str) -> None:
    """Refuse ``text`` (a summary given as ``value``) if a sentence of it is too long."""
    for sentence in _SENTENCE_BREAK.split(text):
        if (words := len(sentence.split())) > SUMMARY_SENTENCE_WORDS:
            raise click.BadParameter(
                f"{value!r}: the sentence {sentence!r} has {words} words; parents read it on "
                f"the History page: say it in {SUMMARY_SENTENCE_WORDS} words or fewer, or "
                "split it into sentences",
                param_hint="--summary",
            )


_POLICY_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
"""The shape of a policy's id: a --summary that starts with one nearly a policy's, then
'=', is a mistyped name, not a summary for every policy."""


def _summaries(
    values: tuple[str, ...], known: Collection[str]
) -> tuple[str | None, dict[str, str]]:
    """``--summary`` values: the one for every policy that changed, and each policy's own
    (``POLICY=TEXT``, where POLICY is a policy's id; other text with '=' in it is a summary
    for all)."""
    every: list[str] = []
    own: dict[str, str] = {}
    for value in values:
        policy, equals, text = value.partition("=")
        policy = policy.strip()
        mistyped = equals and policy not in known and _POLICY_ID.fullmatch(policy)
        if mistyped and (guess := difflib.get_close_matches(policy, sorted(known), n=1)):
            raise click.BadParameter(
                f"{value!r}: {policy!r} is no policy; did you mean {guess[0]!r}?",
                param_hint="--summary",
            )
        if not (equals and policy in known):
            _too_long(value, value)
            every.append(value.strip())
            continue
        if not text.strip():
            raise click.BadParameter(
                f"{value!r}: say what changed after '='", param_hint="--summary"
            )
        if policy in own:
            raise click.BadParameter(
                f"{policy} is given two summaries; give it one", param_hint="--summary"
            )
        _too_long(value, text)
        own[policy] = text.strip()
    if len(every) > 1:
        raise click.BadParameter(
            "give one summary for every policy, or one for each policy as POLICY=TEXT "
            f"(policies: {', '.join(sorted(known))})",
            param_hint="--summary",
        )
    return (every[0] if every and every[0] else None), own


def _unchanged_since(versions: list[Version], version: Version, policy: str) -> str | None:
    """The label of the version before ``version`` if ``policy``'s text (both views) is
    the same in both, apart from their dates."""
    history = tuple(policy_history(versions, policy))
    views = [PolicyHistory(policy, view, history) for view in VIEW_IDS]
    before = views[0].previous(version)
    if before is None or not all(h.unchanged(before, version) for h in views):
        return None
    return before.label


@click.command("register")
@slug_argument(many=True)
@project_option
def register_command(slugs: tuple[str, ...], project: str | None) -> None:
    """List the published versions of SLUGS (default: every setting) in their register.

    The register is settings/SLUG/versions/published.yml.
    For versions published before the register existed (publish keeps it up to date).
    Each version's hashes are checked first; a version already listed is never changed.
    """
    proj = find_project(project)
    for slug in slugs or setting_slugs(proj.settings_dir):
        try:
            added = register_versions(proj.settings_dir, slug)
        except VersionError as error:
            raise click.ClickException(str(error)) from None
        listed = ", ".join(added) if added else "nothing new"
        click.echo(f"{slug}: {REGISTER_FILE} lists {listed}")


VERSION_COMMANDS = (publish_command, register_command)
