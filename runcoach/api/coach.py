"""JSON routes of the coach: the chat (plain or streamed as server-sent events), its history,
memories, proposals with Apply / Discard, what the coach sees, token use, and the progress figures."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from runcoach.api.deps import Ctx, CurrentUser, RowId, get_user
from runcoach.api.errors import responses
from runcoach.coach import analysis, proposals
from runcoach.coach.chat import ChatEvent, Delta, Finished, ProposalMade, Reply
from runcoach.domain.coach import MAX_MESSAGE_CHARS, ChatMessage, CoachContext, Memory, Proposal, Usage
from runcoach.domain.ids import MAX_ID
from runcoach.domain.progress import MAX_WEEKS, WEEKS, Progress

router = APIRouter(
    prefix="/api/coach",
    tags=["coach"],
    dependencies=[Depends(get_user)],
    responses=responses(401, 503),
)

SSE = "text/event-stream"


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS, description="What the runner says")


class Exchange(BaseModel):
    """The runner's message as stored and the coach's reply with any proposals. A reply that did
    not come is `failed` with the reason in `error` (the message is kept: retry it); one cut
    mid-stream is `incomplete` with the text so far."""

    message: ChatMessage
    reply: ChatMessage


class ResetOut(BaseModel):
    messages: int
    memories: int


class AppliedOut(BaseModel):
    proposal: Proposal
    plan_id: int
    version: int


class UsageOut(BaseModel):
    replies_today: int
    today: Usage
    replies_total: int
    total: Usage
    sent_today: int
    daily_limit: int
    coach: str
    ai: bool


@router.post(
    "/messages",
    response_model=Exchange,
    responses={
        **responses(400, 404, 409, 413, 429),
        200: {"content": {"application/json": {}, SSE: {}}, "description": "The exchange, or its stream"},
    },
)
async def send(body: MessageIn, request: Request, user: CurrentUser, ctx: Ctx) -> Any:
    """Send the coach a message. The answer is the stored message and the reply with its proposals.

    With `Accept: text/event-stream` the reply streams as server-sent events: `message` (the stored
    message), `delta` (`{"text"}` pieces of markdown), `proposal` (each proposal as it passes the
    rule checker), then `done` (the stored reply). The reply is written by the server whether or
    not the client stays: reconnect with `GET /api/coach/messages`.

    409 while a reply is being written; 429 past the daily message limit (`coach_daily_messages`).
    """
    reply = await ctx.coach.send(user, body.text)
    return await _answer(reply, request)


@router.post("/messages/{message_id:int}/retry", response_model=Exchange, responses=responses(404, 409))
async def retry(message_id: RowId, request: Request, user: CurrentUser, ctx: Ctx) -> Any:
    """Answer the last message again, in place of its failed or incomplete reply (streams like POST)."""
    reply = await ctx.coach.retry(user, message_id)
    return await _answer(reply, request)


@router.post("/stop", status_code=204)
async def stop(user: CurrentUser, ctx: Ctx) -> Response:
    """Stop the reply being written (its text so far is kept, marked incomplete)."""
    ctx.coach.stop(user.id)
    return Response(status_code=204)


@router.get("/messages", response_model=list[ChatMessage])
async def list_messages(
    user: CurrentUser,
    ctx: Ctx,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Messages older than this id")] = None,
) -> list[ChatMessage]:
    """The conversation, oldest first: the last `limit` messages (before `before` when given)."""
    return await ctx.coach.messages(user, limit=limit, before_id=before)


@router.delete("/messages", response_model=ResetOut)
async def reset(
    user: CurrentUser,
    ctx: Ctx,
    keep_memories: Annotated[bool, Query(description="Clear the conversation only")] = False,
) -> ResetOut:
    """Reset: delete the conversation (and its proposals) and the memories; how many of each."""
    if keep_memories:
        messages, _ = await ctx.coach.reset(user, memories=False)
        return ResetOut(messages=messages, memories=0)
    messages, memories = await ctx.coach.reset(user)
    return ResetOut(messages=messages, memories=memories)


@router.get("/memories", response_model=list[Memory])
async def list_memories(user: CurrentUser, ctx: Ctx) -> list[Memory]:
    """What the coach remembers (weekly summaries, injuries and issues, preferences), newest first."""
    return await ctx.coach.memories(user)


@router.delete("/memories/{memory_id:int}", status_code=204, responses=responses(404))
async def forget(memory_id: RowId, user: CurrentUser, ctx: Ctx) -> Response:
    await ctx.coach.forget(user, memory_id)
    return Response(status_code=204)


@router.post("/proposals/{proposal_id:int}/apply", response_model=AppliedOut, responses=responses(404, 409))
async def apply(proposal_id: RowId, user: CurrentUser, ctx: Ctx) -> AppliedOut:
    """Make the proposal a new plan version by the coach. 422 with the rules it breaks when the
    plan changed since and it no longer passes; 409 when it was already applied or discarded."""
    proposal, version = await proposals.apply(
        ctx.db, user, proposal_id, today=ctx.today(), now=ctx.clock.now()
    )
    return AppliedOut(proposal=proposal, plan_id=version.plan.id, version=version.number)


@router.post("/proposals/{proposal_id:int}/discard", response_model=Proposal, responses=responses(404, 409))
async def discard(proposal_id: RowId, user: CurrentUser, ctx: Ctx) -> Proposal:
    return await proposals.discard(ctx.db, user, proposal_id, now=ctx.clock.now())


@router.get("/context", response_model=CoachContext)
async def what_the_coach_sees(user: CurrentUser, ctx: Ctx) -> CoachContext:
    """Everything the coach is given about me with each message."""
    return await ctx.coach.context(user)


@router.get("/usage", response_model=UsageOut)
async def usage(user: CurrentUser, ctx: Ctx) -> UsageOut:
    """Replies and tokens today and in total, messages sent today and the daily limit."""
    report = await ctx.coach.usage(user)
    backend = ctx.coach.backend
    return UsageOut(**vars(report), coach=backend.label, ai=backend.is_ai)


async def _answer(reply: Reply, request: Request) -> Any:
    if SSE in request.headers.get("accept", ""):
        return StreamingResponse(_stream(reply), media_type=SSE, headers={"Cache-Control": "no-cache"})
    return Exchange(message=reply.question, reply=await reply.wait())


async def _stream(reply: Reply) -> AsyncIterator[str]:
    yield _event("message", reply.question.model_dump(mode="json"))
    async for event in reply.events():
        yield _sse(event)


def _sse(event: ChatEvent) -> str:
    match event:
        case Delta():
            return _event("delta", {"text": event.text})
        case ProposalMade():
            return _event("proposal", event.proposal.model_dump(mode="json"))
        case Finished():
            return _event("done", event.message.model_dump(mode="json"))


def _event(name: str, data: Any) -> str:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


@router.get("/analysis", response_model=Progress, responses=responses(404))
async def get_analysis(
    user: CurrentUser,
    ctx: Ctx,
    weeks: Annotated[
        int, Query(ge=1, le=MAX_WEEKS, description=f"Complete weeks to analyse, 1 to {MAX_WEEKS}")
    ] = WEEKS,
) -> Progress:
    """How am I doing: weekly volume and its trend, plan completion, consistency, and a VDOT trend
    from my runs, over the last `weeks` complete weeks (Monday to Sunday where I train: the
    server's `timezone` setting) and this week so far. Distances in km (on the belt), running
    time in minutes, efforts in metres and seconds.

    - Trends and consistency read complete weeks only; weeks before I began are left out.
    - Completion: my active plan's treadmill days so far in those weeks, judged as on the calendar;
      a partial day counts half in `rate`.
    - VDOT points: the race-equivalent of each hard enough run's best sustained effort (Daniels'
      formula). A floor, not a measurement: a training run is not run flat out, and its speeds are
      the program's, set from my profile. A race or a time trial is the real measure.

    200 with empty figures when I have no runs or no plan; 404 with what to do when I have no
    profile yet (PUT /api/profile).
    """
    return await analysis.analysis(
        ctx.db, user, today=ctx.today(), zone=ctx.settings.zone, now=ctx.clock.now(), weeks=weeks
    )
