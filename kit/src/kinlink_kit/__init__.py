"""The runtime kit every Kinlink service is built on: settings, logs, metrics, gRPC, bus, store."""
