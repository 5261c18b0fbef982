"""A query seen before runs through the prepared lane, with the same answer, audit, refusals
and masking as strawberry's path; mutations never take it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from graph_service.api.prepared import PreparedOperations
from graph_service.errors import GraphUnavailable
from graph_service.store import Store
from tests.conftest import GraphQLClient, RunningServer

Register = Callable[[str], Awaitable[str]]
CIRCLE = """
query($id: ID!) {
  member(id: $id) {
    displayName
    circle { relation status supporter { __typename ... on Person { displayName } } }
  }
}
"""
TWO_OPERATIONS = """
query Mine { me { role } }
mutation Join($name: String!) { registerMember(input: {displayName: $name}) { member { id } } }
"""
AUDIT_EVENTS = "MATCH (e:AuditEvent) WHERE e.targetId = $id RETURN count(e) AS n"


@pytest.fixture
def prepared_runs(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The operation name of each run of the prepared lane."""
    runs: list[str | None] = []
    real = PreparedOperations.execute

    async def counting(self: PreparedOperations, prepared: Any, *args: Any) -> Any:
        runs.append(prepared.operation_name)
        return await real(self, prepared, *args)

    monkeypatch.setattr(PreparedOperations, "execute", counting)
    return runs


def _without_request_ids(body: dict[str, Any]) -> dict[str, Any]:
    for error in body.get("errors", ()):
        error.get("extensions", {}).pop("requestId", None)
    return body


async def _twice(client: GraphQLClient, query: str, **variables: object) -> list[httpx.Response]:
    return [await client.post(query, **variables) for _ in range(2)]


@pytest.mark.parametrize(
    ("role", "query", "variables"),
    [
        ("coordinator", CIRCLE, {"own": True}),
        ("member", CIRCLE, {"own": True}),
        ("other-member", CIRCLE, {"own": True}),
        ("coordinator", CIRCLE, {}),  # a required variable missing
        ("coordinator", CIRCLE, {"id": 7}),  # a variable of the wrong type
        ("member", "{ auditLog(first: 1) { totalCount } }", {}),  # a forbidden field
        ("coordinator", "{ __typename }", {}),
    ],
    ids=[
        "coordinator-circle",
        "own-circle",
        "another-members-circle",
        "missing-variable",
        "wrong-variable",
        "forbidden-field",
        "typename",
    ],
)
async def test_the_second_request_answers_as_the_first(
    role: str,
    query: str,
    variables: dict[str, Any],
    register: Register,
    add_supporter: Callable[..., Awaitable[dict[str, Any]]],
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    prepared_runs: list[str | None],
) -> None:
    member = await register("Prepared Pat")
    await add_supporter(memberId=member, relation="FRIEND", person={"displayName": "Jo"})
    if variables.pop("own", False):
        variables["id"] = member
    client = {
        "coordinator": as_coordinator,
        "member": as_member(member),
        "other-member": as_member(await register("Someone Else")),
    }[role]
    first, second = await _twice(client, query, **variables)
    assert prepared_runs == [None]
    assert second.status_code == first.status_code
    assert _without_request_ids(second.json()) == _without_request_ids(first.json())


async def test_each_coordinator_read_is_audited(
    register: Register, as_coordinator: GraphQLClient, store: Store, prepared_runs: list[str | None]
) -> None:
    member = await register("Audited Ann")

    async def events() -> int:
        count: int = (await store.read(AUDIT_EVENTS, id=member))[0]["n"]
        return count

    before = await events()
    assert "errors" not in await as_coordinator(CIRCLE, id=member)
    per_read = await events() - before
    for _ in range(2):
        assert "errors" not in await as_coordinator(CIRCLE, id=member)
    assert len(prepared_runs) == 2
    assert per_read >= 1
    assert await events() - before == 3 * per_read


async def test_a_mutation_never_takes_the_prepared_lane(
    http: httpx.AsyncClient, as_coordinator: GraphQLClient, prepared_runs: list[str | None]
) -> None:
    async def send(operation: str, **variables: object) -> dict[str, Any]:
        response = await http.post(
            "/graphql",
            json={"query": TWO_OPERATIONS, "operationName": operation, "variables": variables},
            headers={"Authorization": f"Bearer {as_coordinator.token}"},
        )
        body: dict[str, Any] = response.json()
        return body

    joined = {(await send("Join", name="Twice Tam"))["data"]["registerMember"]["member"]["id"]}
    joined.add((await send("Join", name="Twice Tam"))["data"]["registerMember"]["member"]["id"])
    assert len(joined) == 2
    assert prepared_runs == []
    for _ in range(2):
        assert await send("Mine") == {"data": {"me": {"role": "COORDINATOR"}}}
    # The mutations checked the document: the query in it is prepared from the first time.
    assert prepared_runs == ["Mine", "Mine"]


@pytest.mark.parametrize(
    ("raised", "status", "code"),
    [
        (RuntimeError("secret detail"), 200, "INTERNAL_SERVER_ERROR"),
        (GraphUnavailable("down"), 503, "GRAPH_UNAVAILABLE"),
    ],
    ids=["unexpected-masked", "graph-unavailable"],
)
async def test_failures_in_the_prepared_lane_are_masked(
    raised: Exception,
    status: int,
    code: str,
    server: RunningServer,
    register: Register,
    as_coordinator: GraphQLClient,
    monkeypatch: pytest.MonkeyPatch,
    prepared_runs: list[str | None],
) -> None:
    member = await register("Failing Fay")
    assert "errors" not in await as_coordinator(CIRCLE, id=member)

    async def fail(*args: object, **kwargs: object) -> None:
        raise raised

    members = server.app.state.services.members  # type: ignore[attr-defined]
    monkeypatch.setattr(members, "get_with_circle", fail)
    response = await as_coordinator.post(CIRCLE, id=member)
    assert prepared_runs == [None]
    assert response.status_code == status
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": code, "requestId": response.headers["x-request-id"]}
    assert "secret" not in response.text and "Failing" not in response.text
