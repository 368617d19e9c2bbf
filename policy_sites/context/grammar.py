"""Whether a noun phrase is singular or plural, read from its shape rather than a list of
phrases: so 'the Chair of Trustees has' reads right and 'the Club Manager and the
school's Headteacher has' does not.

A noun phrase's number is its head's: the noun before any phrase that modifies it ('the
Chair *of Trustees*', 'the login details *for our account*'), after a possessive ('the
school's *Headteacher*'). Two noun phrases joined by 'and' are plural ('the Manager and
the Chair'); one title of two parts is not ('the Owner and Manager'), though two things
under one determiner are ('our Nursery and Playgroup'), so the prose check takes either
verb after that shape. The sentences builder (context/phrases.py) picks 'has' or 'have'
with it, and the prose check (check/prose.py) finds a subject that disagrees with its
verb with it.
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = ["Number", "noun_phrase_number", "noun_phrase_numbers", "subject_before"]


class Number(StrEnum):
    SINGULAR = "singular"
    PLURAL = "plural"


_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")
_DETERMINERS = frozenset({
    "the", "a", "an", "our", "their", "its", "this", "that", "these", "those", "each",
    "every", "your", "my", "his", "her", "both", "all", "two", "three", "four", "any",
    "some", "no"
})  # fmt: skip
_PREPOSITIONS = frozenset({
    "of", "for", "in", "at", "on", "with", "from", "to", "by", "about", "under", "within",
    "without", "into", "during", "among"
})  # fmt: skip
_PRONOUNS = {
    "i": Number.SINGULAR, "it": Number.SINGULAR, "he": Number.SINGULAR,
    "she": Number.SINGULAR, "everyone": Number.SINGULAR, "nobody": Number.SINGULAR,
    "this": Number.SINGULAR, "that": Number.SINGULAR,
    "we": Number.PLURAL, "they": Number.PLURAL, "you": Number.PLURAL,
    "these": Number.PLURAL, "those": Number.PLURAL,
}  # fmt: skip
_PLURAL_HEADS = frozenset({"staff", "children", "people", "police", "men", "women"})
"""Plural nouns without a plural -s ('staff have' in British English)."""
_SINGULAR_S = frozenset({"news", "series"})
"""Nouns ending in -s that take a singular verb (a name's number is not judged at all)."""
_SUBORDINATORS = frozenset({
    "that", "which", "who", "whom", "whose", "if", "when", "whenever", "where", "after",
    "before", "because", "until", "unless", "while", "since", "than", "once", "so",
    "whether", "what"
})  # fmt: skip
_NOT_A_SUBJECT = frozenset({
    "must", "may", "might", "will", "would", "shall", "should", "can", "could", "not",
    "also", "always", "never", "only", "to", "already", "still", "there", "here", "do",
    "does", "did", "just", "often", "usually"
})  # fmt: skip
"""A word straight before the verb that shows the verb is not the subject's own ('Staff
must have …', 'There are …')."""


def _words(text: str) -> list[re.Match[str]]:
    return list(_WORD.finditer(text))


def _head_number(words: list[str]) -> Number:
    """The number of a noun phrase's head, its last word here."""
    head = re.sub(r"['\u2019]s?$", "", words[-1]).lower()
    if head in _PRONOUNS:
        return _PRONOUNS[head]
    if head in _PLURAL_HEADS:
        return Number.PLURAL
    plural_s = head.endswith("s") and not head.endswith(("ss", "us", "is"))
    return Number.PLURAL if plural_s and head not in _SINGULAR_S else Number.SINGULAR


def noun_phrase_number(phrase: str) -> Number | None:
    """The grammatical number of ``phrase``, a noun phrase; None for no words or a name.

    Joined by 'and' to a second phrase with its own determiner ('and the …', 'and our
    …'), plural; joined by 'or', the nearer phrase decides; otherwise the head does."""
    return _read(phrase)[0]


def noun_phrase_numbers(phrase: str) -> frozenset[Number]:
    """Every number a verb after ``phrase`` may take; empty where its form does not say.

    Two nouns under one determiner ('the Owner and Manager', 'our Nursery and
    Playgroup') are one thing with two names or two things: the words cannot tell, so
    either verb reads right, though ``noun_phrase_number`` picks the singular."""
    number, either = _read(phrase)
    if number is None:
        return frozenset()
    return frozenset(Number) if either else frozenset({number})


def _read(phrase: str) -> tuple[Number | None, bool]:
    """``noun_phrase_number``'s number, and whether the head is two nouns joined by 'and'
    under one determiner, whose number the words leave open."""
    words = [m.group(0) for m in _words(phrase)]
    if not words:
        return None, False
    for index, word in enumerate(words[:-1]):
        following = words[index + 1].lower()
        if index and word.lower() == "and" and following in _DETERMINERS:
            return Number.PLURAL, False
    for index, word in enumerate(words):
        if index and word.lower() in _PREPOSITIONS:
            words = words[:index]  # the head comes before what modifies it
            break
    if "or" in (lowered := [w.lower() for w in words]):
        words = words[len(lowered) - lowered[::-1].index("or") :] or words
    first = words[0].lower()
    if first not in _DETERMINERS and first not in _PRONOUNS and all(w[0].isupper() for w in words):
        return None, False  # a name ('Little Acorns', 'Busy Bees'): its form does not say
    conjuncts: list[list[str]] = [[]]
    for word in words:
        if word.lower() == "and":
            conjuncts.append([])
        else:
            conjuncts[-1].append(word)
    heads = [_head_number(conjunct) for conjunct in conjuncts if conjunct]
    if len(heads) > 1 and Number.PLURAL in heads:
        return Number.PLURAL, False  # 'the trustees and Manager': plural whichever way
    return _head_number(words), len(heads) > 1


def subject_before(text: str, end: int) -> tuple[str, int] | None:
    """The noun phrase that is the subject of a verb at ``text[end:]``, with where it
    starts; None where the words before the verb are not plainly its subject (no words
    in the clause, a modal or 'there' before it, a phrase that does not start like a
    noun phrase)."""
    start = max((m.end() for m in re.finditer(r"[,.;:!?]", text[:end])), default=0)
    words = _words(text[start:end])
    if not words or words[-1].group(0).lower() in _NOT_A_SUBJECT:
        return None
    cut = max(
        (i + 1 for i, w in enumerate(words) if w.group(0).lower() in _SUBORDINATORS), default=0
    )
    words = words[cut:]
    if not words:
        return None
    first = words[0].group(0)
    if not (
        first.lower() in _DETERMINERS
        or first.lower() in _PRONOUNS
        or first.lower() in _PLURAL_HEADS
        or first[0].isupper()
    ):
        return None
    begin = start + words[0].start()
    return text[begin:end].strip(), begin
