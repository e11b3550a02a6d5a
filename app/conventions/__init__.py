"""Conventions and their members: the dashboard, a convention's page, creating one."""
