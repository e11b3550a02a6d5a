"""The 26 CUS indicators: the catalogue, recognising their codes in text, the calculator
and how their values are shown."""
