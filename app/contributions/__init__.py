"""Contributions (tracked changes a partner proposes on a section) and discussions."""
