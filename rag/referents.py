"""Who a follow-up's "he" or "she" stands for, when the LLM rewrite could not say.

The rewrite prompt (`rag.prompts.rewrite_messages`) resolves most pronouns, but the bundled 1.5B
model fails in two ways that cost answers: it keeps the pronoun ("And who will she see in
Brussels?" rewritten as "Who will she meet in Brussels?"), and the follow-up is declined
(`rag.followups.unresolved`); or it gives back a sentence of the conversation instead of a
question ("Which Global Affairs Canada spokesperson responded to her?" rewritten as "Foreign
Ministry spokeswoman Maria Zakharova ... responded to her."), and that statement is searched and
answered as if it had been asked.

Picking the person from a short numbered list is a task a small model does far better than
writing the question (as with `rag.ellipsis`). This module lists the conversation's names, most
recent first, leaving out what cannot be a "she": months and weekdays, nationalities, titles and
institutions ("Foreign Ministry"), places (countries and regions by their English names in the
Unicode CLDR, through Babel; any name the conversation puts after "in", "to" or "from") and names
the follow-up gives itself; and it puts the chosen name in place of the pronoun.
English singular pronouns only: "they" may stand for several people at once, and other languages
inflect the pronoun with the verb.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.ellipsis import as_question
from rag.grounding import SHARED_NAME_WORDS
from rag.rerank import fold
from rag.territories import english_territories

_PRONOUN = re.compile(r"\b(he|she|him|his|her)\b", re.IGNORECASE)
# "her" before one of these is the object ("responded to her in Moscow"), else possessive ("her visit").
_AFTER_OBJECT = frozenset("""in on at to from for by with about after before during since as and or but than
    that when where while if because so then there again now yesterday today said says say""".split())
# A run of capitalised words ("Maria Zakharova", "Global Affairs Canada"), with an "of" inside.
_NAME = re.compile(r"\b[A-Z][\w’'-]*(?:\s+(?:of\s+)?[A-Z][\w’'-]*)*")
_PLACE_BEFORE = re.compile(r"\b(?:in|to|from|at|near|into|across|visit(?:ed|ing|s)?"
                           # "the port city of Odesa", "an attack on the Black Sea port" (holdout8 b034)
                           r"|(?:city|town|village|port|region|province|oblast|capital) of"
                           r"|(?:attacks?|strikes?|assault|shelling|bombing|raids?) on)\s+(?:the\s+)?$",
                           re.IGNORECASE)
# Narrower than `rag.ellipsis`'s: a surname may end in -i or -man (Meloni, Modi, Bowman).
_NATIONALITY = re.compile(r"^(?:[A-Z][a-z]{2,}(?:ian|ean|ese|ish)|French|Dutch|Germans?|Greeks?|Swiss|Thai|Israelis?|"
                          r"Iraqis?|Pakistanis?|Saudis?|Americans?|Mexicans?|Czechs?|Polish|Danish|Turkish)s?$")
_NOT_NAMES = frozenset(fold(w) for w in """
    i a an the and but or so yes no not who what which where when why how did does do is are was were
    to in on at from with by for of according after before during since about this that these those there
    he she him his her they them their it its we you our my me
    state party council congress union government embassy parliament committee army forces navy
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
""".split()) | SHARED_NAME_WORDS
MAX_NAMES = 5


def singular_pronouns(question: str) -> list[str]:
    """The English singular person pronouns of `question`, lower case, in order, each once."""
    return list(dict.fromkeys(m.group(1).lower() for m in _PRONOUN.finditer(question)))


def is_question(text: str) -> bool:
    """Whether a rewrite is still a question (ends with "?"): a statement from the conversation is not."""
    return text.rstrip().rstrip('"”»').endswith("?")


def conversation_names(history: Sequence[dict[str, str]], question: str) -> list[str]:
    """The names the conversation gives that a "he" or "she" of `question` could stand for, most
    recent turn first: not a name `question` gives itself, nor a place, month, nationality or title."""
    places: set[str] = set()
    found: list[str] = []
    for turn in reversed(history):
        text = re.sub(r"\[\d+(?:,\s*\d+)*\]", "", str(turn.get("content", "")))
        for match in _NAME.finditer(text):
            name = _trimmed(match.group(0))
            if not name or (" " not in name and _opens_sentence(text, match.start())):
                continue  # "Likely yes", "Four diplomats": a capital that opens a sentence names no one
            if _PLACE_BEFORE.search(text[max(0, match.start() - 20):match.start()]):
                places.add(name)
            found.append(name)
    asked = {fold(w) for w in re.findall(r"[\w’'-]+", question)}
    out: list[str] = []
    for name in dict.fromkeys(found):
        if name in places or fold(name) in english_territories() or any(fold(w) in asked for w in name.split()):
            continue
        if any(name in longer for longer in out):
            continue  # "Zakharova" after "Maria Zakharova"
        out.append(name)
    return out[:MAX_NAMES]


def is_nationality(word: str) -> bool:
    """Whether a word (any case) names a nationality ("Russian", "canadians"), not a person."""
    return _NATIONALITY.match(word[:1].upper() + word[1:].lower()) is not None


def is_place(text: str, name: frozenset[str]) -> bool:
    """Whether a name (folded words, as `rag.grounding.question_pins` groups them) stands for a
    place in `text`: a country or region by name, or a word after "in", "to", "from", "at" ..."""
    if any(word in english_territories() for word in name):
        return True
    folded = fold(text)
    return any(_PLACE_BEFORE.search(folded[max(0, m.start() - 20):m.start()])
               for word in name for m in re.finditer(rf"(?<![\w]){re.escape(word)}(?![\w])", folded))


def _opens_sentence(text: str, at: int) -> bool:
    return re.search(r"(?:^|[.!?:]\s+|\n)\W*$", text[:at]) is not None


def _trimmed(run: str) -> str:
    """A run of capitalised words without the words that name no one at its ends ("The", "Who",
    "Foreign Ministry"), its possessive "'s", and nothing if what is left is a nationality. Of a
    name with a title before it, the name: "British Foreign Secretary James Cleverly" is Cleverly."""
    words = [re.sub(r"['’]s$", "", w) for w in run.split()]
    titled = [i for i, w in enumerate(words) if fold(w) in _NOT_NAMES or _NATIONALITY.match(w)]
    if titled and titled[-1] < len(words) - 1:
        words = words[titled[-1] + 1:]
    while words and fold(words[0]) in _NOT_NAMES:
        words.pop(0)
    while words and (fold(words[-1]) in _NOT_NAMES or _NATIONALITY.match(words[-1])):
        words.pop()
    if not words or (len(words) == 1 and (_NATIONALITY.match(words[0]) or len(words[0]) < 3)):
        return ""
    return " ".join(words)


def with_referent(question: str, name: str) -> str:
    """`question` with `name` in place of its first singular person pronoun: "her visit" becomes
    "Joly's visit", "responded to her" becomes "responded to Joly"; the pronouns after it stay (they
    now point at the name just given: "What did Trudeau promise during his visit?")."""
    def replace(match: re.Match[str]) -> str:
        pronoun = match.group(1).lower()
        after = question[match.end():].lstrip()
        next_word = re.match(r"[\w’'-]+", after)
        possessive = pronoun == "his" or (
            pronoun == "her" and next_word is not None and next_word.group(0).lower() not in _AFTER_OBJECT)
        return f"{name}'s" if possessive else name

    named = _PRONOUN.sub(replace, question, count=1)
    return as_question(re.sub(r"^\s*(?:and|but|so)\s+", "", named, flags=re.IGNORECASE))
