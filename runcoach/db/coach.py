"""Queries for the coach chat: messages with token use, long-term memories and proposals.

Every query is scoped by `owner_id`: a message, memory or proposal id of another runner is as
unknown as one that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.db.tables import CoachMemoryRow, CoachMessageRow, CoachProposalRow
from runcoach.domain.coach import (
    ChatMessage,
    Memory,
    MemoryKind,
    MemoryNote,
    MessageStatus,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Role,
    Usage,
)
from runcoach.domain.plan_edits import PlanDiff


def _usage(row: CoachMessageRow) -> Usage:
    return Usage(
        input_tokens=row.input_tokens,
        output_tokens=row.output_tokens,
        cache_read_tokens=row.cache_read_tokens,
        cache_write_tokens=row.cache_write_tokens,
    )


def _message(row: CoachMessageRow, proposals: Sequence[Proposal] = ()) -> ChatMessage:
    return ChatMessage(
        id=row.id,
        role=Role(row.role),
        text=row.text,
        status=MessageStatus(row.status),
        created_at=row.created_at,
        usage=_usage(row),
        error=row.error,
        proposals=tuple(proposals),
    )


def _proposal(row: CoachProposalRow) -> Proposal:
    return Proposal.model_validate(
        {
            "id": row.id,
            "message_id": row.message_id,
            "kind": ProposalKind(row.kind),
            "plan_id": row.plan_id,
            "base_version": row.base_version,
            "goal_id": row.goal_id,
            "edits": row.edits,
            "draft": row.draft,
            "reason": row.reason,
            "summary": row.summary,
            "diff": None if row.diff is None else PlanDiff.model_validate(row.diff),
            "status": ProposalStatus(row.status),
            "version": row.version,
            "created_at": row.created_at,
        }
    )


# --------------------------------------------------------------------------- messages


async def add_message(
    db: AsyncSession, *, owner_id: int, role: Role, text: str, status: MessageStatus, now: datetime
) -> ChatMessage:
    row = CoachMessageRow(owner_id=owner_id, role=role.value, text=text, status=status.value, created_at=now)
    db.add(row)
    await db.flush()
    return _message(row)


async def finish_message(
    db: AsyncSession,
    *,
    owner_id: int,
    message_id: int,
    text: str,
    status: MessageStatus,
    error: str | None,
    usage: Usage,
) -> None:
    """Store how a reply ended: its text, status, the error that ended it and the tokens it used."""
    await db.execute(
        update(CoachMessageRow)
        .where(CoachMessageRow.id == message_id, CoachMessageRow.owner_id == owner_id)
        .values(
            text=text,
            status=status.value,
            error=error,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_read_tokens=usage.cache_read_tokens,
            cache_write_tokens=usage.cache_write_tokens,
        )
    )


async def get_message(db: AsyncSession, *, owner_id: int, message_id: int) -> ChatMessage | None:
    row = await db.scalar(
        select(CoachMessageRow).where(CoachMessageRow.id == message_id, CoachMessageRow.owner_id == owner_id)
    )
    return None if row is None else _message(row)


async def list_messages(
    db: AsyncSession, *, owner_id: int, limit: int, before_id: int | None = None
) -> list[ChatMessage]:
    """The runner's last `limit` messages (before `before_id` when given), oldest first, each
    reply with its proposals."""
    query = select(CoachMessageRow).where(CoachMessageRow.owner_id == owner_id)
    if before_id is not None:
        query = query.where(CoachMessageRow.id < before_id)
    rows = list(await db.scalars(query.order_by(CoachMessageRow.id.desc()).limit(limit)))
    rows.reverse()
    proposals = await _proposals_of(db, owner_id=owner_id, message_ids=[r.id for r in rows])
    return [_message(row, proposals.get(row.id, ())) for row in rows]


async def _proposals_of(
    db: AsyncSession, *, owner_id: int, message_ids: list[int]
) -> dict[int, list[Proposal]]:
    if not message_ids:
        return {}
    query = (
        select(CoachProposalRow)
        .where(CoachProposalRow.owner_id == owner_id, CoachProposalRow.message_id.in_(message_ids))
        .order_by(CoachProposalRow.id)
    )
    found: dict[int, list[Proposal]] = {}
    for row in await db.scalars(query):
        found.setdefault(row.message_id, []).append(_proposal(row))
    return found


async def last_message(db: AsyncSession, *, owner_id: int) -> ChatMessage | None:
    found = await list_messages(db, owner_id=owner_id, limit=1)
    return found[0] if found else None


async def delete_message(db: AsyncSession, *, owner_id: int, message_id: int) -> None:
    await db.execute(
        delete(CoachMessageRow).where(CoachMessageRow.id == message_id, CoachMessageRow.owner_id == owner_id)
    )


async def count_sent_since(db: AsyncSession, *, owner_id: int, since: datetime) -> int:
    """Messages the runner sent from `since` on (the daily limit counts these)."""
    query = select(func.count()).where(
        CoachMessageRow.owner_id == owner_id,
        CoachMessageRow.role == Role.USER.value,
        CoachMessageRow.created_at >= since,
    )
    return int(await db.scalar(query) or 0)


async def usage_since(db: AsyncSession, *, owner_id: int, since: datetime | None) -> tuple[int, Usage]:
    """Replies since `since` (all when None) and the tokens they used, summed."""
    query = select(
        func.count(),
        func.coalesce(func.sum(CoachMessageRow.input_tokens), 0),
        func.coalesce(func.sum(CoachMessageRow.output_tokens), 0),
        func.coalesce(func.sum(CoachMessageRow.cache_read_tokens), 0),
        func.coalesce(func.sum(CoachMessageRow.cache_write_tokens), 0),
    ).where(CoachMessageRow.owner_id == owner_id, CoachMessageRow.role == Role.ASSISTANT.value)
    if since is not None:
        query = query.where(CoachMessageRow.created_at >= since)
    count, inp, out, read, write = (await db.execute(query)).one()
    usage = Usage(input_tokens=inp, output_tokens=out, cache_read_tokens=read, cache_write_tokens=write)
    return int(count), usage


async def delete_messages(db: AsyncSession, *, owner_id: int) -> int:
    """The runner's whole conversation (its proposals go with it); how many messages."""
    await db.execute(delete(CoachProposalRow).where(CoachProposalRow.owner_id == owner_id))
    result = await db.execute(delete(CoachMessageRow).where(CoachMessageRow.owner_id == owner_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def unsummarised(db: AsyncSession, *, owner_id: int, keep: int, limit: int) -> list[ChatMessage]:
    """Messages the memory job has not read yet, older than the `keep` newest (those still go with
    every request), oldest first, at most `limit`."""
    newest = select(CoachMessageRow.id).where(CoachMessageRow.owner_id == owner_id)
    cutoff = await db.scalar(newest.order_by(CoachMessageRow.id.desc()).offset(keep).limit(1))
    if cutoff is None:
        return []
    query = (
        select(CoachMessageRow)
        .where(
            CoachMessageRow.owner_id == owner_id,
            CoachMessageRow.id <= cutoff,
            CoachMessageRow.summarised.is_(False),
        )
        .order_by(CoachMessageRow.id)
        .limit(limit)
    )
    return [_message(row) for row in await db.scalars(query)]


async def mark_summarised(db: AsyncSession, *, owner_id: int, from_id: int, through_id: int) -> int:
    """Mark the messages from `from_id` through `through_id` read; how many were still there unread."""
    result = await db.execute(
        update(CoachMessageRow)
        .where(
            CoachMessageRow.owner_id == owner_id,
            CoachMessageRow.id.between(from_id, through_id),
            CoachMessageRow.summarised.is_(False),
        )
        .values(summarised=True)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- memories


def _memory(row: CoachMemoryRow) -> Memory:
    return Memory(id=row.id, kind=MemoryKind(row.kind), text=row.text, created_at=row.created_at)


async def add_memories(
    db: AsyncSession, *, owner_id: int, notes: Sequence[MemoryNote], now: datetime
) -> list[Memory]:
    rows = [CoachMemoryRow(owner_id=owner_id, kind=n.kind.value, text=n.text, created_at=now) for n in notes]
    db.add_all(rows)
    await db.flush()
    return [_memory(row) for row in rows]


async def list_memories(db: AsyncSession, *, owner_id: int, limit: int) -> list[Memory]:
    """The runner's memories, newest first."""
    query = (
        select(CoachMemoryRow)
        .where(CoachMemoryRow.owner_id == owner_id)
        .order_by(CoachMemoryRow.id.desc())
        .limit(limit)
    )
    return [_memory(row) for row in await db.scalars(query)]


async def delete_memory(db: AsyncSession, *, owner_id: int, memory_id: int) -> bool:
    result = await db.execute(
        delete(CoachMemoryRow).where(CoachMemoryRow.id == memory_id, CoachMemoryRow.owner_id == owner_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def delete_memories(db: AsyncSession, *, owner_id: int) -> int:
    result = await db.execute(delete(CoachMemoryRow).where(CoachMemoryRow.owner_id == owner_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- proposals


async def add_proposal(
    db: AsyncSession,
    *,
    owner_id: int,
    message_id: int,
    kind: ProposalKind,
    plan_id: int | None,
    base_version: int | None,
    goal_id: int | None,
    edits: list[dict[str, Any]],
    draft: dict[str, Any] | None,
    reason: str,
    summary: str,
    diff: PlanDiff | None,
    now: datetime,
) -> Proposal:
    row = CoachProposalRow(
        owner_id=owner_id,
        message_id=message_id,
        kind=kind.value,
        plan_id=plan_id,
        base_version=base_version,
        goal_id=goal_id,
        edits=edits,
        draft=draft,
        reason=reason,
        summary=summary,
        diff=None if diff is None else diff.model_dump(mode="json"),
        status=ProposalStatus.PENDING.value,
        created_at=now,
    )
    db.add(row)
    await db.flush()
    return _proposal(row)


async def get_proposal(db: AsyncSession, *, owner_id: int, proposal_id: int) -> Proposal | None:
    row = await db.scalar(
        select(CoachProposalRow).where(
            CoachProposalRow.id == proposal_id, CoachProposalRow.owner_id == owner_id
        )
    )
    return None if row is None else _proposal(row)


async def decide_proposal(
    db: AsyncSession,
    *,
    owner_id: int,
    proposal_id: int,
    status: ProposalStatus,
    version: int | None,
    now: datetime,
) -> bool:
    """Mark a pending proposal applied or discarded; False when it was no longer pending (another
    click, device or replica decided it first): the caller's transaction must then not stand."""
    result = await db.execute(
        update(CoachProposalRow)
        .where(
            CoachProposalRow.id == proposal_id,
            CoachProposalRow.owner_id == owner_id,
            CoachProposalRow.status == ProposalStatus.PENDING.value,
        )
        .values(status=status.value, version=version, decided_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
