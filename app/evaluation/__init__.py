"""The evaluations at 2, 4 and 6 years: achieved values against targets, the
organisme's explanations of shortfalls, the State's assessments, the report."""
