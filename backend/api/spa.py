"""Serve the React build (`frontend/dist`) at `/` with client-side routing fallback.

Mounted last, so every API route wins. Rules:
- `/assets/*` are content-hashed by Vite: cached for a year, immutable.
- Other files at the top of `dist` (favicon.svg …) are served as they are, cached briefly.
- Any other GET that is not an API path and has no file extension is a client-side route: it gets
  `index.html` (never cached, so a deploy is picked up at once).
- API-looking paths (`/api/…`, `/auth/…`, `/web/…`, `/socket.io`, `/ws` …) are not matched at all, so
  routes or mounts added after this one still get them, and unknown ones answer the 404 envelope.
- Missing files answer the 404 envelope too (a missing script must not turn into HTML).
When the build is missing, `/` and the client routes answer a short note on how to build it.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope

DEFAULT_DIST = Path(__file__).resolve().parents[2] / "frontend" / "dist"
API_PREFIXES = ("/api/", "/auth/", "/web/", "/socket.io", "/ws", "/health", "/openapi.json")
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=3600"
NO_CACHE = "no-cache"

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Algogate</title></head>
<body><h1>Algogate is running; the web app is not built</h1>
<p>Build it once with <code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>
(<code>scripts/run</code> does this for you), then reload.</p>
<p>The API is available: <a href="/api/docs">/api/docs</a>, <a href="/health">/health</a>.</p>
</body></html>
"""

mimetypes.add_type("application/javascript", ".js")
mimetypes.add_type("text/css", ".css")
mimetypes.add_type("image/svg+xml", ".svg")


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES)


class SpaRoute(APIRoute):
    """A catch-all that steps aside for API paths instead of shadowing them."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and is_api_path(scope["path"]):
            return Match.NONE, {}
        return super().matches(scope)


def spa_router(dist: Path | None = None) -> APIRouter:
    root = (dist or DEFAULT_DIST).resolve()
    router = APIRouter(include_in_schema=False, route_class=SpaRoute)

    def inside(path: str) -> Path | None:
        """The file under `root` for a URL path, or None (missing, a directory, or outside root)."""
        candidate = (root / path.lstrip("/")).resolve()
        if candidate != root and root in candidate.parents and candidate.is_file():
            return candidate
        return None

    @router.api_route("/{path:path}", methods=["GET", "HEAD"])
    async def spa(path: str) -> Response:
        url_path = "/" + path
        index = root / "index.html"
        if not index.is_file():
            if "." in url_path.rsplit("/", 1)[-1]:
                raise StarletteHTTPException(status_code=404)
            return HTMLResponse(NOT_BUILT, headers={"Cache-Control": NO_CACHE})
        file = inside(url_path) if path else None
        if file is not None:
            cache = IMMUTABLE if url_path.startswith("/assets/") else SHORT
            if file.name == "index.html":
                cache = NO_CACHE
            return FileResponse(file, headers={"Cache-Control": cache})
        if url_path.startswith("/assets/") or "." in url_path.rsplit("/", 1)[-1]:
            raise StarletteHTTPException(status_code=404)  # a missing asset must not turn into HTML
        return FileResponse(index, media_type="text/html", headers={"Cache-Control": NO_CACHE})

    return router
