"""Long-term memory without a model: the notes the built-in coach keeps from a conversation.

Pure. Claude writes memories itself (the `save_memories` tool); without a key the app keeps what
it can recognise for sure: sentences about pain or injury, sentences stating a preference or a
constraint, and per week the topics the runner raised. Small talk matches none of these and is
dropped. A note already kept (same kind, same text) is not kept twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import timedelta

from runcoach.domain.coach import MAX_MEMORY_CHARS, ChatMessage, MemoryKind, MemoryNote, Role

INJURY_WORDS = re.compile(
    r"\b(pain|painful|injur\w*|hurt\w*|sore|soreness|ache|aching|niggle|strain\w*|sprain\w*|shin\w*|"
    r"knee|achilles|calf|calves|hamstring|hip|plantar|ankle|foot|back)\b",
    re.IGNORECASE,
)
PREFERENCE_WORDS = re.compile(
    r"\b(i prefer|i'd rather|i would rather|i like|i love|i hate|i don't like|i do not like|"
    r"i can't|i cannot|i can only|i only have|i never|i always|please don't|please do not|"
    r"mornings?|evenings?|weekends?)\b",
    re.IGNORECASE,
)
TOPICS = {
    "soreness or pain": INJURY_WORDS,
    "fatigue": re.compile(r"\b(tired|exhausted|fatigue\w*|slept badly|no energy)\b", re.IGNORECASE),
    "little time": re.compile(r"\b(short on time|only have|\d+\s*min\w*|busy)\b", re.IGNORECASE),
    "moving workouts": re.compile(r"\b(move|swap|reschedule|instead)\b", re.IGNORECASE),
    "progress": re.compile(r"\b(how am i doing|progress|improv\w*)\b", re.IGNORECASE),
}
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def notes_from(messages: Sequence[ChatMessage], existing: Iterable[MemoryNote] = ()) -> list[MemoryNote]:
    """New notes from the runner's messages (the coach's replies are not memories), oldest first."""
    said = [m for m in messages if m.role is Role.USER]
    found = [*_sentence_notes(said), *_weekly_notes(said)]
    seen = {(n.kind, n.text) for n in existing}
    new: list[MemoryNote] = []
    for note in found:
        if (note.kind, note.text) not in seen:
            seen.add((note.kind, note.text))
            new.append(note)
    return new


def _sentence_notes(said: Sequence[ChatMessage]) -> list[MemoryNote]:
    notes: list[MemoryNote] = []
    for message in said:
        day = message.created_at.date().isoformat()
        for sentence in _sentences(message.text):
            if INJURY_WORDS.search(sentence):
                notes.append(_note(MemoryKind.INJURY, f"{day}: {sentence}"))
            elif PREFERENCE_WORDS.search(sentence):
                notes.append(_note(MemoryKind.PREFERENCE, sentence))
    return notes


def _weekly_notes(said: Sequence[ChatMessage]) -> list[MemoryNote]:
    weeks: dict[str, set[str]] = {}
    for message in said:
        day = message.created_at.date()
        monday = (day - timedelta(days=day.weekday())).isoformat()
        topics = {name for name, pattern in TOPICS.items() if pattern.search(message.text)}
        weeks.setdefault(monday, set()).update(topics)
    return [
        _note(MemoryKind.WEEKLY, f"Week of {monday}: the runner raised {', '.join(sorted(topics))}.")
        for monday, topics in weeks.items()
        if topics
    ]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.split(text) if len(s.strip()) >= 8]


def _note(kind: MemoryKind, text: str) -> MemoryNote:
    clipped = text if len(text) <= MAX_MEMORY_CHARS else text[: MAX_MEMORY_CHARS - 1] + "…"
    return MemoryNote(kind=kind, text=clipped)
