"""The entry file NiceGUI's `user` fixture runs for every page test (see pyproject's main_file)."""

from runcoach.app import serve
from runcoach.config import Settings

if __name__ in {"__main__", "__mp_main__"}:
    serve(Settings())
