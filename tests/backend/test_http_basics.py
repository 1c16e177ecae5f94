"""The HTTP edge: envelope on every error, health, OpenAPI, size limit, request ids."""

import httpx
import pytest
from asgi_lifespan import LifespanManager
from pydantic import BaseModel

from backend.main import create_app
from tests.conftest import make_settings


class Echo(BaseModel):
    apikey: str
    quantity: int


@pytest.fixture
async def echo_client(tmp_path):
    """The app plus one JSON route, to exercise body handling before real endpoints exist."""
    app = create_app(make_settings(tmp_path, enabled_brokers="", max_request_bytes=2048))

    @app.post("/api/v1/_echo")
    async def echo(body: Echo) -> dict:
        return {"status": "success", "data": body.model_dump()}

    @app.get("/api/v1/_boom")
    async def boom() -> dict:
        raise RuntimeError("secret internals")

    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield http


class TestHealth:
    async def test_liveness(self, client):
        response = await client.get("/health")
        assert response.status_code == 200
        assert response.json()["status"] == "ok"

    async def test_readiness_reports_each_component(self, client, settings):
        response = await client.get("/health/ready")
        body = response.json()
        assert set(body["components"]) == {"database", "broker", "hub"}
        assert body["components"]["database"]["status"] == "ok"
        assert body["components"]["hub"]["status"] == "ok"

    async def test_readiness_fails_when_a_broker_is_missing(self, tmp_path):
        app = create_app(make_settings(tmp_path, enabled_brokers="nosuchbroker"))
        async with LifespanManager(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
                response = await http.get("/health/ready")
        assert response.status_code == 503
        assert "nosuchbroker" in response.json()["components"]["broker"]["detail"]["failed"]


class TestErrorEnvelope:
    async def test_malformed_json_is_400_not_500(self, echo_client):
        response = await echo_client.post(
            "/api/v1/_echo", content=b'{"apikey": "x",', headers={"content-type": "application/json"}
        )
        assert response.status_code == 400
        assert response.json()["status"] == "error"

    async def test_validation_error_names_fields(self, echo_client):
        response = await echo_client.post("/api/v1/_echo", json={"quantity": "abc"})
        assert response.status_code == 400
        message = response.json()["message"]
        assert message["apikey"] == ["Missing data for required field."]
        assert "quantity" in message

    async def test_non_object_body(self, echo_client):
        response = await echo_client.post("/api/v1/_echo", json=[1])
        assert response.status_code == 400
        assert response.json()["status"] == "error"

    async def test_unknown_api_path_is_json_404(self, echo_client):
        response = await echo_client.post("/api/v1/nothing", json={})
        assert response.status_code == 404
        assert response.json() == {"status": "error", "message": "Not found", "path": "/api/v1/nothing"}

    async def test_wrong_method_on_api_v1_is_404_like_openalgo(self, echo_client):
        response = await echo_client.get("/api/v1/_echo")
        assert response.status_code == 404

    async def test_wrong_method_elsewhere_is_405(self, echo_client):
        response = await echo_client.post("/health")
        assert response.status_code == 405
        assert response.json()["status"] == "error"

    async def test_body_too_large_is_413(self, echo_client):
        response = await echo_client.post("/api/v1/_echo", json={"apikey": "x" * 5000, "quantity": 1})
        assert response.status_code == 413
        assert response.json()["status"] == "error"

    async def test_unhandled_error_is_500_without_internals(self, echo_client):
        response = await echo_client.get("/api/v1/_boom")
        assert response.status_code == 500
        assert response.json() == {"status": "error", "message": "An unexpected error occurred"}

    async def test_success_path_and_request_id(self, echo_client):
        response = await echo_client.post("/api/v1/_echo", json={"apikey": "k", "quantity": "5"},
                                          headers={"x-request-id": "abc-123"})
        assert response.status_code == 200
        assert response.json()["data"] == {"apikey": "k", "quantity": 5}
        assert response.headers["x-request-id"] == "abc-123"


class TestOpenAPI:
    async def test_openapi_31_and_docs(self, client):
        spec = (await client.get("/openapi.json")).json()
        assert spec["openapi"].startswith("3.1")
        assert "/health/ready" in spec["paths"]
        docs = await client.get("/api/docs")
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
