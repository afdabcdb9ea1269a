"""The 422 for bad input: the field and the reason, a short excerpt of the input, and never a 500.

FastAPI's default handler echoes the whole input (10 MB in, 10 MB out) and fails with "Out of range
float values are not JSON compliant" when the input is NaN or Infinity, which Python's json module
accepts (1e400 parses as Infinity). This one builds every entry from plain, JSON-safe values.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

#: At most this many characters of any input, location part or message are sent back.
EXCERPT_CHARS = 100
MESSAGE_CHARS = 300
ELLIPSIS = "…"
#: Larger integers are shown as text: JSON readers lose precision beyond 64 bits, and Python refuses to
#: print integers of more than 4,300 digits at all.
MAX_INT_BITS = 64


def register_validation_handler(app: FastAPI) -> None:
    """Answer every RequestValidationError with `validation_response`."""
    app.add_exception_handler(RequestValidationError, _handle)


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return validation_response(exc.errors())


def validation_response(errors: Sequence[Any]) -> JSONResponse:
    """`422 {"detail": [{"loc", "msg", "type", "input"?}]}`, built only from JSON-safe values."""
    return JSONResponse({"detail": [error_entry(error) for error in errors]}, status_code=422)


def error_entry(error: Any) -> dict[str, Any]:
    """One error as `{"loc", "msg", "type", "input"?}`; pydantic's `ctx` and `url` are left out."""
    if not isinstance(error, Mapping):
        return {"loc": [], "msg": shorten(str(error), MESSAGE_CHARS), "type": "value_error"}
    entry: dict[str, Any] = {
        "loc": [location_part(part) for part in error.get("loc", ())],
        "msg": shorten(str(error.get("msg", "")), MESSAGE_CHARS),
        "type": shorten(str(error.get("type", "value_error")), EXCERPT_CHARS),
    }
    if "input" in error:
        entry["input"] = excerpt(error["input"])
    return entry


def location_part(part: Any) -> str | int:
    """A field name or list index; an unknown key in the input can be long, so names are shortened."""
    if isinstance(part, int) and not isinstance(part, bool) and part.bit_length() <= MAX_INT_BITS:
        return part
    return shorten(str(part), EXCERPT_CHARS)


def excerpt(value: Any) -> Any:
    """A JSON-safe, short stand-in for an input value.

    Short scalars come back as they are; NaN and the infinities as the words JSON lacks ("NaN",
    "Infinity", "-Infinity"); strings, huge integers and containers as at most EXCERPT_CHARS
    characters of text.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if value.bit_length() <= MAX_INT_BITS else "<integer too large>"
    if isinstance(value, float):
        return value if math.isfinite(value) else non_finite_name(value)
    if isinstance(value, str):
        return shorten(value, EXCERPT_CHARS)
    return shorten(as_text(value), EXCERPT_CHARS)


def non_finite_name(value: float) -> str:
    """The JavaScript spelling of NaN and the infinities (what the client most likely sent)."""
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def as_text(value: Any) -> str:
    """A container or object as JSON-like text; any failure gives its type name instead of an error."""
    try:
        return json.dumps(value, default=repr, ensure_ascii=False)
    except Exception:  # e.g. integers too long to print, or cycles: the excerpt must never fail
        return f"<{type(value).__name__}>"


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS
