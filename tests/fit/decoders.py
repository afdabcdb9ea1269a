"""Two independent FIT decoders for every file the tests write: Garmin's own SDK and fitdecode.

Both must read the whole file without an error (CRC checked); tests then compare the decoded
values with what the file was made from.
"""

from __future__ import annotations

import io
from typing import Any

import fitdecode
from garmin_fit_sdk import Decoder, Stream


def garmin_messages(data: bytes) -> dict[str, list[dict[str, Any]]]:
    """The file's messages as Garmin's SDK reads them (keys like `workout_step_mesgs`), after
    asserting it is FIT, its integrity (header and file CRC) holds and `read` reports no error."""
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    assert decoder.is_fit(), "Garmin's SDK: not a FIT file"
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    assert decoder.check_integrity(), "Garmin's SDK: the integrity check failed"
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    messages, errors = decoder.read(convert_datetimes_to_dates=False)
    assert errors == [], f"Garmin's SDK: {errors}"
    return messages


def fitdecode_messages(data: bytes) -> list[fitdecode.FitDataMessage]:
    """Every data message as fitdecode reads it, with the CRC checked (a bad one raises)."""
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as reader:
        return [frame for frame in reader if isinstance(frame, fitdecode.FitDataMessage)]
