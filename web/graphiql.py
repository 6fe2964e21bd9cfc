"""Self-hosted GraphiQL page: no CDN, every asset is served by the app itself.

The browser assets (GraphiQL UMD bundle + CSS, React 18, ReactDOM 18, graphql-ws) are
vendored, minified, in ``static/graphiql/`` (versions in ``static/graphiql/VERSIONS``,
refreshed with ``scripts/vendor_graphiql.sh``). Mount :func:`asset_routes` in the app and
answer the IDE request with :func:`render_graphiql_page`; queries and mutations go over
HTTP POST to the endpoint, subscriptions over a WebSocket (graphql-transport-ws) on the
same path and origin, signed in with the Authorization of the Headers tab (the payload of
its ``connection_init``); a socket the server closes (a refusal, a lapsed credential) ends
the subscription with its close code and reason in the result pane.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from functools import lru_cache
from pathlib import Path

from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

ASSET_PREFIX = "/graphiql-assets"

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "graphiql"

# Load order matters: GraphiQL's UMD bundle reads the React/ReactDOM globals.
_SCRIPTS = (
    "react/react.production.min.js",
    "react-dom/react-dom.production.min.js",
    "graphql-ws/graphql-ws.min.js",
    "graphiql/graphiql.min.js",
)
_STYLESHEETS = ("graphiql/graphiql.min.css",)

DEFAULT_QUERY = """\
# Welcome to AccountGraph.
#
# Write a query here and run it with Ctrl-Enter
# (or the play button). The Docs button on the
# left shows the schema.
#
# To authenticate, open the Headers tab below:
#   {"Authorization": "Bearer <token>"}
# (subscriptions sign in with it too).

query Portfolio {
  accounts(first: 10, orderBy: [{field: NAME}]) {
    totalCount
    edges {
      node {
        id name tier renewalDate
        owner { name }
        client { name industry }
        opportunities(first: 3, filter: {status: OPEN}) {
          edges { node { id name amount currency stage { name } } }
        }
      }
    }
  }
}
"""

_IMMUTABLE = "public, max-age=31536000, immutable"
_REVALIDATE = "no-cache"


@lru_cache(maxsize=1)
def asset_version() -> str:
    """Short hash of VERSIONS, used as a cache-busting ``?v=`` on every asset URL."""
    return hashlib.sha256((STATIC_DIR / "VERSIONS").read_bytes()).hexdigest()[:12]


def _asset_url(relpath: str) -> str:
    return f"{ASSET_PREFIX}/{relpath}?v={asset_version()}"


def _js_literal(value: str) -> str:
    """JSON string safe to embed inside an inline <script> element."""
    return (
        json.dumps(value)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def render_graphiql_page(endpoint: str = "/graphql") -> str:
    """Full GraphiQL HTML page talking to ``endpoint`` on the page's own origin.

    ``endpoint`` must be a site-root-relative path (``/graphql``); the WebSocket URL for
    subscriptions is derived in the browser from ``location`` (ws:// or wss://).
    """
    if not endpoint.startswith("/") or endpoint.startswith("//") or "\\" in endpoint:
        raise ValueError(f"endpoint must be a same-origin absolute path, got {endpoint!r}")

    styles = "\n".join(
        f'    <link rel="stylesheet" href="{_asset_url(p)}" />' for p in _STYLESHEETS
    )
    scripts = "\n".join(f'    <script src="{_asset_url(p)}"></script>' for p in _SCRIPTS)
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="robots" content="noindex" />
    <title>AccountGraph · GraphiQL</title>
{styles}
    <style>
      html, body {{ height: 100%; margin: 0; overflow: hidden; }}
      #graphiql {{ height: 100vh; }}
    </style>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
{scripts}
    <script>
      (function () {{
        var endpoint = {_js_literal(endpoint)};
        var wsUrl =
          (window.location.protocol === "https:" ? "wss:" : "ws:") +
          "//" + window.location.host + endpoint;
        var overHttp = GraphiQL.createFetcher({{ url: endpoint }});
        // Subscriptions: graphql-transport-ws on the same path. The Headers tab's
        // Authorization signs the socket in (its connection_init payload), so there is one
        // lazy client per Authorization typed; a client opens its socket for its first
        // subscription and closes it after its last.
        var socketClients = {{}};
        function socketClient(authorization) {{
          var key = authorization || "";
          if (!socketClients[key]) {{
            socketClients[key] = graphqlWs.createClient({{
              url: wsUrl,
              lazy: true,
              connectionParams: authorization ? {{ authorization: authorization }} : {{}},
              // A refusal (4403), a lapsed credential (4401), "try again later" (1013):
              // shown in the result pane at once, never retried out of sight.
              retryAttempts: 0,
            }});
          }}
          return socketClients[key];
        }}
        function headerValue(headers, name) {{
          for (var key in headers || {{}}) {{
            if (key.toLowerCase() === name) return String(headers[key]);
          }}
          return null;
        }}
        function isSubscription(documentAST, operationName) {{
          var operations = ((documentAST && documentAST.definitions) || []).filter(
            function (definition) {{ return definition.kind === "OperationDefinition"; }}
          );
          var chosen = operations.filter(function (operation) {{
            return !operationName || (operation.name && operation.name.value === operationName);
          }});
          return chosen.length === 1 && chosen[0].operation === "subscription";
        }}
        // What ended a subscription, as a GraphQL response the result pane shows.
        function endOfSubscription(error) {{
          if (Array.isArray(error)) return {{ errors: error }};
          if (error && typeof error.code === "number") {{
            return {{
              errors: [{{
                message: ("The subscription socket was closed: " + error.code + " " +
                  (error.reason || "")).trim(),
                extensions: {{ closeCode: error.code, closeReason: error.reason || "" }},
              }}],
            }};
          }}
          return {{ errors: [{{ message: String((error && error.message) || error) }}] }};
        }}
        // The subscription's results, then what ended it; stopping it (the stop button)
        // unsubscribes at once. (Not an async generator: its return() would wait for the
        // next event before it ran.)
        function overSocket(params, authorization) {{
          var events = socketClient(authorization).iterate(params);
          var finished = {{ done: true, value: undefined }};
          var ended = false;
          var stop;
          var stopped = new Promise(function (resolve) {{ stop = resolve; }});
          var subscription = {{
            next: function () {{
              if (ended) return Promise.resolve(finished);
              var next = events.next().catch(function (error) {{
                ended = true;
                return {{ done: false, value: endOfSubscription(error) }};
              }});
              return Promise.race([next, stopped]);
            }},
            return: function () {{
              ended = true;
              stop(finished);
              return events.return().then(function () {{ return finished; }});
            }},
          }};
          subscription[Symbol.asyncIterator] = function () {{ return subscription; }};
          return subscription;
        }}
        // Queries and mutations: HTTP POST to `endpoint`, with the Headers tab's headers.
        function fetcher(params, options) {{
          options = options || {{}};
          if (isSubscription(options.documentAST, params.operationName)) {{
            return overSocket(params, headerValue(options.headers, "authorization"));
          }}
          return overHttp(params, options);
        }}
        ReactDOM.createRoot(document.getElementById("graphiql")).render(
          React.createElement(GraphiQL, {{
            fetcher: fetcher,
            defaultQuery: {_js_literal(DEFAULT_QUERY)},
            isHeadersEditorEnabled: true,
            shouldPersistHeaders: false,
          }})
        );
      }})();
    </script>
  </body>
</html>
"""


_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def security_headers(page: str) -> dict[str, str]:
    """Headers for a GraphiQL page: a Content-Security-Policy allowing only this origin's
    scripts (the vendored assets) and the page's own inline script (by its hash), its
    API and sockets; no framing, no MIME sniffing, no referrer."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(page)
    )
    policy = "; ".join(
        (
            "default-src 'none'",
            f"script-src 'self' {hashes}",
            # GraphiQL and CodeMirror set style attributes; the page has an inline <style>.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )
    return {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


class _GraphiQLStaticFiles(StaticFiles):
    """StaticFiles with long-lived caching for URLs carrying the current ``?v=``."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        versioned = f"v={asset_version()}".encode() in scope.get("query_string", b"").split(b"&")
        response.headers["Cache-Control"] = _IMMUTABLE if versioned else _REVALIDATE
        return response


def asset_routes() -> Mount:
    """Mount serving ``static/graphiql`` at :data:`ASSET_PREFIX`."""
    return Mount(
        ASSET_PREFIX,
        app=_GraphiQLStaticFiles(directory=STATIC_DIR),
        name="graphiql-assets",
    )
