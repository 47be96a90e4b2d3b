"""Which product a request names, when its words alone leave a choice: the exact name with
its quantity ("half a dozen eggs"), or the one candidate whose own option values were said
("bulbs, the hundred watt daylight ones")."""

from __future__ import annotations

import dataclasses

from commerce.option_words import groups_of, option_tokens, options_in
from commerce.resolver import Candidate, Pick, pick, resolve_mention, tokens
from dialogue import language as lang
from dialogue.capabilities import product_words
from dialogue.capabilities.turns import MAX_CHOICES, Turn, product_by_sku


def narrowed_by_options(
    turn: Turn, choice: Pick, request: lang.ItemRequest, following: lang.ItemRequest | None
) -> tuple[Candidate, bool] | None:
    """Of the products a mention fits equally ("bulbs"), the one whose own option values the
    shopper said with it or right after it ("bulbs, the hundred watt daylight ones"), when
    only one of them offers them; and whether the words after it were those options."""
    fits = []
    for candidate in choice.alternatives[: MAX_CHOICES * 2]:
        product = product_by_sku(turn, candidate.sku)
        said, _ = options_in(groups_of(product.options), option_tokens(request.mention))
        after = product_words.options_in_text(product, following.mention) if following else {}
        fits.append((len({**said, **after}), candidate, {**said, **after}, bool(after)))
    most = max((fit[0] for fit in fits), default=0)
    best = [fit for fit in fits if fit[0] == most]
    if most == 0 or len(best) != 1:
        return None
    _, candidate, said, used_following = best[0]
    return dataclasses.replace(candidate, options={**candidate.options, **said}), used_following


def candidates_for(turn: Turn, request: lang.ItemRequest) -> tuple[list[Candidate], int]:
    """Candidates for a request, and how many to add."""
    if request.sku:
        # Named by the NLU against the live catalog: that product, with those options.
        return [Candidate(request.sku, "", 1.0, dict(request.options))], request.quantity
    candidates = resolve_mention(turn.session, mention=request.mention)
    if request.quantity_said and request.said and tokens(request.said) != tokens(request.mention):
        # "half a dozen eggs", "six eggs": the words may be a product's own name (a box of
        # six) rather than six of "eggs". An exact name match, quantity included, wins.
        whole = resolve_mention(turn.session, mention=request.said)
        if whole and whole[0].score == 1.0 and pick(whole).best is not None:
            return whole[:1], 1
    return candidates, request.quantity
