"""Indicator targets (cibles) and achieved values (réalisé) of a convention."""
