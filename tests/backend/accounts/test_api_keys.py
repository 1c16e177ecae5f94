"""API-key authentication for /api/v1: where the key may be, what fails, and how it is stored."""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel
from sqlalchemy import select

from backend.api.deps import ApiUser
from backend.domains.accounts import service
from backend.domains.accounts.models import ApiKey
from tests.fixtures.accounts import make_user

INVALID = {"status": "error", "message": "Invalid openalgo apikey"}


class OrderBody(BaseModel):
    apikey: str
    symbol: str


@pytest.fixture
async def whoami(app, client):
    """Three probe routes guarded by `ApiUser`: plain POST, GET, and POST with its own body model."""

    @app.post("/api/v1/_whoami")
    async def post_whoami(user: ApiUser) -> dict:
        return {"status": "success", "data": {"id": user.id, "username": user.username}}

    @app.get("/api/v1/_whoami")
    async def get_whoami(user: ApiUser) -> dict:
        return {"status": "success", "data": {"id": user.id, "username": user.username}}

    @app.post("/api/v1/_order")
    async def order(body: OrderBody, user: ApiUser) -> dict:
        return {"status": "success", "data": {"username": user.username, "symbol": body.symbol}}

    return client


class TestWhereTheKeyGoes:
    async def test_json_body_field(self, whoami, api_key):
        response = await whoami.post("/api/v1/_whoami", json={"apikey": api_key})
        assert response.status_code == 200
        assert response.json()["data"]["username"] == "trader1"

    async def test_x_api_key_header(self, whoami, api_key):
        response = await whoami.post("/api/v1/_whoami", headers={"X-API-KEY": api_key})
        assert response.status_code == 200

    async def test_query_parameter_on_get(self, whoami, api_key):
        response = await whoami.get("/api/v1/_whoami", params={"apikey": api_key})
        assert response.status_code == 200
        assert response.json()["data"]["username"] == "trader1"

    async def test_router_can_declare_its_own_body_model(self, whoami, api_key):
        response = await whoami.post("/api/v1/_order", json={"apikey": api_key, "symbol": "SBIN"})
        assert response.status_code == 200
        assert response.json()["data"] == {"username": "trader1", "symbol": "SBIN"}

    async def test_each_key_identifies_its_own_user(self, whoami, api_key, second_api_key):
        first = (await whoami.post("/api/v1/_whoami", json={"apikey": api_key})).json()["data"]
        second = (await whoami.post("/api/v1/_whoami", json={"apikey": second_api_key})).json()["data"]
        assert first["username"] == "trader1" and second["username"] == "trader2"
        assert first["id"] != second["id"]


class TestRejections:
    @pytest.mark.parametrize("body", [
        {}, {"apikey": ""}, {"apikey": "0" * 64}, {"apikey": 12345}, {"apikey": ["x"]},
        {"apikey": {"a": 1}}, {"apikey": None}, {"apikey": "z" * 300},
    ])
    async def test_bad_or_missing_key_is_403_envelope(self, whoami, api_key, body):
        response = await whoami.post("/api/v1/_whoami", json=body)
        assert response.status_code == 403
        assert response.json() == INVALID

    async def test_upper_cased_valid_key_is_rejected(self, whoami, api_key):
        response = await whoami.post("/api/v1/_whoami", json={"apikey": api_key.upper()})
        assert response.status_code == 403

    async def test_wrong_header_key(self, whoami, api_key):
        response = await whoami.get("/api/v1/_whoami", headers={"X-API-KEY": "f" * 64})
        assert response.status_code == 403
        assert response.json() == INVALID

    async def test_malformed_json_is_400(self, whoami, api_key):
        response = await whoami.post("/api/v1/_whoami", content=b'{"apikey": ',
                                     headers={"content-type": "application/json"})
        assert response.status_code == 400
        assert response.json()["status"] == "error"

    async def test_non_object_json_is_403_not_500(self, whoami, api_key):
        response = await whoami.post("/api/v1/_whoami", json=[api_key])
        assert response.status_code == 403


class TestRegenerateAndRevoke:
    async def test_old_key_stops_working_at_once_even_when_cached(self, app, whoami, api_key):
        assert (await whoami.post("/api/v1/_whoami", json={"apikey": api_key})).status_code == 200  # cached now
        async with app.state.db.sessions() as session:
            user = await service.get_user_by_username(session, "trader1")
            new_key = await service.regenerate_api_key(session, user.id)
            await session.commit()
        assert new_key != api_key and re.fullmatch(r"[0-9a-f]{64}", new_key)
        assert (await whoami.post("/api/v1/_whoami", json={"apikey": api_key})).status_code == 403
        assert (await whoami.post("/api/v1/_whoami", json={"apikey": new_key})).status_code == 200

    async def test_revoked_key_is_rejected(self, app, whoami, api_key):
        assert (await whoami.post("/api/v1/_whoami", json={"apikey": api_key})).status_code == 200
        async with app.state.db.sessions() as session:
            user = await service.get_user_by_username(session, "trader1")
            assert await service.revoke_api_key(session, user.id) is True
            assert await service.get_api_key(session, user.id) is None
            await session.commit()
        assert (await whoami.post("/api/v1/_whoami", json={"apikey": api_key})).status_code == 403

    async def test_rolled_back_regeneration_keeps_the_old_key(self, app, whoami, api_key):
        async with app.state.db.sessions() as session:
            user = await service.get_user_by_username(session, "trader1")
            await service.regenerate_api_key(session, user.id)
            await session.rollback()
        assert (await whoami.post("/api/v1/_whoami", json={"apikey": api_key})).status_code == 200


class TestStorage:
    async def test_key_is_stored_only_as_digest_and_ciphertext(self, app):
        user_id, key = await make_user(app, "storage1")
        async with app.state.db.sessions() as session:
            row = (await session.scalars(select(ApiKey).where(ApiKey.user_id == user_id))).one()
            assert key not in (row.key_digest, row.key_encrypted)
            assert key not in row.key_encrypted
            assert await service.get_api_key(session, user_id) == key

    async def test_get_api_key_for_user_without_key(self, app):
        async with app.state.db.sessions() as session:
            user = await service.create_user(session, "nokey1", "Another-Pass-9")
            assert await service.get_api_key(session, user.id) is None

    async def test_regenerate_for_unknown_user_is_404(self, app):
        async with app.state.db.sessions() as session:
            with pytest.raises(Exception) as excinfo:
                await service.regenerate_api_key(session, 999_999)
        assert getattr(excinfo.value, "status", None) == 404
