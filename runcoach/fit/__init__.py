"""Garmin FIT files: workouts to the watch and back, finished treadmill runs as activities."""
