"""Comparing texts word for word: the content words of a claim, how much of it a passage holds,
the sentences of a text, and the stems that tell what a question is about.

The one notion of "the same word" behind every check of what the model wrote (`rag.citations`,
`rag.draft`, `rag.grounding`) and behind the references block (`rag.references`). Pure
functions, no I/O.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any

from rag.rerank import fold
from rag.territories import is_country

PREFIX = 5  # a word this long or longer also matches another that starts with its first five letters


class WordSet:
    """Words to look others up in: whole, or by their first five letters when both are at least
    that long (inflections: "sanction", "sanctions", "sanctioned"). The one word matcher of the
    citation check (`Vocabulary`) and of the question's pins (`rag.grounding.PinVocabulary`)."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = set(words)
        self.prefixes = {w[:PREFIX] for w in self.words if len(w) >= PREFIX}

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        return word in self.words or (len(word) >= PREFIX and word[:PREFIX] in self.prefixes)


_WORD = re.compile(r"\w+(?:[-.,]\w+)*", re.UNICODE)
_STOPWORDS = frozenset(
    """
    the and that this with from have has had was were are for not but his her its their they them said
    says say will would about into than then there what which who whom when where why how also been
    being over after before more most some such only other could should may might can did does yang dan
    dari untuk dengan pada dalam akan ini itu tidak kata bahwa oleh juga telah sebagai les des une est
    que qui dans pour par pas sur avec sont ont aux
    """.split()
)
SUPPORT_MIN = 0.34


def content_tokens(text: str) -> dict[str, float]:
    """Words that carry meaning, numbers counted double: they are what a citation must back."""
    out: dict[str, float] = {}
    for raw in _WORD.findall(text.lower()):
        token = re.sub(r"(?<=\d)[,.](?=\d{3}\b)", "", raw)
        if any(ch.isdigit() for ch in token):
            out[token] = 2.0
        elif len(token) >= 3 and token not in _STOPWORDS:
            out[token] = 1.0
    return out


class Vocabulary:
    """A passage's content tokens, computed once however many claims are checked against it."""

    def __init__(self, text: str) -> None:
        self.tokens = content_tokens(text)
        self.words = WordSet(self.tokens)

    def support(self, claim: str) -> float:
        """Share of the claim's content (by weight) that appears here: 0 to 1. A word of five or
        more letters also counts when a passage word starts with its first five (inflections)."""
        claim_tokens = content_tokens(claim)
        if not claim_tokens:
            return 0.0
        hit = sum(weight for token, weight in claim_tokens.items() if token in self.words)
        return hit / sum(claim_tokens.values())


ECHO_MIN = 0.5  # share of the question's words an answer repeats that its cited passages must hold
ECHO_JUDGED = 2  # ... judged when it repeats at least this many


def echo_backed(question: str, answer: str, cited_texts: Sequence[str]) -> bool:
    """Whether the cited passages hold at least half the words the answer repeats from the question.

    An answer restates what was asked ("Canada pledged $5 billion to repair Ukraine's power
    grid"); when the passage it cites says nothing of repairs or a power grid, it answers another
    question ($5 billion for the loans) with this one's words. Numbers are checked elsewhere.
    """
    asked = _stems(question) - _ECHO_FRAMING  # "according to the latest count in the articles" is no fact
    echoed = [t for t in _stems(answer) if t in asked]
    if len(echoed) < ECHO_JUDGED:
        return True  # one word ("promised" for "announced") is a paraphrase, not another question
    held = _stems(" ".join(cited_texts))
    return sum(t in held for t in echoed) >= ECHO_MIN * len(echoed)


# "Who chaired the summit?": the verb of a who-question is the relation asked about.
_WHO_VERB = re.compile(r"^\W*who\s+([a-z]+)\b", re.IGNORECASE)
# "Which Global Affairs official received Stepanov?": one person asked for by the office they hold,
# then the relation asked about (not "Which leaders accompanied Trudeau?", which a report writes
# "arrived with Meloni and De Croo") (holdout5 x044: "Rachel Ainsworth, a spokesperson ..., received Stepanov"
# from a report where she only spoke to a newspaper).
_WHICH_PERSON_VERB = re.compile(
    r"^\W*(?i:which|what)\s+(?:(?!(?i:did|does|do|is|was|were|are|has|have|had|will|would|can|could)\b)[\w'’-]+\s+)"
    r"{0,4}?(?i:official|spokes(?:person|man|woman)|minister|ambassador|envoy|diplomat|senator|general|"
    r"commander|mayor)"
    r"\s+((?!(?:to|of|and|or|in|on|at|for|with|from|by|who|that|whom)\b)[a-z]+)\b")
# The relations a "which official ..." question asks about that reports write with the same verb:
# who received or met an ambassador, who hosted or chaired a meeting. Speech and company verbs
# ("responded", "appeared alongside") are written "said", "at a news conference with".
_MEETING_VERBS = frozenset("received receive receives met meet meets hosted host hosts chaired chair chairs "
                           "summoned summon summons".split())
# Verbs whose noun carries the relation ("held a joint press conference with Joly"): a report says
# "at a joint press conference with Kuleba", and the verb is nowhere to be found beside the name.
_LIGHT_VERBS = frozenset("held hold holds made make makes gave give gives took take takes got get gets put puts "
                         "kept keep keeps".split())
_AUXILIARIES = frozenset("is was were are be been did does do has have had will would can could should may might "
                         "must else".split())


def asked_verb_unbacked(question: str, answer: str, cited_texts: Sequence[str]) -> str:
    """The verb of a "who <verb>…" question when the answer repeats it and no sentence of the
    cited reports uses it with a name the answer gives ("" otherwise). "Who chaired the NATO
    summit in The Hague?" answered "Mark Carney chaired the NATO summit [1]" from a report where
    Rutte chaired it and Carney only attended: the echo check is satisfied by "NATO", "summit",
    "Hague", and the one word that makes the claim, the relation asked about, is the model's.
    An answer naming no one new, or not repeating the verb, is left to the other checks."""
    match = _WHO_VERB.match(question)
    if match is None:
        match = _WHICH_PERSON_VERB.match(question)
        if match is not None and match.group(1).lower() not in _MEETING_VERBS:
            return ""  # "which spokesperson responded": "said", "told", "arrived with" for it in reports
    if not match or match.group(1).lower() in _AUXILIARIES | _LIGHT_VERBS:
        return ""
    verb = _stem(match.group(1).lower())
    asked = {w.lower() for w in _WORD.findall(question)}
    names = {run.split()[-1].lower() for run in _NAME_RUN.findall(answer)} - asked  # "Mark Carney": "carney"
    names = {n for n in names if not is_country(frozenset({fold(n)}))}  # "Global Affairs Canada" is no one
    if verb not in _stems(answer) or not names:
        return ""
    for text in cited_texts:
        previous = ""
        for sentence in CLAUSE_END.split(text):
            # "Trudeau visited Kyiv. He was one of a dozen leaders who travelled …": the name
            # before a sentence that opens with its pronoun
            named = sentence + (" " + previous if _OPENS_WITH_PRONOUN.match(sentence) else "")
            if verb in _stems(sentence) and names & {w.lower() for w in _WORD.findall(named)}:
                return ""
            previous = sentence
    return match.group(1).lower()


CLAUSE_END = re.compile(r"(?<=[.!?;])\s+")  # sentences, and clauses a semicolon joins, count apart
_OPENS_WITH_PRONOUN = re.compile(r"\W*(?:he|she|they|his|her|their)\b", re.IGNORECASE)
_NAME_RUN = re.compile(r"[A-Z][\w'’-]{2,}(?:\s+[A-Z][\w'’-]+)*")


OWN_WORDS_JUDGED = 3  # a sentence adding at most this many words of its own to the question's is judged
# "Yes, Moscow invited Joly": the answer to a yes-no question, which no passage writes; whether it
# holds is the citation check's to judge, on the rest of the sentence.
# ... and "got", which says nothing of its own ("Poroshenko got 11 standing ovations": the 11 is the answer)
_ANSWER_PARTICLES = frozenset({"yes", "nope", "yeah", "indeed", "got", "get", "gets", "getting"})
# Numbers written as words: a count is the number check's to judge ("sixty" for a passage's 60).
_NUMBER_WORD = re.compile(r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:thir|four|fif|six"
                          r"|seven|eigh|nine)teen|(?:twen|thir|for|fif|six|seven|eigh|nine)ty|hundred|thousand"
                          r"|million|billion|trillion|dozen)(?:-\w+)?s?")


@functools.lru_cache(maxsize=64)
def _inflected_stems(question: str) -> frozenset[str]:
    """The stems of the question's words as an answer inflects them: the stemmer takes "added" to
    "ad" but "add" to "add", so "how many did Russia add" answered "Russia added 87" read as a word
    of the answer's own. Cached: every sentence of an answer is read against the same question."""
    return frozenset(_stem(t + ending) for t in content_tokens(question) if t.isalpha() for ending in ("ed", "ing"))


def own_words(question: str, claim: str) -> list[str]:
    """The content words of `claim` that the question does not have (numbers and number words
    aside: they are the number checks' to judge)."""
    asked = _stems(question) | _inflected_stems(question)
    return [t for t in content_tokens(claim)
            if not any(c.isdigit() for c in t) and not _NUMBER_WORD.fullmatch(t) and t not in _ANSWER_PARTICLES
            and _stem(t) not in asked]


# The clauses of one answer sentence: ", and", ", but" and semicolons join the halves of a
# two-part answer ("The summits took place at Elmau, and the prime minister was Harper").
_HALVES = re.compile(r",\s*(?:and|but)\s+|;\s*", re.IGNORECASE)
_FIGURE = re.compile(r"(?<![^\W\d])\d")  # a number standing as one, not the 7 of "G7"


def restated_half(question: str, claim: str) -> str | None:
    """The clause of `claim` that says nothing the question did not (no word of its own, no number),
    when the claim has two or more clauses: for a question of two asks, such a clause answers one of
    them with the question's own words, and the other clause then reads as the whole answer ("Which
    summits took place at Elmau, and who was prime minister at each?" answered "The summits took place
    at Elmau, and the prime minister was Harper"). None when every clause says something of its own."""
    halves = [h for h in _HALVES.split(claim) if h.strip()]
    if len(halves) < 2:
        return None
    for half in halves:
        said = [w for w in own_words(question, half) if len(w) > 1]
        if not said and not _FIGURE.search(half) and not _NUMBER_WORD.search(half.lower()):
            return half.strip()
    return None


def own_words_unbacked(question: str, claim: str, cited_texts: Sequence[str]) -> list[str]:
    """The words a short answer adds to the question's that the passages it cites do not hold.

    "What Russian imports did Canada ban at the G7 summits of 2022 and 2023?" answered with
    "Canada banned Russian gold imports at the G7 summit of 2023 [2]": every word but "gold"
    repeats the question, so the citation check is satisfied by the echo, and the one word that
    answers came from another passage. A longer sentence says enough of its own for the citation
    check to judge it, and may paraphrase; it is not judged here. Withheld only when none of its
    own words is backed ("The envelope covers the purchase" over "an envelope ... for the
    purchase" paraphrases with "covers"). Numbers are checked elsewhere."""
    own = own_words(question, claim)
    if not own or len(own) > OWN_WORDS_JUDGED:
        return []
    held, words = _backing_words(" ".join(cited_texts))
    missing = [t for t in own if _stem(t) not in held and t not in words]
    return missing if len(missing) == len(own) else []  # one word of its own backed: a paraphrase


@functools.lru_cache(maxsize=64)
def _backing_words(text: str) -> tuple[frozenset[str], WordSet]:
    """The stems and words of cited passages, read once however many sentences cite them: a long
    answer citing the same passages sentence after sentence re-read them every time."""
    return frozenset(_stems(text)), WordSet(content_tokens(text))


# Words of a question that frame it rather than say what it is about.
_FRAMING = frozenset("""many much according happen happened happens kind type reason reasons describe described
    mention mentioned report reported reports article articles news give gave given""".split())


# Words of three letters that say what a question is about ("bar from entering", "what did
# Ukraine ask the UN for"); others that short ("day", "new", "two") seldom do.
_SHORT_TOPICS = frozenset({"ban", "bar", "ask", "aid"})
# "Where was Zelensky ...": the person (or body) whose whereabouts are asked is what it is about
_WHERE_SUBJECT = re.compile(r"\b(?i:where\s+(?:was|is|were|are))\s+"
                            r"(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)")


def topic_words(question: str) -> set[str]:
    """The stems of what a question is about: its content words that are not names (names are
    the pins, `rag.grounding.question_pins`) nor framing ("how many", "according to"); and the
    name a "where was ..." asks about, unless a country (every report names those)."""
    names = {w.lower() for w in re.findall(r"\b[A-Z]\w+(?:-\w+)*", question[1:])}  # Rheinland-Echo too
    words = [t for t in content_tokens(question) if t not in names and t not in _FRAMING
             and (len(t) >= 4 or t in _IRREGULAR or t in _SHORT_TOPICS)]  # "met", "led", "won" are verbs too
    where = _WHERE_SUBJECT.search(question)
    if where and not is_country(frozenset(fold(where.group("name")).split())):
        words += [t for t in content_tokens(where.group("name")) if len(t) >= 3]
    return {_stem(t) for t in words if not any(c.isdigit() for c in t)}


def on_topic(question: str, answer: str, backing: str) -> bool:
    """Whether the answer, or the passage sentences behind it, speak of what the question asks
    about: at least one of its `topic_words`. "Why did Canada summon the Russian ambassador?"
    answered with a sentence about training soldiers in England, backed by a passage sentence
    about the same, answers another question, however well its citation checks out."""
    topic = topic_words(question)
    if topic and topic <= _MONEY and CURRENCY.search(f"{answer} {backing}"):
        return True  # "how much money", nothing else asked: "6 million Canadian dollars" says how much
    return not topic or bool(topic & (_stems(answer) | _stems(backing)))


def unspoken_ask(asks: Sequence[str], answer: str) -> str:
    """The ask of a question of two (its clauses, `rag.compound.two_asks`) whose own topic words,
    those the other ask lacks, the answer never uses; "" when it speaks of each. "Which weapon hit
    the apartment building, and which one hit the rehabilitation centre?" answered only with what
    hit the centre read as the whole answer (holdout11 q008). An ask with no topic word of its own
    ("..., and by June 2024?") is not judged, nor one with a single word of its own: "what is it
    going to work on" is answered "to design the repair of two substations" (holdout11 q021)."""
    topics = [topic_words(ask) - _TENSE for ask in asks]
    said = _stems(answer)
    for i, ask in enumerate(asks):
        own = topics[i] - set().union(*(t for j, t in enumerate(topics) if j != i))
        if len(own) >= 2 and not own & said:
            return ask
    return ""


_TENSE = frozenset({"go"})  # "what is it going to work on": a tense, not what is asked about


# "How much money did Canada give ...?" is about money; an answer names an amount in a currency
# instead ("C$6 million", "6 million Canadian dollars", "4 million euros"). Only when money is all
# the question asks about: "how much money for the power grid" is about the grid too.
_MONEY = frozenset({"money", "fund", "cash"})
# A currency sign or name: an amount of money
CURRENCY = re.compile(r"[$€£¥₽₴]|\b(?:dollars?|euros?|pounds?|roubles?|rubles?|hryvni?as?|yen|francs?|dollari|"
                      r"dólar(?:es)?|dolar|rupiah|cad|usd|eur)\b", re.IGNORECASE)


_DATE_ASKED = re.compile(r"^\s*(?:and\s+)?(?:when\b|(?:on|in)\s+(?:what|which)\s+(?:date|day)\b|what\s+(?:date|day)\b)",
                         re.IGNORECASE)
_TITLE_WORDS = frozenset("""prime minister president foreign affairs secretary ambassador general spokesperson
    chancellor premier chief date day""".split())


# A change in someone's standing: rarely the news of the day a report is dated.
_STANDING = re.compile(r"\b(?:become|became|elected|appointed|named|sworn|took office|take office|born|died|"
                       r"resigned)\b", re.IGNORECASE)


def asks_date_of_standing(question: str) -> bool:
    """Whether the question asks when someone's standing changed ("On what date did Carney become
    prime minister?", "When was she appointed?"): the day a report is dated is then seldom the answer."""
    return _DATE_ASKED.match(question) is not None and _STANDING.search(question) is not None


def event_backed(question: str, backing: str) -> bool:
    """Whether the passage sentence behind a date names what the question asks the date of: one
    of its topic words other than titles ("prime minister") and "date". "Prime Minister Mark Carney
    announced on Tuesday, June 17, 2025, ..." gives the date of an announcement, not of Carney
    becoming prime minister."""
    topic = topic_words(date_clause(question)) - {_stem(w) for w in _TITLE_WORDS}
    return not topic or bool(topic & _stems(backing))


_SECOND_PART = re.compile(r"[,;]\s*and\s+|\?\s+", re.IGNORECASE)


def date_clause(question: str) -> str:
    """The part of the question that asks the date: "On what date did Carney become prime minister,
    and in which year will NATO review the target?" asks it of Carney's becoming prime minister,
    and NATO's words in the second part back no date for it."""
    return _SECOND_PART.split(question, maxsplit=1)[0]


@functools.cache
def _stemmer() -> Any:
    from nltk.stem.snowball import EnglishStemmer  # Snowball rules, no data files to fetch

    return EnglishStemmer()


# Past forms a stemmer cannot join to their verb ("met" is "meet"): the common ones of news reports.
_IRREGULAR = {past: verb for verb, forms in {
    "meet": "met", "tell": "told", "give": "gave given", "take": "took taken", "come": "came", "speak": "spoke spoken",
    "write": "wrote written", "hold": "held", "send": "sent", "bring": "brought", "begin": "began begun",
    "leave": "left", "make": "made", "know": "knew known", "see": "saw seen", "win": "won", "lose": "lost",
    "fight": "fought", "pay": "paid", "buy": "bought", "sell": "sold", "strike": "struck stricken", "shoot": "shot",
    "lead": "led", "rise": "rose risen", "fall": "fell fallen", "fly": "flew flown", "flee": "fled", "seek": "sought",
    "keep": "kept", "freeze": "froze frozen", "drive": "drove driven", "break": "broke broken",
    "choose": "chose chosen", "forbid": "forbade forbidden", "withdraw": "withdrew withdrawn",
    "undertake": "undertook undertaken",
    "become": "became",
    "think": "thought", "find": "found", "build": "built", "spend": "spent", "grow": "grew grown", "go": "went gone",
}.items() for past in forms.split()}
# ... and words news reports spell two ways
_IRREGULAR |= {"advisor": "adviser", "advisors": "advisers"}
# ... and the one who speaks for someone: "Who spoke for Baird's office?" is answered by "a spokesperson for Baird"
_IRREGULAR |= dict.fromkeys("spokesperson spokespersons spokespeople spokesman spokesmen spokeswoman spokeswomen"
                            .split(), "speak")


@functools.cache
def _stem(word: str) -> str:
    return str(_stemmer().stem(_IRREGULAR.get(word, word)))


def load_stemmer() -> None:
    """Import the stemmer now (nltk takes ~0.3-0.5 s to import) rather than in a reader's first answer."""
    _stem("warm")


# Words of a question that say how it asks, not what: an answer may repeat them unbacked
_ECHO_FRAMING = frozenset(_stem(w) for w in _FRAMING | {"latest", "recent", "newest", "count", "tally", "updated"})


def _stems(text: str) -> set[str]:
    """Content words by their (English Snowball) stem: "pledge" and "pledged" are one word, so are
    "summons" and "summoned"; stricter than a shared prefix, which would take "repaid" for "repair"."""
    return {_stem(t) for t in content_tokens(text) if not any(c.isdigit() for c in t)}


def support(claim: str, passage_text: str) -> float:
    """Share of the claim's content (by weight) that appears in the passage: 0 to 1."""
    return Vocabulary(passage_text).support(claim)


def anchors(text: str) -> set[str]:
    """Numbers and proper names (capitalised words after the first): what survives translation."""
    words = _WORD.findall(text)
    return {w.lower() for i, w in enumerate(words) if any(ch.isdigit() for ch in w) or (i > 0 and w[:1].isupper())}


def shares_anchor(claim: str, passage_text: str) -> bool:
    """Whether a claim and a passage in another language name at least one same number or name."""
    wanted = anchors(claim)
    if not wanted:
        return True  # nothing to check by: the model's choice stands
    have = " " + " ".join(w.lower() for w in _WORD.findall(passage_text)) + " "
    return any(f" {w} " in have for w in wanted)


# A full stop after a title or an initial ends no sentence: "a déclaré M. Harper", "Mr. Blinken",
# "J. Le Drian" (one capital after a space, a bracket or a quote: the last stop of "U.S." still ends one).
_TITLES = ("Mr", "Mrs", "Ms", "Dr", "St", "Mme", "Mlle", "Prof", "Gen", "Sen", "Rep", "Gov", "Lt", "Col", "Sgt",
           "Hr", "Sig", "Dott")
_NOT_AN_END = "".join(rf"(?<!\W{title})(?<!^{title})" for title in _TITLES) + r"(?<![\s(\"“«][A-Z])(?<!^[A-Z])"
_SENTENCE_END = re.compile(_NOT_AN_END + r"[.!?。]++(?:\s*+\[[^\[\]]*+\])*(?=\s|$)")


def split_sentences(text: str) -> list[str]:
    """Sentences with any citations that trail their full stop kept attached.

    A stop counts only before white space, so "4.5" and "U.S.-led" stay whole. A line break
    ends a sentence too: a headline has no full stop, and the model lists answers one per line
    ("Toronto, Ontario [1]" / "Kyiv, Ukraine [3]."), where read as one sentence the two lines'
    names ran together into one name no passage holds.
    """
    out = []
    for line in text.split("\n"):
        start = 0
        for match in _SENTENCE_END.finditer(line):
            out.append(line[start : match.end()])
            start = match.end()
        out.append(line[start:])
    return [s.strip() for s in out if s.strip()]


def best_sentence(texts: Iterable[str], claim: str, *, both_ways: bool = False,
                  ties: str = "") -> tuple[list[str], int]:
    """The sentences of the text that holds the sentence best backing `claim`, and its index
    (`[], -1` when there is none). `both_ways` also weighs how much of the sentence the claim
    holds, which prefers a short exact sentence to a long one that merely contains the claim.
    Sentences backing the claim equally are told apart by how much of `ties` they hold: a terse
    "Kyiv" is backed by every sentence naming Kyiv, and the question says which one answers."""
    found: tuple[list[str], int] = ([], -1)
    best = (-1.0, -1.0)
    for text in texts:
        sentences = split_sentences(text)
        for k, sentence in enumerate(sentences):
            score = support(claim, sentence) + (support(sentence, claim) if both_ways else 0.0)
            # the tie-break only matters to a sentence that could tie or beat the best so far
            rank = (score, support(ties, sentence) if ties and score >= best[0] else 0.0)
            if rank > best:
                best, found = rank, (sentences, k)
    return found
