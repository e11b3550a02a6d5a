from workflows.mentions import MAX_MENTIONS, find_mentions

MEMBERS = [
    (1, "Claire Martin"),
    (2, "Sophie Lefèvre"),
    (3, "Marie Dupont"),
    (4, "Marie Dupont-Martin"),
]


def test_a_mention_is_a_members_name_after_an_at_sign_accents_and_case_aside():
    assert find_mentions("Merci @Claire Martin, et @sophie lefevre ?", MEMBERS) == [1, 2]


def test_the_longest_name_wins_and_a_name_ends_at_a_words_end():
    assert find_mentions("Voir avec @Marie Dupont-Martin.", MEMBERS) == [4]
    assert find_mentions("Voir avec @Marie Dupont.", MEMBERS) == [3]
    assert find_mentions("@Claire Martinez n'est pas membre", MEMBERS) == []


def test_each_member_once_in_order_of_first_mention_and_nothing_without_at():
    text = "@Sophie Lefèvre puis @Claire Martin puis @Sophie Lefèvre ; Claire Martin sans arobase"
    assert find_mentions(text, MEMBERS) == [2, 1]
    assert find_mentions("courriel : claire@oph.fr", MEMBERS) == []


def test_white_space_inside_a_name_is_folded_and_mentions_are_bounded():
    assert find_mentions("@Claire\n  Martin", MEMBERS) == [1]
    many = [(n, f"Membre {n:03d}") for n in range(MAX_MENTIONS + 5)]
    text = " ".join(f"@Membre {n:03d}" for n in range(MAX_MENTIONS + 5))
    assert len(find_mentions(text, many)) == MAX_MENTIONS
