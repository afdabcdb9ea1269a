"""The entry file NiceGUI's `user` fixture runs for every page test (see pyproject's main_file)."""

from runcoach.app import serve
from runcoach.config import Settings
from tests.helpers import JumpClock

if __name__ in {"__main__", "__mp_main__"}:
    # The system clock, which a story can move forward (`jump`) to play a workout to its end.
    serve(Settings(), clock=JumpClock())
