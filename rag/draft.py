"""The model's answer checked sentence by sentence as it streams (`Draft`), before anyone sees
it: citations checked (`rag.citations`), every number, name and date against the passages it
cites (`rag.grounding`), quotations against their speaker (`rag.quotes`), and abstention
recognised.

Nothing here does I/O, so every rule that decides what a user sees (when an answer is shown,
when the bot has abstained) is a plain function with plain tests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from rag.casualties import asked_fate, fate_in_source, fates, other_fate
from rag.citations import CitationChecker, CitationRenumberer, cited_to
from rag.compound import asks_two, two_asks
from rag.confidence import TokenLog, unsure
from rag.events import summits_missing
from rag.grounding import (
    LEDE,
    PinVocabulary,
    added_given,
    article_text,
    asks_cost,
    asks_how_long,
    asks_money,
    asks_newest,
    asks_quantity,
    asks_total,
    asks_when,
    cost_backed,
    counted_kinds,
    counted_nouns,
    counts_what_was_asked,
    date_named,
    distinctive,
    figure_dated_elsewhere,
    figures_asked,
    foreign_count_word,
    foreign_counted_nouns,
    gives_money,
    gives_names,
    gives_time,
    kinds_counted,
    later_than_asked,
    missing_pins,
    new_content,
    numbers,
    numbers_beside,
    places_asked,
    places_compared,
    published_in,
    recalled_event,
    report_day_named,
    reported_before,
    running_totals_given,
    running_totals_unasked,
    spans_between_events,
    unbacked,
    unbacked_names,
)
from rag.language import detect
from rag.prompts import ABSTAIN_TEXT, CITATION, MODEL_ABSTAIN
from rag.quotes import misattributed, speaker_unnamed, words_asked_of
from rag.reasons import asks_reason_too, gives_reason
from rag.relative_dates import resolved
from rag.rerank import fold, pins
from rag.roles import (
    asked_role,
    asks_city,
    asks_for_person,
    asks_who,
    named_as,
    names_only_countries,
    names_someone,
    people_named,
)
from rag.schema import Citation, Passage
from rag.superseded import asks_earlier, asks_final, asks_updated, final_unbacked, only_preliminary, replaced_given
from rag.wording import (
    asked_verb_unbacked,
    asks_date_of_standing,
    best_sentence,
    content_tokens,
    echo_backed,
    event_backed,
    on_topic,
    own_words,
    own_words_unbacked,
    restated_half,
    split_sentences,
    topic_words,
    unspoken_ask,
)

_NAME_ASKED = re.compile(r"\b(?:what|which|who|whom|where)\b")  # an ask for a thing or person by name
TIE_MIN = 0.5  # share of an uncited sentence's own words (not the question's) a passage must hold to be cited
TERSE_WORDS = 2  # an answer of this many content words or fewer is a bare name or number


def may_be_abstention(text: str) -> bool:
    """True while streamed text is (the start of) the model's fixed "I don't know." sentence."""
    head = text.lstrip().lower().replace("’", "'")
    target = MODEL_ABSTAIN.lower()
    return target.startswith(head) or head.startswith(target)



def comparable(answer: str, passages: Sequence[Passage]) -> list[bool]:
    """Whether each passage, as the model read it, is in the answer's language, so that word
    overlap can judge a citation of it. Unknown languages count as comparable."""
    answer_language = detect(answer)
    out = []
    for p in passages:
        language = "" if p.translation else (p.language or detect(p.text))
        out.append(not answer_language or not language or language == answer_language)
    return out


def finalize(raw: str, passages: Sequence[Passage], question: str = "") -> tuple[str, bool, list[Citation]]:
    """Decide the user-visible answer from the whole model output (see `Draft`, which does the
    same while the answer streams)."""
    draft = Draft(question, passages)
    draft.feed(raw)
    draft.finish()
    return draft.result()


def joined_decimals(text: str) -> str:
    """"1. 4 million" as "1.4 million": the small model sometimes writes a decimal that way, and
    split there, "about 1." became a sentence whose "1" passed the number check."""
    return re.sub(r"(?<=\d)\. (?=\d)", ".", text)


_SPLIT_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3}), (\d{3})(?=[^\d]|$)")


def joined_thousands(text: str, known: set[str], final: bool = False) -> str:
    """"3, 300 individuals" as "3,300 individuals" when the passages hold 3300: the small model
    sometimes puts a space after a thousands separator, and the two halves then fail the number
    check although the answer is right. Joined only when the joined number is in `known` (so
    "On March 3, 300 troops" stays as written unless a passage says 3,300). While the text is
    still streaming (`final` False) a group at the very end waits: the next token may add a digit."""
    def join(match: re.Match[str]) -> str:
        whole = match.group(1) + match.group(2)
        at_end = match.end() == len(text)
        return f"{match.group(1)},{match.group(2)}" if whole in known and (final or not at_end) else match.group(0)

    return _SPLIT_THOUSANDS.sub(join, text)


class Draft:
    """A model answer checked sentence by sentence as it streams; what it releases is final.

    Each complete sentence gets its citations checked (`check_citations`), must have every
    number backed by a passage it cites (`rag.grounding`), and is renumbered by first use. Nothing
    is released until the passages cited so far contain what the question pins down (its names,
    places and dates): an answer from the near-duplicate report of another year or summit is
    never shown. So the reader sees one answer, exactly the one returned, never a draft that is
    then taken back. An answer that starts as the model's "I don't know.", cites nothing, or never
    satisfies the question's pins is an abstention, shown as the fixed sentence.

    `language`: the question's. With `translate`, a sentence citing a passage in another language
    (read without a translation) stops the draft unreleased with `wants_translation` set, so the
    caller can ask again over a translation before the reader has seen anything.
    """

    def __init__(self, question: str, passages: Sequence[Passage], language: str = "", translate: bool = False,
                 articles: Mapping[str, str] | None = None) -> None:
        self.question = question
        self.hint = ""  # a line the prompt adds after the question (`rag.prompts.answer_hint`); not checked against
        self.passages = list(passages)
        self.articles = articles or {}  # whole article texts by doc_id, for the question's names
        self.texts = [p.translation or p.text for p in self.passages]
        self.language = language
        self.translate = translate and bool(language)
        self.raw = ""
        self._pending = ""
        self._renumberer = CitationRenumberer(len(self.passages))
        self._held: list[str] = []
        self.shown: list[str] = []
        self.released = False
        self.wants_translation = False
        self.dropped: list[str] = []  # sentences not shown, with why (for evaluation and logs)
        self._checker: CitationChecker | None = None
        # a passage's numbers, and its report's year: "on Friday, February 16" in a report of
        # 2024-02-19 is "February 16, 2024" in an answer
        self._numbers = [numbers(t) | ({p.published[:4]} if p.published[:4].isdigit() else set())
                         for t, p in zip(self.texts, self.passages, strict=True)]
        self._known = set().union(*self._numbers)  # every passage's numbers: what a split one may join into
        self._question_numbers = numbers(question)
        self._pins_checked: tuple[int, ...] = ()
        self._wants_money = asks_money(question)  # "how much aid": no answer without an amount of money
        self._wants_cost = asks_cost(question)  # "how much did it cost": ... given as a cost (`cost_backed`)
        # "how many", "what was the value of": no answer without a number
        self._wants_number = asks_quantity(question) or self._wants_money
        # ... of the thing it counts ("vessels", not "individuals"; "blessés", not the dead)
        self._counted = counted_nouns(question) or foreign_counted_nouns(question)
        self._count_word = frozenset() if self._counted else foreign_count_word(question)  # see `_counted_in`
        self._asked = PinVocabulary([question])  # names the answer may repeat from the question
        self._backing: dict[tuple[int, ...], PinVocabulary] = {}  # ... and those near each set of cited passages
        self._totals = asks_total(question)  # ... and a running total only when the question asks for one
        self._earlier_figures = asks_earlier(question)  # ... and a figure an update replaced, only when asked
        self._newest = asks_newest(question)  # "most recently": no older event the newest report recalls
        self._final = asks_final(question)  # "the final toll": a figure some cited report gives as final
        self._updated = asks_updated(question) and not self._earlier_figures  # "the updated toll": not a first count
        pinned = pins(question)
        self._dates = pinned.dates  # the years (months) it names: the answer's sentence must be about them
        self._days = sorted(pinned.days)  # whole days: no sentence from a report of before (`_earlier`)
        # "Who will Joly see in Brussels?": a question whose only topic is a place (`_places_ok`)
        places = places_asked(question)
        self._places = places if places and not topic_words(question) else []
        self._compared = places_compared(question)  # "at the G7 in Kananaskis and at the G7 in Évian"
        self._asks_date = asks_date_of_standing(question)  # "when did X become": see `_dateline_ok`
        self._speaker = words_asked_of(question)  # "what did Stepanov say": see `_speaker_ok`
        self._role = asked_role(question)  # "which spokesperson": the person named must be one in the passages
        self._wants_person = asks_for_person(question)  # "which leaders": ... and someone must be named
        self._wants_city = asks_city(question)  # "in which city": a country alone does not answer it
        self._gave_number = False
        self._kinds = counted_kinds(question)  # "how many individuals and entities": a number for each
        self._fate = asked_fate(question) if self._wants_number else ""  # the wounded, not the dead
        self._toll_fate = asked_fate(question)  # ... "what was the death toll" asks it without "how many"
        self._kinds_given: set[int] = set()
        # "how long ..., and how long ...?": as many figures as the question asks for (one alone is
        # half the answer); a single ask is the business of `_wants_number`
        figures = figures_asked(question)
        self._figures_wanted = figures if figures > 1 else 0
        self._figures_given: set[str] = set()
        self._wants_time = asks_when(question)  # "when did ...": no answer without a date or time
        self._how_long = asks_how_long(question)  # "how long did it last": no gap between two events for a length
        self._wants_name = asks_who(question)  # "who received ...": no answer naming no one the question does not
        self._gave_name = False
        self._wants_reason = asks_reason_too(question)  # "..., and why?": no answer without a reason
        self._gave_reason = False
        self._asked_years = {str(year) for year, _ in self._dates}  # ... the question's own year places nothing
        self._gave_time = False
        self._restated = 0  # sentences dropped because they only restated the question
        self._sentences = 0  # sentences checked so far
        # "..., and how long did the meeting last?": held to the end, and withheld if any sentence
        # was dropped for stating what its passages lack (the half left would read as the answer)
        self._two_asks = asks_two(question)
        # ... and, of two clauses that each ask for something by name, each must be spoken of
        # (`_asks_ok`); a figure asked for is the figure checks' (`_figures_wanted`)
        asks = two_asks(question)
        self._asks = asks if asks and all(_NAME_ASKED.search(fold(a)) and not re.search(r"\bhow\b", fold(a))
                                          for a in asks) else None
        # ... and when one of the two asks for a thing by name ("What gear did Harper promise, and how
        # much was it worth?"), the answer must say something the question did not: the gear's worth
        # beside the question's own "non-lethal military gear" answers half of it
        self._names_asked = self._two_asks and _NAME_ASKED.search(fold(question)) is not None
        self._own_given = False
        self._restated_half: str | None = None  # ... or a clause of it says only what the question did
        self._faults = 0
        self._finishing = False
        self.false_start = False  # the first sentence stated what its passages lack (`_fault`)
        self._withheld = "the answer does not stand on what it cites"  # why the last check held it back
        self._tokens = TokenLog()  # how sure the model was of each piece it wrote (`rag.confidence`)

    @property
    def stopped(self) -> bool:
        return self.wants_translation or self.abstaining or self.false_start

    @property
    def abstaining(self) -> bool:
        head = self.raw.strip()
        return bool(head) and not self.released and head.lower().startswith(MODEL_ABSTAIN.lower().rstrip("."))

    def feed(self, delta: str, logprob: float | None = None) -> str:
        """Take more model text (with the model's log-probability of it, when the server sends
        one); return what may be shown now."""
        self._tokens.add(len(self.raw), delta, logprob)
        self.raw += delta
        if self.stopped:
            return ""
        self._pending = joined_thousands(joined_decimals(self._pending + delta), self._known)
        sentences = split_sentences(self._pending)
        if len(sentences) < 2 or may_be_abstention(self.raw):
            return ""
        # the last sentence stays pending as written: stripped, "The " + "Kremlin" became "TheKremlin"
        complete, self._pending = sentences[:-1], self._pending[self._pending.rfind(sentences[-1]):]
        return "".join(self._take(s) for s in complete)

    def finish(self) -> str:
        """The model is done: check the last sentence; return what may be shown now."""
        rest, self._pending = joined_thousands(self._pending, self._known, final=True), ""
        self._finishing = True
        if self.stopped:
            return ""
        held = len(self._held)
        out = "".join(self._take(s) for s in split_sentences(rest)) if rest.strip() else ""
        if self._two_asks and not self.released and len(self._held) == held and held and not self.stopped:
            out += self._try_release()  # held to the end (`_two_asks`), and no last sentence taken decided it
        return out

    def _take(self, sentence: str) -> str:
        if self.stopped:
            return ""
        checked = self._checked(sentence)
        if checked is None:
            return ""
        out = self._renumberer.feed(checked + " ") + self._renumberer.finish()
        if self.released:
            self.shown.append(out)
            return out
        self._held.append(out)
        self._gave_time = self._gave_time or gives_time(checked, self._asked_years)
        self._gave_name = self._gave_name or (self._wants_name and names_someone(CITATION.sub("", checked),
                                                                                  self.question, self._asked))
        self._gave_reason = self._gave_reason or gives_reason(CITATION.sub("", checked))
        self._kinds_given |= kinds_counted(checked, self._kinds, self._question_numbers)
        self._figures_given |= numbers(CITATION.sub("", checked)) - self._question_numbers
        self._own_given = self._own_given or any(len(w) > 1 for w in own_words(self.question,
                                                                                CITATION.sub("", checked)))
        if self._names_asked and self._restated_half is None:
            self._restated_half = restated_half(self.question, CITATION.sub("", checked))
        if self._two_asks and not self._finishing:
            return ""  # a question of two asks: decided once the whole answer is in (`finish`)
        return self._try_release()

    @property
    def _held_claim(self) -> str:
        """The sentences held back so far, as one text without their citation marks."""
        return CITATION.sub("", " ".join(self._held))

    def _try_release(self) -> str:
        """Release the held sentences if, together, they answer the question from what they cite."""
        order = tuple(self._renumberer.order)
        if self._two_asks and (self._faults or (self._names_asked and (not self._own_given or self._restated_half))):
            return ""
        if not order or (order == self._pins_checked and not self._gave_number) or (
                self._wants_number and not self._gave_number) or (self._wants_time and not self._gave_time) or (
                self._wants_name and not self._gave_name) or (self._wants_reason and not self._gave_reason) or (
                len(self._kinds_given) < len(self._kinds)) or len(self._figures_given) < self._figures_wanted:
            return ""  # nothing new to decide (and no repeated work), or no number yet for "how many"
        self._pins_checked = order
        cited = [self.passages[i] for i in order]
        if self.translate and any((p.language or detect(p.text)) not in ("", self.language) and not p.translation
                                  for p in cited):
            self.wants_translation = True
            return ""
        if (not missing_pins(self.question, cited, self.language, self.articles, self.passages)
                and self._echo_ok(order) and self._quotes_ok(order) and self._speaker_ok(order)
                and self._dates_ok(order)
                and self._places_ok(order) and self._summits_ok(order) and self._topic_ok(order) and self._asks_ok()
                and self._dateline_ok(order) and self._span_ok(order) and self._earlier_ok(order)
                and self._compared_ok(order)
                and self._sure()):
            self.released = True
            self.shown, self._held = self._held, []
            return "".join(self.shown)
        return ""

    def _checked(self, sentence: str) -> str | None:
        """The sentence with checked citations (model numbering), or None when it must not be shown."""
        self._sentences += 1
        if self._checker is None:  # the answer's language decides which passages words can judge
            self._checker = CitationChecker(self.texts, comparable(sentence, self.passages))
        marks = [int(n) for m in CITATION.finditer(sentence) for n in re.findall(r"\d+", m.group(1))]
        if marks and not any(1 <= n <= len(self.passages) for n in marks):
            sentence = CITATION.sub("", sentence)  # "16,000 [3]" over one passage: judged as left uncited
        tie = None if CITATION.search(sentence) else self._tied(sentence)
        checked = self._checker.check(sentence if tie is None else cited_to(sentence, [tie + 1]))
        if tie is None and CITATION.search(sentence) and not CITATION.search(checked):
            checked = self._retied(sentence, checked, marks)
        claim = CITATION.sub("", checked)
        cited = [int(n) - 1 for m in CITATION.finditer(checked) for n in re.findall(r"\d+", m.group(1))]
        have = set().union(self._question_numbers, *(self._numbers[i] for i in (cited or range(len(self.texts)))))
        missing = unbacked(claim, have)
        moved = self._recited(claim, cited) if missing and cited else None
        if moved:  # the model cited the wrong passage of those it was given, or one of two it needed
            checked, cited, missing = cited_to(claim, [i + 1 for i in moved]), moved, set()
        if missing:
            self._fault(f"numbers {sorted(missing)} not in the cited passages: {claim.strip()[:200]}")
            return None
        names = self._unbacked_names(claim, cited)
        if names:
            self._fault(f"names {names} not in the cited passages: {claim.strip()[:200]}")
            return None
        earlier = self._earlier(cited) if self.released else ""  # before: `missing_pins` withholds, and retries
        if earlier:
            self._fault(f"cites a report from before {earlier}, the day the question names: {claim.strip()[:200]}")
            return None
        recalled = recalled_event(claim, [self.passages[i] for i in cited if 0 <= i < len(self.passages)]) \
            if self._newest else ""
        if recalled:  # "when was he most recently summoned?": not the older summons the newest report recalls
            self._fault(f"dates its event to {recalled}, well before the newest report it cites: {claim.strip()[:200]}")
            return None
        cited_texts = [self.texts[i] for i in cited if 0 <= i < len(self.texts)]
        elsewhere = figure_dated_elsewhere(claim, self.question, cited_texts)
        if elsewhere:  # "how many in October 2024?": not the "54 in April 2023" the report recalls
            self._fault(f"gives {elsewhere}, which the cited passages date to another month than the question's: "
                        f"{claim.strip()[:200]}")
            return None
        wrong_role = self._not_in_role(claim, cited)
        if wrong_role:
            self._fault(f"names {wrong_role} not beside the role asked about ({'/'.join(self._role) or 'a person'}) "
                        f"in the cited passages: {claim.strip()[:200]}")
            return None
        if self._wants_city and names_only_countries(claim, self._asked):
            self._fault(f"names a country where a city is asked: {claim.strip()[:200]}")
            return None
        if not new_content(claim, self.question):
            self.dropped.append(f"restates the question: {claim.strip()[:200]}")
            self._restated += 1
            return None
        words = self._unbacked_words(claim, cited)
        if words:
            self._fault(f"words {words} not in the cited passages: {claim.strip()[:200]}")
            return None
        if not self._sentence_on_topic(claim, cited):
            self.dropped.append(f"speaks of nothing the question asks about: {claim.strip()[:200]}")
            return None
        given = numbers(claim) - self._question_numbers  # the numbers this sentence adds
        other = other_fate(claim, self._fate) if given else ""
        if other:  # "13 people died later in hospital" for "how many were wounded" (`rag.casualties`)
            self._fault(f"a count of the {other} where the {self._fate} are asked: {claim.strip()[:200]}")
            return None
        counted, backing = self._counted_in(cited)  # what the question counts, and where to read counts of it
        # a count the cited passages give only as a running total, when the question asks what one
        # event brought (`running_totals_given`)
        totals = (running_totals_given(claim, counted, self._question_numbers, backing)
                  if backing and not self._totals else set())
        if not counted and self._wants_number and not self._wants_money and not self._totals:
            # a question in a language without a table of counted nouns (`running_totals_unasked`)
            totals = running_totals_unasked(claim, self._question_numbers,
                                            [t for i in cited if 0 <= i < len(self.passages)
                                             for t in (self.passages[i].text, self.passages[i].translation)])
        if totals:
            self._fault(f"running totals {sorted(totals)} given as the count asked: {claim.strip()[:200]}")
            return None
        # read in the originals: a translation made for the reader may turn "raised to 63 from 48" around
        replaced = set() if self._earlier_figures else replaced_given(
            claim, [self.passages[i].text for i in cited if 0 <= i < len(self.passages)], self._question_numbers)
        if replaced:
            self._fault(f"figures {sorted(replaced)} the cited report gives as replaced by newer ones: "
                        f"{claim.strip()[:200]}")
            return None
        wrong_figure = self._figure_not_asked(claim, cited, given) if given else ""
        if wrong_figure:
            self._fault(f"{wrong_figure}: {claim.strip()[:200]}")
            return None
        if self._wants_cost and gives_money(claim) and not cost_backed(claim, cited_texts):
            self._fault(f"an amount the cited passages do not give as a cost: {claim.strip()[:200]}")
            return None
        if given and (not self._wants_money or gives_money(claim)) and (
                not counted or counts_what_was_asked(claim, counted, self._question_numbers, backing, self._totals)):
            self._gave_number = True
        return checked

    def _tied(self, claim: str) -> int | None:
        """The passage to cite for a sentence the model left uncited, judged on what it adds to the
        question: "According to the latest count in the articles, 23 people were killed in the
        strike" is mostly the question's words, so no passage shares enough of it to be given the
        citation, yet its one fact, 23, is in one report's passage. The passages that hold every
        number the sentence adds and most of its own words, when they are all of one report (a
        near-duplicate holding them too makes the tie a guess); the citation check and every
        later check then judge the sentence as if the model had cited it."""
        if self._checker is None or self._checker.ties_uncited(claim):
            return None  # a passage shares enough of the sentence as it stands: the citation check ties it
        asked = set(content_tokens(self.question))
        own = " ".join(t for t in content_tokens(claim) if t not in asked and not any(c.isdigit() for c in t))
        figures = numbers(claim) - self._question_numbers
        if not figures and not own:
            return None
        vocabularies = self._checker.vocabularies
        fits = [i for i in range(len(self.passages)) if self._checker.comparable[i] and figures <= self._numbers[i]
                and (not own or vocabularies[i].support(own) >= TIE_MIN)]
        if not fits or len({self.passages[i].doc_id for i in fits}) > 1:
            return None
        return max(fits, key=lambda i: vocabularies[i].support(claim))

    def _retied(self, sentence: str, checked: str, marks: Sequence[int]) -> str:
        """`sentence` tied to another passage of the report it cited, when the citation check took
        its marks away: "11 [2]" marks the passage beside the one with the eleven standing ovations,
        and a bare number shares no word with either (holdout6 y001). Tied as an uncited sentence is
        (`_tied`), and only within the cited report (`marks`: the model's, 1-based); else `checked`
        as the check left it."""
        bare = CITATION.sub("", sentence)
        reports = {self.passages[n - 1].doc_id for n in marks if 1 <= n <= len(self.passages)}
        tie = self._tied(bare)
        if tie is None or self.passages[tie].doc_id not in reports or self._checker is None:
            return checked
        return self._checker.check(cited_to(bare, [tie + 1]))

    def _recited(self, claim: str, cited: Sequence[int]) -> list[int]:
        """The passages (0-based) to cite instead of `cited` for a claim whose numbers the cited
        passages lack: one of the same report that holds every number of the claim and backs
        its words; else the cited ones and one more of the same report that hold them together
        ("23 entities, and C$22 million for heating units" from two passages of one report). A
        small model handed a report's passages side by side often gives the number of one and the
        mark of its neighbour; another report holding the number is left alone (that is a
        near-duplicate's figure, the mix the checks exist to stop). Empty when none does."""
        order = [i for i in cited if 0 <= i < len(self.passages)]
        reports = {self.passages[i].doc_id for i in order}
        if self._checker is None or not order:
            return []
        same = [i for i, p in enumerate(self.passages) if i not in order and p.doc_id in reports]
        holding = [i for i in same if not unbacked(claim, self._question_numbers | self._numbers[i])]
        alone = self._checker.backing(claim, holding) if holding else None
        if alone is not None:
            return [alone]
        have = self._question_numbers.union(*(self._numbers[i] for i in order))
        completing = [i for i in same if not unbacked(claim, have | self._numbers[i])]
        if not completing:
            return []
        best = self._checker.backing(claim, completing)  # the later checks judge the words of both
        return sorted({*order, completing[0] if best is None else best})

    def _earlier(self, cited: Sequence[int]) -> str:
        """The day the question names (YYYY-MM-DD) that a passage this sentence cites was reported
        before, without naming it; "" when none. Checked for the sentences after the answer was
        released: an answer from the update of August 29 goes on with a quotation from the first
        report of August 28, which the check on the whole answer had no chance to see. Before
        the release that check (`missing_pins`) holds the answer and asks again over the day's
        report, which a dropped sentence would not."""
        passages = [self.passages[i] for i in cited if 0 <= i < len(self.passages)]
        day = next((d for d in self._days if any(reported_before(p, d) for p in passages)), None)
        return f"{day[0]}-{day[1]:02d}-{day[2]:02d}" if day else ""

    def _fault(self, why: str) -> None:
        """Drop a sentence that states what its passages lack. When it is the answer's first, the
        whole answer goes: the rest leans on it ("The most recent summit is the one in Vilnius
        on July 11, 2023." dropped for its date, then "The summit was chaired by Jens
        Stoltenberg [1]." would answer for the wrong summit)."""
        self.dropped.append(why)
        self._faults += 1
        if self._sentences == 1:
            self.false_start = True

    def _figure_not_asked(self, claim: str, cited: Sequence[int], given: set[str]) -> str:
        """Why the figures `claim` gives (`given`) are not the one the question asks for, read in
        the cited passages and, where a report says it apart from the figure, the whole report:
        another fate's count, what one event added where the total is asked, a preliminary count
        for the updated one, an interim one for the final one; "" when none of these."""
        indices = [i for i in cited if 0 <= i < len(self.passages)]
        texts = [t for i in indices for t in (self.passages[i].text, self.texts[i])]
        reports = [t for i in indices for t in (self.articles.get(self.passages[i].doc_id) or self.passages[i].text,
                                                self.texts[i])]
        if fates(claim) <= {self._toll_fate}:  # "the death toll was 92", where the report's 92 are the injured
            other = next((f for n in sorted(given) if (f := fate_in_source(n, self._toll_fate, texts))), "")
            if other:
                return f"a count of the {other} where the {self._toll_fate} are asked"
        added = added_given(claim, self._question_numbers, reports) if self._totals else set()
        if added:
            return f"counts {sorted(added)} of what one event added, where the total is asked"
        if self._updated and only_preliminary(reports):
            return "an updated figure asked, and the cited report gives only a preliminary one"
        if self._final and final_unbacked(texts):
            return "a final figure asked, and no cited report gives one as final"
        return ""

    def _unbacked_names(self, claim: str, cited: Sequence[int]) -> list[str]:
        """The claim's names found neither in the question nor near the passages it cites
        (`unbacked_names`); judged only where every such passage reads in the answer's language
        (another language spells names its own way)."""
        order = tuple(i for i in (cited or range(len(self.passages))) if 0 <= i < len(self.passages))
        if not order or not gives_names(claim) or not self._readable(order):
            return []
        if order not in self._backing:  # built once per set of cited passages, not per sentence
            self._backing[order] = PinVocabulary(t for i in order for t in article_text(self.passages[i],
                                                                                         self.articles))
        return unbacked_names(claim, self._asked, self._backing[order])

    def _not_in_role(self, claim: str, cited: Sequence[int]) -> list[str]:
        """The names the claim gives (not the question's) when none of them stands beside the role
        the question asks for in the cited passages or their articles around them (`rag.roles`),
        or ["no one"] when it names no person at all ("The Canadian ambassador in Moscow remained
        ..." answers no "which ambassador"); empty when the question asks for no role or a
        passage is not readable in the answer's language."""
        order = [i for i in (cited or range(len(self.passages))) if 0 <= i < len(self.passages)]
        if not self._wants_person or not order or not self._readable(order):
            return []
        names = people_named(claim, self._asked) if gives_names(claim) else []
        if not names:
            return ["no one"]
        if not self._role:
            return []
        texts = [t for i in order for t in article_text(self.passages[i], self.articles) if t]
        if any(named_as(g, self._role, texts) for g in names):
            return []
        return sorted(" ".join(sorted(g)) for g in names)

    def _unbacked_words(self, claim: str, cited: Sequence[int]) -> list[str]:
        """The few words a short sentence adds to the question's that its cited passages (or
        their titles) lack (`own_words_unbacked`); judged for English, where every cited passage
        reads in the answer's language (the stems are English)."""
        order = [i for i in cited if 0 <= i < len(self.passages)]
        if self.language not in ("", "en") or not order or not self._readable(order):
            return []
        return own_words_unbacked(self.question, claim,
                                  [t for i in order for t in (self.texts[i], self.passages[i].title) if t])

    def _readable(self, order: Sequence[int]) -> bool:
        """Whether every cited passage can be compared with the answer word for word (it is in the
        answer's language, or read in translation)."""
        checker = self._checker
        return checker is None or all(checker.comparable[i] for i in order)

    def _echo_ok(self, order: Sequence[int]) -> bool:
        """The question's words the answer repeats are in the passages it cites or their titles
        (`echo_backed`); judged for English answers citing English originals (a translation says
        "prohibited" where the question says "banned")."""
        cited = [self.passages[i] for i in order]
        if self.language not in ("", "en") or not self._readable(order) or any(p.translation for p in cited):
            return True
        answer, texts = self._held_claim, [t for p in cited for t in (p.text, p.title) if t]
        if not echo_backed(self.question, answer, texts):
            self._withheld = "the cited passages lack most of the question's words the answer repeats"
            return False
        # the verb and the name may sit anywhere in the cited report ("The summit was hosted by …");
        # its passage and title when the whole report is not at hand
        reports = [t for p in cited for t in ([self.articles[p.doc_id]] if p.doc_id in self.articles
                                              else [p.text, p.title]) if t]
        verb = asked_verb_unbacked(self.question, answer, reports)
        if verb:
            self._withheld = f"the cited passages never say who {verb}"
        return not verb

    def _quotes_ok(self, order: Sequence[int]) -> bool:
        """A quotation answering "what did X say" is X's in the cited report (`rag.quotes`); judged
        where the cited passages are in the answer's language (a translation quotes in other words)."""
        cited = [self.passages[i] for i in order]
        if not self._readable(order) or any(p.translation for p in cited):
            return True
        wrong = misattributed(self.question, self._held_claim,
                              [self.articles.get(p.doc_id) or p.text for p in cited])
        if wrong:
            self._withheld = f"the answer quotes {wrong[0][:80]!r}, not said by the person asked about"
        return not wrong

    def _speaker_ok(self, order: Sequence[int]) -> bool:
        """An answer to "what did X say" names X, or stands on passage sentences that do
        (`rag.quotes.speaker_unnamed`). Names read alike in every language: judged in translation
        and in the original too."""
        if not self._speaker:
            return True
        unnamed = speaker_unnamed(self._speaker, self._held_claim, self._behind(self._held_claim, order))
        if unnamed:
            self._withheld = (f"neither the answer nor the passage sentences behind it name {self._speaker}, "
                              "whose words the question asks for")
        return not unnamed

    def _topic_ok(self, order: Sequence[int]) -> bool:
        """The answer as a whole speaks of what the question asks about (`_speaks_of_question`);
        judged for English questions (the stems are English), translations included."""
        if self.language not in ("", "en") or self._speaks_of_question(self._held_claim, order):
            return True
        self._withheld = "neither the answer nor the passage sentences behind it speak of what the question asks"
        return False

    def _asks_ok(self) -> bool:
        """An answer to a question of two clauses asking for things by name speaks of each
        (`unspoken_ask`): one that speaks of the second alone reads as the whole answer. Judged for
        English questions, and answers longer than a bare name for each ask (those repeat no words
        to judge)."""
        if self._asks is None or self.language not in ("", "en") or \
                len(content_tokens(self._held_claim)) <= 2 * TERSE_WORDS:
            return True
        left = unspoken_ask(self._asks, self._held_claim)
        if left:
            self._withheld = f"the answer speaks of one ask of two only, not of {left.strip()[:80]!r}"
        return not left

    def _sentence_on_topic(self, claim: str, cited: Sequence[int]) -> bool:
        """Each sentence, not only the answer as a whole, speaks of what the question asks about.
        Once an answer was released, its later sentences were shown unjudged: "how many people of
        Ukrainian descent, according to A and according to B" answered for A, then "According to
        B, Canada will also send 800 drones [2]". Judged where the cited passages are readable."""
        order = [i for i in cited if 0 <= i < len(self.passages)]
        if self.language not in ("", "en") or not order or not self._readable(order):
            return True
        return self._speaks_of_question(claim, order)

    def _speaks_of_question(self, claim: str, order: Sequence[int]) -> bool:
        """`on_topic` over the claim and the passage sentences behind it. A terse answer ("Kyiv")
        is backed by its whole passage: the sentence naming the city may sit two sentences from
        the one naming the press conference asked about. A number answering "how many"/"how much"
        is judged by the passage sentences alone: "Canada pledged $39 million to help Ukraine export
        grain" echoes the question's topic around a figure its report gives for the power grid."""
        terse = len(content_tokens(claim)) <= TERSE_WORDS
        behind = " ".join(self.texts[i] for i in order) if terse else self._behind(claim, order, after=True)
        own_language = not self.language or all(self.passages[i].translation or self.passages[i].language in
                                                ("", self.language) for i in order)  # else no words in common
        by_passage = self._wants_number and not terse and own_language
        return on_topic(self.question, "" if by_passage else claim, behind)

    def _behind(self, claim: str, order: Sequence[int], after: bool = False, texts: Sequence[str] = ()) -> str:
        """The cited passages' sentence that best backs `claim`, with the one before it (and, with
        `after`, the one after it); from `texts` when given (the passages with their relative dates
        resolved), else as they read."""
        texts = texts or self.texts
        sentences, k = best_sentence((texts[i] for i in order), claim, ties=self.question)
        return " ".join(sentences[max(0, k - 1): k + 1 + after]) if k >= 0 else ""

    def _dates_ok(self, order: Sequence[int]) -> bool:
        """A year the question names, when no cited report is from then, must stand in the passage
        sentence that backs the answer or the one before it (where a report sets the scene). A 2025
        report's "the first G7 summit hosted by Canada since 2018, when leaders met in La Malbaie"
        holds the question's year and place, but its news is 2025's: an answer from it is not
        about 2018."""
        cited = [self.passages[i] for i in order]
        undated = [d for d in self._dates if not any(published_in(p, d) for p in cited)]
        if not undated or not self._readable(order):
            return True
        dated = [resolved(t, p.published) for t, p in zip(self.texts, self.passages, strict=True)]
        near = self._behind(self._held_claim, order, texts=dated)
        if all(date_named(near, d) for d in undated):
            return True
        self._withheld = "the passage sentence behind the answer is not about the year the question names"
        return False

    def _dateline_ok(self, order: Sequence[int]) -> bool:
        """A question asking when someone's standing changed (`asks_date_of_standing`), answered
        with the cited report's own date: the sentence behind it must speak of the event asked
        about (`event_backed`). A small model answers "On what date did Mark Carney become prime
        minister?" with the dateline of a report on something else he did as prime minister."""
        cited = [self.passages[i] for i in order]
        if not self._asks_date or not self._readable(order) or any(p.translation for p in cited):
            return True
        claim = self._held_claim
        if not any(report_day_named(claim, p.published) for p in cited):
            return True
        sentences, k = best_sentence((self.texts[i] for i in order), claim, ties=self.question)
        if event_backed(self.question, sentences[k] if k >= 0 else ""):
            return True
        self._withheld = "the answer gives the report's own date; the passage sentence behind it is of another event"
        return False

    def _places_ok(self, order: Sequence[int]) -> bool:
        """A question that names only people, a place and a light verb ("Who will Joly see in
        Brussels?") has no topic word for `_topic_ok` to judge: its place is what ties an answer to
        it. When the cited report is not from there (its title and opening do not name it), the
        place must be in the answer or the passage sentence that backs it. A report on Joly's trip
        to Ukraine names Brussels as the tour's last stop; its next sentence, on her meetings in
        Kyiv, does not answer for Brussels."""
        cited = [self.passages[i] for i in order]
        if not self._places or not self._readable(order) or any(p.translation for p in cited):
            return True
        claim = self._held_claim
        sentences, k = best_sentence((self.texts[i] for i in order), claim, ties=self.question)
        near = PinVocabulary([claim, sentences[k] if k >= 0 else ""])
        own = PinVocabulary(self._openings(cited))
        missing = [place for place in self._places
                   if not any(near.has_name(w) or own.has_name(w) for w in distinctive(place))]
        if missing:
            self._withheld = (f"the passage sentence behind the answer is not about {' '.join(sorted(missing[0]))}, "
                              "the place the question asks about")
        return not missing

    def _span_ok(self, order: Sequence[int]) -> bool:
        """An answer to "how long did it last" gives no span its passages write only as the time
        between two events (`spans_between_events`: "four days after ...")."""
        if not self._how_long:
            return True
        gaps = spans_between_events(self._held_claim, [self.texts[i] for i in order])
        if gaps:
            self._withheld = f"'{gaps[0]}' is the time between two events in the passage, not how long one lasted"
        return not gaps

    def _earlier_ok(self, order: Sequence[int]) -> bool:
        """An answer to a question about an earlier event ("before the one in Vilnius") gives no
        later one (`later_than_asked`: a year after its reports', the month it was to precede)."""
        later = later_than_asked(self._held_claim, self.question,
                                 [self.passages[i] for i in order])
        if later:
            self._withheld = f"the question asks what came before; the answer gives {later}, which did not"
        return not later

    def _compared_ok(self, order: Sequence[int]) -> bool:
        """A question about two places side by side (`places_compared`) is answered from a report
        from each: a cited passage, or a cited report's title or opening, names each. The Évian report's
        passing mention of last year's summit in Kananaskis does not give Kananaskis's figures
        (holdout9 j014: its 58 vessels were given for both)."""
        if not self._compared:
            return True
        cited = [self.passages[i] for i in order]
        own = PinVocabulary([*self._openings(cited), *(self.texts[i] for i in order)])
        missing = [place for place in self._compared if not any(own.has_name(w) for w in distinctive(place))]
        if missing:
            place = " ".join(sorted(missing[0]))
            self._withheld = f"no cited report is from {place}, one of the places the question compares"
        return not missing

    def _summits_ok(self, order: Sequence[int]) -> bool:
        """A question naming a summit ("the G20 summit of 2022") answered from reports on it: some
        cited report names it in its title or opening (`rag.events`), not only in passing."""
        missing = summits_missing(self.question, self._openings([self.passages[i] for i in order]))
        if missing:
            self._withheld = f"no cited report is on the {missing[0].upper()} summit the question asks about"
        return not missing

    def _openings(self, cited: Sequence[Passage]) -> list[str]:
        """The cited reports' titles and openings (`LEDE`), where a report says what it is about."""
        return [t for p in cited for t in (p.title, (self.articles.get(p.doc_id) or p.text)[:LEDE])]

    @property
    def certainty(self) -> float | None:
        """The mean log-probability of the answer's least sure words as the model wrote them
        (`rag.confidence`); None when the model's server sent none. Kept with the answer so that
        every evaluation run can be studied for where the certainty check's threshold should sit."""
        return self._tokens.least_sure(self.raw)

    def _sure(self) -> bool:
        """The model wrote the answer's least sure words surely enough (`rag.confidence`): a small
        model states a guess as fluently as a fact, but its own token probabilities drop where it
        guesses."""
        least_sure = self.certainty
        if not unsure(least_sure):
            return True
        self._withheld = (f"the model was unsure of its answer (mean log-probability {least_sure:.2f} of its "
                          "least sure words)")
        return False

    def _counted_in(self, cited: Sequence[int]) -> tuple[frozenset[str], list[str] | None]:
        """What the question counts, and the texts to read counts of it in. The known nouns are read
        in the cited passages (`_count_backing`). The question's own word for a thing no table knows
        (`foreign_count_word`) is read in the whole of each cited article that gives a number beside
        that word itself ("sus 24 marineros" two passages from the one cited): an article in another
        language, where the word cannot be found, is not judged."""
        if self._counted or not self._count_word:
            return self._counted, self._count_backing(cited) if self._counted else None
        order = [i for i in cited if 0 <= i < len(self.passages)]
        reports = sorted({self.passages[i].doc_id for i in order})
        whole = [self.articles.get(doc) or " ".join(self.passages[i].text for i in order
                                                    if self.passages[i].doc_id == doc) for doc in reports]
        using = [text for text in whole if numbers_beside(text, self._count_word)]
        return (self._count_word, using) if using else (frozenset(), None)

    def _count_backing(self, cited: Sequence[int]) -> list[str] | None:
        """The cited passages a count can be compared with word for word (in the answer's language),
        or None when there are none (a count then only needs the asked noun in the answer)."""
        readable = [self.texts[i] for i in (cited or range(len(self.texts)))
                    if 0 <= i < len(self.texts) and self._readable([i])]
        return readable or None

    @property
    def cited(self) -> list[Passage]:
        """The passages the checked sentences cite so far, in order of first citation."""
        return [self.passages[i] for i in self._renumberer.order]

    @property
    def off_the_question(self) -> bool:
        """Whether the answer was held back only because the passages it cites lack what the
        question pins down (its names, dates): worth one more try over passages that have them."""
        if self.released or self.wants_translation or not self._renumberer.order:
            return False
        return bool(missing_pins(self.question, self.cited, self.language, self.articles, self.passages))

    @property
    def withheld(self) -> bool:
        """Whether the model answered but the checks held its answer back (not an "I don't know",
        not waiting for a translation)."""
        return bool(self.raw.strip()) and not self.released and not self.wants_translation and not self.abstaining

    @property
    def only_restated(self) -> bool:
        """Whether the model answered with nothing but the question restated (every sentence it
        wrote was dropped for that, none for another reason): it did not find the answer in what
        it read, which with several long passages may sit unnoticed in the first."""
        return (self.withheld and not self._held and self._restated > 0
                and self._restated == len(split_sentences(self.raw)))

    def result(self) -> tuple[str, bool, list[Citation]]:
        """The final answer: exactly what was released, or the abstention."""
        if not self.released:
            if self._held and self._two_asks and self._faults:
                self.dropped.append(f"half of a question of two asks left unanswered: {' '.join(self._held)[:200]}")
            elif self._held and self._names_asked and not self._own_given:
                self.dropped.append(f"a question of two asks answered in its own words: {' '.join(self._held)[:200]}")
            elif self._held and self._restated_half:
                self.dropped.append(f"one ask of two answered in the question's own words: {self._restated_half[:200]}")
            elif self._held and len(self._figures_given) < self._figures_wanted:
                self.dropped.append(f"{self._figures_wanted} figures asked, {len(self._figures_given)} given: "
                                    f"{' '.join(self._held)[:200]}")
            elif self._held and self._wants_number and not self._gave_number:
                what = " or ".join(sorted(self._counted)) if self._counted else "anything"
                self.dropped.append(f"no count of {what} in the answer: {' '.join(self._held)[:200]}")
            elif self._held and len(self._kinds_given) < len(self._kinds):
                asked = fold(self.question)
                uncounted = [next((w for w in sorted(k) if w in asked), "") for i, k in enumerate(self._kinds)
                             if i not in self._kinds_given]
                self.dropped.append(f"no count of {' or '.join(uncounted)} in the answer: {' '.join(self._held)[:200]}")
            elif self._held and self._wants_time and not self._gave_time:
                self.dropped.append(f"no date or time in the answer to 'when': {' '.join(self._held)[:200]}")
            elif self._held and self._wants_name and not self._gave_name:
                self.dropped.append(f"no one named in the answer to 'who': {' '.join(self._held)[:200]}")
            elif self._held and self._wants_reason and not self._gave_reason:
                self.dropped.append(f"no reason in the answer to 'and why': {' '.join(self._held)[:200]}")
            elif self._held and not self.wants_translation and not self._renumberer.order:
                self.dropped.append("no sentence could be tied to a passage that backs it")
            elif self._held and not self.wants_translation:
                cited = [self.passages[i] for i in self._renumberer.order]
                missing = missing_pins(self.question, cited, self.language, self.articles, self.passages).describe()
                self.dropped.append(f"the question's {missing} not in the cited passages" if missing else
                                    self._withheld)
            return ABSTAIN_TEXT, True, []
        order = self._renumberer.order
        citations = [Citation(n=i + 1, passage=self.passages[idx]) for i, idx in enumerate(order)]
        return "".join(self.shown).strip(), False, citations
