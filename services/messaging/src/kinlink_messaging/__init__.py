"""Kinlink messaging: messages and images between families and residents."""
