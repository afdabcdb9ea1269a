"""The built-in coach's long-term memory: pains and preferences kept, small talk dropped, no twins."""

from __future__ import annotations

from datetime import UTC, datetime

from runcoach.domain.coach import ChatMessage, MemoryKind, MemoryNote, MessageStatus, Role
from runcoach.domain.memory import notes_from

MONDAY = datetime(2026, 11, 16, 7, tzinfo=UTC)


def said(text: str, role: Role = Role.USER, at: datetime = MONDAY) -> ChatMessage:
    return ChatMessage(id=1, role=role, text=text, status=MessageStatus.COMPLETE, created_at=at)


def test_pains_and_preferences_are_kept_and_small_talk_is_dropped() -> None:
    notes = notes_from(
        [
            said("Hi coach, thanks for yesterday!"),
            said("My left knee hurts on downhills. Lovely weather today."),
            said("I can't run on Saturdays because of work."),
            said("Great, sounds good.", Role.ASSISTANT),
        ]
    )
    kinds = [(n.kind, n.text) for n in notes]
    assert (MemoryKind.INJURY, "2026-11-16: My left knee hurts on downhills.") in kinds
    assert (MemoryKind.PREFERENCE, "I can't run on Saturdays because of work.") in kinds
    assert not any("weather" in text or "thanks" in text.lower() for _, text in kinds)
    weekly = [text for kind, text in kinds if kind is MemoryKind.WEEKLY]
    assert weekly == ["Week of 2026-11-16: the runner raised soreness or pain."]


def test_the_coachs_own_words_are_not_memories() -> None:
    assert notes_from([said("Your knee pain should be checked by a physio.", Role.ASSISTANT)]) == []


def test_a_note_already_kept_is_not_kept_again() -> None:
    message = said("I prefer running in the mornings.")
    first = notes_from([message])
    assert notes_from([message], existing=first) == []
    assert notes_from([message], existing=[MemoryNote(kind=MemoryKind.INJURY, text="other")]) == first


def test_a_very_long_sentence_is_clipped_to_a_memorys_length() -> None:
    (note, *_) = notes_from([said("My calf hurts " + "really " * 200 + "badly.")])
    assert note.kind is MemoryKind.INJURY and len(note.text) <= 500 and note.text.endswith("…")
