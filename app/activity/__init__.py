"""Activity: the journal of a convention, the ledger of contributions, each user's inbox."""
