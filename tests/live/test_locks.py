"""Per-session command locks: serialise one key, leave other keys free, forget idle keys."""

from __future__ import annotations

import asyncio

import pytest

from runcoach.live.locks import KeyedLocks


async def test_holders_of_one_key_take_turns() -> None:
    locks = KeyedLocks()
    inside: list[int] = []
    overlaps: list[int] = []

    async def hold(n: int) -> None:
        async with locks.hold(7):
            if inside:
                overlaps.append(n)
            inside.append(n)
            await asyncio.sleep(0)  # give the others every chance to barge in
            inside.remove(n)

    await asyncio.gather(*(hold(n) for n in range(20)))
    assert overlaps == [] and len(locks) == 0


async def test_other_keys_do_not_wait() -> None:
    locks = KeyedLocks()
    async with locks.hold(1), asyncio.timeout(10), locks.hold(2):  # would deadlock if keys shared a lock
        assert len(locks) == 2
    assert len(locks) == 0


async def test_a_key_lives_while_someone_waits_for_it() -> None:
    locks = KeyedLocks()
    entered = asyncio.Event()

    async def waiter() -> None:
        async with locks.hold(5):
            entered.set()

    async with locks.hold(5):
        task = asyncio.create_task(waiter())
        await asyncio.sleep(0)  # let the waiter queue up on the lock
        assert len(locks) == 1
    async with asyncio.timeout(10):
        await entered.wait()
    await task
    assert len(locks) == 0


async def test_a_cancelled_waiter_and_a_failed_holder_leave_nothing_behind() -> None:
    locks = KeyedLocks()
    async with locks.hold(3):
        task = asyncio.create_task(locks.hold(3).__aenter__())
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert len(locks) == 0
    with pytest.raises(RuntimeError):
        async with locks.hold(3):
            raise RuntimeError("the command failed")
    assert len(locks) == 0
