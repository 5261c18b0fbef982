"""Idempotency keys, and a mutation's writes and audit events committing as one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from graph_service.auth import Role, issue_token
from graph_service.settings import Settings
from graph_service.store import Store
from tests.conftest import REGISTER, SECRET, RunningServer, running, token_for

COORDINATOR = token_for(Role.COORDINATOR)
COUNT_NAMED = "query($q: String!) { members(search: $q, first: 50) { totalCount } }"
KEPT = "MATCH (k:IdempotencyKey) RETURN k.response AS response"
ERASE = "mutation($id: ID!) { eraseMember(id: $id) { erasedMemberId userErrors { code } } }"


async def _post(
    http: httpx.AsyncClient,
    query: str,
    *,
    key: str | None = None,
    token: str = COORDINATOR,
    **variables: object,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


async def _count(http: httpx.AsyncClient, name: str) -> int:
    body = (await _post(http, COUNT_NAMED, q=name)).json()
    return int(body["data"]["members"]["totalCount"])


async def test_retry_with_key_returns_first_response_and_writes_nothing(
    http: httpx.AsyncClient,
) -> None:
    first = await _post(http, REGISTER, key="key-register-0001", name="Ada Keyed")
    assert first.status_code == 200
    assert "idempotent-replayed" not in first.headers
    again = await _post(http, REGISTER, key="key-register-0001", name="Ada Keyed")
    assert again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert await _count(http, "Ada Keyed") == 1
    # Without a key, a retry is a new request.
    await _post(http, REGISTER, name="Ada Keyed")
    assert await _count(http, "Ada Keyed") == 2


async def test_key_reused_for_another_request_is_refused(http: httpx.AsyncClient) -> None:
    await _post(http, REGISTER, key="key-reused-00001", name="Bea One")
    other = await _post(http, REGISTER, key="key-reused-00001", name="Bea Two")
    assert other.status_code == 422
    assert other.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await _count(http, "Bea Two") == 0


async def test_keys_belong_to_their_caller(http: httpx.AsyncClient) -> None:
    # The same key from two coordinators is two keys: neither gets the other's response.
    ann = issue_token(SECRET, Role.COORDINATOR, subject="coordinator:ann")
    bob = issue_token(SECRET, Role.COORDINATOR, subject="coordinator:bob")
    first = await _post(http, REGISTER, key="shared-key-0001", token=ann, name="Cal Shared")
    second = await _post(http, REGISTER, key="shared-key-0001", token=bob, name="Cal Shared")
    assert "idempotent-replayed" not in second.headers
    assert first.json() != second.json()
    assert await _count(http, "Cal Shared") == 2


@pytest.mark.parametrize(
    "key",
    ["short", "x" * 129, "has space here", "semi;colon;key", "<script>key</script>"],
    ids=["too-short", "too-long", "space", "semicolon", "markup"],
)
async def test_unusable_key_is_refused(http: httpx.AsyncClient, key: str) -> None:
    response = await _post(http, REGISTER, key=key, name="Dee Refused")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert await _count(http, "Dee Refused") == 0


async def test_same_key_sent_at_once_writes_once(http: httpx.AsyncClient) -> None:
    responses = await asyncio.gather(
        *(_post(http, REGISTER, key="key-at-once-0001", name="Eve Racing") for _ in range(6))
    )
    assert {r.status_code for r in responses} == {200}
    ids = {r.json()["data"]["registerMember"]["member"]["id"] for r in responses}
    assert len(ids) == 1
    assert await _count(http, "Eve Racing") == 1


async def test_kept_response_outlives_a_restart(
    serve: Callable[[Settings], RunningServer], settings: Settings
) -> None:
    # Kept in the graph, not in the process: a new process replays it.
    with running(settings) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            first = await _post(http, REGISTER, key="key-restart-0001", name="Fay Restart")
    with running(settings) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            again = await _post(http, REGISTER, key="key-restart-0001", name="Fay Restart")
            assert again.headers["idempotent-replayed"] == "true"
            assert again.json() == first.json()
            assert await _count(http, "Fay Restart") == 1


async def test_expired_key_is_forgotten(
    serve: Callable[[Settings], RunningServer], make_settings: Callable[..., Settings]
) -> None:
    server = serve(make_settings(idempotency_key_hours=0.0002))  # 0.72 s
    async with httpx.AsyncClient(base_url=server.url) as http:
        await _post(http, REGISTER, key="key-expires-0001", name="Gus Expiring")
        await asyncio.sleep(1.0)
        again = await _post(http, REGISTER, key="key-expires-0001", name="Gus Expiring")
        assert "idempotent-replayed" not in again.headers
        assert await _count(http, "Gus Expiring") == 2


async def test_erasure_forgets_kept_responses(http: httpx.AsyncClient, store: Store) -> None:
    first = await _post(http, REGISTER, key="key-erased-00001", name="Hal Forgotten")
    member_id = first.json()["data"]["registerMember"]["member"]["id"]
    await _post(http, REGISTER, key="key-kept-0000001", name="Ivy Kept")
    erased = await _post(http, ERASE, id=member_id)
    assert erased.json()["data"]["eraseMember"]["erasedMemberId"] == member_id
    kept = [row["response"] for row in await store.read(KEPT)]
    assert not any("Hal Forgotten" in r or member_id in r for r in kept)
    assert any("Ivy Kept" not in r for r in kept)  # others' responses stay


async def test_query_with_key_keeps_nothing(http: httpx.AsyncClient, store: Store) -> None:
    response = await _post(http, COUNT_NAMED, key="key-query-000001", q="anyone")
    assert response.status_code == 200
    assert await store.read(KEPT) == []


async def test_write_and_its_audit_event_commit_together(
    http: httpx.AsyncClient, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The audit append of the second registration collides with the first one's event id: the
    # engine refuses it, and the registration it records must not be there either.
    await _post(http, REGISTER, name="Jo First")
    (row,) = await store.read("MATCH (e:AuditEvent) RETURN e.id AS id")
    monkeypatch.setattr("graph_service.services.audit.new_id", lambda: row["id"])
    response = await _post(http, REGISTER, name="Kit Unaudited")
    assert response.status_code == 500
    assert response.json()["errors"][0]["message"] == "Unexpected error"
    monkeypatch.undo()
    assert await _count(http, "Kit Unaudited") == 0
    assert len(await store.read("MATCH (e:AuditEvent) RETURN e.id AS id")) == 1
