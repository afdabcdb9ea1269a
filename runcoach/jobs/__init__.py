"""The durable job queue: work that must happen later, survive a restart, and run once."""
