"""GraphiQL, served by the service itself (development only): its page and its policy."""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.requests import Request

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)

# Where graph_service/web/static/graphiql is served (see its LICENSES.txt for the versions).
IDE_ASSETS_URL = "/static/graphiql"
_UNPKG = "https://unpkg.com"
_IDE_ASSETS = {
    f"{_UNPKG}/react@18.2.0/umd/react.production.min.js": "react.production.min.js",
    f"{_UNPKG}/react-dom@18.2.0/umd/react-dom.production.min.js": "react-dom.production.min.js",
    f"{_UNPKG}/js-cookie@3.0.5/dist/js.cookie.min.js": "js.cookie.min.js",
    f"{_UNPKG}/graphiql@3.8.3/graphiql.min.css": "graphiql.min.css",
    f"{_UNPKG}/graphiql@3.8.3/graphiql.min.js": "graphiql.min.js",
    f"{_UNPKG}/@graphiql/plugin-explorer@1.0.2/dist/style.css": "plugin-explorer.css",
    f"{_UNPKG}/@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": "plugin-explorer.umd.js",
}


def wants_ide_page(request: Request) -> bool:
    """A browser asking for the IDE page, not an operation."""
    return (
        request.method == "GET"
        and "query" not in request.query_params
        and "text/html" in request.headers.get("accept", "")
    )


def ide_content_security_policy(html: str) -> str:
    """A policy for the GraphiQL page: this service's own files, its inline script by hash."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
        for s in _INLINE_SCRIPT.findall(html)
    )
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src 'self' {hashes}",
            # GraphiQL's editor sets inline styles; its fonts are data: URIs in its stylesheet.
            "style-src 'self' 'unsafe-inline'",
            "font-src 'self' data:",
            "img-src 'self' data:",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def self_hosted_ide(html: str) -> str:
    """Strawberry's GraphiQL page, loading its scripts and styles from this service."""
    # Offline use, and no third party learns who opens the IDE of a health-data service. The
    # files are byte-identical to the CDN's, so the page's integrity hashes still hold.
    for remote, local in _IDE_ASSETS.items():
        html = html.replace(remote, f"{IDE_ASSETS_URL}/{local}")
    return html
