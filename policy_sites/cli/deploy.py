"""``policy-sites deploy``: an nginx configuration, staff passwords, a copy without staff views."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from policy_sites.builder.output import project_part_of
from policy_sites.builder.site import write_failure
from policy_sites.cli.options import existing_slugs, find_project, project_option, slug_argument
from policy_sites.deploy.credentials import (
    CREDENTIALS_VARIABLE,
    Change,
    CredentialsError,
    CredentialsStore,
    default_dir,
    password_files,
)
from policy_sites.deploy.nginx import NginxError, ServerOptions, plan_server, render_server
from policy_sites.deploy.public_copy import PublicCopyError, copy_without_staff
from policy_sites.project import Project, write_atomic
from policy_sites.settings.loader import SettingsError, load_setting, setting_slugs

__all__ = ["DEPLOY_COMMANDS", "deploy"]

_site_option = click.option(
    "--site",
    type=click.Path(file_okay=False),
    help="The built folder to serve (default: site/).",
)
_credentials_option = click.option(
    "--credentials",
    type=click.Path(file_okay=False),
    help=f"The folder of staff password files (default: ${CREDENTIALS_VARIABLE}, "
    "else /etc/nginx/policy-sites).",
)


def _site(project: Project, site: str | None) -> Path:
    return Path(site).resolve() if site else project.default_out


def _store(project: Project, site: Path, credentials: str | None) -> CredentialsStore:
    store = CredentialsStore(Path(credentials).resolve() if credentials else default_dir())
    try:
        store.refuse_inside(project.root, site)
    except CredentialsError as error:
        raise click.ClickException(str(error)) from None
    return store


@click.group()
def deploy() -> None:
    """Put the built sites on a web server: nginx, staff passwords, public copies."""


@deploy.command()
@_site_option
@_credentials_option
@click.option("--server-name", default="_", show_default=True, help="nginx's server_name.")
@click.option(
    "--listen",
    help="Port, or address:port (default: 443 with a certificate, else 80).",
)
@click.option("--tls-certificate", type=click.Path(dir_okay=False), help="Serve HTTPS.")
@click.option("--tls-key", type=click.Path(dir_okay=False), help="The certificate's key.")
@click.option(
    "--tls-in-front",
    is_flag=True,
    help="A proxy, load balancer or CDN in front serves HTTPS and passes requests here "
    "(no warning about passwords over plain HTTP).",
)
@click.option(
    "--redirect-listen",
    default="80",
    show_default=True,
    help="With TLS: where plain HTTP is redirected to HTTPS.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the configuration here (default: print it).",
)
@project_option
def nginx(
    site: str | None,
    credentials: str | None,
    server_name: str,
    listen: str | None,
    tls_certificate: str | None,
    tls_key: str | None,
    tls_in_front: bool,
    redirect_listen: str,
    output: str | None,
    project: str | None,
) -> None:
    """Write an nginx server block for the built sites.

    Parents' views and the portal are public; each staff view asks for a password from
    its password file (see `deploy staff-password`). Write it again after each build:
    its Content-Security-Policy allows exactly the inline scripts the build wrote.
    """
    proj = find_project(project, needs_settings=True)
    root = _site(proj, site)
    if not (root / "index.html").is_file():
        raise click.ClickException(f"{root} holds no built sites: run policy-sites build first")
    store = _store(proj, root, credentials)
    slugs, files = setting_slugs(proj.settings_dir), {}
    for slug in slugs:
        try:
            files.update(password_files(proj, store, [slug]))
        except SettingsError as error:
            first = error.problems[0] if error.problems else error
            click.echo(f"warning: {slug}: its settings cannot be read: {first}", err=True)
    try:
        options = ServerOptions(
            root,
            server_name,
            listen or ("443" if tls_certificate else "80"),
            Path(tls_certificate).resolve() if tls_certificate else None,
            Path(tls_key).resolve() if tls_key else None,
            redirect_listen,
            tls_in_front,
        )
        plan = plan_server(options, files, slugs)
        text = render_server(plan)
    except NginxError as error:
        raise click.ClickException(str(error)) from None
    for warning in plan.warnings:
        click.echo(f"warning: {warning}", err=True)
    if output:
        try:
            write_atomic(Path(output), text)  # the previous configuration, or all of this one
        except OSError as error:
            raise click.ClickException(f"{write_failure(error)}; nothing changed") from None
        click.echo(f"nginx: {output} ({len(plan.views) // 2} settings)", err=True)
    else:
        click.echo(text, nl=False)


def _read_password(user: str) -> str:
    """From a hidden prompt on a terminal, else the first line of stdin (never argv)."""
    if sys.stdin.isatty():
        return click.prompt(f"New password for {user}", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@deploy.command("staff-password")
@slug_argument()
@click.argument("user")
@click.option("--remove", is_flag=True, help="Remove the login instead.")
@_credentials_option
@_site_option
@project_option
def staff_password(
    slug: str,
    user: str,
    remove: bool,
    credentials: str | None,
    site: str | None,
    project: str | None,
) -> None:
    """Add a staff login for SLUG's staff view, or change or remove its password.

    The password is asked for twice at a hidden prompt, or read from the first line of
    standard input (for scripts), so it never appears in the shell's history.
    """
    proj = find_project(project, needs_settings=True)
    store = _store(proj, _site(proj, site), credentials)
    existing_slugs(proj, (slug,), param_hint="'SLUG'")
    try:
        path = password_files(proj, store, [slug])[slug]
        if remove:
            change = store.remove(path, user)
        else:
            change = store.set_password(path, user, _read_password(user))
    except (CredentialsError, SettingsError) as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:  # a full disk, a read-only folder: the file is as it was
        raise click.ClickException(f"{write_failure(error)}; nothing changed") from None
    where = {Change.ADDED: "to", Change.CHANGED: "in", Change.REMOVED: "from"}[change]
    click.echo(f"{change.value} {user} {where} {path}")


@deploy.command("without-staff")
@click.argument("target", type=click.Path(file_okay=False))
@_site_option
@project_option
def without_staff(target: str, site: str | None, project: str | None) -> None:
    """Copy the built sites to TARGET without any staff view, for a host with no login."""
    proj = find_project(project, needs_settings=True)
    root = _site(proj, site)
    if part := project_part_of(proj, Path(target)):
        raise click.ClickException(
            f"{target} is inside {part}; the next build would read the copy as part of the "
            "project and publish it inside every site: choose a folder outside the project"
        )
    try:
        left_out = copy_without_staff(root, Path(target))
    except PublicCopyError as error:
        raise click.ClickException(str(error)) from None
    for folder in left_out:
        slug = folder.split("/")[0]
        try:
            linked = load_setting(proj.settings_dir, slug).publishing.staff_links
        except SettingsError:
            linked = True
        if linked:
            click.echo(
                f"warning: the pages of {slug} link to its staff view, which this copy leaves out; "
                f"set 'publishing: {{staff_links: false}}' and build again",
                err=True,
            )
    click.echo(f"copied {root} to {target} without {len(left_out)} staff view(s)")


DEPLOY_COMMANDS = (deploy,)
