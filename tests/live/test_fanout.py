"""The socket.io side of the fan-out: which sockets a page has, and the session room they join."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from nicegui import Client, core
from nicegui.testing import User

from runcoach.live import fanout

ENGINE_IO_SID = "eio-runcoach-test"


@pytest.fixture
async def page_client(user: User) -> Client:
    """A real NiceGUI client (the simulated user's page) with no socket of its own."""
    await user.open("/pair")
    assert user.client is not None
    return user.client


@pytest.fixture
async def browser_socket(page_client: Client) -> AsyncIterator[str]:
    """A socket registered the way NiceGUI's handshake registers a browser's: in the client's room."""
    manager = core.sio.manager
    sid = await manager.connect(ENGINE_IO_SID, fanout.NAMESPACE)
    await core.sio.enter_room(sid, page_client.id)
    yield sid
    await manager.disconnect(sid, fanout.NAMESPACE)


async def test_a_simulated_user_has_no_sockets(page_client: Client) -> None:
    assert fanout.socket_ids(page_client) == []
    await fanout.join(page_client, 42)  # nothing to join, and no error
    assert list(core.sio.manager.get_participants(fanout.NAMESPACE, fanout.room(42))) == []


async def test_a_browser_socket_is_found_and_joins_the_session_room(
    page_client: Client, browser_socket: str
) -> None:
    assert fanout.socket_ids(page_client) == [browser_socket]
    await fanout.join(page_client, 42)
    assert fanout.room(42) in core.sio.rooms(browser_socket, fanout.NAMESPACE)
