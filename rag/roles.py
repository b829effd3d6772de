"""The person an answer names holds the role the question asks for.

"Which Global Affairs Canada spokesperson responded to Maria Zakharova?" was answered "...was
Melanie Joly [1]": the cited report names Joly (as the Foreign Affairs Minister Moscow had banned
in March), so every name and word check passed, and the reader got the wrong person with a
citation. A report gives a person's role beside the name ("Adrienne Leclair, a spokesperson for
Global Affairs Canada"; "Foreign Affairs Minister Melanie Joly"), so when an English question asks
"which <role>" or "who is the <role>", a name the answer gives must stand within `ROLE_REACH`
words of that role (or a word for the same role) in one sentence of the passages it cites or of
their article around them. Closed word lists, no model: a role the lists lack is not judged, and
so are words a report does not write beside a name ("Which leaders accompanied Trudeau?" is
answered by a report saying he "arrived with Giorgia Meloni and Alexander De Croo").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.grounding import SHARED_NAME_WORDS, PinVocabulary, question_pins
from rag.referents import is_nationality, is_place
from rag.rerank import fold
from rag.territories import is_country

# Words for one role, as a report may write it; matched as word beginnings ("spokes" for spokeswoman).
ROLE_WORDS = (
    ("spokes", "press secretary", "press officer"),
    ("ambassador", "envoy"),
    # "Trudeau and his Latvian counterpart", "Joly will meet her French counterpart, Le Drian": the
    # office of the leader or minister it is said of
    ("president", "prime minister", "first minister", "chancellor", "premier", "head of state", "head of government",
     "counterpart"),  # "first minister": a translation's premier ministre, primeiro-ministro
    ("minister", "secretary", "counterpart"),  # a British minister is a Secretary: "Foreign Secretary James Cleverly"
    ("secretary general", "secretary-general"),  # NATO's, the UN's: not a minister
    ("commander", "general", "admiral", "chief of"),
    ("diplomat", "attache", "consul", "charge d'affaires"),
    ("mayor",),
    ("governor",),
    ("senator",),
    ("prosecutor",),
    ("judge",),
)
_ROLE_NAMES = "|".join(sorted({w.replace(" ", r"\s+") for group in ROLE_WORDS for w in group}, key=len, reverse=True))
_AUXILIARY = r"(?:did|does|do|is|are|was|were|has|have|had|will|would|can|could|should|may|might)"
# "Which Global Affairs Canada spokesperson ...", "What Russian diplomat ...": the role ends the phrase.
_WHICH_ROLE = re.compile(rf"^\s*(?:and\s+)?(?:which|what)\s+(?:(?!{_AUXILIARY}\b)[\w'’-]+\s+){{0,5}}?"
                         rf"(?P<role>{_ROLE_NAMES})[\w-]*\b")
# "Who is the Russian ambassador to Canada?", "Who was Canada's foreign minister then?", "What was the
# name of Canada's ambassador in Moscow ...?"
_WHO_ROLE = re.compile(rf"^\s*(?:and\s+)?(?:who\s+(?:is|was|are|were|will be)|what\s+(?:is|was|are|were)\s+the\s+"
                       rf"names?\s+of)\s+(?:the\s+)?(?:[\w'’-]+\s+){{0,4}}?(?P<role>{_ROLE_NAMES})[\w-]*\b")
ROLE_REACH = 8  # words between a name and its role: "Adrienne Leclair, a spokesperson for", "Minister Melanie Joly"
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


# A role written as a title before a name ("Prime Minister Justin Trudeau's ministers") is that
# person's, not the one asked for: the role asked is the phrase's next one ("ministers").
_TITLE_BEFORE_NAME = re.compile(r"^[\w-]*\s+[A-Z]")
_LATER_ROLE = re.compile(rf"\b(?P<role>{_ROLE_NAMES})[\w-]*\b")
_LATER_REACH = 60  # characters: the name and its possessive ("Justin Trudeau's"), not another clause


def asked_role(question: str) -> tuple[str, ...]:
    """The words for the role an English question asks a person by ("which spokesperson": the
    spokes- words), or () when it asks by none of `ROLE_WORDS`."""
    folded = fold(question)
    found = _WHICH_ROLE.match(folded) or _WHO_ROLE.match(folded)
    if found is None:
        return ()
    # Positions in `folded` are the question's when folding kept every character (English does).
    if len(folded) == len(question) and _TITLE_BEFORE_NAME.match(question[found.end("role"):]):
        found = _LATER_ROLE.search(folded, found.end("role"), found.end("role") + _LATER_REACH)
        if found is None or _TITLE_BEFORE_NAME.match(question[found.end("role"):]):
            return ()
    role = re.sub(r"\s+", " ", found.group("role"))
    return next((group for group in ROLE_WORDS if any(role.startswith(w) for w in group)), ())


# "Which leaders accompanied Trudeau?", "Which of his advisers ...?": people asked for without a
# role of `ROLE_WORDS` (reports name leaders untitled), so only that someone is named is judged.
# Not "officials" or "lawmakers": a report may answer with a body ("members of the State Duma").
# One "official" is a person ("Which Canadian official met Stepanov?"); "officials" may be a body.
_WHICH_PEOPLE = re.compile(rf"^\s*(?:and\s+)?(?:which|what)\s+(?:of\s+)?(?:(?!{_AUXILIARY}\b)[\w'’-]+\s+){{0,3}}?"
                           r"(?:leaders?|politicians?|advis[eo]rs?|aides?|official(?=\s+(?:" + _AUXILIARY
                           + r"|who|that|met|said|told|spoke|called|gave|led|\w+ed)\b))\b")


def asks_for_person(question: str) -> bool:
    """Whether an English question asks which person (or people) did something: by a role of
    `ROLE_WORDS` or as leaders, advisers ... Its answer must name someone."""
    folded = fold(question)
    return bool(asked_role(question)) or _WHICH_PEOPLE.match(folded) is not None


def named_as(name: frozenset[str], role: tuple[str, ...], texts: Iterable[str]) -> bool:
    """Whether one of the name's words stands within `ROLE_REACH` words of a word for `role` in
    one sentence of `texts`."""
    for text in texts:
        for sentence in _SENTENCE.split(fold(text)):
            words = _WORD.findall(sentence)
            at_name = [i for i, w in enumerate(words) if re.sub(r"['’]s$", "", w) in name]
            if not at_name:
                continue
            joined = " ".join(words)
            at_role = [joined[:start].count(" ") for start in _role_starts(role, joined)]
            if any(abs(i - j) <= ROLE_REACH for i in at_name for j in at_role):
                return True
    return False


_ALL_ROLE_WORDS = tuple(w for group in ROLE_WORDS for w in group)
_POSSESSIVE = re.compile(r"[\w-]*['’]s\b")


def _role_starts(role: tuple[str, ...], joined: str) -> list[int]:
    """Where a word for `role` begins in `joined` (folded words, one space apart), leaving out a
    word that is part of a longer role ("press secretary" is no minister's "secretary", "secretary
    general" no minister) and a possessive one ("the minister's press secretary" is not a minister)."""
    others = [(m.start(), m.end()) for w in _ALL_ROLE_WORDS if w not in role
              for m in re.finditer(rf"(?<![\w]){re.escape(w)}", joined)]
    starts = []
    for w in role:
        for m in re.finditer(rf"(?<![\w]){re.escape(w)}", joined):
            inside = any(a <= m.start() and m.end() <= b and b - a > m.end() - m.start() for a, b in others)
            if not inside and not _POSSESSIVE.match(joined, m.end()):
                starts.append(m.start())
    return starts


def people_named(claim: str, asked: PinVocabulary) -> list[frozenset[str]]:
    """The names an answer sentence gives that could be the person asked for, without their titles
    ("Prime Minister Stephen Harper" is {stephen, harper}): not the question's own names, nor a
    place ("The Canadian ambassador in Moscow remained ..." names no ambassador: Moscow stands
    after "in"; countries by name, `rag.referents.is_place`), nor a title or nationality alone
    ("the Russian invasion")."""
    out = []
    for group in question_pins("and " + claim):  # its first word may be a name: "Larisa Galadza was ..."
        own = frozenset(w for w in group - SHARED_NAME_WORDS if not is_nationality(w))
        if not own or any(" " in n or asked.has_name(n) for n in own) or is_place(claim, own):
            continue
        out.append(own)
    return out


# "In which city ...", "Di kota mana ...": a city or town is asked, in the languages of the corpus.
_CITY_ASKED = re.compile(r"\b(?:(?:which|what) (?:city|town)(?! (?:hall|council|centre|center))|"
                         r"di kota (?:mana|apa)|kota (?:mana|apa)|"
                         r"(?:dans )?quelle ville|(?:in )?welche[rm]? stadt|(?:in )?quale citta|"
                         r"(?:en )?que ciudad)\b")


def asks_city(question: str) -> bool:
    """Whether the question asks in which city or town something happened."""
    return _CITY_ASKED.search(fold(question)) is not None


def names_only_countries(claim: str, asked: PinVocabulary) -> bool:
    """Whether every name the claim gives (besides the question's own) is a country or a
    nationality: "Canada [1]" names no city for "Di kota mana Harper mengumumkan sanksi?",
    whatever its passage says. A claim with no name at all is left to the other checks."""
    groups = [frozenset(w for w in g - SHARED_NAME_WORDS if not is_nationality(w))
              for g in question_pins("and " + claim)]
    own = [g for g in groups if g and not any(asked.has_name(n) for n in g)]
    return bool(own) and all(is_country(g) for g in own)


# "Who received Stepanov ...?", "..., and who released it?", "Qui a reçu ...", "Ki fogadta ...": a
# person (or a body: "Finland's police") asked for by "who", in the languages of the corpus. Only
# at the start of the question or of its second ask: elsewhere "who" opens a relative clause ("the
# leaders who travelled"). Not "who was found ...", which a description answers ("a woman and her
# son"; "who is the <role>" is `asked_role`'s), nor a choice between names the question gives.
_WHO_ASKED = re.compile(r"(?:^|[,;]?\s+and\s+)(?:to\s+|by\s+|with\s+|from\s+)?(?:who|whom)\b"
                        r"(?!\s*'?s\b|\s+(?:is|was|were|are|be|been|will be)\b)"
                        r"|^(?:qui|wer|quien|chi|quem|siapa|kto|хто|кто|cine|vem|kdo|ki|kuka|kenet)\b"
                        r"|^(?:a|de|con|par|von|mit|por|com|dengan|oleh) (?:qui|wem|wen|quien|chi|quem|siapa)\b")
_CHOICE = re.compile(r"\s(?:or|ou|oder|o|atau|czy|vagy|vai|nebo|sau|eller)\s+[A-Z]")  # "..., Joly or Anand?"


def asks_who(question: str) -> bool:
    """Whether the question asks who did something: its answer must name someone the question does
    not (holdout8 b034: "Who received ... Oleg Stepanov, and how long did the meeting last?" answered
    "Canada summoned Russia's ambassador, Oleg Stepanov, for the second time ..."). Not a choice
    between names."""
    folded = fold(question).strip().lstrip("¿¡\"'(«“ ")
    return _WHO_ASKED.search(folded) is not None and _CHOICE.search(question) is None


_ROLE_WORD = {w: re.compile(rf"\b{re.escape(w)}") for group in ROLE_WORDS for w in group}


def _roles_in(text: str) -> set[str]:
    """The words of `ROLE_WORDS` that begin a word of `text` ("spokeswoman": "spokes")."""
    folded = fold(text)
    return {w for w, pattern in _ROLE_WORD.items() if pattern.search(folded)}


def names_someone(claim: str, question: str, asked: PinVocabulary) -> bool:
    """Whether an answer sentence names someone the question does not: a name (`people_named`) or
    a role the question lacks, not said of a name it gives ("Joly will meet Ukraine's prime minister"
    answers "Who will Joly see?"; "Canada summoned Russia's ambassador, Oleg Stepanov" does not
    answer "Who received Stepanov?")."""
    if people_named(claim, asked):
        return True
    # a role beside a name the question gives is that person's ("Russia's ambassador, Oleg Stepanov")
    theirs = [group for group in question_pins(question) if not any(" " in n for n in group)]
    for word in _roles_in(claim) - _roles_in(question):
        role = next(group for group in ROLE_WORDS if word in group)
        if not any(named_as(name, role, [claim]) for name in theirs):
            return True
    return False
