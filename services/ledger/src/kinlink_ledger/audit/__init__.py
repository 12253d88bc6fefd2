"""What auditors run against the ledger's immutable stream: verify the hash chain and the
journal, replay every projection and compare it with the live one, export the journal. None of
it changes anything (decision 0010)."""
