"""Use-cases for wellness tools: the network's list, and what each member practises."""

from __future__ import annotations

from graph_service.auth import Principal
from graph_service.domain import ErrorCode, Outcome
from graph_service.events import ChangeKind, change
from graph_service.services import access
from graph_service.services.audit import AuditService
from graph_service.services.validation import clean_name, invalid, now_iso, today
from graph_service.store import Store, changes
from graph_service.store import wellness as store_wellness

# The list members start from; coordinators extend it with addWellnessTool.
DEFAULT_TOOLS = (
    "Journaling",
    "T'ai Chi",
    "Creative writing",
    "Music",
    "Craft",
    "Mindfulness",
    "Walking",
    "Gardening",
    "Peer support group",
    "Breathing exercises",
)
MAX_TOOLS = 20


class WellnessService:
    """Wellness tools."""

    def __init__(self, store: Store, audit: AuditService) -> None:
        self.store = store
        self.audit = audit

    async def available(self) -> list[str]:
        """The list of tools (not personal data)."""
        return await store_wellness.tools(self.store)

    async def add(self, principal: Principal, name: str) -> Outcome[str]:
        """Add a tool to the list (coordinators)."""
        access.require_coordinator(principal)
        clean, error = clean_name(name, "name")
        if error:
            return Outcome(errors=[error])
        added = await store_wellness.ensure_tool(self.store, clean)
        await changes.record(self.store, change(ChangeKind.TOOL_ADDED))
        return Outcome(added)

    async def set_for(
        self, principal: Principal, member_id: str, names: list[str]
    ) -> Outcome[list[str]]:
        """Set the tools a member practises (the member, or coordinators)."""
        access.require_member_access(principal, member_id)
        wanted = list(dict.fromkeys(name.strip() for name in names))
        if len(wanted) > MAX_TOOLS:
            return Outcome(errors=[invalid("tools", f"at most {MAX_TOOLS} tools")])
        known = {name.lower(): name for name in await self.available()}
        unknown = [name for name in wanted if name.lower() not in known]
        if unknown:
            listed = ", ".join(sorted(known.values()))
            return Outcome(
                errors=[
                    invalid("tools", f"not on the list: {', '.join(unknown)}; choose from {listed}")
                ]
            )
        canonical = [known[name.lower()] for name in wanted]
        if not await store_wellness.set_tools(
            self.store, member_id, canonical, today().isoformat(), now_iso()
        ):
            return Outcome.fail(ErrorCode.NOT_FOUND, "no such member", "memberId")
        await self.audit.record(principal, "member.tools", member_id)
        await changes.record(self.store, change(ChangeKind.TOOLS_SET, member_id))
        return Outcome(sorted(canonical, key=str.lower))

    async def tools_of(self, member_ids: list[str]) -> dict[str, list[str]]:
        """Tools by member (caller checked already)."""
        return await store_wellness.tools_of(self.store, member_ids)

    async def seed(self) -> list[str]:
        """Put the default tools on the list."""
        return [await store_wellness.ensure_tool(self.store, name) for name in DEFAULT_TOOLS]
