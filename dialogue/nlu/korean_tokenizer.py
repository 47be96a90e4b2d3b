"""`KoreanWhitespaceTokenizer`: Rasa's whitespace tokenizer, keeping Korean words.

Rasa 3.6's WhitespaceTokenizer drops every token its emoji pattern matches in full, and that
pattern's range U+24C2..U+1F251 covers all of Hangul (and CJK): "카페 라떼 주세요" loses every
word and reaches the pipeline as one token. Korean words (eojeol, split at spaces) are what
CatalogMentions reads, so this tokenizer keeps any token with a Hangul syllable in it and
otherwise behaves exactly as Rasa's.
"""

from __future__ import annotations

import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer

_HANGUL = re.compile(r"[\uac00-\ud7a3]")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class KoreanWhitespaceTokenizer(WhitespaceTokenizer):
    """Whitespace tokens; a token with Hangul in it is a word, never an emoji."""

    def remove_emoji(self, text: str) -> str:
        if _HANGUL.search(text):
            return text
        return super().remove_emoji(text)
