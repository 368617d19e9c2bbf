"""The generated nginx configuration, served by a real nginx over the example sites.

Requests go through http.client so that each path reaches nginx exactly as written (no
client tidies ``..``, ``%2e`` or ``//`` first).
"""

from __future__ import annotations

import base64
import gzip
import http.client
import re
import shutil
import ssl
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from policy_sites.context.variables import staff_only_values
from policy_sites.deploy.credentials import CredentialsStore, password_files
from policy_sites.deploy.nginx import STAFF_BURST, ServerOptions, plan_server
from policy_sites.project import Project
from policy_sites.settings.loader import load_setting
from tests.conftest import EXAMPLES, STAFF_USERS, copy_project
from tests.helpers import REPO
from tests.nginx_server import STAFF_PASSWORD, NginxServer, run_nginx

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def get(
    server: NginxServer, path: str, login: tuple[str, str] | None = None, **headers: str
) -> tuple[int, dict[str, str], bytes]:
    """One GET of ``path`` exactly as written: status, headers (lower-case names), body."""
    return request(server.base, path, login, **headers)


def request(
    base: str,
    path: str,
    login: tuple[str, str] | None = None,
    trust: Path | None = None,
    **headers: str,
) -> tuple[int, dict[str, str], bytes]:
    """A GET from the server at ``base`` (http or https, trusting the certificate ``trust``)."""
    address = urlsplit(base)
    if address.scheme == "https":
        context = ssl.create_default_context(cafile=str(trust))
        connection = http.client.HTTPSConnection(
            address.hostname, address.port, timeout=10, context=context
        )
    else:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    sent = {name.replace("_", "-"): value for name, value in headers.items()}
    if login:
        token = base64.b64encode(f"{login[0]}:{login[1]}".encode()).decode()
        sent["Authorization"] = f"Basic {token}"
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        for name, value in sent.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


def staff(slug: str) -> tuple[str, str]:
    return STAFF_USERS[slug], STAFF_PASSWORD


def _csp(headers: dict[str, str]) -> dict[str, list[str]]:
    directives = {}
    for part in headers["content-security-policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("slug", EXAMPLES)
def test_a_staff_page_asks_for_the_right_password(nginx_server: NginxServer, slug: str) -> None:
    page = f"/{slug}/staff/index.html"
    secrets = staff_only_values(load_setting(REPO / "settings", slug))
    assert secrets, "the example has staff-only details to protect"

    status, headers, body = get(nginx_server, page)
    assert status == 401
    assert headers["www-authenticate"].startswith("Basic ")
    assert not [s for s in secrets if s.encode() in body]
    assert headers["content-security-policy"]  # `always`: error answers carry them too

    user = STAFF_USERS[slug]
    assert get(nginx_server, page, (user, STAFF_PASSWORD + "x"))[0] == 401
    assert get(nginx_server, page, ("someone", STAFF_PASSWORD))[0] == 401
    other = next(s for s in EXAMPLES if s != slug)
    assert get(nginx_server, page, staff(other))[0] == 401  # one setting's login only

    status, headers, body = get(nginx_server, page, staff(slug))
    assert status == 200
    assert body == (nginx_server.site / slug / "staff" / "index.html").read_bytes()
    assert headers["cache-control"] == "private, no-store"
    assert "noindex" in headers["x-robots-tag"]
    assert SECURITY_HEADERS.items() <= headers.items()


@pytest.mark.parametrize("slug", EXAMPLES)
def test_a_parents_page_is_public_with_safe_headers(nginx_server: NginxServer, slug: str) -> None:
    status, headers, body = get(nginx_server, f"/{slug}/", Accept_Encoding="gzip")
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == (nginx_server.site / slug / "index.html").read_bytes()
    assert headers["cache-control"] == "no-cache"  # revalidate: a new version shows at once
    assert SECURITY_HEADERS.items() <= headers.items()
    assert "www-authenticate" not in headers and "server" in headers
    assert re.fullmatch(r"nginx", headers["server"])  # no version number
    csp = _csp(headers)
    assert csp["default-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]
    # Every inline script of the page is allowed by its hash, and nothing else is.
    hashes = [h for h in csp["script-src"] if h.startswith("'sha256-")]
    assert hashes and len(hashes) == len(set(hashes))


def test_the_portal_is_public_with_its_own_scripts_allowed(nginx_server: NginxServer) -> None:
    status, headers, body = get(nginx_server, "/")
    assert status == 200 and b"<table" in body
    csp = _csp(headers)
    assert any(h.startswith("'sha256-") for h in csp["style-src"])  # the portal's <style>
    assert any(h.startswith("'sha256-") for h in csp["script-src"])


def test_assets_are_cached_for_as_long_as_their_names_say(nginx_server: NginxServer) -> None:
    scripts = nginx_server.site / "assets" / "javascripts"
    bundle = next(scripts.glob("bundle.*.min.js")).name
    status, headers, _ = get(nginx_server, f"/assets/javascripts/{bundle}")
    assert status == 200 and "immutable" in headers["cache-control"]
    assert headers["content-type"].startswith("application/javascript")
    assert SECURITY_HEADERS.items() <= headers.items()
    status, headers, icon = get(nginx_server, "/assets/images/favicon.png")
    assert status == 200 and headers["cache-control"] == "no-cache"  # no hash in its name
    # Asked for by a browser showing a PDF, which names no icon: the theme's, not a 404.
    status, headers, body = get(nginx_server, "/favicon.ico")
    assert (status, headers["content-type"], body) == (200, "image/png", icon)
    assert SECURITY_HEADERS.items() <= headers.items()


@pytest.mark.parametrize("slug", EXAMPLES)
def test_pdfs_are_served_with_the_views_lock_and_headers(
    nginx_server: NginxServer, slug: str
) -> None:
    public = next((nginx_server.site / slug / "policies").rglob("*.pdf"))
    address = "/" + public.relative_to(nginx_server.site).as_posix()
    status, headers, body = get(nginx_server, address)
    assert (status, headers["content-type"]) == (200, "application/pdf")
    assert body == public.read_bytes() and SECURITY_HEADERS.items() <= headers.items()
    pack = f"/{slug}/staff/induction-pack.pdf"
    assert get(nginx_server, pack)[0] == 401
    status, headers, _ = get(nginx_server, pack, (STAFF_USERS[slug], STAFF_PASSWORD))
    assert (status, headers["content-type"]) == (200, "application/pdf")
    assert "private" in headers["cache-control"]


@pytest.mark.parametrize("slug", EXAMPLES)
def test_a_missing_address_shows_the_views_own_404_page(
    nginx_server: NginxServer, slug: str
) -> None:
    site = nginx_server.site
    status, headers, body = get(nginx_server, f"/{slug}/policies/no-such-policy.html")
    assert status == 404 and body == (site / slug / "404.html").read_bytes()
    assert headers["cache-control"] == "no-cache"
    status, _, body = get(nginx_server, f"/{slug}/no-such-folder/")
    assert status == 404 and body == (site / slug / "404.html").read_bytes()

    missing = f"/{slug}/staff/policies/no-such-policy.html"
    assert get(nginx_server, missing)[0] == 401  # no password, no hint of what exists
    status, headers, body = get(nginx_server, missing, staff(slug))
    assert status == 404 and body == (site / slug / "staff" / "404.html").read_bytes()
    assert headers["cache-control"] == "private, no-store"


def test_dot_files_are_not_served(published_sites: Path, tmp_path: Path) -> None:
    # The build keeps its state (and a lock) in dot files; a stray one inside a view
    # (an editor's backup, a sync tool's folder) stays private too.
    site = tmp_path / "site"
    shutil.copytree(published_sites, site)
    assert (site / ".policy-sites-state.json").is_file()
    for folder in ("poppys", "poppys/staff", "poppys/policies", "assets"):
        (site / folder / ".hidden").write_text("private", encoding="utf-8")
    with run_nginx(Project(REPO), site, tmp_path / "state", STAFF_USERS) as server:
        assert get(server, "/.policy-sites-state.json")[0] == 404
        assert get(server, "/%2epolicy-sites-state.json")[0] == 404
        for folder in ("poppys", "poppys/staff", "poppys/policies", "assets"):
            status, _, body = get(server, f"/{folder}/.hidden", staff("poppys"))
            assert status == 404 and b"private" not in body, folder


TRICKS = [
    "/poppys/staff/",
    "/poppys/staff/index.html",
    "/poppys/policies/../staff/index.html",
    "/poppys/%2e%2e/poppys/staff/index.html",
    "/poppys/policies/%2E%2E/staff/index.html",
    "/halstead/../poppys/staff/",
    "/poppys%2Fstaff%2Findex.html",
    "/poppys/staff%2findex.html",
    "/poppys/sta%66f/index.html",
    "//poppys//staff//index.html",
    "/poppys//staff/",
    "/./poppys/./staff/./index.html",
    "/Poppys/Staff/",
    "/POPPYS/STAFF/index.html",
    "/poppys/Staff/index.html",
    "/poppys/STAFF/",
    "/poppys/staff./index.html",
    "/poppys/staff../",
    "/poppys/staff%20/index.html",
    "/poppys/staff/index.html.",
    "/poppys/staff\\index.html",
    "/poppys/staff/index.html%00",
    "/poppys/staff/search/search_index.json",
    "/poppys/staff/staff-details.html",
    "/poppys/staff",
]


@pytest.mark.parametrize("path", TRICKS)
def test_no_path_trick_reaches_a_staff_page(nginx_server: NginxServer, path: str) -> None:
    status, headers, body = get(nginx_server, path)
    secrets = staff_only_values(load_setting(REPO / "settings", "poppys"))
    assert not [s for s in secrets if s.encode() in body], (path, status)
    assert b"staff-details" not in body
    if status in (301, 302):  # only the folder without its slash: to the locked folder
        assert headers["location"] == "/poppys/staff/"
        assert get(nginx_server, headers["location"])[0] == 401
    else:
        assert status in (400, 401, 404), (path, status)


def test_a_staff_view_the_configuration_does_not_list_stays_shut(
    published_sites: Path, tmp_path: Path
) -> None:
    # halstead was built after the configuration was written: its staff view answers 404
    # (not its pages) until the configuration is written again.
    with run_nginx(Project(REPO), published_sites, tmp_path, {"poppys": "penny"}) as server:
        assert get(server, "/halstead/staff/index.html")[0] == 404
        assert get(server, "/halstead/staff/")[0] == 404
        assert get(server, "/poppys/staff/index.html", staff("poppys"))[0] == 200


def test_a_staff_view_without_a_password_file_is_shut(
    published_sites: Path, tmp_path: Path
) -> None:
    # As for a setting whose settings file cannot be read: its last site stays public.
    state = tmp_path / "state"
    with run_nginx(Project(REPO), published_sites, state, STAFF_USERS, shut=("halstead",)) as s:
        assert get(s, "/halstead/")[0] == 200
        for path in ("/halstead/staff/", "/halstead/staff/index.html", "/halstead//staff/"):
            status, _, body = get(s, path, staff("halstead"))
            assert status == 404 and b"staff-details" not in body, path


def test_one_password_file_for_the_federation_when_it_says_so(
    published_sites: Path, tmp_path: Path, edit
) -> None:
    project = copy_project(tmp_path / "project")
    defaults = project.settings_dir / "_federation.yml"
    edit(defaults, "staff_passwords: per-setting", "staff_passwords: federation")
    files = password_files(project, CredentialsStore(tmp_path / "credentials"), list(EXAMPLES))
    assert {path.name for path in files.values()} == {"federation.htpasswd"}
    state = tmp_path / "state"
    with run_nginx(project, published_sites, state, {"poppys": "penny"}, EXAMPLES) as server:
        for slug in EXAMPLES:  # one login opens every staff view
            assert get(server, f"/{slug}/staff/", staff("poppys"))[0] == 200
            assert get(server, f"/{slug}/staff/")[0] == 401


def test_a_missing_password_file_keeps_the_staff_view_shut(
    published_sites: Path, tmp_path: Path
) -> None:
    store = CredentialsStore(tmp_path / "credentials")
    files = password_files(Project(REPO), store, list(EXAMPLES))
    plan = plan_server(ServerOptions(published_sites), files, EXAMPLES)
    assert any("does not exist yet" in warning for warning in plan.warnings)
    state = tmp_path / "state"
    with run_nginx(Project(REPO), published_sites, state, {"poppys": "penny"}, EXAMPLES) as s:
        status, _, body = get(s, "/halstead/staff/index.html", staff("poppys"))
        assert status == 403 and b"staff-details" not in body  # nginx cannot open the file
        assert get(s, "/halstead/staff/index.html")[0] == 401


def test_https_with_a_certificate(published_sites: Path, tmp_path: Path) -> None:
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
         "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    tls = (certificate, key)
    with run_nginx(Project(REPO), published_sites, tmp_path / "state", STAFF_USERS, tls=tls) as s:
        assert s.base.startswith("https://")
        status, headers, _ = request(s.base, "/poppys/", trust=certificate)
        assert status == 200
        assert headers["strict-transport-security"] == "max-age=31536000"
        assert "upgrade-insecure-requests" in headers["content-security-policy"]
        page = "/poppys/staff/index.html"
        assert request(s.base, page, trust=certificate)[0] == 401
        assert request(s.base, page, staff("poppys"), trust=certificate)[0] == 200
        # Plain HTTP never sees a page or asks for a password: it is sent to HTTPS.
        status, headers, body = request(s.redirect, page, staff("poppys"))
        assert status == 301 and b"staff-details" not in body
        assert headers["location"] == f"https://127.0.0.1{page}"


def test_password_guessing_is_slowed_down(published_sites: Path, tmp_path: Path) -> None:
    # Every guess costs a bcrypt check; beyond a burst, one address gets 429 at once.
    with run_nginx(Project(REPO), published_sites, tmp_path / "state", STAFF_USERS) as s:
        statuses = [get(s, "/poppys/staff/index.html")[0] for _ in range(STAFF_BURST + 20)]
        assert statuses[0] == 401 and 429 in statuses
        assert set(statuses) == {401, 429}
        assert get(s, "/poppys/index.html")[0] == 200  # public pages are not limited


def test_a_folder_without_its_slash_is_redirected(nginx_server: NginxServer) -> None:
    status, headers, _ = get(nginx_server, "/poppys")
    assert status == 301 and headers["location"] == "/poppys/"
