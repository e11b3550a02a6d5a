"""The State's internal opinions: the services consulted on a convention give their
opinion on their territory's part; the State's services alone read them."""
