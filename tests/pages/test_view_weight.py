"""What an open live view costs the server for the whole run: its elements and what it keeps of its request.

Every NiceGUI element of an open page costs about 4 KB of server memory, and a live view stays open
for hours on every tablet, phone and TV (benchmarks/README.md: the 250 KB-per-view goal at 1,000
views). These stories hold each view to the element count it was measured at, so a new wrapper or
caption shows up here rather than in the next benchmark.
"""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User
from starlette.requests import empty_receive

from tests.helpers import PATIENCE, a_run, add_account, sign_in, the

#: Elements per open view (NiceGUI's own four included) when the memory goal was met.
BUDGET = {"run": 41, "tv": 16, "remote": 25}


async def open_views(user: User) -> dict[str, str]:
    await user.open("/login")
    runner = await add_account("runner@example.com", "Runner")
    session = await a_run(runner)
    await sign_in(user, "runner@example.com")
    return {
        "run": f"/sessions/{session.id}/run",
        "tv": f"/sessions/{session.id}/tv",
        "remote": f"/r/{session.pair_code}",
    }


async def test_each_live_view_stays_within_its_element_budget(user: User) -> None:
    paths = await open_views(user)
    counts = {}
    for kind, path in paths.items():
        await user.open(path)
        await user.should_see(marker="segment", retries=PATIENCE)
        counts[kind] = len(user.client.elements)
    over = {kind: count for kind, count in counts.items() if count > BUDGET[kind]}
    assert not over, f"elements per view: {counts}, budget {BUDGET}"


def dialogs(user: User) -> int:
    return sum(isinstance(element, ui.dialog) for element in user.client.elements.values())


async def test_the_finish_question_is_built_on_the_first_tap_and_kept(user: User) -> None:
    paths = await open_views(user)
    await user.open(paths["remote"])
    await user.should_see(marker="finish", retries=PATIENCE)
    assert dialogs(user) == 0  # not built for a run that never asks
    for _ in range(2):
        user.find(marker="finish").click()
        await user.should_see(marker="finish-confirm")
        user.find(marker="finish-cancel").click()
        assert not the(user, ui.dialog, "finish-dialog").value
    assert dialogs(user) == 1  # asked twice, built once


async def test_a_live_view_keeps_its_requests_facts_but_not_the_machinery_that_served_it(user: User) -> None:
    paths = await open_views(user)
    await user.open(paths["run"])
    await user.should_see(marker="pair-code", retries=PATIENCE)
    request = user.client.request
    # The middleware stack's receive channel (its streams, events and tasks) is let go...
    assert request.receive is empty_receive
    # ...while what the page and NiceGUI read later still answers.
    assert str(request.base_url) == "http://test/"
    assert request.url.path == paths["run"]
    assert "session" in request.cookies and request.session.get("id")
    assert request.client is not None
