"""Text algorithms on section bodies: the word diff, paragraph identities, hunks and the
three-way merge, and quoted-passage anchors."""
