"""Accounts: login and logout, passwords, API tokens, and the instance administration."""
