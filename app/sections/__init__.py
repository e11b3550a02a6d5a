"""Sections of a convention and their immutable revisions: editing, history, differences."""
