"""The SPA is served at `/` with client-side routing fallback, and never shadows the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from backend.api.spa import IMMUTABLE, NO_CACHE, spa_router
from backend.core.errors import install_error_handlers


def make_app(dist: Path) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    api = APIRouter()

    @api.get("/api/v1/ping")
    def ping() -> dict[str, str]:
        return {"status": "success"}

    app.include_router(api)
    app.include_router(spa_router(dist))

    late = APIRouter()

    @late.get("/socket.io/")
    def late_mount() -> dict[str, str]:  # stands in for something mounted after the SPA
        return {"late": "yes"}

    app.include_router(late)
    return app


@pytest.fixture
def built(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><div id=root></div>", encoding="utf-8")
    (dist / "assets" / "index-abc123.js").write_text("console.log(1)", encoding="utf-8")
    (dist / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("nope", encoding="utf-8")
    return dist


class TestBuiltSpa:
    def test_root_and_client_routes_get_index(self, built: Path) -> None:
        client = TestClient(make_app(built))
        for path in ("/", "/dashboard", "/orderbook", "/some/deep/route"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert response.text.startswith("<!doctype html>")
            assert response.headers["cache-control"] == NO_CACHE

    def test_hashed_assets_are_immutable(self, built: Path) -> None:
        response = TestClient(make_app(built)).get("/assets/index-abc123.js")
        assert response.status_code == 200
        assert response.headers["cache-control"] == IMMUTABLE
        assert "javascript" in response.headers["content-type"]

    def test_top_level_files_are_served(self, built: Path) -> None:
        response = TestClient(make_app(built)).get("/favicon.svg")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("image/svg+xml")

    def test_missing_assets_are_404_not_html(self, built: Path) -> None:
        client = TestClient(make_app(built))
        assert client.get("/assets/gone-123.js").status_code == 404
        assert client.get("/robots.txt").status_code == 404

    def test_no_path_traversal(self, built: Path) -> None:
        client = TestClient(make_app(built))
        assert client.get("/../secret.txt").status_code in (200, 404)
        assert "nope" not in client.get("/%2e%2e/secret.txt").text

    def test_api_paths_are_not_shadowed(self, built: Path) -> None:
        client = TestClient(make_app(built))
        assert client.get("/api/v1/ping").json() == {"status": "success"}
        unknown = client.get("/api/v1/nope")
        assert unknown.status_code == 404
        assert unknown.json()["status"] == "error"
        assert client.get("/web/nothing").status_code == 404
        assert client.get("/socket.io/").json() == {"late": "yes"}


class TestMissingBuild:
    def test_root_explains_how_to_build(self, tmp_path: Path) -> None:
        client = TestClient(make_app(tmp_path / "absent"))
        response = client.get("/")
        assert response.status_code == 200
        assert "npm ci" in response.text and "npm run build" in response.text
        assert client.get("/dashboard").status_code == 200
        assert client.get("/assets/index.js").status_code == 404
