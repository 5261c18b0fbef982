"""Cypher for members' data rights: everything held about a member, and erasure."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from graph_service import engine
from graph_service.store.connection import Store, Tx
from graph_service.store.crisis import ERASE_PLAN as ERASE_CRISIS_PLAN

log = logging.getLogger(__name__)

HELP_OF = """
MATCH (a:Member)-[h:HELPED]->(b:Member)
WHERE a.id = $id OR b.id = $id
RETURN a.id AS fromId, b.id AS toId,
       h{.id, .on, .kind, .recordedBy, .confirmed, .confirmedAt} AS help
ORDER BY h.on, h.id
"""

CONSENT_HISTORY = """
MATCH (:Member {id: $id})-[s:SHARES_WITH]->(c:College)
RETURN c.id AS collegeId, c.name AS collegeName, s.grantedAt AS grantedAt,
       s.revokedAt AS revokedAt
ORDER BY c.name
"""

MEMBER_EXISTS = "MATCH (m:Member {id: $id}) RETURN m.id AS id"

# Non-members named only in this member's circle are this member's data: they go too.
DELETE_PRIVATE_SUPPORTERS = """
MATCH (:Member {id: $id})-[:SUPPORTED_BY]->(p:Person)
WHERE NOT p:Member
  AND NOT EXISTS { MATCH (o:Member)-[:SUPPORTED_BY]->(p) WHERE o.id <> $id }
DETACH DELETE p
"""

# DETACH removes every tie (both directions), help record, enrolment and consent.
DELETE_MEMBER = "MATCH (m:Member {id: $id}) DETACH DELETE m"

# An erased member can no longer be signed in: their sessions and unused links go too.
DELETE_SESSIONS = "MATCH (s:WebSession {memberId: $id}) DELETE s"
DELETE_LINKS = "MATCH (l:SigninLink {memberId: $id}) DELETE l"
# And nobody can invite them with a code they made.
DELETE_CONNECT_CODES = "MATCH (c:ConnectCode {memberId: $id}) DELETE c"


async def help_of(store: Store, member_id: str) -> list[dict[str, Any]]:
    """Every help record the member gave or received."""
    return await store.read(HELP_OF, id=member_id)


async def consent_history(store: Store, member_id: str) -> list[dict[str, Any]]:
    """Every consent the member gave, current or revoked."""
    return await store.read(CONSENT_HISTORY, id=member_id)


async def erase_member(store: Store, member_id: str) -> bool:
    """Delete a member and everything personal tied to them; False when there is no such member."""

    async def work(tx: Tx) -> bool:
        if not await tx.run(MEMBER_EXISTS, id=member_id):
            return False
        await tx.run(DELETE_PRIVATE_SUPPORTERS, id=member_id)
        # The crisis plan's names hang off the member: DETACH DELETE would leave them behind.
        await tx.run(ERASE_CRISIS_PLAN, memberId=member_id)
        await tx.run(DELETE_MEMBER, id=member_id)
        await tx.run(DELETE_SESSIONS, id=member_id)
        await tx.run(DELETE_LINKS, id=member_id)
        await tx.run(DELETE_CONNECT_CODES, id=member_id)
        return True

    async def purge() -> None:
        try:
            await purge_engine_logs(store)
        except Exception:
            # The erasure itself is committed and must still be reported (and audited).
            log.exception("erased, but the engine's transaction logs were not purged")

    erased = await store.transaction(work)
    if erased:
        # Only once the erasure has committed: with the request's own transaction open, the
        # engine could neither drop the log nor wait for it.
        await store.after_commit(purge)
    return erased


async def purge_engine_logs(store: Store) -> bool:
    """Have this process's embedded engine drop its transaction logs; False for other graphs."""
    # The deleted values stay in the engine's write-ahead log on disk until it is dropped, so an
    # erasure is complete on disk only after this. A Neo4j server prunes its own transaction
    # logs at checkpoints, per db.tx_log.rotation.retention_policy (see the README).
    server = await store.driver.get_server_info()
    # Closing the database breaks transactions running beside it: this process's wait.
    async with store.exclusive():
        return await asyncio.to_thread(engine.purge_transaction_logs, server.address.port)
