"""Kinlink commissary: allowances, commissary-pack orders, posting runs and tracking."""
