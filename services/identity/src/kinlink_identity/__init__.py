"""Identity: accounts, payment methods, facilities, residents, roles and tokens."""
