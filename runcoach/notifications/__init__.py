"""Reminders: today's workout in the morning, the week's summary, goal alerts; in the app, and
mailed once when a mail server is set up."""
