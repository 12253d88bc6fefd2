"""The ledger: all money. Deposits to residents within the facility's weekly limit, for now."""
