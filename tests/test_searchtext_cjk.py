"""Whether a text holds CJK decides whether its entry gets bigram tokens, so that `東京` is found
in a body: `has_cjk`'s shortcuts (ASCII, Latin-1, cp1252) must give the answer of the plain
pattern search for every text, or such an entry is never found by its CJK words."""

from __future__ import annotations

import random

from newstui.core import searchtext


def _plain_answer(text: str) -> bool:
    return searchtext._HAS_CJK.search(text) is not None


def test_has_cjk_answers_as_the_pattern_does_for_every_kind_of_text() -> None:
    rng = random.Random(15)
    pools = [
        "abc xyz 123 <>&;",
        "éçüïöãóÿ©°",  # Latin-1
        "\u2019\u201c\u201d\u2013\u2014\u20ac",  # cp1252, past Latin-1
        "\u0416\u05d0\u0627",  # Cyrillic, Hebrew, Arabic: neither
        "東京都日本語\u3042\u30a2\uac00\u1100\U00020000",  # Han, kana, Hangul, Jamo, ext. B
    ]
    texts = ["", "plain", "café", "naïve \u2019quote\u2019", "Python入門", "é東", "\u2019京"]
    for _ in range(3_000):
        chosen = rng.sample(pools, rng.randint(1, len(pools)))
        alphabet = "".join(chosen)
        texts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))))
    for text in texts:
        assert searchtext.has_cjk(text) == _plain_answer(text), text
    # and a long Latin-1 body with one CJK character at its end is still seen as CJK
    body = "Crème brûlée à la française. " * 80
    assert not searchtext.has_cjk(body)
    assert searchtext.has_cjk(body + "京")
    assert searchtext.cjk_tokens(body + "東京") == "東京 京"
