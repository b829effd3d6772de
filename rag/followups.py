"""Whether a question in a conversation needs the previous turns to be understood.

Rewriting a follow-up ("What did he say next?") into a standalone question costs an LLM call,
about 2 s before retrieval can even start on this machine. A question that names what it is
about needs none of that: it is sent to retrieval as it is. The test is deliberately one-sided:
any pronoun, demonstrative or elliptic opening, in the languages the corpus has, sends the
question to the rewrite; only a question with none of them skips it. A wrong "stands alone"
costs a wrong search, a wrong "needs the rewrite" costs two seconds, so doubt goes to the rewrite.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.calendar_names import MONTHS
from rag.ellipsis import DATE
from rag.grounding import SHARED_NAME_WORDS, PinVocabulary, gives_names, question_pins
from rag.rerank import fold, pins

# Words that point back at something said before (en, fr, de, it, es, id, pt, nl).
_POINTING = frozenset("""
he she they him her his hers their theirs them it its this these those there then now latter former
same such also too either
elle elles lui leur leurs eux son sa ses cet cette ces celui celle ceux celles là alors
er sie ihm ihr ihre ihren ihrem ihn sein seine seinen seinem dies diese dieser dieses diesen dort damals
lui lei loro suo sua suoi sue questo questa questi queste quello quella quelli quelle lì allora
él ella ellos ellas su sus este esta estos estas ese esa esos esas allí entonces
dia ia mereka beliau -nya itu ini tersebut sana
ele ela eles elas dele dela isso isto aquele aquela
hij zij hem haar hun deze daar toen
""".split())

# Openings that continue the previous question rather than ask a new one.
# Of those, the ones that point back even after a name: places, times, "the same" (a name in the
# question is not what "there" or "then" stands for).
_ALWAYS = frozenset("there then now same latter former afterwards afterward later earlier addition else again "
                    "là alors dort damals lì allora allí entonces sana daar toen "
                    "he she him her they them elle ils elles er sie lui lei dia mereka beliau".split())
_EXISTENTIAL = frozenset("is are was were be been".split())  # "Are there sanctions...?" points nowhere
# A closing "it" after one of these is the object of what the question asks about ("How did the
# Kremlin react to it?", "What did Canada's foreign minister say Ottawa would do about it?"): the
# event of the conversation, which no person or country named before it stands for.
_OBJECT_BEFORE_IT = frozenset("about to on for against after with of from over at behind following into".split())
# "that" is often a conjunction ("said that...") or a relative ("the loan that Canada made"); it
# points back as the subject of a verb, at the end, or before a noun ("that loan", "that summit").
_THAT_POINTS_BEFORE = frozenset("is was will would did does do cost costs mean happen happened number amount "
                                "figure day year time summit meeting visit announcement".split())
# After these, "that" opens a clause (said that, so that, such that) ...
_THAT_OPENS_CLAUSE_AFTER = frozenset("""
say says said saying tell tells told announce announces announced claim claims claimed state states stated
think thinks thought believe believes believed know knows knew warn warns warned add adds added report reports
reported note notes noted argue argues argued insist insists insisted confirm confirms confirmed deny denies
denied suggest suggests suggested show shows showed mean means meant promise promises promised ensure ensures
ensured fear feared hope hoped expect expected agree agreed decide decided so such now given than
""".split())
# ... and before these it is a conjunction or a relative, not a demonstrative
_THAT_BEFORE_CLAUSE = frozenset("""
the a an he she it they we you i his her its their our this these those there some any no all every
had has have was were is are would could should might must may can will did do does
""".split())

_CONTINUING = re.compile(
    r"^\s*(and|but|so|or|what about|how about|how so|et|mais|und|aber|e|ma|y|pero|dan|lalu|"
    r"bagaimana dengan|und was|et pour|e per)\b[^a-z]*", re.IGNORECASE)

_WORD = re.compile(r"[^\W\d_]+(?:-nya)?", re.UNICODE)

MIN_WORDS = 5  # "Why?", "And in 2023?", "Who else?": too short to stand alone


def pointing_words(question: str) -> list[str]:
    """The words of `question` that refer back to earlier turns: pointing words with no name
    before them in the question itself ("What did Trudeau announce on his visit?" points at
    Trudeau, named right there; "What did he announce?" points back)."""
    words = _WORD.findall(question)
    lower = [w.lower() for w in words]
    out, named = [], False
    for i, word in enumerate(lower):
        named = named or (i > 0 and words[i][0].isupper())  # a name: later pronouns may well be about it
        after = lower[i + 1] if i + 1 < len(lower) else ""
        if word == "there" and i > 0 and lower[i - 1] in _EXISTENTIAL:
            continue
        if word == "that" and after and after not in _THAT_POINTS_BEFORE and not _demonstrative(words, i):
            continue
        closing_it = word == "it" and i == len(lower) - 1 and i > 0 and lower[i - 1] in _OBJECT_BEFORE_IT
        if word in _ALWAYS or word == "that" or closing_it or (
                not named and (word in _POINTING or word.endswith("-nya"))):
            out.append(word)
    return out


def _demonstrative(words: list[str], i: int) -> bool:
    """Whether the "that" at `i`, with a word after it, is a determiner pointing back ("How is
    that loan to be repaid?") rather than a conjunction ("said that Canada") or a relative ("the
    loan that was made"). Doubt goes to the rewrite, as everywhere here."""
    before = words[i - 1].lower() if i > 0 else ""
    after = words[i + 1]
    return (before not in _THAT_OPENS_CLAUSE_AFTER and after.lower() not in _THAT_BEFORE_CLAUSE
            and not after[0].isupper())


def stands_alone(question: str) -> bool:
    """Whether `question` can be searched without the conversation before it: long enough, not
    continuing the last one, pointing back at nothing, and naming something of its own (a name, a
    number or a date): "Which companies were among the entities?" names nothing, so its entities
    are the conversation's (holdout10 p038, searched alone, was answered from another round of
    sanctions)."""
    words = _WORD.findall(question)
    if len(words) < MIN_WORDS or _CONTINUING.match(question):
        return False
    return not pointing_words(question) and names_something(question)


def with_previous_question(rewrite: str, question: str, previous: str) -> str:
    """A follow-up that names nothing (`names_something`), which the rewrite gave back as it was,
    with the previous question it continues: "Which companies were among the entities (What
    sanctions did Canada announce on the second anniversary of Crimea's annexation)?" is searched
    among that round's reports, not among every report naming companies (holdout10 p038: the 1.5B
    model rewrote it unchanged). Any other rewrite is returned as it is."""
    if names_something(question) or not previous.strip() or fold(rewrite).strip() != fold(question).strip():
        return rewrite
    return f"{question.rstrip().rstrip('?.!').rstrip()} ({previous.strip().rstrip('?.!').rstrip()})?"


def names_something(question: str) -> bool:
    """Whether a question has a capitalised word after its first (`rag.grounding.gives_names`), or a digit."""
    return gives_names(question) or any(ch.isdigit() for ch in question)


# Pronouns that stand for a person (or people) named earlier (en, fr, de, it, es, id, pt, nl).
_PERSONAL = frozenset("""
he she him her his hers they them their theirs
elle elles lui leur leurs eux er ihm ihn ihr ihre lei loro él ella ellos ellas dia mereka beliau
ele ela eles elas dele dela hij zij hem haar hun
""".split())


# "the second one", "the latter": one of several things the conversation listed. Kept by a rewrite,
# whatever else it names, the question is about whichever the search finds.
_ONE_OF_SEVERAL = re.compile(r"\b(?:the\s+)?(?:first|second|third|fourth|fifth|other|last|latter|former)\s+ones?\b"
                             r"|\bthe\s+(?:latter|former)\b", re.IGNORECASE)
# "the next day", "that day": a day counted from one the conversation gave ("the day after the
# attack" names its own). Resolved when the rewrite gives a date.
_DAY_BACK = re.compile(r"\b(?:the\s+)?(?:next|following|previous|same)\s+day\b"
                       r"(?!\s+(?:of|after|before|as|when|that)\b)"
                       r"|\bthe\s+day\s+(?:before|after)\b(?!\s+(?:the|his|her|its|their|[A-Z]))"
                       r"|\bthat\s+day\b", re.IGNORECASE)
# "... before?", "... earlier?": before the event the conversation is about. A rewrite that names
# neither that event ("before March 2014", "before the Crimea summons") nor a date asks for the latest.
_BEFORE_THEN = re.compile(r"\b(?:before|earlier|previously)\s*[?.!]*\s*$", re.IGNORECASE)
_BEFORE_WHAT = re.compile(r"\b(?:before|prior to|earlier than)\s+\w", re.IGNORECASE)
_A_DATE = re.compile(rf"\b{DATE}\b")  # a year or a month as a question writes it (`rag.ellipsis`)


def unresolved(rewrite: str, question: str) -> list[str]:
    """The person pronouns of a follow-up that its rewrite still has while naming no one new
    ("According to him, whose fault is that?" rewritten as "According to him, who is responsible
    for the crisis?"): whoever "him" is, the search and the answer would be about someone else.
    A rewrite that adds a name ("What did Joly say about her visit?") has resolved what it could.
    Also the follow-up's "the second one" (`_ONE_OF_SEVERAL`) that the rewrite kept, and its "the
    next day" (`_DAY_BACK`) kept without a date: "What did the foreign minister announce the next
    day?" searched as such is answered from any report's next day; and its closing "before?"
    (`_BEFORE_THEN`) that the rewrite turned into "last", with no date or event to be before."""
    asked, words = _WORD.findall(question), _WORD.findall(rewrite)
    lower_asked = {w.lower() for w in asked}
    kept = [w for w in dict.fromkeys(w.lower() for w in words) if w in _PERSONAL and w in lower_asked]
    named_before = {w for w in asked if w[0].isupper()}
    # a title names no one: "Which of his advisers accused the Prime Minister ...?" still asks "his"
    adds_a_name = any(w[0].isupper() and w not in named_before and w.lower() not in SHARED_NAME_WORDS
                      for w in words[1:])
    pointers = _kept(_ONE_OF_SEVERAL, rewrite, question)
    dated = bool(_A_DATE.search(rewrite)) and not _A_DATE.search(question)
    if not dated:
        pointers += _kept(_DAY_BACK, rewrite, question)
    if _BEFORE_THEN.search(question) and not dated and not _BEFORE_WHAT.search(rewrite):
        pointers.append("before")  # "When had Canada last done that before?" -> "When did Canada last ...?"
    pointers += _thing_kept(rewrite, question)
    pointers += _rank_dropped(rewrite, question)
    return pointers + ([] if adds_a_name else kept)


# The rank a question pins down ("his first?", "the latest"), with the words a rewrite may say it in.
_RANKS = (("first", "earliest"), ("last", "latest", "most recent", "final", "newest"), ("second",), ("third",),
          ("fourth",), ("fifth",), ("only",))


def _ranks(text: str) -> list[str]:
    """The first word of each rank `text` names (`_RANKS`)."""
    folded = text.lower()
    return [words[0] for words in _RANKS if any(re.search(rf"\b{w}\b", folded) for w in words)]


_RANK_TAIL = 3  # words: "..., his first?", "the latest one?"


def _rank_dropped(rewrite: str, question: str) -> list[str]:
    """The rank a follow-up asks about at its end that its rewrite lost: "Which G20 was that for
    him, his first?" rewritten as "Which G20 summit did Trudeau attend in 2017?" (holdout8 b037)
    asks something else, which the answer then answered ("The G20 summit in Hamburg took place in
    July 2017"). "First" and "latest" pin down a question as names do. Not "the second one", which
    stands for a thing the rewrite may name (`_ONE_OF_SEVERAL`), nor a rank earlier in the question
    ("When had Canada last done that before?": an adverb the rewrite may say with a date)."""
    tail = " ".join(_WORD.findall(_ONE_OF_SEVERAL.sub(" ", question))[-_RANK_TAIL:])
    kept = set(_ranks(rewrite))
    return [rank for rank in _ranks(tail) if rank not in kept]


# "on it", "about it": a thing of the conversation (a list, a strike, a package) as an object
_THING_BACK = re.compile(r"\b(?:on|in|about|to|of|from|against|over|for|after)\s+it\b", re.IGNORECASE)


def _thing_kept(rewrite: str, question: str) -> list[str]:
    """The follow-up's "on it" when its rewrite still reads the same up to there: "Which community
    leader was on it, and how did she react?" rewritten with "she" replaced and "on it" left asks
    about whatever list the search finds. A rewrite that names the thing before it ("Who on the
    October 2024 list spoke about it?") is left alone."""
    found, again = _THING_BACK.search(question), _THING_BACK.search(rewrite)
    if not found or not again or _words(rewrite[:again.end()]) != _words(question[:found.end()]):
        return []
    return [_words(found.group(0))]


def _words(text: str) -> str:
    """Lower case, one space between words: how two wordings are compared."""
    return " ".join(text.lower().split())


def _kept(pattern: re.Pattern[str], rewrite: str, question: str) -> list[str]:
    """The phrases `pattern` finds in the follow-up that its rewrite still has."""
    again = {" ".join(m.group(0).lower().split()) for m in pattern.finditer(rewrite)}
    return [p for p in dict.fromkeys(" ".join(m.group(0).lower().split()) for m in pattern.finditer(question))
            if p in again]


def drops_names(rewrite: str, question: str) -> list[str]:
    """The names the follow-up gives that its rewrite left out: a rewrite only adds names. The
    bundled model rewrote "Which Global Affairs Canada spokesperson responded to her?" as "Who did
    Foreign Ministry spokeswoman Maria Zakharova respond to?", which asks about someone else."""
    kept = PinVocabulary([rewrite])
    return sorted(" ".join(sorted(group)) for group in question_pins(question)
                  if not any(" " in name or kept.has_name(name) for name in group))


def repeats_earlier(rewrite: str, question: str, history: Sequence[dict[str, str]]) -> bool:
    """Whether the rewrite of a follow-up is just an earlier question of the conversation again
    ("And in the previous list?" rewritten as the question before it): answering it would answer
    what was already asked, not what is asked now."""
    def plain(text: str) -> str:
        return " ".join(re.findall(r"\w+", text.lower()))

    earlier = {plain(str(t.get("content", ""))) for t in history if t.get("role") == "user"}
    return plain(rewrite) in earlier and plain(rewrite) != plain(question)


# Words that open a question asking for something (en, fr, de, it, es, id, pt, nl): "When, and over what?"
_ASKING = frozenset("""
when where what which who whom whose why how
quand ou que quoi quel quelle quels quelles qui pourquoi comment combien
wann wo was welche welcher welches wer warum wie
quando dove cosa quale quali chi perche come quanto quanti
cuando donde que cual cuales quien quienes por cuanto cuantos
kapan mana apa siapa mengapa kenapa bagaimana berapa
onde qual quais quem porque
wanneer waar wat welke wie waarom hoe hoeveel
""".split())
_QUESTION_END = re.compile(r"(?<=\?)\s+")


def dropped_asks(rewrite: str, question: str) -> list[str]:
    """The questions of a follow-up that its rewrite left out: each later question of several
    ("Had he been called in before? When, and over what?") whose opening asking word the rewrite
    no longer has. The bundled model rewrote that as "Had Alexander Darchiev been summoned before
    September 3, 2020?", which a "Yes, ..." answers while the reader asked when and why."""
    parts = [p.strip() for p in _QUESTION_END.split(question.strip()) if p.strip()]
    kept = set(_WORD.findall(fold(rewrite)))
    lost = []
    for part in parts[1:]:
        words = _WORD.findall(fold(part))  # accents off: "Où" is "ou", "¿Cuándo?" "cuando"
        asking = next((w for w in words[:3] if w in _ASKING), "")
        if asking and asking not in kept:
            lost.append(part)
    return lost


# A follow-up that moves away from the conversation's time ("before that", "the next day", "the
# latest"), or asks about the present: it is not about the date the conversation gave
# ("last" as the latest: `rag.rerank.pins`, which tells it from "how long did it last").
_ENGLISH_MONTHS = MONTHS["en"].split()  # CLDR's, January first, lower case
_OTHER_TIME = re.compile(r"\b(?:before|after|earlier|previous(?:ly)?|prior|next|later|since|until|ago|first"
                         r"|recent(?:ly)?|now|current(?:ly)?|today)\b")


def conversation_date(history: Sequence[dict[str, str]]) -> str | None:
    """The date the conversation is at: that of the reader's latest question giving one ("in April
    2026"; the year alone when it gives several months of one year), None when it spans years.
    Not the answers' dates: "US$19 billion in 2021" dates a figure, "stuck at Pearson since
    February 2022" another event than the June 2023 seizure asked about (dev2 g028, dev3 t035)."""
    for turn in reversed(history):
        if turn.get("role") != "user":
            continue
        dates = pins(str(turn.get("content", ""))).dates
        if not dates:
            continue
        months = {(year, month) for year, month in dates if month}
        years = {year for year, _ in dates}
        if len(months) == 1 and len(years) == 1:
            year, month = next(iter(months))
            return f"in {_ENGLISH_MONTHS[month - 1].capitalize()} {year}"
        return f"in {years.pop()}" if len(years) == 1 else None
    return None


def with_conversation_date(rewrite: str, question: str, history: Sequence[dict[str, str]]) -> str:
    """The rewrite of a follow-up with the date the conversation is at, when neither the follow-up
    nor its rewrite names one and the follow-up does not move to another time (`_OTHER_TIME`).
    After "Tell me about Russia's April 2026 ban on Canadians", "What was it retaliating for?" was
    rewritten "What was Russia retaliating for?": searched so, it found the April 2024 ban and was
    answered from it (holdout9 j035)."""
    asked = pins(question)
    if pins(rewrite).dates or asked.dates or asked.latest or _OTHER_TIME.search(fold(question)):
        return rewrite
    when = conversation_date(history)
    if when is None:
        return rewrite
    return f"{rewrite.rstrip().rstrip('?.!').rstrip()}, {when}?"
