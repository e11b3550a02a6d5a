"""Reaching people: the inbox's notifications, the readers' e-mail preferences, the
outbox of mails (written with the event they tell of) and their delivery."""
