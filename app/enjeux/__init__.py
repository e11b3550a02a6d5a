"""The préfet's note d'enjeux et d'objectifs of a convention: its date, its file, its points,
each tied to the sections it concerns (workflows/enjeux.py)."""
