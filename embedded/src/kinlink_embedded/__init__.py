"""Every Kinlink service in one process, with no servers: SQLite, an in-memory bus, a simulated
card processor and demo facilities. What `make run` starts."""
