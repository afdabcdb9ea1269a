"""File downloads from the JSON API: one response shape and one OpenAPI entry for every FIT file."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from runcoach.fit.files import FIT_MEDIA_TYPE, FitFile

#: The OpenAPI entry of a 200 that is a FIT file.
FIT_FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The FIT file, as an attachment named after the workout or the run",
        "content": {FIT_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        "headers": {
            "Content-Disposition": {
                "description": 'attachment; filename="<name>.fit"',
                "schema": {"type": "string"},
            }
        },
    }
}


def download(file: FitFile) -> Response:
    """The file as an attachment; its name holds only letters, digits, dots, dashes and underscores."""
    headers = {
        "Content-Disposition": f'attachment; filename="{file.name}"',
        "Cache-Control": "private, no-store",
    }
    return Response(file.data, media_type=file.media_type, headers=headers)
