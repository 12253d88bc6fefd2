"""The `kinlink` command-line client: talks to the services over gRPC."""
