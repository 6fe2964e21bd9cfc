"""The self-hosted GraphiQL page only loads same-origin, vendored assets."""

from __future__ import annotations

import re
import sys
import warnings
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning
from starlette.responses import HTMLResponse
from starlette.routing import Route

# Starlette 1.10's TestClient prefers the `httpx2` package and warns (an error under
# filterwarnings=error) when it falls back to `httpx`, which is what the dev extras
# install today. Tolerate that fallback here; it goes quiet once httpx2 is installed.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

# graphiql.py is a top-level module of the project root; make it importable however
# pytest was launched (plain `pytest` only puts tests/ on sys.path in rootdir mode).
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from web.graphiql import ASSET_PREFIX, STATIC_DIR, asset_routes, render_graphiql_page  # noqa: E402

CDN_HOSTS = ("unpkg.com", "jsdelivr.net", "esm.sh", "cdnjs.cloudflare.com", "skypack.dev")


class _UrlCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []  # (tag, attr, value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value is not None:
                self.urls.append((tag, name, value))


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = Starlette(
        routes=[
            Route("/graphql", lambda request: HTMLResponse(render_graphiql_page())),
            asset_routes(),
        ]
    )
    return TestClient(app)


@pytest.fixture(scope="module")
def page(client: TestClient) -> str:
    response = client.get("/graphql")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def _urls(page: str) -> list[tuple[str, str, str]]:
    parser = _UrlCollector()
    parser.feed(page)
    parser.close()
    return parser.urls


def test_page_is_html(page: str) -> None:
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert '<div id="graphiql">' in page
    assert "GraphiQL.createFetcher" in page
    assert "graphqlWs.createClient" in page
    assert "isHeadersEditorEnabled: true" in page
    assert "query Portfolio" in page  # runnable default query


def test_page_references_no_absolute_url(page: str) -> None:
    assert "http://" not in page
    assert "https://" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?//""", page)
    for host in CDN_HOSTS:
        assert host not in page


def test_every_asset_is_same_origin_and_served(client: TestClient, page: str) -> None:
    urls = _urls(page)
    kinds = {(tag, attr) for tag, attr, _ in urls}
    assert ("script", "src") in kinds
    assert ("link", "href") in kinds

    for tag, _attr, url in urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, url
        assert parts.path.startswith(ASSET_PREFIX + "/"), url

        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content, url
        content_type = response.headers["content-type"]
        if tag == "script":
            assert "javascript" in content_type, (url, content_type)
        else:
            assert content_type.startswith("text/css"), (url, content_type)
        assert "immutable" in response.headers["cache-control"]


def test_unversioned_asset_url_is_revalidated(client: TestClient) -> None:
    response = client.get(f"{ASSET_PREFIX}/react/react.production.min.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"


def test_script_order_react_before_graphiql(page: str) -> None:
    scripts = [urlsplit(v).path for tag, _, v in _urls(page) if tag == "script"]
    names = [s.rsplit("/", 1)[-1] for s in scripts]
    assert names.index("react.production.min.js") < names.index("react-dom.production.min.js")
    assert names.index("react-dom.production.min.js") < names.index("graphiql.min.js")
    assert "graphql-ws.min.js" in names


def test_endpoint_is_validated_and_escaped() -> None:
    for bad in ("https://example.org/graphql", "//evil/graphql", "graphql"):
        with pytest.raises(ValueError):
            render_graphiql_page(bad)
    html = render_graphiql_page("/api/graphql</script><script>alert(1)//")
    assert "</script><script>alert" not in html
    assert '"/api/graphql' in html


def test_vendored_assets_load_nothing_from_a_cdn() -> None:
    files = [p for p in STATIC_DIR.rglob("*") if p.suffix in (".js", ".css")]
    assert {p.name for p in files} >= {
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphql-ws.min.js",
    }
    for path in files:
        text = path.read_text(encoding="utf-8")
        # No URL on a CDN host anywhere (no script src, import(), fetch or @import of one).
        assert not re.search(
            r"(https?:)?//[\w.-]*(" + "|".join(map(re.escape, CDN_HOSTS)) + ")", text
        ), path
        # CSS: no remote @import or url(); fonts/images are inlined as data: URIs.
        if path.suffix == ".css":
            assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", text), path
        # The bare words "jsdelivr"/"unpkg" occur exactly once, in graphiql.min.js, inside
        # a human-readable error message ("If you are using a CDN source (jsdelivr,
        # unpkg, etc), follow this example: <github link>") shown when the bundle is
        # misconfigured. It is text, not a URL that gets loaded, so it is acceptable.
        mentions = re.findall(r"unpkg|jsdelivr|esm\.sh", text)
        if path.name == "graphiql.min.js":
            assert len(mentions) <= 2
            assert "If you are using a CDN source (jsdelivr, unpkg, etc)" in text
        else:
            assert mentions == [], path


def test_versions_file_lists_every_vendored_package() -> None:
    lines = (STATIC_DIR / "VERSIONS").read_text().split()
    packages = {line.rsplit("@", 1)[0] for line in lines}
    assert packages == {"graphiql", "react", "react-dom", "graphql-ws"}
    for name in packages:
        assert any((STATIC_DIR / name).glob("LICENSE*")), name
