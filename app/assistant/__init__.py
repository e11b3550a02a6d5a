"""The drafting assistant in the application: its chat page, API, command line, and each
user's conversation."""
