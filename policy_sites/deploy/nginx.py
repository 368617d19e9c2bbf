"""An nginx ``server`` block for a built ``site/``: public parents' views and portal, staff
views behind a password, each view's own 404 page, caching, compression, security headers.

The configuration is written from the built folder, not from the sources, because the
Content-Security-Policy must hash the inline scripts the build actually wrote. Rewrite it
after every build that changes pages (``policy-sites deploy nginx``); it is cheap.

nginx drops every ``add_header`` of an enclosing block in a block that has one of its own,
so each location here repeats the whole header set rather than inheriting part of it.
"""

from __future__ import annotations

import ipaddress
import os
import pwd
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from policy_sites.context.views import PARENTS, STAFF, View
from policy_sites.deploy.inline import InlineCode, inline_code
from policy_sites.settings.names import slug_problem

__all__ = [
    "ASSETS",
    "NginxError",
    "ServerOptions",
    "ServerPlan",
    "ViewPlan",
    "plan_server",
    "render_server",
    "render_standalone",
]

ASSETS = "assets"
"""The shared theme assets' folder in a federation build (``site/assets/``)."""
NOT_FOUND_PAGE = "404.html"
_SERVER_NAME = re.compile(r"[A-Za-z0-9*_.-]+(?: [A-Za-z0-9*_.-]+)*")
_LISTEN = re.compile(r"(?:\[[0-9a-fA-F:]+\]:|[0-9.]+:)?[0-9]{1,5}")
STAFF_ZONE = "policy_sites_staff"
STAFF_RATE = "5r/s"
STAFF_BURST = 60
"""Requests to staff views per visitor's address: a person reading pages stays far below
(a page is one or two requests), while password guessing, each guess a bcrypt check of
the server's CPU, is held to five a second."""
_FINGERPRINTED = r"\.[0-9a-f]{8}\.min\.(?:css|js)(?:\.map)?$"
"""Material's bundles carry a hash of their content in their names: ``bundle.a5f9d56c.min.js``."""


class NginxError(ValueError):
    """A value that cannot go into the configuration safely; the message says which."""


class Caching(Enum):
    """How long browsers and shared caches may keep a response."""

    IMMUTABLE = "public, max-age=31536000, immutable"
    REVALIDATE = "no-cache"
    PRIVATE = "private, no-store"


@dataclass(frozen=True)
class ServerOptions:
    """What the administrator chooses: the address, TLS, and where password files live."""

    site: Path
    server_name: str = "_"
    listen: str = "80"
    tls_certificate: Path | None = None
    tls_key: Path | None = None
    redirect_listen: str = "80"
    """With TLS: where plain HTTP is answered with a redirect to HTTPS."""
    tls_in_front: bool = False
    """A proxy, load balancer or CDN in front serves HTTPS and passes requests on in plain
    HTTP, so staff passwords are encrypted on the public network though not here."""

    @property
    def tls(self) -> bool:
        return self.tls_certificate is not None

    @property
    def loopback(self) -> bool:
        """Whether only this machine can connect (``127.0.0.1:8080``, ``[::1]:8080``)."""
        host = self.listen.rpartition(":")[0].strip("[]")
        try:
            return bool(host) and ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False


PLAIN_HTTP_WARNING = (
    "staff passwords would cross the network unencrypted (plain HTTP), readable by anyone "
    "on the way: add --tls-certificate and --tls-key, or --tls-in-front if a proxy or CDN "
    "in front of this server already serves HTTPS"
)
"""One line for ``deploy nginx`` when staff views ask for passwords over plain HTTP."""


@dataclass(frozen=True)
class ViewPlan:
    """One view of one setting as a location: its folder, its scripts' hashes, its lock."""

    slug: str
    view: View
    code: InlineCode
    password_file: Path | None = None

    @property
    def prefix(self) -> str:
        return f"/{self.slug}/{self.view.subpath}"


@dataclass
class ServerPlan:
    """Everything the server block says, worked out from the built folder."""

    options: ServerOptions
    views: list[ViewPlan]
    portal: InlineCode
    warnings: list[str] = field(default_factory=list)


def _view_pages(site: Path, slug: str, view: View) -> list[Path]:
    folder = site / slug / view.subpath
    staff = folder / STAFF.subpath
    return [
        page
        for page in sorted(folder.rglob("*.html"))
        if view.is_staff or not page.is_relative_to(staff)
    ]


def plan_server(
    options: ServerOptions, password_files: Mapping[str, Path], slugs: Iterable[str]
) -> ServerPlan:
    """The locations for every setting in ``slugs`` built into ``options.site``.

    ``password_files`` maps each slug to the file guarding its staff view; a setting
    missing from it (its settings cannot be read) keeps its parents' view and has its
    staff view shut.
    """
    _check_options(options)
    views: list[ViewPlan] = []
    warnings: list[str] = []
    for slug in slugs:
        if problem := slug_problem(slug):
            # The one name rule (settings/names.py) also keeps the server block's syntax safe.
            raise NginxError(f"setting {problem}")
        if not (options.site / slug / "index.html").is_file():
            continue  # not built (or failed): the catch-all below keeps its staff view shut
        for view in (PARENTS, STAFF):
            code = inline_code(_view_pages(options.site, slug, view))
            lock = password_files.get(slug) if view.is_staff else None
            views.append(ViewPlan(slug, view, code, lock))
            warnings += [
                f"{slug}/{view.subpath}{where}: a style attribute or event handler, which the "
                "Content-Security-Policy blocks"
                for where in code.style_attributes
            ]
    portal = inline_code(sorted(options.site.glob("*.html")))
    for view in views:
        if view.view.is_staff and view.password_file is None:
            warnings.append(f"{view.prefix} is shut (404): no password file for {view.slug}")
        if view.password_file and not view.password_file.is_file():
            warnings.append(
                f"{view.password_file} does not exist yet: {view.prefix} refuses everyone "
                f"until it does (policy-sites deploy staff-password {view.slug} NAME)"
            )
    warnings = sorted(set(warnings))
    if _passwords_in_clear(options, views):
        warnings.insert(0, PLAIN_HTTP_WARNING)
    return ServerPlan(options, views, portal, warnings)


def _passwords_in_clear(options: ServerOptions, views: Iterable[ViewPlan]) -> bool:
    """Whether basic authentication's passwords would travel unencrypted over a network:
    some staff view asks for one, and neither this server nor one in front speaks HTTPS
    (a server only this machine can reach sends nothing over a network)."""
    asks = any(view.password_file is not None for view in views)
    return asks and not (options.tls or options.tls_in_front or options.loopback)


def _check_options(options: ServerOptions) -> None:
    if not _SERVER_NAME.fullmatch(options.server_name):
        raise NginxError(f"server name {options.server_name!r}: host names separated by spaces")
    for listen in (options.listen, options.redirect_listen):
        if not _LISTEN.fullmatch(listen):
            raise NginxError(f"listen {listen!r}: a port, or an address and a port")
    if (options.tls_certificate is None) != (options.tls_key is None):
        raise NginxError("TLS needs both a certificate and its key")
    if options.tls and options.tls_in_front:
        raise NginxError(
            "TLS either here (a certificate and key) or in front (--tls-in-front), not both"
        )


def _quoted(path: Path) -> str:
    text = str(path)
    if any(c in text for c in '"\\$') or any(ord(c) < 32 for c in text):
        raise NginxError(f"{text!r}: a path nginx can read needs no quotes, backslashes or '$'")
    return f'"{text}"'


def _csp(code: InlineCode, tls: bool) -> str:
    """Only this origin's files, and only the inline code the build wrote."""
    scripts = " ".join(["'self'", *sorted(code.scripts)])
    styles = " ".join(["'self'", *sorted(code.styles)])
    directives = [
        "default-src 'none'",
        f"script-src {scripts}",
        f"style-src {styles}",
        "img-src 'self' data:",  # Material's icons are data: URLs in its stylesheet
        "font-src 'self'",
        "connect-src 'self'",  # the search worker fetches search/search_index.json
        "worker-src 'self'",
        "manifest-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ]
    if tls:
        directives.append("upgrade-insecure-requests")
    return "; ".join(directives)


def _headers(code: InlineCode, caching: Caching, tls: bool, *, staff: bool = False) -> list[str]:
    headers = {
        "Content-Security-Policy": _csp(code, tls),
        "Cache-Control": caching.value,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    }
    if staff:
        headers["X-Robots-Tag"] = "noindex, nofollow"
    if tls:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return [f'add_header {name} "{value}" always;' for name, value in headers.items()]


_HIDDEN = "location ~ /\\. { return 404; }  # the build's state and lock files"


def _view_location(view: ViewPlan, tls: bool) -> list[str]:
    staff = view.view.is_staff
    lines = [f"location ^~ {view.prefix} {{"]
    if staff and view.password_file is None:
        lines.append("return 404;")
    elif staff:
        lines += [
            f"limit_req zone={STAFF_ZONE} burst={STAFF_BURST} nodelay;",
            "limit_req_status 429;",
            f'auth_basic "Staff policies: {view.slug}";',
            f"auth_basic_user_file {_quoted(view.password_file)};",
        ]
    caching = Caching.PRIVATE if staff else Caching.REVALIDATE
    lines += [
        f"error_page 403 404 =404 {view.prefix}{NOT_FOUND_PAGE};",
        *_headers(view.code, caching, tls, staff=staff),
        _HIDDEN,
        "}",
    ]
    return lines


def _server_body(plan: ServerPlan) -> list[str]:
    options, tls = plan.options, plan.options.tls
    empty = InlineCode()
    lines = [
        f"root {_quoted(options.site.resolve())};",
        "index index.html;",
        "autoindex off;",
        "server_tokens off;",
        "absolute_redirect off;  # redirects keep the scheme and host the visitor used",
        "merge_slashes on;",
        "charset utf-8;",
        "charset_types text/css application/javascript application/json text/xml;",
        "gzip on;",
        "gzip_vary on;",
        "gzip_min_length 256;",
        "gzip_types text/css application/javascript application/json image/svg+xml "
        "text/xml application/xml;",
        "",
        "# The portal, and any other top-level file.",
        "location / {",
        *_headers(plan.portal, Caching.REVALIDATE, tls),
        _HIDDEN,
        "# A staff view not listed below (a setting built after this file was written)",
        "# stays shut until the configuration is written again.",
        "location ~* ^/[^/]+/staff(?:/|$) { return 404; }",
        "}",
        "",
        "# Browsers ask for /favicon.ico where a document names no icon (a PDF, for one).",
        "location = /favicon.ico {",
        f"try_files /{ASSETS}/images/favicon.png =404;",
        *_headers(empty, Caching.REVALIDATE, tls),
        "}",
        "",
        "# Material's theme files, shared by every setting.",
        f"location ^~ /{ASSETS}/ {{",
        *_headers(empty, Caching.REVALIDATE, tls),
        _HIDDEN,
        f'location ~ "{_FINGERPRINTED}" {{',
        *_headers(empty, Caching.IMMUTABLE, tls),
        "}",
        "}",
    ]
    for view in plan.views:
        label = "staff view: password" if view.view.is_staff else "parents' view: public"
        lines += ["", f"# {view.slug}, {label}", *_view_location(view, tls)]
    return lines


def _indent(lines: list[str], depth: int = 1) -> list[str]:
    out, level = [], depth
    for line in lines:
        if line.startswith("}"):
            level -= 1
        out.append(("    " * level + line) if line else "")
        if line.endswith("{"):
            level += 1
    return out


def render_server(plan: ServerPlan) -> str:
    """The server block(s), for /etc/nginx/sites-available/ (inside nginx's ``http``)."""
    options = plan.options
    head = [
        "# Written by `policy-sites deploy nginx`; write it again after each build.",
        "# Included inside nginx's http block (as Debian's sites-enabled/ files are).",
        f"limit_req_zone $binary_remote_addr zone={STAFF_ZONE}:1m rate={STAFF_RATE};",
    ]
    if options.tls:
        server = [
            f"listen {options.listen} ssl http2;",
            f"server_name {options.server_name};",
            f"ssl_certificate {_quoted(options.tls_certificate)};",
            f"ssl_certificate_key {_quoted(options.tls_key)};",
            "ssl_protocols TLSv1.2 TLSv1.3;",
            *_server_body(plan),
        ]
        redirect = [
            f"listen {options.redirect_listen};",
            f"server_name {options.server_name};",
            "server_tokens off;",
            "return 301 https://$host$request_uri;",
        ]
        blocks = ["server {", *server, "}", "", "server {", *redirect, "}"]
    else:
        blocks = [
            "server {",
            f"listen {options.listen};",
            f"server_name {options.server_name};",
            *_server_body(plan),
            "}",
        ]
    return "\n".join([*head, *_indent(blocks, 0)]) + "\n"


def render_standalone(plan: ServerPlan, state: Path) -> str:
    """A whole nginx.conf around the server block, run by an unprivileged user with its
    pid file, logs and temporary files under ``state`` (for tests and trials)."""
    folder = _quoted(state)[1:-1]
    # Started by root, nginx's workers would switch to 'nobody', who cannot read a private
    # temporary folder; started by anyone else, they stay that user anyway.
    user = [f"user {pwd.getpwuid(os.geteuid()).pw_name};"] if os.geteuid() == 0 else []
    lines = [
        *user,
        "daemon off;",
        "worker_processes 1;",
        f'pid "{folder}/nginx.pid";',
        f'error_log "{folder}/error.log" warn;',
        "events { worker_connections 64; }",
        "http {",
        "include /etc/nginx/mime.types;",
        "default_type application/octet-stream;",
        f'access_log "{folder}/access.log";',
        *(
            f'{kind}_temp_path "{folder}/{kind}";'
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        ),
        "sendfile on;",
    ]
    return "\n".join(lines) + "\n" + render_server(plan) + "}\n"
