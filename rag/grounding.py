"""Grounding: is what an answer says, and what the question asks about, in the passages it cites?

The citation check (`rag.citations.check_citations`) asks whether a sentence shares enough words
with the passage it cites. That passes the worst mistakes of a small model among near-duplicate
reports: the right words with another report's number, or a faithful answer about the 2023
summit to a question about the 2024 one. Two deterministic checks catch those:

- every number in an answer sentence appears in a passage it cites (or in the question);
- what the question pins down (names, places, years, months) appears in the cited passages or
  their articles' title, outlet and date.

A sentence that fails the first is not shown; an answer whose cited passages fail the second is
an abstention. Both compare folded text (no accents, lower case, numbers without separators),
and treat a passage in a language other than the claim's leniently: names are spelt differently
there (Kyiv, Kiew), numbers are not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from rag.relative_dates import resolved
from rag.rerank import MONTH_OF, MONTHS, fold, pins, published, published_day
from rag.schema import Passage
from rag.territories import names_of, territory_codes, territory_names
from rag.wording import CLAUSE_END, CURRENCY, PREFIX, WordSet

# A number stands alone: the digits of a name (Kh-22, F-16, MH17) are part of the name, not a count.
NUMBER = re.compile(r"(?<![^\W_])(?<![^\W\d_]-)\d+(?:[.,\u202f\u00a0 ]\d{3})*(?:[.,]\d+)?")
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100, "thousand": 1000, "dozen": 12,
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "dix": 10, "zwei": 2, "drei": 3, "vier": 4, "funf": 5,
    "zehn": 10, "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "dieci": 10, "dua": 2, "tiga": 3, "empat": 4,
    "lima": 5, "sepuluh": 10,
}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# Capitalised words that pin nothing: question words, sentence openers, pronouns, months (dates
# are pinned as dates), the weekday names a report uses loosely.
_NOT_PINS = frozenset(fold(w) for w in """
    what which who whom whose when where why how did does do is are was were has have had will would can could
    should according and the a an in on at of for to by from with about after before during since as it its
    this that these those there they their he she his her him them we our you your i my me
    quel quelle quels quelles qui que quoi quand comment pourquoi combien selon le la les un une des du de au aux et
    was wer wie wann wo warum welche welcher welches wieviel wie viele laut der die das ein eine und im am
    cosa chi come quando dove perché quale quali quanti quante quanto secondo il lo gli un una e di del della
    apa siapa bagaimana kapan dimana mengapa berapa menurut yang dan di ke dari pada
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
""".split())


def _normalised(raw: str) -> str:
    """A number as written ("1,103", "4.500", "2,5") in the form `numbers` gives: no separators of
    thousands, a decimal point."""
    return re.sub(r"[.,\u202f\u00a0 ](?=\d{3}\b)", "", raw).replace(",", ".")


def numbers(text: str, words: bool = True) -> set[str]:
    """The numbers in a text, normalised: separators of thousands removed, small number words as
    digits (without `words`, only the numbers written in digits)."""
    folded = fold(text)
    found = set()
    for match in NUMBER.finditer(folded):
        found.add(_normalised(match.group(0)))
    if words:
        counted = _ONE_AS_PRONOUN.sub(" ", folded)
        found.update(str(_NUMBER_WORDS[w]) for w in _WORD.findall(counted) if w in _NUMBER_WORDS)
    return found


# "the one held in Vilnius", "one of the leaders": "one" that counts nothing
_ONE_AS_PRONOUN = re.compile(r"\b(?:the|this|that|which|no|any|every|each|other|latest|last|new) one\b"
                             r"|\bone (?:of|another)\b")


# An elided article before a name: "l'Ukraine", "d'Ottawa", "dell'Ucraina", "nell'Unione"
_ELIDED = re.compile(r"^(?:[ldLD]|[Dd]ell|[Aa]ll|[Dd]all|[Nn]ell|[Ss]ull|[Qq]u)['’](?=[A-ZÀ-ÝĀ-Ž])")
_PIN_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?(?:-[^\W_]+)*")  # MH17, F-16, Kh-22, Minister's
_ORDINALS = r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|1st|2nd|3rd|4th|5th)"
_ORDINAL = re.compile(rf"\b({_ORDINALS})\s+([a-z]{{4,}})")
# "the first and the third anniversaries": both ordinals count the noun
_ORDINAL_PAIR = re.compile(rf"\b({_ORDINALS})\s+(?:and|or)\s+(?:the\s+)?({_ORDINALS})\s+([a-z]{{4,}})")
# "How many", and "what share": a proportion is a number too ("one percent", not "a percentage").
# Hungarian, Finnish, Czech, Slovak, Croatian, Polish (not French "l'île"), Ukrainian, Russian, Turkish,
# Danish, Norwegian and Swedish (folded): the questions a report in those languages is asked in.
_HOW_MANY_ELSEWHERE = (r"hany(?:an)?|mennyi\w*|kuinka (?:monta|mone\w*|paljon)|montako|paljonko|kolik\w*|kolko"
                       r"|koliko|(?<![\w'’])ile(?= \w)(?! de | du | d'| des )|скільки|сколько|kac"
                       r"|hvor (?:mange|meget|mye)|hur (?:manga|mycket)")
_QUANTITY = re.compile(r"\b(?:how many|how much|combien|wie viele?|hoeveel|quant[ioae]|berapa|cuant[oa]s?"
                       rf"|{_HOW_MANY_ELSEWHERE}"
                       r"|what (?:share|percentage|proportion|fraction|per ?cent)|quel(?:le)? (?:part|pourcentage)"
                       r"|welche[nrs]? (?:anteil|prozentsatz)|quale (?:quota|percentuale))\b")


# How a name's forms differ at the end: Canada/Canadian, Ukraine/Ukrainian, Italy/Italian, Kyiv/Kyiv's,
# Stepanov/Stepanova. Anything else is another name: Antonov is not Antony.
NAME_TAILS = frozenset({"", "s", "es", "a", "e", "y", "n", "an", "ans", "ian", "ians", "ns", "ese", "ish",
                        "'s", "’s", "s'"})


_VOWELS = frozenset("aeiouy")


# How German (and Polish, Dutch) romanise Ukrainian and Russian names, as English writes them:
# Selenskyj is Zelensky, Juschtschenko Yushchenko, Tschernihiw Chernihiv, Zelenskiy Zelensky; and
# the hard c most other languages write k: Kanada is Canada, Charkiw Kharkiv, Kuba Cuba.
_ROMANISED = (("tsch", "ch"), ("sch", "sh"), ("j", "y"), ("z", "s"), ("iy", "y"), ("c", "k"))


def spelling(word: str) -> str:
    """A folded word with doubled letters written once, w as v and the other romanisations of
    `_ROMANISED` as English writes them (`PinVocabulary.has_spelling`)."""
    for theirs, ours in _ROMANISED:
        word = word.replace(theirs, ours)
    out = ""
    for ch in word.replace("w", "v"):
        if not out.endswith(ch):
            out += ch
    return out


def skeleton(form: str) -> str:
    """The consonants of a `spelling`: the key its other spellings are looked up by."""
    return "".join(ch for ch in form if ch not in _VOWELS)


class PinVocabulary(WordSet):
    """Folded words of some texts and the texts joined (for phrases)."""

    def __init__(self, texts: Iterable[str]) -> None:
        texts = [text for text in texts if text]
        folded = [" ".join(_PIN_WORD.findall(fold(text))) for text in texts]
        # Other spellings are matched among the words written as names only: "Kiew" for Kyiv,
        # but not "were" for the question's "Wire".
        capitalised = {fold(w) for text in texts for w in _PIN_WORD.findall(text) if w[:1].isupper()}
        words = [w for text in folded for w in text.split()]
        # The parts of compounds too: "Nato-Gipfel" names NATO, "Carl-Gustaf-Waffen" Carl Gustaf.
        parts = [part for w in words if "-" in w for part in w.split("-") if len(part) >= 3]
        bare = [re.split(r"['’]", w)[0] for w in words if "'" in w or "’" in w]  # "Canada's": Canada, Canadian
        super().__init__(words + parts + bare)
        self.joined = " " + " | ".join(folded) + " "
        self.by_head: dict[str, list[str]] = {}
        self.by_skeleton: dict[str, list[str]] = {}
        for w in self.words:
            self.by_head.setdefault(w[:4], []).append(w)
            if len(w) >= 4 and w.isalpha() and w in capitalised:
                form = spelling(w)
                self.by_skeleton.setdefault(skeleton(form), []).append(form)

    def has_name(self, name: str) -> bool:
        """Whether a name (or ordinal phrase) the question gives is here, in one of its forms
        (`NAME_TAILS`); stricter than `has`, whose five-letter prefixes would take Antony for Antonov."""
        if " " in name or name in self.words:
            return self.has(name)
        for word in self.by_head.get(name[:4], ()):
            common = _common_prefix(word, name)
            if common >= 4 and word[common:] in NAME_TAILS and name[common:] in NAME_TAILS:
                return True
        return self.has_spelling(name)

    def has_spelling(self, name: str) -> bool:
        """Whether another spelling of a place name is here: letter for letter the same but for
        vowels (y counts as one), a doubled letter written once and w for v (Kyiv, Kiev, Kiew;
        Lviv, Lvov; Kharkiv, Kharkov; Odesa, Odessa). Articles and their translations spell
        Ukrainian and Russian places as their language or their year did; the question may use
        another form. Consonants must agree, so Bali is not "bill"."""
        if len(name) < 4 or not name.isalpha():
            return False
        form = spelling(name)
        return any(len(word) == len(form) and all(a == b or (a in _VOWELS and b in _VOWELS)
                                                  for a, b in zip(word, form, strict=True))
                   for word in self.by_skeleton.get(skeleton(form), ()))

    def has(self, word: str) -> bool:
        if " " in word:  # an ordinal phrase ("third anniversary"): in one text, a few words apart at most
            return ordinal_near(word, self.joined)
        return word in self or (word.endswith("s") and word[:-1] in self.words)


def _common_prefix(a: str, b: str) -> int:
    """How many leading characters two words share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


_HEAD_END = frozenset("""in on at of for to by from with since during after before against over under and or but
    did does do was were is are has have had will would that which who when where than as its their his her the a an
    """.split())


def ordinal_head(after: str) -> str:
    """The noun an ordinal counts, from the words after it: the last of its noun phrase ("first
    Crimea sanctions list in March 2014" counts lists, and a report writes "its first list").
    The ordinal's next word is kept as the other form of the pin, so "third anniversary" is
    found as written too."""
    words = []
    for word in _PLAIN_WORD.findall(after)[:4]:
        if word in _HEAD_END or word.isdigit():
            break
        words.append(word)
    return words[-1] if words else ""


ORDINAL_REACH = 5  # words allowed between an ordinal and its noun: "its first list of sanctions over Crimea"


def ordinal_near(phrase: str, joined: str) -> bool:
    """Whether "ordinal noun" appears with the noun (or an inflection of it) at most
    `ORDINAL_REACH` words after the ordinal, within one text of `joined` (texts are separated by
    " | "). "first Crimea sanctions list" is written "its first list of sanctions over Crimea"."""
    ordinal, noun = phrase.split(" ", 1)
    stem = re.escape(noun[:PREFIX]) + r"\w*" if len(noun) >= PREFIX else re.escape(noun) + r"s?"
    pattern = rf" {re.escape(ordinal)}(?: (?!\|)\S+){{0,{ORDINAL_REACH}}} {stem}(?= )"
    return re.search(pattern, joined) is not None


# Each figure a question asks for ("how long ... and how long ...", "¿con cuántos votos ... y por
# cuántos días?"), in the languages of the articles (folded).
_FIGURE_ASKED = re.compile(r"\b(?:how (?:many|much|long|big|large|far|old|often)|combien|wie (?:viele?|lange|hoch"
                           r"|gross)|hoeveel|hoe lang|quant[ioae]s?|berapa|cuant[oa]s?|cat[ei]|hur lange"
                           rf"|{_HOW_MANY_ELSEWHERE}|kuinka kauan|meddig|mennyi ideig)\b")


# One figure asked of two occasions: "How long did the meeting last each time?"
_EACH_OCCASION = re.compile(r"\b(?:each time|both times|on both occasions|on each occasion|in each case)\b")


def figures_asked(question: str) -> int:
    """How many figures the question asks for, by its question words: an answer to "how long had
    he been envoy, and how long did the meeting last?" needs two, and so does "how long did the
    meeting last each time?" (holdout8 b012: "twelve minutes each time", the figure of one of the
    two summonings given for both)."""
    folded = fold(question)
    asked = len(_FIGURE_ASKED.findall(folded))
    return 2 if asked == 1 and _EACH_OCCASION.search(folded) else asked


def asks_quantity(question: str) -> bool:
    """Whether the question asks how many or how much: its answer must hold a number."""
    return _asked_itself(fold(question), _QUANTITY)


# A question word before "how much" that no "and" or comma parts from it asks something else: "Which
# spokesperson told the Standard how much Canada had committed?" asks for a person.
_OTHER_ASK = re.compile(r"\b(?:who|whom|whose|which|where|when|why|what)\b")
_NEXT_ASK = re.compile(r"\band\b|[,;:]")


def _asked_itself(folded: str, asked: re.Pattern[str]) -> bool:
    """Whether `asked` matches `folded` (a folded question) as what the question itself asks, not
    inside a clause that another question word governs."""
    found = asked.search(folded)
    if found is None:
        return False
    others = list(_OTHER_ASK.finditer(folded, 0, found.start()))
    return not others or bool(_NEXT_ASK.search(folded, others[-1].end(), found.start()))


# "How much (military) aid ...", "how much did security cost": an amount of money is asked.
_MONEY_NOUNS = (r"(?:money|aid|assistance|funding|funds?|financing|budget|loans?|investments?|spending|"
                r"contributions?|grants?|compensation|payments?|donations?|argent|aide|geld|hilfe|denaro|soldi|"
                r"aiuti|dinero|ayuda|uang|dana|bantuan)")
_MONEY_ASKED = re.compile(
    rf"\b(?:how much|combien d(?:e |['’])|wie viel|quant[oaie]|cuant[oa]s?|berapa(?: banyak)?)\s*(?:\w+\s+){{0,2}}?"
    rf"{_MONEY_NOUNS}\b"
    r"|\bhow much\b(?! of\b)(?:\s+\S+){0,12}?\s+(?:cost|costs|spend|spent|pay|paid|invest|invested|lend|lent"
    r"|donate|donated|contribute|contributed)\b"
    # "how much did Canada give the mine-clearing group?": the amount itself (not "how much
    # ammunition did it give", where a noun follows "how much")
    r"|\bhow much (?:did|does|do|will|would|has|have|had|is|was|were) (?:\S+\s+){1,4}?(?:give|gave|given|pledge"
    r"|pledged|commit|committed|provide|provided|allocate|allocated|offer|offered|promise|promised|earmark"
    r"|earmarked|grant|granted|set aside|put up|chip in)\b"
    # "What was the total value of the frozen assets?", "How much were they worth?"
    r"|\bwhat (?:was|is|were|are) the (?:\w+ )?value of\b|\bhow much\b(?:\s+\S+){0,8}?\s+worth\b")


def asks_money(question: str) -> bool:
    """Whether the question asks an amount of money ("How much military aid did Trudeau announce?"):
    a count of sanctioned people, however well cited, does not answer it."""
    return _asked_itself(fold(question), _MONEY_ASKED)


def gives_money(claim: str) -> bool:
    """Whether a sentence states an amount of money (a currency sign or name)."""
    return bool(CURRENCY.search(claim))


# "How much did security for the summit cost?", in the corpus's languages (folded)
_COST_ASKED = re.compile(r"\b(?:cost|costs|costing|price|coute|coutera|cout|gekostet|kosten|kostet|costo|costato"
                         r"|coste|costara|custou|custo|custa|biaya|gekost|kost)\b")
# What gives an amount as a cost: "security cost $600 million", "a price tag of", "budgeted",
# "set aside"; in the corpus's languages (folded)
_COST_GIVEN = re.compile(r"\b(?:cost\w*|pric\w*|spen[dt]\w*|budget\w*|expens\w*|outlay|set aside|earmarked"
                         r"|allocated|cout\w*|depens\w*|kost\w*|ausgab\w*|gasto\w*|gastar\w*|gastou|presupuest\w*"
                         r"|spes\w*"
                         r"|custo\w*|custou|biaya|anggaran|uitgave\w*|begroting)\b")


def asks_cost(question: str) -> bool:
    """Whether the question asks what something cost: an amount of money given as something else
    (aid announced at the same summit) does not answer it."""
    return asks_money(question) and bool(_COST_ASKED.search(fold(question)))


def cost_backed(claim: str, backing: Sequence[str]) -> bool:
    """Whether an amount in `claim` is one a `backing` sentence gives as a cost or spending:
    "$2 billion in new military assistance" cited for what security cost is not."""
    given = numbers(claim, words=False)
    costs: set[str] = set()
    for text in backing:
        for sentence in CLAUSE_END.split(text):
            if _COST_GIVEN.search(fold(sentence)):
                costs |= numbers(sentence, words=False)
    return bool(given & costs)


# "When did ...", "In which year ...", "Quand ...": asked at the start of the question (or of its
# second part). "When" asks only before an auxiliary: "When Ottawa called in the envoy, how long
# did the meeting last?" asks a length; "Who was minister when Ottawa ..." asks a person. French,
# Italian and Spanish "when" opens a clause as often: asked only without a comma after it.
_AUX = r"(?:did|does|do|is|was|were|are|has|have|had|will|would|can|could|should|might|must)"
_WHEN_ASKED = re.compile(
    rf"(?:^|[,;]\s*and\s+|^\s*and\s+|^[^,?]{{3,40}},\s*)(?:when\s+{_AUX}|(?:on|in|by)\s+(?:what|which)\s+(?:date|day|year|month)|"
    r"what\s+(?:date|day|year|month)|(?:quand|quando|cuando)(?=[^,]*$)|wann|an\s+welchem\s+tag|in\s+welchem\s+jahr|"
    r"in\s+che\s+anno|en\s+que\s+(?:ano|fecha)|en\s+quelle\s+annee|kapan|pada\s+tanggal\s+berapa|tahun\s+berapa)"
    r"(?![\w-])")
# What places an answer in time: a year, a month or weekday name (any language the corpus has, as
# `rag.rerank.MONTHS` folds them), a numeric date, or a day said relative to today or to an event.
_TIME_WORDS = ("monday tuesday wednesday thursday friday saturday sunday lundi mardi mercredi jeudi "
               "vendredi samedi dimanche montag dienstag mittwoch donnerstag freitag samstag sonntag lunedi "
               "martedi mercoledi giovedi venerdi sabato domenica lunes martes miercoles jueves viernes senin "
               "selasa rabu kamis jumat sabtu minggu yesterday today tomorrow tonight ago hier aujourd gestern "
               "heute morgen ieri oggi domani ayer hoy manana kemarin besok").split()
_TIME = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b|\b\d{3}0s\b|\b\d{1,2}/\d{1,2}\b|\b\d{1,2}\.\d{1,2}\.\d{2,4}\b"
                   r"|\b\d{1,2}[:h]\d{2}\b|\b[ap]\.?m\.?(?!\w)|\b(?:"
                   + "|".join(sorted({n for names in MONTHS.values() for n in names.split() if len(n) > 3}
                                     | set(_TIME_WORDS), key=len, reverse=True))
                   + r")\b|\b(?:same|next|following|previous) day\b|\bday (?:before|after)\b|\bhari ini\b"
                   r"|\b(?:last|this|next|earlier this|later this) "
                   r"(?:week|month|year|spring|summer|autumn|fall|winter)\b"
                   # a short month name only beside a day: "May 5", "5 mai", "5 Mei", "Mar 3"
                   r"|\b\d{1,2} (?:may|mai|mei|mar|jan|feb|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b"
                   r"|\b(?:may|mai|mei|mar|jan|feb|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.? \d{1,2}\b")
_YEAR_ONLY = re.compile(r"(?:1[89]|20)\d\d")


_HOW_LONG = re.compile(r"\bhow long\b(?! ago)")
_SPAN = re.compile(r"\b([\w.,-]+)\s+(minutes?|hours?|days?|weeks?|months?|years?)\b")
# what makes a span the time between two events, not how long one lasted: "four days after ..."
_BETWEEN_EVENTS = re.compile(r"\s*(?:after|before|later|earlier|ago|since|from|until|apart|into)\b")


def asks_how_long(question: str) -> bool:
    """Whether an English question asks how long something lasted ("How long did the meeting last?")."""
    return _HOW_LONG.search(fold(question)) is not None


def spans_between_events(claim: str, backing: Sequence[str]) -> list[str]:
    """The spans of time a sentence gives ("It lasted four days") that the cited passages write
    only as the time between two events ("The summons came four days after Global Affairs Canada
    called in ..."): an answer to "how long did it last" that took a gap for a length (holdout10
    p018). A span the passages never write is another check's business (`unbacked`)."""
    out = []
    texts = [fold(t) for t in backing]
    for match in _SPAN.finditer(fold(claim)):
        figure, unit = numbers(match.group(1)), match.group(2).rstrip("s")
        if not figure or _BETWEEN_EVENTS.match(match.string, match.end()):
            continue  # the answer gives it as a gap too ("three days after his death"): not as the length
        written = [m for t in texts for m in _SPAN.finditer(t)
                   if m.group(2).rstrip("s") == unit and numbers(m.group(1)) == figure]
        if written and all(_BETWEEN_EVENTS.match(m.string, m.end()) for m in written):
            out.append(match.group(0))
    return out


_BEFORE = re.compile(r"\b(?:before|prior to|preceding|previous|earlier than)\b")
_BEFORE_MONTH = re.compile(r"\b(?:before|prior to) (?:the |this |that )?([a-z]+)(?: (\d{4}))?\b")
_A_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def later_than_asked(claim: str, question: str, cited: Sequence[Passage]) -> str:
    """What in an answer to a question about an earlier event is not earlier, or "": a year after
    every cited report's own (the next event a report announces: "Where was the conference held
    before the one in Vilnius?" answered with "the next one, in Lugano in 2022", holdout10 p033),
    or the month the question puts the event before ("Before the October 2026 summonses, when had
    Moscow last ...?" answered "on October 16", the October summons itself, p014)."""
    asked = fold(question)
    if not _BEFORE.search(asked):
        return ""
    said = _BEFORE_MONTH.sub(" ", fold(claim))  # "he was summoned before September 3, 2020": the question's words
    reported = [int(p.published[:4]) for p in cited if p.published[:4].isdigit()]
    later = [y for y in _A_YEAR.findall(said) if reported and int(y) > max(reported)]
    if later:
        return later[0]
    for match in _BEFORE_MONTH.finditer(asked):
        month = MONTH_OF.get(match.group(1))
        if month is None:
            continue
        named = [w for w in _WORD.findall(said) if MONTH_OF.get(w) == month]
        other_year = match.group(2) and any(y != match.group(2) for y in _A_YEAR.findall(said))
        if named and not other_year:
            return named[0]
    return ""


def asks_when(question: str) -> bool:
    """Whether the question asks when something happened: its answer must place it in time."""
    return _WHEN_ASKED.search(fold(question).strip().lstrip("¿¡\"'(«“ ")) is not None


def gives_time(claim: str, asked: Iterable[str] = ()) -> bool:
    """Whether a sentence places something in time: "on February 24, 2025", "in 2014", "on Monday",
    "two days ago", "at 10:30", "last week". "Trudeau was one of a dozen leaders who travelled to
    Kyiv for the anniversary" does not answer "When did he last visit Kyiv?", however well its
    passage backs it; nor does a year the question gave (`asked`: "When in 2023 ...?" - "In 2023")."""
    years = set(asked)
    return any(not (_YEAR_ONLY.fullmatch(m.group(0)) and m.group(0) in years) for m in _TIME.finditer(fold(claim)))


_HOW_MANY = re.compile(r"\bhow many\b(.*)")
_HOW_MANY_AS_WRITTEN = re.compile(r"\bhow many\b", re.IGNORECASE)
_PLAIN_WORD = re.compile(r"[^\W_]+")  # "F-16" is "f", "16"; "ten-point" is "ten", "point"
_HOW_MANY_WORDS = frozenset({"how", "many"})
# Words that end the counted noun phrase: "how many people | had been killed", "how many vessels | did".
_PHRASE_END = frozenset("""did does do were are was is have has had will would can could should may might must
    of in on at from to for by with since during after before the a an that which who this these those there
    """.split())
# Words a report uses for the same count; nothing broader (a count of officials is not one of vessels).
_PEOPLE = frozenset({"people", "persons", "individuals"})
_SAME_COUNT = (frozenset({"vessels", "ships", "tankers", "boats"}),
               _PEOPLE | {"civilians", "residents"},
               frozenset({"troops", "soldiers", "personnel", "forces"}),
               frozenset({"countries", "nations", "states", "members"}),
               frozenset({"entities", "organizations", "organisations", "companies", "firms", "businesses"}))
# A count of people may be given as a count of some kind of people ("How many people did Canada
# sanction?" - "10 Russian and Ukrainian officials"; "how many people were on the list?" - "Russia
# barred 13 Canadians"); not the other way round: a count of civilians is not one of officials.
_NATIONALS = frozenset("""canadians russians ukrainians belarusians americans britons germans italians poles
    australians indonesians georgians moldovans latvians lithuanians estonians europeans""".split())
_KINDS_OF_PEOPLE = frozenset({"officials", "civilians", "residents", "citizens", "nationals",
                              "members"}) | _NATIONALS  # "2,500 members of the Ukrainian community attended"
COUNT_REACH = 4  # words allowed between a number and what it counts: "72 vessels", "4,500 Ukrainian soldiers"


# "How many" in the other languages of the corpus and the noun right after it: "Combien de blessés",
# "¿Cuántos diputados", "Wie viele Schiffe", "Berapa banyak kendaraan" (folded, accents off); the
# forms that never mean "how much" are shared with `_FOREIGN_HOW_MANY_THINGS`.
_ALWAYS_HOW_MANY = r"combien\s+(?:de\s+|d['’]\s*)|cuant[oa]s\s+|berapa\s+(?:banyak\s+)?(?:orang\s+)?|hoeveel\s+"
_FOREIGN_HOW_MANY = re.compile(rf"\b(?:{_ALWAYS_HOW_MANY}|wie\s+viele?\s+|quant[ioea]s?\s+)(\w+)")
# What those nouns count, in English and in the language itself (a count is checked against the
# passages the model read, originals or translations). Only these: an unknown noun is not checked
# (a right count would be withheld for a word the passages translate differently).
_FOREIGN_COUNTED: dict[frozenset[str], frozenset[str]] = {
    frozenset("blesses blessees blesse verletzte verletzten heridos heridas feriti feridos luka terluka "
              "gewonden".split()):
        frozenset("injured wounded injuries".split()),
    frozenset("morts tues tote toten muertos morti mortos tewas meninggal doden".split()):
        frozenset("dead killed deaths died victims".split()),
    frozenset("deputes abgeordnete abgeordneten diputados deputati deputados".split()):
        frozenset("deputies lawmakers legislators members mps".split()),
    frozenset("navires bateaux schiffe buques barcos navi navios kapal schepen".split()): frozenset({"vessels"}),
    frozenset("personnes personen personas persone pessoas individus individuen individuos individui "
              "individu".split()):  # the dead are people too: "a fait 298 morts"
        frozenset("people dead killed victims morts muertos tote toten morti mortos tewas victimes victimas opfer "
                  "vittime vitimas korban members membres mitglieder miembros membri membros anggota leden".split()),
    frozenset("entites entitaten entidades entita entitas entiteiten".split()): frozenset({"entities"}),
    frozenset("vehicules fahrzeuge vehiculos veicoli veiculos kendaraan voertuigen".split()): frozenset({"vehicles"}),
    frozenset("soldats soldaten soldados soldati tentara pasukan troupes truppen tropas truppe".split()):
        frozenset({"troops"}),
    frozenset("pays lander paises paesi negara landen".split()): frozenset({"countries"}),
    frozenset("diplomates diplomaten diplomaticos diplomatici diplomatas diplomat".split()):
        frozenset({"diplomats"}),
    frozenset("drohnen droni drones".split()): frozenset({"drones"}),
    frozenset("raketen misiles missili misseis rudal raketten".split()): frozenset({"missiles"}),
}


def foreign_counted_nouns(question: str) -> frozenset[str]:
    """What a "how many" question in French, German, Spanish, Italian, Portuguese or Indonesian
    counts: its noun, and the English words (with `counted_nouns`' synonyms) for it. "Combien de
    blessés ...?" answered "23 blessés" from a report whose 23 are the dead is withheld as the
    English "how many injured" is. Empty for a noun outside `_FOREIGN_COUNTED`."""
    match = _FOREIGN_HOW_MANY.search(fold(question))
    word = match.group(1) if match else ""
    english = next((meaning for forms, meaning in _FOREIGN_COUNTED.items() if word in forms), None)
    if english is None:
        return frozenset()
    return frozenset({word}).union(english, *(counted_nouns(f"how many {w}") for w in english))


# "How many" of things (not "how much": "wie viel Geld", "quanto dinheiro"), and the word after it;
# a compound's last part ("sous-marins": "marins")
_FOREIGN_HOW_MANY_THINGS = re.compile(rf"\b(?:{_ALWAYS_HOW_MANY}|wie\s+viele\s+|quant[ie]\s+|quant[oa]s\s+)"
                                      r"(?:\w+-)*(\w+)")
# Words after "how many" that count no thing a report lists: "combien de fois", "berapa lama", money
_NOT_COUNTED = frozenset("fois temps veces vezes volte mal kali keer tiempo tempo zeit lama jam argent geld dinero "
                         "denaro soldi dinheiro uang dana".split())


def foreign_count_word(question: str) -> frozenset[str]:
    """The noun a "how many" question in another language counts when `_FOREIGN_COUNTED` does not
    know it ("¿Cuántos marineros ...?" gives {"marineros"}), to be checked only against passages
    that use the word themselves: a Spanish report's "sus 24 marineros" makes "200" (its military
    instructors) no answer, while an English passage, where the word cannot be found, is not judged.
    Empty for a known noun (`foreign_counted_nouns`) or a question of another shape."""
    match = _FOREIGN_HOW_MANY_THINGS.search(fold(question))
    word = match.group(1) if match else ""
    if len(word) < 4 or word in _NOT_COUNTED or word.isdigit() or foreign_counted_nouns(question):
        return frozenset()
    return frozenset({word})


def counted_nouns(question: str) -> frozenset[str]:
    """What an English "how many" question counts, folded: "How many shadow fleet vessels did..."
    gives {"shadow", "fleet", "vessels", "ships", "tankers", "boats"}; empty when it is not such a
    question (one in another language: `foreign_counted_nouns`)."""
    match = _HOW_MANY.search(fold(question))
    if not match:
        return frozenset()
    words: list[str] = []
    capitalised: set[str] = set()
    as_written = _HOW_MANY_AS_WRITTEN.search(question)  # the capitals: "Russian" diplomats, "Canadians"
    # "how many individuals and how many entities": the second "how many" counts on, it ends nothing
    raw_words = [w for w in _PLAIN_WORD.findall(question[as_written.end():]) if w.lower() not in _HOW_MANY_WORDS
                 ] if as_written else []
    for word, raw in zip([w for w in _PLAIN_WORD.findall(match.group(1)) if w not in _HOW_MANY_WORDS][:4],
                         raw_words, strict=False):
        if word in _PHRASE_END:
            break
        if len(word) >= 3 and word != "and" and not any(ch.isdigit() for ch in word):
            words.append(word)
            if raw[:1].isupper():
                capitalised.add(word)
    if set(words) - capitalised:  # "Russian diplomats" counts diplomats; "Canadians" counts Canadians
        words = [w for w in words if w not in capitalised]
    nouns = set(words)
    for group in _SAME_COUNT:
        singular = {g.rstrip("s") for g in group}
        if any(w.rstrip("s") in singular for w in words):  # "vessel", "vessels"
            nouns |= group
    if any(w in _PEOPLE or w + "s" in _PEOPLE for w in words):  # the question's own word, not a synonym's
        nouns |= _KINDS_OF_PEOPLE
    return frozenset(nouns)


def counted_kinds(question: str) -> list[frozenset[str]]:
    """The things a "how many X and Y" question counts, each with the words a report uses for it
    (`counted_nouns` of each), when it counts more than one: "How many individuals and entities
    did it target?" gives one group for individuals and one for entities; "How many shadow fleet
    vessels ...?" gives none (one thing counted), and so does "How many Russian and Belarusian
    individuals ...?" (its first part is only a nationality) or a part with no word to look for
    ("F-16s"). Each must get its own number: "three Russian entities and individuals involved in
    ..." answers half of it."""
    match = _HOW_MANY.search(fold(question))
    if not match:
        return []
    phrase: list[str] = []
    for word in [w for w in _PLAIN_WORD.findall(match.group(1)) if w not in _HOW_MANY_WORDS][:6]:
        if word in _PHRASE_END:
            break
        phrase.append(word)
    parts = [part.split() for part in " ".join(phrase).split(" and ")]
    if len(parts) < 2 or not all(parts) or any(_capitalised_only(part, question) for part in parts[:-1]):
        return []
    kinds = [counted_nouns("how many " + " ".join(part)) for part in parts]
    return kinds if all(kinds) else []


def _capitalised_only(words: Sequence[str], question: str) -> bool:
    """Whether every word was written with a capital in the question: "Russian" in "how many
    Russian and Belarusian individuals" is an adjective of the noun that follows, not a thing."""
    return all(re.search(rf"\b{re.escape(w[:1].upper())}{re.escape(w[1:])}", question) for w in words)


def kinds_counted(claim: str, kinds: Sequence[frozenset[str]], question_numbers: set[str]) -> set[int]:
    """Which of `kinds` the claim gives a number of (one the question did not give, `counted_numbers`
    of each): a report's combined count ("3,300 individuals and entities") counts both, and "three
    Russian entities accused of developing quantum technologies, and individuals involved in ..."
    entities only."""
    return {i for i, kind in enumerate(kinds) if counted_numbers(claim, kind) - question_numbers}


def counted_numbers(text: str, nouns: frozenset[str]) -> set[str]:
    """The numbers in `text` followed within `COUNT_REACH` words by one of `nouns` (normalised as by
    `numbers`): "72 vessels of the shadow fleet" gives {"72"} for the nouns of "how many vessels"."""
    folded = fold(text)
    wanted = _counted_words(nouns)
    spans = [(m.end(), m.group(0)) for m in NUMBER.finditer(folded)]
    spans += [(m.end(), m.group(0)) for m in _WORD.finditer(folded) if m.group(0) in _NUMBER_WORDS]
    found: set[str] = set()
    for end, raw in spans:
        if _names_counted(_PLAIN_WORD.findall(folded[end : end + 120])[:COUNT_REACH], wanted):
            found |= numbers(raw)
    return found


def counts_what_was_asked(claim: str, nouns: frozenset[str], question_numbers: set[str],
                          backing: Sequence[str] | None = None, totals: bool = True) -> bool:
    """Whether the claim gives a number (not one the question gave) of what the question counts,
    and, given the `backing` passages, one they give as a count of it too. "How many vessels?"
    answered "1,070 individuals and entities" is a number from the right report about another
    thing; "100,000 Russian diplomats" is a passage's "100,000 troops" under the asked noun.
    Without `totals` (the question asks what one event brought, `asks_total`), a number the
    passages give only as a running total ("has now sanctioned more than 3,300") does not count."""
    given = counted_numbers(claim, nouns) - question_numbers
    if not given and backing is not None and bare_count(claim):
        given = numbers(claim) - question_numbers  # "Eight [1].": the asked noun is implied
    if backing is None or not given:
        return bool(given)
    counts = set().union(*(numbers_beside(text, nouns) for text in backing))
    if not totals:
        counts -= set().union(*(running_totals(text) for text in backing))
    return bool(given & counts)


def running_totals_given(claim: str, nouns: frozenset[str], question_numbers: set[str],
                         backing: Sequence[str]) -> set[str]:
    """The counts of the asked thing in `claim` that the `backing` passages give only as a running
    total: "Canada sanctioned 1,070 individuals and 46 entities" where the report says 15
    individuals and 46 entities, "bringing the total to more than 1,070". The other number being
    right does not make the sentence right; the caller drops it when the question asks what one
    event brought (`asks_total` is false)."""
    given = counted_numbers(claim, nouns) - question_numbers
    if not given:
        return set()
    return given & set().union(*(running_totals(text) for text in backing))


_BARE_COUNT = re.compile(r"^\W*(?:(?:about|around|roughly|nearly|almost|over|more than|at least|some|exactly)\s+)?"
                         r"(?:\d[\d,.\s]*(?:million|billion)?|[a-z]+(?:[- ][a-z]+)?)\W*$")


def bare_count(claim: str) -> bool:
    """Whether the claim is only a count ("Eight.", "72", "about 1,000"): the answer to "how many
    tanks" names no noun, so the cited passage must give that number beside the asked noun."""
    text = fold(claim).strip()
    return bool(_BARE_COUNT.match(text)) and bool(numbers(text))


# A number given as a running total, not as what one announcement brought: "Canada has now
# sanctioned more than 1,070", "sanctions now cover more than 3,000", "bringing the total to 2,000",
# "bringing the number of people it has sanctioned to more than 3,300".
TOTAL_REACH = 120  # characters before a number searched for what makes it a running total
_TOTAL_BEFORE = re.compile(
    r"\b(?:(?:has|have) (?:now |so far |since \w+ )?(?:sanctioned|listed|targeted|designated|imposed sanctions on)"
    r"|now (?:covers?|totals?|stands? at|includes?)|a total of|in total"
    r"|bringing (?:the|its) (?:total|tally|number)(?: of [^.;]{1,60}?)? to"
    r"|(?:total|tally) (?:of|is|was|stands at|rose to|reached))"
    r" (?:more than |over |nearly |almost |about |some |at least |roughly )?$")
# A question about the total: "in total", "so far", "by June 2022", "had Canada sanctioned".
_ASKS_TOTAL = re.compile(
    r"\b(?:(?:are|is) (?:now |currently )?(?:banned|barred|sanctioned|listed|blacklisted)"
    r"|latest (?:figure|count|number|tally|total) for how many"
    r"|total|in all|so far|to date|altogether|overall|all told|cumulative|since|(?:has|have|had) \w+ (?:now )?"
    r"(?:sanctioned|listed|targeted)|by (?:the end of )?(?:january|february|march|april|may|june|july|august"
    r"|september|october|november|december|\d{4}))\b")


# ... or just after them: "1,103 Canadians are now barred" (not "16,000 troops were now in Crimea")
_TOTAL_AFTER = re.compile(r"^\s+(?:[^\W\d_]+\s+){0,2}(?:are|is|were|have been|had been) now (?:barred|banned"
                          r"|sanctioned|listed|blacklisted|designated|prohibited|subject to)\b")
# A number given as what an event added: "barred 93 more Canadians", "another 12 entities"
_ADDED_AFTER = re.compile(r"^\s+(?:more|additional|further|extra)\b")
_ADDED_BEFORE = re.compile(r"\b(?:another|an additional|a further|added|adds|adding)\s+$")


def running_totals(text: str) -> set[str]:
    """The numbers `text` gives as a running total (`_TOTAL_BEFORE` just before them, or
    `_TOTAL_AFTER` just after)."""
    folded = fold(text)
    return {n for m in NUMBER.finditer(folded)
            if _TOTAL_BEFORE.search(folded[max(0, m.start() - TOTAL_REACH):m.start()])
            or _TOTAL_AFTER.match(folded[m.end():m.end() + 60])
            for n in numbers(m.group(0))}


def added_given(claim: str, question_numbers: set[str], backing: Sequence[str]) -> set[str]:
    """The numbers of `claim` that the `backing` passages give as what an event added ("93 more
    Canadians") while they also give a running total: the answer to "how many are banned now"
    is the total (1,103), not the latest addition (holdout6 y037). The caller asks only when the
    question asks for a total (`asks_total`)."""
    given = numbers(claim, words=False) - question_numbers
    folded = [fold(text) for text in backing]
    if not given or not any(running_totals(text) for text in folded):
        return set()
    added = {n for text in folded for m in NUMBER.finditer(text)
             if _ADDED_AFTER.match(text[m.end():m.end() + 20])
             or _ADDED_BEFORE.search(text[max(0, m.start() - 20):m.start()])
             for n in numbers(m.group(0))}
    return (given & added) - set().union(*(running_totals(text) for text in folded))


# ... and in the other languages of the articles and questions (folded): "insgesamt", "jusqu'ici",
# "w sumie", "dotąd", "összesen", "i alt", "toplam", "συνολικά"
_ASKS_TOTAL_ELSEWHERE = re.compile(
    r"\b(?:insgesamt|gesamt\w*|bisher|au total|en tout|jusqu'?ici|jusqu'a present|en total|hasta ahora|in totale"
    r"|finora|no total|ate agora|totaal|tot nu toe|[lł]acznie|w sumie|ogolem|dotad|do tej pory|celkem|dosud"
    r"|osszesen|eddig|yhteensa|tahan mennessa|i alt|hidtil|totalt|hittills|hittil|toplam\w*|simdiye kadar"
    r"|συνολικα|μεχρι στιγμης|всього|загалом|досі|всего|до сих пор|seluruhnya|sejauh ini|secara total)\b")


def asks_total(question: str) -> bool:
    """Whether a "how many" question asks for a running total rather than one event's count."""
    folded = fold(question)
    return bool(_ASKS_TOTAL.search(folded) or _ASKS_TOTAL_ELSEWHERE.search(folded))


def running_totals_unasked(claim: str, question_numbers: set[str], english: Sequence[str]) -> set[str]:
    """For a "how many" question whose counted nouns no table knows (one in Polish, Greek,
    Turkish ...), the claim's numbers that are running totals: given as one by the cited passages
    read in English (their text or stored translation), or by the claim's own words ("dotąd",
    "łącznie", "insgesamt", "au total" just before it); only when every number it adds is one. "Ile
    osób i podmiotów objęły sankcje, które Kanada ogłosiła w Dzień Niepodległości?" (how many did
    the round of Independence Day cover) answered "Kanada objęła dotąd sankcjami ponad 3 850 osób i
    podmiotów" (has so far sanctioned more than 3,850; holdout9 j027), where the report gives 17 and
    26 for the round. The caller asks only when the question does not ask a total (`asks_total`)."""
    claim = re.sub(r"\[\d+\]", " ", claim)  # its citation marks are no numbers
    given = numbers(claim, words=False) - question_numbers
    if not given:
        return set()
    totals = set().union(*(running_totals(text) for text in english if text))
    folded = fold(claim)
    for word in _ASKS_TOTAL_ELSEWHERE.finditer(folded):  # the numbers after it, in its clause
        totals |= numbers(re.split(r"[.;:!?,]\s", folded[word.end():word.end() + TOTAL_REACH])[0], words=False)
    return given if given <= totals else set()  # a total beside the round's own counts may be context


def _names_any(words: Sequence[str], wanted: WordSet) -> bool:
    """Whether any of `words` (or its singular) is one of the counted nouns."""
    return any(w in wanted or w.rstrip("s") in wanted for w in words)


def _counted_words(nouns: frozenset[str]) -> tuple[WordSet, frozenset[str]]:
    """The counted `nouns` to look words up in: by their first letters, but a nationality only whole
    ("Canadians"): by its first letters it would be "Canadian" anything."""
    return WordSet(nouns - _NATIONALS), nouns & _NATIONALS


def _names_counted(words: Sequence[str], wanted: tuple[WordSet, frozenset[str]]) -> bool:
    """Whether `words` name one of the counted nouns (`_counted_words`)."""
    return _names_any(words, wanted[0]) or not wanted[1].isdisjoint(words)


def numbers_beside(text: str, nouns: frozenset[str]) -> set[str]:
    """The numbers of the sentences of `text` that name one of `nouns`, in either order: a report
    writes "the number of people and entities ... has exceeded 150" as well as "150 people"."""
    wanted = _counted_words(nouns)
    found: set[str] = set()
    for sentence in CLAUSE_END.split(text):
        if _names_counted(_PLAIN_WORD.findall(fold(sentence)), wanted):
            found |= numbers(sentence)
    return found


def new_content(claim: str, question: str) -> bool:
    """Whether `claim` says anything the question did not: a content word or number of its own.
    A small model often answers by restating the question with a citation."""
    asked = PinVocabulary([question])
    own = [w for w in _PIN_WORD.findall(fold(claim)) if len(w) >= 3 and w not in _NOT_PINS]
    return any(not asked.has(w) for w in own) or bool(numbers(claim) - numbers(question))


def unbacked(claim: str, have: set[str]) -> set[str]:
    """Numbers in `claim` not among `have` (the numbers of its backing); a bare integer also
    matches the integer part of a written decimal ("1" for "1.5 billion" said as "1 billion")."""
    return {n for n in numbers(claim) - have if not any(n == h.split(".")[0] for h in have)}


def gives_names(claim: str) -> bool:
    """Whether a sentence has a capitalised word after its first (cheap: before any vocabulary is built)."""
    return any(w[:1].isupper() for w in _PIN_WORD.findall(claim)[1:])


def unbacked_names(claim: str, asked: PinVocabulary, backing: PinVocabulary) -> list[str]:
    """The names an answer sentence gives (runs of capitalised words, as `question_pins` finds
    them) that are neither in the question (`asked`) nor, in any of their forms, in `backing` (the
    cited passages with their articles' metadata and surroundings). "The leaders who accompanied
    Trudeau were the Liberal Party ...", citing a report that never mentions the party, took
    the name from another passage."""
    missing = []
    for group in question_pins(claim):
        if any(" " in name for name in group):  # an ordinal phrase, not a name
            continue
        if not any(asked.has_name(n) or backing.has_name(n) for n in group):
            missing.append(" ".join(sorted(group)))
    return sorted(missing)


# "Évian", "Łódź" begin with capitals too (Latin-1 and Latin Extended-A's upper-case letters)
_CAPITAL = "(?=[A-ZÀ-ÖØ-Þ" + "".join(chr(c) for c in range(0x100, 0x180) if chr(c).isupper()) + "])"
_AT_PLACE = re.compile(rf"\b(?:in|at)\s+(?:the\s+)?({_CAPITAL}[\w'’-]+(?:\s+{_CAPITAL}[\w'’-]+)*)")


def places_asked(question: str) -> list[frozenset[str]]:
    """The places a question names after "in" or "at" ("Who will Joly see in Brussels?"), folded
    as `question_pins` groups them; not months or weekdays ("in March 2014")."""
    return [words for match in _AT_PLACE.finditer(question) if (words := _place_words(match))]


def _place_words(match: re.Match[str]) -> frozenset[str]:
    """The folded words of a place `_AT_PLACE` found, without function words, months and weekdays."""
    return frozenset(fold(w) for w in match.group(1).split()) - _NOT_PINS


def places_compared(question: str) -> list[frozenset[str]]:
    """The places a question asks about side by side ("at the G7 in Kananaskis and at the G7 in
    Évian"), when it names two or more that are not countries; else none. Each is an event of its
    own, so some cited report must be from there (`Draft._compared_ok`)."""
    found = list(_AT_PLACE.finditer(question))
    # side by side: "and" (or "or", "versus", "with") between one place and the next; "at the G7 in
    # Kananaskis" is one event, named by both places
    if not any(_SIDE_BY_SIDE.search(question[before.end():after.start()]) for before, after in pairwise(found)):
        return []
    distinct: list[frozenset[str]] = []
    for match in found:
        place = _place_words(match)
        if place and place not in territory_names() and place not in distinct:
            distinct.append(place)
    return distinct if len(distinct) >= 2 else []


_SIDE_BY_SIDE = re.compile(r"\b(?:and|or|versus|vs|with)\b")


# Words for a report or its figures: an ordinal before them ("the first report", "the first count")
# picks a report among those of one event, it does not name a thing the report must say
_REPORTING = frozenset("report reports reported article articles story stories account dispatch version count "
                       "tally figure figures estimate published".split())


def question_pins(question: str) -> set[frozenset[str]]:
    """Names and places a question names, folded: runs of capitalised words that are not its
    first word or a function word ("Hiroshima", "Sputnik", {"oleg", "stepanov"}). A run is
    found when any of its words is: a report names "Stepanov" without "Oleg"."""
    groups: list[set[str]] = []
    previous_end = -2
    for i, match in enumerate(_PIN_WORD.finditer(question)):
        word = _ELIDED.sub("", match.group(0))  # "l'Ukraine", "dell'Ucraina": the name after the article
        folded = fold(word).split("'")[0].split("’")[0]
        long_enough = len(folded) >= 3 or (len(folded) >= 2 and any(ch.isdigit() for ch in folded))
        if i > 0 and word[:1].isupper() and folded not in _NOT_PINS and long_enough:
            forms = {folded} | {part for part in folded.split("-") if len(part) >= 4}  # Carl-Gustaf-Waffen
            if groups and previous_end >= 0 and question[previous_end:match.start()].strip() == "":
                groups[-1].update(forms)
            else:
                groups.append(forms)
            # a possessive ends a run: "Ukraine's Independence Day" is Ukraine and the day, and a
            # report naming Ukraine alone (all of them) is not about Independence Day
            previous_end = -2 if re.search(r"['’]s$", word) else match.end()
    # "the third anniversary", "the second round": near-duplicate reports differ by exactly this
    folded = fold(question)
    for m in _ORDINAL.finditer(folded):
        if m.group(2) in _REPORTING:  # "according to the first report": which report, not what it reports
            continue
        head = ordinal_head(folded[m.start(2):])
        groups.append({f"{m.group(1)} {m.group(2)}"} | ({f"{m.group(1)} {head}"} if head else set()))
    groups += [{f"{m.group(1)} {m.group(3)}"} for m in _ORDINAL_PAIR.finditer(folded)]
    return {frozenset(part) for g in groups for part in _country_apart(frozenset(g))}


def _country_apart(group: frozenset[str]) -> list[frozenset[str]]:
    """A run of names with one country's name in it, as that country and the rest: "Hari
    Kemerdekaan Ukraina" (Ukraine's Independence Day, Indonesian word order) is Ukraine and the
    day, and every report naming Ukraine is not about that day. A country's own name of several
    words ("United Kingdom") stays whole."""
    countries = [w for w in group if frozenset({w}) in territory_names()]
    if len(group) < 2 or len(countries) != 1 or group in territory_names():
        return [group]
    rest = group - {countries[0]}
    if rest in territory_names() or not (rest - SHARED_NAME_WORDS):
        return [group]  # "South Africa", "the Canada Day": nothing of its own besides the country
    return [frozenset({countries[0]}), rest]


# "The most recent package", "the latest visit": the answer must come from the newest report.
# Stricter than the reranker's "latest" (no "last", "recently": "last week", "recently announced").
_NEWEST = re.compile(r"\b(?:most recent(?:ly)?|latest|newest|plus recente?|neueste[nrs]?|jungste[nrs]?|"
                     r"piu recente|terbaru|(?:the )?last time)\b"
                     # "when did Canada last summon ...?" (not "how long did it last?": a verb follows)
                     r"|\bwhen (?:did|was|were|has|had) (?:[\w'’]+ ){1,4}last (?!week|month|year|night|summer|winter"
                     r"|spring|autumn|fall)[a-z]+")


_NEWEST_BEFORE = re.compile(r"\b(?:last|latest|most recent)\b.*\b(?:before|prior to|earlier than)\b")


def asks_newest(question: str) -> bool:
    """Whether the question asks for the most recent of several events, naming no date of its own
    (nor an event it must come before: "the last time before the Kerch incident")."""
    folded = fold(question)
    return bool(_NEWEST.search(folded)) and not pins(question).dates and not _NEWEST_BEFORE.search(folded)


# A month as an answer writes it: English "May" capitalised (not the verb), any other month name of
# the corpus's languages as it folds ("août" -> "aout"), with its year when one follows
_MONTH_NUMBER = {name: n for n, names in MONTHS.items() for name in names.split() if len(name) > 3}
_ANSWER_MONTH = re.compile(r"\b(" + "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True))
                           + r"|may)\b(?:\s+\d{1,2}(?!\d))?(?:,?\s+(?:de\s+)?(\d{4}))?")
OLDER_MONTHS = 2  # how many months before its newest cited report an event is an older one it recalls


def recalled_event(claim: str, passages: Sequence[Passage]) -> str:
    """The month `claim` dates its event to when that is `OLDER_MONTHS` or more before the newest of
    the cited `passages` (and no month it names is not): for "when was he most recently summoned?",
    the newest report's "he was last summoned on August 29" is an older summons it recalls, not the
    newest one (holdout6 y035: a November 2025 report). "" when the claim names no month."""
    newest = max((d for d in (published(p) for p in passages) if d and d[1]), default=None)
    if newest is None:
        return ""
    named = []
    for match in _ANSWER_MONTH.finditer(fold(claim)):
        if match.group(1) == "may" and not re.search(r"\bMay\b", claim):
            continue  # "this may take weeks"
        month = 5 if match.group(1) == "may" else _MONTH_NUMBER[match.group(1)]
        year = int(match.group(2)) if match.group(2) else newest[0] - (month > newest[1])
        named.append((year, month, match.group(0).strip(" ,")))
    if not named:
        return ""
    months_before = [(newest[0] - y) * 12 + newest[1] - m for y, m, _ in named]
    return named[0][2] if min(months_before) >= OLDER_MONTHS else ""


# "54 in April 2023", "61 more in April 2022": a figure its passage dates, a few words after it
_DATED_AFTER = re.compile(r"\s*(?:[^\W\d_]+\s+){0,3}?(?:in|on|of)\s+([^\W\d_]+)\s+((?:19|20)\d\d)\b")


def figure_dated_elsewhere(claim: str, question: str, texts: Sequence[str]) -> str:
    """A number of `claim` that its passages give only dated to another month than the one the
    question names ("" when none): asked how many Canadians Russia barred in October 2024, an
    October 2024 report's recap "... 61 more in April 2022 and 54 in April 2023" holds a 54 beside the
    question's date on the report, but that 54 is April 2023's (holdout7 z002)."""
    asked = {(year, month) for year, month in pins(question).dates if month}
    if not asked:
        return ""
    folded = [fold(t) for t in texts]
    for number in sorted(numbers(claim, words=False) - numbers(question)):
        dates = [_date_after(text, m.end()) for text in folded for m in NUMBER.finditer(text)
                 if _normalised(m.group(0)) == number]
        if dates and all(d is not None and d not in asked for d in dates):
            return number
    return ""


def _date_after(text: str, end: int) -> tuple[int, int] | None:
    """The (year, month) a few words after a number dates it to, if any."""
    found = _DATED_AFTER.match(text, end)
    if found is None:
        return None
    month = 5 if found.group(1) == "may" else _MONTH_NUMBER.get(found.group(1))
    return (int(found.group(2)), month) if month else None


def newest_date(passages: Sequence[Passage]) -> tuple[int, int] | None:
    """(year, month) of the newest report among `passages`, by their articles' dates."""
    return max((when for p in passages if (when := published(p)) is not None), default=None)


NEWEST_MARGIN = 0.05  # how much less similar than the best a passage may be and still lead "the most recent"


def newest_first(question: str, passages: Sequence[Passage], margin: float = NEWEST_MARGIN) -> list[Passage]:
    """For "the most recent ..." (`asks_newest`): the passages that hold every name the question
    gives (its text, translation and title) and are nearly as similar as the best one, newest
    report first; the others after them, as they were. A small model answers from the first
    passage it reads, and among near-duplicate reports the nearest is seldom the newest: given the
    2023 summit's passage first, it calls Vilnius the most recent NATO summit beside the 2025 one."""
    if not passages:
        return []
    names = question_pins(question)
    best = max(p.score for p in passages)

    def leads(p: Passage) -> bool:
        if p.score < best - margin or published(p) is None:
            return False
        vocabulary = PinVocabulary([p.text, p.translation, p.title])
        return all(any(vocabulary.has_name(n) for n in distinctive(g)) for g in names)

    leading = [p for p in passages if leads(p)]
    leading.sort(key=lambda p: p.published, reverse=True)  # ISO dates: stable, so rank breaks ties
    ids = {id(p) for p in leading}
    return leading + [p for p in passages if id(p) not in ids]


@dataclass(frozen=True)
class Missing:
    """What the cited passages do not back: names/places and dates the question named, and the
    newest report when the question asks for the most recent event."""

    names: frozenset[frozenset[str]]
    dates: frozenset[tuple[int, int]]
    newest: bool = False
    days: frozenset[tuple[int, int, int]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.names or self.dates or self.newest or self.days)

    def describe(self) -> str:
        dates = [f"{y}-{m:02d}" if m else str(y) for y, m in sorted(self.dates)]
        days = [f"{y}-{m:02d}-{d:02d}" for y, m, d in sorted(self.days)]
        newest = ["most recent report"] if self.newest else []
        return ", ".join(sorted(" ".join(sorted(g)) for g in self.names) + dates + days + newest)


NAME_REACH = 800  # characters of the article on each side of a passage where its names still count
LEDE = 300  # the article's opening, where a report says where and when (dateline, first sentence)


def article_text(passage: Passage, articles: Mapping[str, str] | None = None) -> list[str]:
    """What a reader can check a passage against: its text (and translation), its article's
    metadata and, when known, its article's opening and the paragraphs around it.

    Not the whole article: a report on the Elmau summit that mentions, in passing, the NATO
    summit in Madrid later that week does not make its passages an answer about Madrid. A
    passage that cannot be placed in its article is checked against all of it."""
    whole = (articles or {}).get(passage.doc_id, "")
    return [passage.text, passage.translation, passage.title, passage.outlet, passage.published,
            around(passage.text, whole)]


def around(text: str, whole: str) -> str:
    """The opening of `whole` and its text within `NAME_REACH` characters of `text`."""
    at = whole.find(text[:60]) if text else -1
    if at < 0:
        return whole
    return whole[:LEDE] + "\n" + whole[max(0, at - NAME_REACH): at + len(text) + NAME_REACH]


# Words that many names share: outlets' common nouns and people's titles. "Maple Wire" is not the
# "Dominion Wire" a question names, and "Prime Minister Justin Trudeau" is not "Prime Minister Mark
# Carney"; a run of capitalised words is found by its other words.
SHARED_NAME_WORDS = frozenset("""
    news post times wire herald daily journal tribune observer sentinel echo press gazette courier dispatch
    ledger record star mail globe telegraph chronicle review today weekly media radio network agency
    kurier zeitung corriere giornale gazzetta
    prime minister president foreign affairs secretary ambassador general spokesperson spokesman spokeswoman
    deputy chancellor mayor governor senator premier chief ministry office department
    day hari
""".split())


def distinctive(group: frozenset[str]) -> frozenset[str]:
    """The words of a run of capitalised words that tell it from other names (`SHARED_NAME_WORDS`
    left out), or all of them when every one is such a word ("the Foreign Affairs Minister")."""
    return frozenset(group - SHARED_NAME_WORDS) or group


def missing_pins(question: str, cited: Sequence[Passage], answer_language: str = "",
                 articles: Mapping[str, str] | None = None, among: Sequence[Passage] = ()) -> Missing:
    """The question's names and dates that the cited passages (with their articles) do not contain.

    Names count in the cited passage's article (`articles`, by doc_id) near the passage and in
    its opening (`article_text`): a report about the right event often names a speaker
    paragraphs before the quote. Dates count in the passage
    or its article's publication date; a whole day ("August 29, 2025") is missing when any
    cited report was published before it without naming it (`reported_before`): a fact from the
    first report mixed into an answer from the update is that earlier day's news. A passage in
    another language than the question, read without a translation, cannot be checked for names
    (they are spelt differently there).
    A question asking for the most recent event ("the latest package") also needs the newest
    report among the passages the model read (`among`) cited: an older near-duplicate reads
    just as well but answers another event.
    """
    if not cited:
        return Missing(frozenset(), frozenset())
    comparable = [p for p in cited if p.translation or not answer_language or not p.language
                  or p.language == answer_language]
    names = question_pins(question)
    if comparable:
        vocabulary = PinVocabulary(t for p in comparable for t in article_text(p, articles))
        missing_names = frozenset(g for g in names if not any(vocabulary.has_name(n) for n in distinctive(g)))
        capitals = _acronyms(question) if missing_names else frozenset()
        if acronyms := {g for g in missing_names if g & capitals}:  # read the passages only then
            passages_read = fold(" | ".join(t for p in comparable for t in (p.text, p.translation) if t))
            missing_names -= {g for g in acronyms if any(spelt_out(n, passages_read) for n in g)}
        missing_names -= {g for g in missing_names if named_otherwise(g, vocabulary)}
    else:
        missing_names = frozenset()
    asked = pins(question)
    missing_dates = frozenset(d for d in asked.dates if not any(_dated(p, d) for p in cited))
    missing_days = frozenset(d for d in asked.days if any(reported_before(p, d) for p in cited))
    newest = newest_date(among) if asks_newest(question) else None
    older = newest is not None and not any(published(p) == newest for p in cited)
    return Missing(missing_names, missing_dates, older, missing_days)


def named_otherwise(group: frozenset[str], vocabulary: PinVocabulary) -> bool:
    """Whether a country the question names in its own language ("Lettonie", "Letonia") is named
    in `vocabulary` in another ("Latvia", "Latvija"): its CLDR names in the corpus's languages. A
    question in French over a Slovenian report read in English translation had its answer withheld
    for "Lettonie" (holdout11 q023)."""
    codes = territory_codes().get(group, frozenset())
    return any(all(vocabulary.has_name(word) for word in name) for code in codes for name in names_of(code))


_ACRONYM = re.compile(r"\b[A-Z]{3,6}\b")


def _acronyms(question: str) -> frozenset[str]:
    """The words a question writes in capitals, folded ("GDP", "NATO")."""
    return frozenset(fold(w) for w in _ACRONYM.findall(question))


def spelt_out(acronym: str, joined: str) -> bool:
    """Whether `joined` (folded text) writes `acronym` out: as many consecutive words of four
    letters or more as it has letters, each beginning with the next one ("gdp": "gross domestic
    product"). A report says "1.29 per cent of its gross domestic product" where the question asks
    for a share of Canada's GDP. Read in the cited passages only, not their articles: a chance run
    of the right initials ("government really understood" for GRU) is rare in a few sentences."""
    letters = r"\s+".join(rf"{re.escape(ch)}[^\W\d_]{{3,}}" for ch in acronym)
    return len(acronym) >= 3 and acronym.isalpha() and re.search(rf"\b{letters}\b", joined) is not None


def pinned_passages(question: str, passages: Sequence[Passage], k: int, answer_language: str = "",
                    articles: Mapping[str, str] | None = None) -> list[Passage]:
    """The best `k` passages (in the given order) that bear on what the question pins down, when
    together they hold all of it; else none.

    When the passages an answer cited lack the question's names or dates, the model answered
    from a near-duplicate report (another summit, another year). The report the question means
    is often retrieved too, just lower: these are the passages to answer from on a second try.
    Passages whose articles hold all of it come first and alone; else the fewest that together do.
    """
    newest = asks_newest(question) and newest_date(passages) is not None
    asked = pins(question)
    wanted = len(question_pins(question)) + len(asked.dates) + len(asked.days) + newest
    if not wanted:
        return []
    lacking = []
    for passage in passages:
        missing = missing_pins(question, [passage], answer_language, articles, passages)
        lacking.append(len(missing.names) + len(missing.dates) + len(missing.days) + missing.newest)
    complete = [p for p, n in zip(passages, lacking, strict=True) if n == 0]
    if complete:  # the report the question means: not its near-duplicates, which confused the model
        return complete[:k]
    # No one report holds it all (two dates, two summits): the fewest that do together.
    ranked = sorted((n, i) for i, n in enumerate(lacking) if n < wanted)
    chosen = [passages[i] for _, i in ranked[:k]]
    if not chosen or missing_pins(question, chosen, answer_language, articles, passages):
        return []
    return chosen


def _dated(passage: Passage, date: tuple[int, int]) -> bool:
    """Whether a passage is from, or speaks of, the year (and month) a question names ("last
    spring" in a January 2022 report speaks of 2021: `rag.relative_dates`)."""
    text = " ".join(t for t in (passage.text, passage.translation, passage.title) if t)
    return published_in(passage, date) or date_named(resolved(text, passage.published), date)


def reported_before(passage: Passage, day: tuple[int, int, int]) -> bool:
    """Whether the passage's report was published before the day a question names and does not
    name that day: it cannot tell what happened then. "The updated toll of August 29" is not in
    the first report of August 28, which reads just like the update with an older count. A
    report published later may tell of that day in its own words ("Thursday's attack"): not judged."""
    when = published_day(passage)
    if when is None or when >= day:
        return False
    text = " ".join(t for t in (passage.text, passage.translation, passage.title) if t)
    return not day_named(text, day[1], day[2])


def of_the_day(question: str, passages: Sequence[Passage]) -> list[Passage]:
    """`passages` without those of reports from before the whole day the question names
    (`reported_before`), when any others remain; else all of them. The model cannot mix what it
    never reads: handed the first report of August 28 beside the update of August 29, it
    answered "the updated toll of August 29" with the first report's count."""
    days = pins(question).days
    if not days:
        return list(passages)
    later = [p for p in passages if not any(reported_before(p, day) for day in days)]
    return later or list(passages)


def published_in(passage: Passage, date: tuple[int, int]) -> bool:
    """Whether the passage's article was published in the year (and month) `date`."""
    year, month = date
    return (passage.published or "").startswith(f"{year}-{month:02d}" if month else str(year))


def date_named(text: str, date: tuple[int, int]) -> bool:
    """Whether `text` names the year (and the month, when `date` has one)."""
    year, month = date
    return str(year) in text and (not month or _month_named(text, month))


def report_day_named(text: str, published: str) -> bool:
    """Whether `text` gives the day and month of a report published on `published` (YYYY-MM-DD):
    "June 17" or "17 June" for 2025-06-17, with or without the year."""
    match = re.match(r"\d{4}-(\d{2})-(\d{2})", published or "")
    return match is not None and day_named(text, int(match.group(1)), int(match.group(2)))


def day_named(text: str, month: int, day: int) -> bool:
    """Whether `text` gives that day of that month ("August 29", "29 août"), with or without a year."""
    return _month_named(text, month) and re.search(rf"(?<!\d){day}(?!\d)", text) is not None


def _month_named(text: str, month: int) -> bool:
    words = set(_WORD.findall(fold(text)))
    return any(name in words for name in MONTHS[month].split() if len(name) > 3)
