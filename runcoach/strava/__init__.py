"""Strava sync: connect, import and match runs, webhooks, and uploads of treadmill runs."""
