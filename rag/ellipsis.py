"""Elliptic follow-ups ("And Canada?", "And how much humanitarian aid?") completed from the
previous question, without the LLM.

The bundled 1.5B model resolves a pronoun in a follow-up well, but an ellipsis badly: asked to
rewrite "And Canada?" after "How many Russian diplomats did the United States expel?", it wrote
a question about the United States again, and the answer about the wrong country went out with a
citation (docs/quality.md). An ellipsis is a question with a piece swapped, and when which piece
is unambiguous, the swap is plain text work:

- a new question phrase replaces the previous one's: "What weapons did Trudeau promise at the
  summit?" + "And how much humanitarian aid?" -> "How much humanitarian aid did Trudeau promise
  at the summit?";
- a date replaces the previous question's only date: "... in March 2022?" + "And in 2023?";
- a name replaces the previous question's only name: "... did the United States expel ...?" +
  "And Canada?" (a nationality before a noun, "Russian diplomats", is not a candidate).

When the previous question holds two or three names (or dates) the new one could replace, each
gives a candidate and the LLM only picks one by number, which a small model does far better than
writing the question. Anything else (a fragment with a verb, a bare "And why?", a language other
than English) is left to the LLM rewrite, as before. A completion that still points back ("on
the same occasion") is handed to the LLM in place of the fragment: only a pointer is left then.
"""

from __future__ import annotations

import re

_OPENING = re.compile(r"^\s*(?:and|but|so|what about|how about|and what about|and how about)\s+(?P<rest>[^?]+?)"
                      r"\s*[?.!]*\s*$", re.IGNORECASE)
_QUESTION_PHRASE = re.compile(r"^(?:what|which|who|whom|whose|where|when|how)\b", re.IGNORECASE)
AUXILIARIES = ("did|does|do|is|are|was|were|will|would|has|have|had|can|could|should|shall|may|might|must")
# The previous question split at its first auxiliary: "What weapons" | "did" | "Trudeau promise ...?"
_SPLIT_AT_AUXILIARY = re.compile(rf"^(?P<phrase>(?:what|which|who|whom|whose|where|when|how)\b"
                                 r"(?:\s+(?!(?:and|or|but)\b)[\w'’-]+){0,8}?)"
                                 rf"\s+(?P<aux>{AUXILIARIES})\s+(?P<tail>.+)$", re.IGNORECASE)
HAS_AUXILIARY = re.compile(rf"\b(?:{AUXILIARIES})\b", re.IGNORECASE)
# A verb in a question-phrase fragment ("And how many died?") makes it a question of its own.
_VERB_LIKE = re.compile(r"\b(?:\w+ed|say|says|said|won|win|wins|left|leave|met|meet|went|go|came|come|"
                        r"happen|happens|mean|means|think|thinks|thought|know|knew|get|got)\b", re.IGNORECASE)

_MONTH = ("January|February|March|April|May|June|July|August|September|October|November|December|"
          r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?")
DATE = (  # a date as news questions give one: "March 26, 2018", "26 March", "June 2025", "2023"
    rf"(?:\d{{1,2}}\s+(?:{_MONTH})(?:,?\s+\d{{4}})?|(?:{_MONTH})(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+\d{{4}})?"
         r"|(?:19|20)\d\d)")
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# A date as the previous question holds it, with the preposition that governs it.
_DATE_PREPOSITIONS = frozenset("on in during by since until before after".split())
_DATE_PREPOSITION = "|".join(sorted(_DATE_PREPOSITIONS))
DATE_SPAN = re.compile(rf"(?:\b(?:{_DATE_PREPOSITION})\s+)?\b{DATE}\b")
DATE_FRAGMENT = re.compile(rf"^(?:(?P<prep>{_DATE_PREPOSITION})\s+)?(?:the\s+)?{DATE}$", re.IGNORECASE)

# A run of capitalised words ("the United States", "Global Affairs Canada", "G7"), with its "the".
_NAME = re.compile(r"(?:\bthe\s+)?\b[A-Z][\w’'.-]*(?:\s+(?:of\s+)?[A-Z][\w’'.-]*)*")
_NATIONALITY = re.compile(r"^[A-Z][a-z]+(?:ian|ean|ese|ish|ch|can|man|ic|i)$")
_MONTH_WORD = re.compile(rf"^(?:{_MONTH})$")
_FRAGMENT_NAME = re.compile(r"^(?:the\s+)?[A-Z][\w’'.-]*(?:\s+(?:of\s+)?[A-Z][\w’'.-]*){0,4}$")


MAX_CANDIDATES = 3


def completions(question: str, previous: str) -> list[str]:
    """`question`, an English elliptic follow-up of `previous`, completed into whole questions:
    one when the completion is unambiguous, up to `MAX_CANDIDATES` to choose from, none when it is
    not such a fragment (the caller asks the LLM to rewrite it then)."""
    opening = _OPENING.match(question)
    if not opening or not previous.strip():
        return []
    fragment = opening.group("rest").strip().rstrip(",;:")
    if HAS_AUXILIARY.search(fragment):
        return []  # "And what are the two militaries doing?": a question of its own, with a pointer
    if _QUESTION_PHRASE.match(fragment):
        return _new_question_phrase(fragment, previous)
    if DATE_FRAGMENT.match(fragment):
        return new_date(fragment, previous)
    if _FRAGMENT_NAME.match(fragment):
        return _new_name(fragment, previous)
    return []


def as_question(text: str) -> str:
    """`text` as a question: capitalised, with one question mark."""
    text = text.strip().rstrip("?.!, ")
    return text[:1].upper() + text[1:] + "?"


def _new_question_phrase(fragment: str, previous: str) -> list[str]:
    """"And how much humanitarian aid?": the previous question with this question phrase in place
    of its own. A bare "And when?" keeps too little of the previous question to say what it asks."""
    split = _SPLIT_AT_AUXILIARY.match(previous.strip())
    if split is None or len(fragment.split()) < 2 or _VERB_LIKE.search(fragment):
        return []
    dates = list(DATE_SPAN.finditer(fragment))
    if len(dates) == 1 and dates[0].end() == len(fragment):  # "how many entities in 2023": date goes last
        phrase = fragment[:dates[0].start()].strip()
        if _same_head(phrase, split.group("phrase")):  # "how many in 2023": only the date changes
            return new_date(dates[0].group(0), previous)
        if _BARE_HEAD_THEN_PHRASE.match(phrase):
            return []
        completed = as_question(f"{phrase} {split.group('aux')} {split.group('tail')}")
        return new_date(dates[0].group(0), completed)
    if _BARE_HEAD_THEN_PHRASE.match(fragment):
        return []
    return [as_question(f"{fragment} {split.group('aux')} {split.group('tail')}")]


# "how many on Victory Day", "where at the summit": a question word and a place or occasion, not a
# question phrase to put before the previous question's verb ("How many on Victory Day did ...?").
_BARE_HEAD_THEN_PHRASE = re.compile(r"^(?:what|which|who|whom|where|when|how(?:\s+(?:many|much|long))?)\s+"
                                    r"(?:in|on|at|by|during|for|from|after|before|over|since|until|with|to)\b",
                                    re.IGNORECASE)


def _same_head(phrase: str, previous_phrase: str) -> bool:
    """"how many" and "How many shadow fleet vessels": the same question about another date."""
    return previous_phrase.lower().startswith(phrase.lower())


def new_date(fragment: str, previous: str) -> list[str]:
    """"And in 2023?": the previous question with this date in place of one of its dates."""
    found = DATE_FRAGMENT.match(fragment)
    if found is None:
        return []
    dates = list(DATE_SPAN.finditer(previous))
    out: list[str] = []
    for old in dates if len(dates) <= MAX_CANDIDATES else []:
        had_preposition = old.group(0).split()[0].lower() in _DATE_PREPOSITIONS
        new = fragment
        if had_preposition and not found.group("prep"):
            new = f"{'in' if YEAR.fullmatch(fragment) else 'on'} {fragment}"
        out.append(as_question(previous[:old.start()] + new + previous[old.end():]))
    return out


def _name_spans(previous: str) -> list[re.Match[str]]:
    """The names in `previous` an elliptic name could stand in for: not its first word (the
    question word), not months, not a nationality before a noun ("Russian diplomats")."""
    spans = []
    for match in _NAME.finditer(previous):
        words = match.group(0).split()
        bare = [w for w in words if w != "the"]
        if match.start() == 0 or all(_MONTH_WORD.match(w) for w in bare):
            continue
        following = previous[match.end():].lstrip()
        if len(bare) == 1 and _NATIONALITY.match(bare[0]) and following[:1].islower():
            continue
        spans.append(match)
    return spans


def _new_name(name: str, previous: str) -> list[str]:
    """"And Canada?": the previous question with Canada in place of one of its names; none when
    Canada is already one of them (then it is not what changes)."""
    spans = _name_spans(previous)
    if len(spans) > MAX_CANDIDATES or any(_core(s.group(0)) == _core(name) for s in spans):
        return []
    return [_with_name(previous, span, name) for span in spans]


def _with_name(previous: str, span: re.Match[str], name: str) -> str:
    old = span.group(0)
    possessive = re.match(r"^(.*?)(['’]s)$", old)
    new = name + (possessive.group(2) if possessive else "")
    # "the G7 summit" -> "the NATO summit", but "the United States" -> "Canada"
    acronym = re.fullmatch(r"the\s+[A-Z0-9]{2,}", old) is not None
    if acronym and not name.lower().startswith("the ") and previous[span.end():].lstrip()[:1].islower():
        new = old[:4] + new
    return as_question(previous[:span.start()] + new + previous[span.end():])


def _core(name: str) -> str:
    return re.sub(r"^the\s+|['’]s$", "", name.strip(), flags=re.IGNORECASE).lower()
