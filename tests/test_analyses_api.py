"""The analyses through the API and the command line: coordinators only, cached, current."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from graph_service.auth import Role
from graph_service.ids import to_global_id
from graph_service.services import Services
from graph_service.store import Store
from tests.conftest import GraphQLClient, RunningServer, token_for

Register = Callable[[str], Awaitable[str]]
Add = Callable[..., Awaitable[dict[str, Any]]]
TODAY = date.today().isoformat()
ISOLATION = """
{ isolationReport(first: 50) { totalCount edges { node {
    member { id displayName } reasons activeSupporters } } } }
"""
SUMMARY = """
{ networkSummary { members membersByStatus { status count } activeTies meanCircleSize
  circleSizeDistribution reciprocityRate components componentSizes isolates } }
"""
ANALYSES = {
    "isolation": ISOLATION,
    "summary": SUMMARY,
    "load": "{ supporterLoad { supporterId } }",
    "fragile": "{ fragileCircles { reason } }",
    "suggestions": 'query { supporterSuggestions(memberId: "TWVtYmVyOng=") { score } }',
}


@pytest.mark.parametrize("analysis", list(ANALYSES))
@pytest.mark.parametrize("role", ["member", "college"])
async def test_only_coordinators_run_analyses(
    http: Any, register: Register, analysis: str, role: str
) -> None:
    member = await register("Aoife")
    token = (
        token_for(Role.MEMBER, member_id=member)
        if role == "member"
        else token_for(Role.COLLEGE, college_id=to_global_id("College", "southport-college"))
    )
    body = await GraphQLClient(http, token)(ANALYSES[analysis])
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]
    assert "Aoife" not in json.dumps(body)


async def _peer(as_member: Callable[[str], GraphQLClient], add: Add, a: str, b: str) -> None:
    """An ACTIVE tie a -> b (b accepts)."""
    tie = (await add(memberId=a, relation="PEER", supporterMemberId=b))["tie"]
    await as_member(b)(
        "mutation($t: ID!) { respondToInvitation(tieId: $t, accept: true) { userErrors { code } } }",
        t=tie["id"],
    )


async def test_isolation_summary_and_cache_follow_writes(
    server: RunningServer,
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Register,
    add_supporter: Add,
) -> None:
    alone, a, b = await register("Alone"), await register("Aoife"), await register("Brendan")
    await _peer(as_member, add_supporter, a, b)
    await _peer(as_member, add_supporter, b, a)
    await add_supporter(memberId=a, relation="FAMILY", person={"displayName": "Mam"})
    analyses = server.app.state.services.analyses  # type: ignore[attr-defined]
    loads = analyses.loads
    report = (await as_coordinator(ISOLATION))["data"]["isolationReport"]  # type: ignore[index]
    by_name = {e["node"]["member"]["displayName"]: e["node"] for e in report["edges"]}
    assert {"NO_SUPPORTERS", "SMALL_COMPONENT"} <= set(by_name["Alone"]["reasons"])
    assert "NO_SUPPORTERS" not in by_name.get("Aoife", {"reasons": []})["reasons"]
    assert report["edges"][0]["node"]["member"]["displayName"] == "Alone"  # most reasons first
    summary = (await as_coordinator(SUMMARY))["data"]["networkSummary"]  # type: ignore[index]
    # Hand count: 3 active members; ties A->B, B->A, A->Mam active: circles 2, 1, 0.
    assert summary["members"] == 3 and summary["activeTies"] == 3
    assert summary["circleSizeDistribution"] == [1, 1, 1, 0, 0, 0]
    assert summary["reciprocityRate"] == 1.0 and summary["isolates"] == 1
    assert summary["componentSizes"] == [2, 1]
    assert analyses.loads == loads + 1, "the second report must reuse the projection"
    # A write makes the next report see it, applied in place: no reload.
    applied = analyses.live.applied
    await add_supporter(memberId=alone, relation="FRIEND", person={"displayName": "Pat"})
    after = (await as_coordinator(SUMMARY))["data"]["networkSummary"]  # type: ignore[index]
    assert after["activeTies"] == 4 and after["isolates"] == 0
    assert analyses.loads == loads + 1 and analyses.live.applied > applied


async def test_suggestions_load_and_fragility_through_api(
    store: Store,
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Register,
    add_supporter: Add,
) -> None:
    services = Services.build(store)
    await services.colleges.seed()
    await services.wellness.seed()
    lonely, peer = await register("Lonely"), await register("Peer")
    for member in (lonely, peer):
        await as_coordinator(
            'mutation($id: ID!) { setWellnessTools(memberId: $id, tools: ["Journaling"]) { userErrors { code } } }',
            id=member,
        )
    body = await as_coordinator(
        "query($id: ID!) { supporterSuggestions(memberId: $id) { member { id displayName } score sharedCourses sharedTools } }",
        id=lonely,
    )
    suggestions = body["data"]["supporterSuggestions"]  # type: ignore[index]
    assert [(s["member"]["id"], s["sharedTools"]) for s in suggestions] == [(peer, ["Journaling"])]
    await add_supporter(memberId=lonely, relation="FAMILY", person={"displayName": "Sis"})
    fragile = (await as_coordinator("{ fragileCircles { member { id } reason viaName } }"))["data"][
        "fragileCircles"
    ]  # type: ignore[index]
    assert {
        "member": {"id": lonely},
        "reason": "SINGLE_PERSONAL_SUPPORTER",
        "viaName": "Sis",
    } in fragile
    members = [await register(f"M{n}") for n in range(4)]
    for member in members:
        await _peer(as_member, add_supporter, member, peer)
    load = (
        await as_coordinator(
            "{ supporterLoad(minSupported: 4) { supporterId displayName supported } }"
        )
    )["data"]["supporterLoad"]  # type: ignore[index]
    assert load == [{"supporterId": peer, "displayName": "Peer", "supported": 4}]


async def test_erased_member_leaves_the_analyses(
    as_coordinator: GraphQLClient, register: Register
) -> None:
    gone = await register("Gone Soon")
    report = json.dumps(await as_coordinator(ISOLATION))
    assert gone in report
    await as_coordinator(
        "mutation($id: ID!) { eraseMember(id: $id) { userErrors { code } } }", id=gone
    )
    assert gone not in json.dumps(await as_coordinator(ISOLATION))
    summary = (await as_coordinator(SUMMARY))["data"]["networkSummary"]  # type: ignore[index]
    assert summary["members"] == 0


@pytest.mark.parametrize("bad", ["minSupporters: 9", "componentSize: 0", "first: 101"])
async def test_bad_report_arguments_are_invalid_input(
    as_coordinator: GraphQLClient, bad: str
) -> None:
    body = await as_coordinator(f"{{ isolationReport({bad}) {{ totalCount }} }}")
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_INPUT"]  # type: ignore[union-attr]


def test_report_isolation_command(tmp_path: Path) -> None:
    env = {"DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "graph_service", "report", "isolation", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
    bad = subprocess.run(
        [sys.executable, "-m", "graph_service", "report", "isolation", "--format", "xml"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "--format must be" in bad.stderr
