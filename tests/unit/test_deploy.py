"""The deploy stage's parts without a server: CSP hashes, the configuration's shape, passwords."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policy_sites.deploy.credentials import CredentialsError, CredentialsStore, check_password
from policy_sites.deploy.inline import csp_hash, inline_code
from policy_sites.deploy.nginx import (
    PLAIN_HTTP_WARNING,
    NginxError,
    ServerOptions,
    plan_server,
    render_server,
)


def test_a_scripts_hash_is_the_one_browsers_compute() -> None:
    # The example in the CSP specification and MDN's guide.
    assert csp_hash("alert('Hello, world.');") == (
        "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
    )
    assert csp_hash("a;\r\nb;\rc;") == csp_hash("a;\nb;\nc;")  # as a browser reads the page


def test_only_inline_code_a_browser_runs_is_hashed(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><style>p{color:red}</style>"
        '<script id="__config" type="application/json">{"a": 1}</script>'
        '<script src="x.js"></script>'
        "<script>var a = '</p>';</script></head>"
        '<body><p style="color:blue" onclick="go()">x</p></body></html>',
        encoding="utf-8",
    )
    found = inline_code([page])
    assert found.scripts == {csp_hash("var a = '</p>';")}
    assert found.styles == {csp_hash("p{color:red}")}
    assert found.style_attributes == ["page.html: <p>"]


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    for folder in ("poppys", "poppys/staff"):
        (site / folder).mkdir(parents=True)
        (site / folder / "index.html").write_text(
            f"<script>/* {folder} */</script>", encoding="utf-8"
        )
    (site / "index.html").write_text("<p>portal</p>", encoding="utf-8")
    return site


def _locations(text: str) -> list[tuple[str, set[str]]]:
    """Each location block's opening line and the headers it adds (nested blocks apart)."""
    found, stack = [], []
    for line in text.splitlines():
        line = line.strip()
        if line.endswith("{"):
            stack.append((line, set()))
        elif line == "}":
            opened, headers = stack.pop()
            if opened.startswith("location"):
                found.append((opened, headers))
        elif stack and (match := re.match(r"add_header (\S+) .* always;$", line)):
            stack[-1][1].add(match.group(1))
    return found


def test_every_location_repeats_every_header(tmp_path: Path) -> None:
    # nginx drops the enclosing block's add_header lines in a block with its own, so a
    # location that set only Cache-Control would silently lose the CSP.
    files = {"poppys": tmp_path / "poppys.htpasswd"}
    plan = plan_server(ServerOptions(_site(tmp_path)), files, ["poppys"])
    locations = _locations(render_server(plan))
    with_headers = [(opened, headers) for opened, headers in locations if headers]
    assert len(with_headers) == 6  # /, /favicon.ico, /assets/ and its hashed files, two views
    everywhere = {"Content-Security-Policy", "Cache-Control", "X-Content-Type-Options"}
    for opened, headers in with_headers:
        assert everywhere | {"Referrer-Policy", "X-Frame-Options"} <= headers, opened
    staff = dict(locations)["location ^~ /poppys/staff/ {"]
    assert "X-Robots-Tag" in staff
    # Each view allows its own inline script, and not the other view's.
    text = render_server(plan)
    parents_block = text.split("location ^~ /poppys/ {")[1].split("}")[0]
    assert csp_hash("/* poppys */") in parents_block
    assert csp_hash("/* poppys/staff */") not in parents_block


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"server_name": "a;b"}, "server name"),
        ({"listen": "80 default_server; root /"}, "listen"),
    ],
)
def test_values_that_would_rewrite_the_configuration_are_refused(
    tmp_path: Path, options: dict, message: str
) -> None:
    with pytest.raises(NginxError, match=message):
        plan_server(ServerOptions(_site(tmp_path), **options), {}, [])


def test_paths_nginx_would_expand_are_refused(tmp_path: Path) -> None:
    files = {"poppys": tmp_path / "$host.htpasswd"}
    plan = plan_server(ServerOptions(_site(tmp_path)), files, ["poppys"])
    with pytest.raises(NginxError, match=r"'\$'"):
        render_server(plan)


def test_a_setting_name_that_is_not_a_plain_slug_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NginxError, match="lower-case letters, digits and hyphens"):
        plan_server(ServerOptions(_site(tmp_path)), {}, ["poppys/ {"])


def test_passwords_must_be_long_single_lines_bcrypt_can_use() -> None:
    assert check_password("twelve chars") == b"twelve chars"
    for bad, reason in [
        ("eleven char", "at least 12"),
        ("a long password\nsecond line", "one line"),
        ("é" * 40, "longer than 72 bytes"),
    ]:
        with pytest.raises(CredentialsError, match=reason):
            check_password(bad)


def test_a_credentials_folder_inside_the_project_is_refused(tmp_path: Path) -> None:
    store = CredentialsStore(tmp_path / "project" / "secrets")
    with pytest.raises(CredentialsError, match="outside the project"):
        store.refuse_inside(tmp_path / "elsewhere", tmp_path / "project")
    CredentialsStore(tmp_path / "secrets").refuse_inside(tmp_path / "project")


@pytest.mark.parametrize(
    ("options", "warned"),
    [
        ({}, True),  # port 80 on every address: passwords in clear on the network
        ({"listen": "192.0.2.7:8080"}, True),
        ({"tls_in_front": True}, False),  # a proxy or CDN in front serves HTTPS
        ({"listen": "127.0.0.1:8080"}, False),  # only this machine can connect
        ({"listen": "[::1]:8080"}, False),
        ({"listen": "443", "tls_certificate": Path("c.pem"), "tls_key": Path("k.pem")}, False),
    ],
)
def test_staff_passwords_over_plain_http_are_warned_about(
    tmp_path: Path, options: dict, warned: bool
) -> None:
    files = {"poppys": tmp_path / "poppys.htpasswd"}
    plan = plan_server(ServerOptions(_site(tmp_path), **options), files, ["poppys"])
    assert (PLAIN_HTTP_WARNING in plan.warnings) is warned
    if warned:
        assert plan.warnings[0] == PLAIN_HTTP_WARNING  # first, and one line
        assert "\n" not in PLAIN_HTTP_WARNING and "--tls-in-front" in PLAIN_HTTP_WARNING


def test_no_password_warning_where_no_staff_view_asks_for_one(tmp_path: Path) -> None:
    # A setting whose settings cannot be read has its staff view shut: no login at all.
    plan = plan_server(ServerOptions(_site(tmp_path)), {}, ["poppys"])
    assert PLAIN_HTTP_WARNING not in plan.warnings


def test_tls_here_and_in_front_at_once_is_refused(tmp_path: Path) -> None:
    options = ServerOptions(
        _site(tmp_path), tls_certificate=Path("c"), tls_key=Path("k"), tls_in_front=True
    )
    with pytest.raises(NginxError, match="not both"):
        plan_server(options, {}, [])
