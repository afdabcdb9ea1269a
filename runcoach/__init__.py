"""RunCoach: a self-hosted treadmill run coach."""

__version__ = "0.1.0"
