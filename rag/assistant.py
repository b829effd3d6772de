"""`Assistant`: the query engine that apps embed. Retrieve, prompt, stream, cite.

    from rag import Assistant
    bot = Assistant()
    answer = bot.ask("Who is Russia's ambassador to Canada?")
    stream = bot.stream("What did he say about sanctions?", history=[...])
    for token in stream: ...
    stream.answer  # the final Answer once the stream is exhausted
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Generator, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from llama_index.core.embeddings import BaseEmbedding

from rag.casing import recased
from rag.citations import join_cited
from rag.compound import of_sources, split_question
from rag.draft import Draft
from rag.ellipsis import completions
from rag.embeddings import make_aux_embedding, make_embedding
from rag.followups import (
    dropped_asks,
    drops_names,
    repeats_earlier,
    stands_alone,
    unresolved,
    with_conversation_date,
    with_previous_question,
)
from rag.grounding import missing_pins, of_the_day, pinned_passages
from rag.indexing import build_info
from rag.language import detect, question_language
from rag.llm import ChatModel, make_chat_model
from rag.prompts import (
    ABSTAIN_TEXT,
    answer_hint,
    answer_messages,
    choice_messages,
    clean_question,
    grouped_by_article,
    parse_choice,
    parse_rewrite,
    referent_messages,
    rewrite_messages,
)
from rag.referents import conversation_names, is_question, singular_pronouns, with_referent
from rag.retrieval import Passage, Retriever
from rag.schema import Answer, Citation
from rag.settings import Settings
from rag.store import IndexStore
from rag.translation import CACHE_NAME, TranslationCache, TranslationError, Translator, faithful_translation
from rag.wording import load_stemmer

if TYPE_CHECKING:
    from llama_index.core.base.base_query_engine import BaseQueryEngine
    from llama_index.core.base.base_retriever import BaseRetriever
    from llama_index.core.base.llms.types import ChatMessage
    from llama_index.core.chat_engine.types import BaseChatEngine

History = Sequence[dict[str, str]]
log = logging.getLogger(__name__)


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


class AnswerStream:
    """Iterates over the answer's text as it is generated; `.answer` holds the result afterwards.

    The generator returns the Answer rather than writing it into this object, so it holds no
    reference back here: a stream its reader abandons is freed (and its LLM call closed, its
    slot released) at once, not whenever the cycle collector runs. `close()` does so explicitly,
    and is what a server calls when a client hangs up.
    """

    def __init__(self, tokens: Generator[str, None, Answer]) -> None:
        self._tokens = tokens
        self.answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        self.answer = yield from self._tokens

    def close(self) -> None:
        """Stop generating: the LLM request is closed and its concurrency slot freed."""
        self._tokens.close()

    def __enter__(self) -> AnswerStream:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


@dataclass
class _Turn:
    """What one answer has shown so far; per request, since one Assistant serves many at once."""

    started: float
    shown: list[str] = field(default_factory=list)
    first_token_ms: float | None = None

    def show(self, text: str) -> str:
        if not self.shown:
            self.first_token_ms = _ms(self.started)
        self.shown.append(text)
        return text


@dataclass
class _Outcome:
    """One question's answer before it becomes an `Answer`: what to show and what it came from."""

    text: str
    abstained: bool
    citations: list[Citation]
    retrieved: list[Passage]
    given: list[Passage]
    draft: str
    dropped: list[str]
    certainty: float | None = None


def _add(timings: dict[str, float], key: str, ms: float) -> None:
    """Add to a timing: a compound question's parts add up."""
    timings[key] = round(timings.get(key, 0.0) + ms, 1)


def _drained(tokens: Generator[str, None, _Outcome]) -> _Outcome:
    """Run an answer to its end without showing it; its outcome (a part of a compound question,
    held until every part is answered)."""
    while True:
        try:
            next(tokens)
        except StopIteration as done:
            return done.value


def foreign(passage: Passage, language: str) -> bool:
    """Whether a passage is (known to be) in another language than `language`, with no translation."""
    return not passage.translation and (passage.language or detect(passage.text)) not in ("", language)


def for_reader(passages: Sequence[Passage], language: str) -> list[Passage]:
    """The passages as the model should read them: translated, unless the question is in the
    passage's own language (then the original says it best)."""
    return [replace(p, translation="") if p.translation and language and p.language == language else p
            for p in passages]


class Assistant:
    """Answers questions about the indexed articles, citing the passages it used.

    Heavy parts (embedding model, LLM, store) are created lazily, so constructing an
    Assistant is cheap and `rag status` never loads a model.
    """

    def __init__(self, settings: Settings | None = None, *, chat_model: ChatModel | None = None,
                 embedder: BaseEmbedding | None = None) -> None:
        self.settings = settings or Settings()
        self._chat_model = chat_model
        self._embedder = embedder
        self._retriever: Retriever | None = None
        self._aux_embedder: BaseEmbedding | None = None
        self._loading: Future[ChatModel] | None = None
        self._lock = threading.Lock()
        self._translations: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._translation_cache: TranslationCache | None = None

    @property
    def embedder(self) -> BaseEmbedding:
        if self._embedder is None:
            self._embedder = make_embedding(self.settings)
        return self._embedder

    @property
    def aux_embedder(self) -> BaseEmbedding | None:
        if self._aux_embedder is None:
            self._aux_embedder = make_aux_embedding(self.settings)
        return self._aux_embedder

    @property
    def chat_model(self) -> ChatModel:
        if self._chat_model is None:
            self._chat_model = self.warm_up().result()
        return self._chat_model

    def warm_up(self) -> Future[ChatModel]:
        """Start loading the LLM in the background, so it overlaps with retrieval."""
        with self._lock:
            if self._loading is None:
                if self._chat_model is not None:
                    self._loading = Future()
                    self._loading.set_result(self._chat_model)
                else:
                    prefix = answer_messages("", [], self.settings.group_sources)[:-1]
                    self._loading = ThreadPoolExecutor(1, "rag-llm").submit(make_chat_model, self.settings, prefix)
                threading.Thread(target=load_stemmer, name="rag-stemmer", daemon=True).start()
            return self._loading

    @property
    def retriever(self) -> Retriever:
        """The retriever over the live index generation: after `rag index --rebuild` switches
        generations, the next question opens the new one (no restart)."""
        with self._lock:
            current = self._retriever
        if current is not None and current.store.is_live(self.settings):
            return current
        dim = len(self.embedder.get_query_embedding("dimension probe"))
        store = IndexStore.open(self.settings, build_info(self.settings, dim))
        fresh = Retriever(store, self.embedder, self.settings.retrieve_k, self.aux_embedder,
                          rerank_depth=self.settings.rerank_depth, language=self.settings.index_language,
                          given=self.settings.top_k if self.settings.companion_reports else 0)
        with self._lock:
            self._retriever = fresh
        return fresh

    def _retrieve(self, question: str, k: int | None = None) -> list[Passage]:
        """Retrieve from the live generation, once more if a rebuild dropped ours mid-question."""
        try:
            return self.retriever.retrieve(question, k)
        except Exception:
            with self._lock:
                stale = self._retriever
            if stale is None or stale.store.is_live(self.settings):
                raise
            return self.retriever.retrieve(question, k)

    def standalone(self, question: str, history: History | None) -> str:
        """Rewrite a follow-up into a question that retrieval can answer on its own; a question
        that names what it is about is searched as it is (no LLM call: ~2 s sooner). An elliptic
        one ("And Canada?") is first completed from the previous question (`rag.ellipsis`): the
        LLM is then asked only about what still points back, if anything."""
        if not history or stands_alone(question):
            return question
        previous = next((str(t.get("content", "")) for t in reversed(history) if t.get("role") == "user"), "")
        completed = self._completed(question, previous)
        if completed is not None:
            log.info("follow-up %r completed from the previous question: %r", question[:80], completed[:160])
            if stands_alone(completed):
                return completed
            question = completed
        output = self.chat_model.complete(rewrite_messages(question, history), max_tokens=80)
        rewritten = with_previous_question(parse_rewrite(output, question), question, previous)
        lost = dropped_asks(rewritten, question)
        if lost:  # the rewrite answered half the follow-up: ask the rest too, as the reader did
            log.info("rewrite of %r dropped %r; kept", question[:80], lost)
            rewritten = " ".join([rewritten, *lost])
        if repeats_earlier(rewritten, question, history):
            log.info("rewrite of %r only repeats an earlier question: %r; searched as asked", question[:80],
                     rewritten[:160])
            return question
        if not is_question(rewritten) or unresolved(rewritten, question) or drops_names(rewritten, question):
            named = self._with_referent(question, history)
            if named is not None:
                log.info("rewrite of %r unusable (%r); the pronoun's name chosen from the conversation: %r",
                         question[:80], rewritten[:160], named[:160])
                rewritten = named
        dated = with_conversation_date(rewritten, question, history)  # the rewrite may drop the date talked of
        if dated != rewritten:
            log.info("rewrite of %r names no date; the conversation's added: %r", question[:80], dated[:160])
        return dated

    def _with_referent(self, question: str, history: History) -> str | None:
        """The follow-up with the name its "he"/"she" stands for (`rag.referents`): the only name
        the conversation gives that could be meant (not one the articles write as a place,
        `IndexStore.written_as_place`), or the one the LLM picks by number; None
        when it has no such pronoun, the conversation no candidate, or the model no pick."""
        pronouns = singular_pronouns(question)
        names = conversation_names(history, question) if pronouns else []
        # "occupies Crimea" names no one: a name the articles write "in <name>" is a place
        names = [n for n in names if not self.retriever.store.written_as_place(n)]
        if len(names) <= 1:
            return with_referent(question, names[0]) if names else None
        output = self.chat_model.complete(referent_messages(question, history, pronouns[0], names), max_tokens=4)
        name = parse_choice(output, names)
        return with_referent(question, name) if name is not None else None

    def _completed(self, question: str, previous: str) -> str | None:
        """An elliptic follow-up completed from the previous question; when the fragment could
        replace more than one name or date, the LLM picks the completion by number."""
        options = completions(question, previous)
        if len(options) <= 1:
            return options[0] if options else None
        output = self.chat_model.complete(choice_messages(previous, question, options), max_tokens=4)
        return parse_choice(output, options)

    def retrieve(self, question: str, k: int | None = None) -> list[Passage]:
        """The `k` (default `retrieve_k`) best passages, fused and re-ranked, as the index holds them."""
        return self._retrieve(clean_question(question, self.settings.max_question_chars), k)

    def passages(self, question: str, k: int | None = None) -> list[Passage]:
        """The passages as a reader is given them: `retrieve`, with the best `window_passages` widened
        by their neighbouring chunks (where a fact's who or when often sits). For apps that bring
        their own LLM: the search tool and the LlamaIndex retriever return these."""
        found = self.retrieve(question, k)
        return self.retriever.widen(found, self.settings.window, self.settings.window_passages)

    def as_retriever(self, similarity_top_k: int | None = None) -> BaseRetriever:
        """This engine's retrieval as a LlamaIndex retriever (see `rag.llamaindex`)."""
        from rag.llamaindex import AssistantRetriever

        return AssistantRetriever(self, similarity_top_k)

    def as_query_engine(self, streaming: bool = False) -> BaseQueryEngine:
        """This engine's checked, cited answers as a LlamaIndex query engine (see `rag.llamaindex`)."""
        from rag.llamaindex import AssistantQueryEngine

        return AssistantQueryEngine(self, streaming=streaming)

    def as_chat_engine(self, chat_history: Sequence[ChatMessage] | None = None) -> BaseChatEngine:
        """A LlamaIndex chat engine that keeps the conversation; follow-ups are rewritten by `standalone`."""
        from rag.llamaindex import AssistantChatEngine

        return AssistantChatEngine(self, chat_history)

    def stream(self, question: str, history: History | None = None) -> AnswerStream:
        """Start answering; validation errors are raised here, before any token is produced."""
        question = clean_question(question, self.settings.max_question_chars)
        self.warm_up()
        return AnswerStream(self._generate(question, history))

    def ask(self, question: str, history: History | None = None) -> Answer:
        stream = self.stream(question, history)
        for _ in stream:
            pass
        assert stream.answer is not None
        return stream.answer

    def _generate(self, question: str, history: History | None) -> Generator[str, None, Answer]:
        start = time.perf_counter()
        timings: dict[str, float] = {}
        standalone = self.standalone(question, history)
        rewritten = bool(history) and not stands_alone(question)
        if rewritten:
            timings["rewrite"] = _ms(start)
        language = question_language(question)
        turn = _Turn(start)
        unclear = unresolved(standalone, question) if rewritten else []
        parts = split_question(standalone) if self.settings.split_compound and not unclear else []
        if unclear:
            outcome = self._unclear(standalone, unclear, timings)
        elif parts:
            outcome = self._compound(parts, language, timings)
        else:
            outcome = yield from self._single(standalone, language, turn, timings)
        if not turn.shown:
            yield turn.show(outcome.text)  # held (a compound question) or an abstention: one sentence
        if turn.first_token_ms is not None:
            timings["first_token"] = turn.first_token_ms
        timings["total"] = _ms(start)
        if outcome.dropped:
            log.info("held back from the answer to %r: %s", question[:80], "; ".join(outcome.dropped)[:500])
        return Answer(question=question, text=outcome.text, abstained=outcome.abstained,
                      citations=outcome.citations, retrieved=outcome.retrieved, timings_ms=timings,
                      standalone_question=standalone, draft=outcome.draft, given=outcome.given,
                      held_back=list(outcome.dropped), certainty=outcome.certainty)

    def _single(self, question: str, language: str, turn: _Turn,
                timings: dict[str, float]) -> Generator[str, None, _Outcome]:
        """Answer one question: retrieve, draft, check, and stream what the checks release."""
        t = time.perf_counter()
        retrieved = self._retrieve(question)
        articles = self.retriever.articles(retrieved)  # the given passages' are among them
        question = recased(question, articles.values(), self.retriever.store.name_form)  # "okhmatdyt": a name
        passages = self._widened(self._given(question, retrieved, language, articles), language)
        _add(timings, "retrieve", _ms(t))
        draft = Draft(question, passages, language, translate=self.settings.translate, articles=articles)
        if passages:
            t = time.perf_counter()
            yield from self._answer(draft, turn)
            _add(timings, "generate", _ms(t))
            # A small model reads a passage in another language badly: it abstains over it, or
            # answers from it with the wrong name. Either way, before the reader has seen a word,
            # give it the passages translated into the question's language and ask again.
            if draft.translate and not draft.released and any(foreign(p, language) for p in passages):
                t = time.perf_counter()
                translated = self._translated(passages, language)
                spent = _ms(t)
                _add(timings, "translate", spent)
                draft = Draft(question, translated, language, articles=articles)
                yield from self._answer(draft, turn)
                _add(timings, "generate", _ms(t) - spent)
            # The answer cited a near-duplicate report (another year, another summit): answer once
            # more from the retrieved passages whose articles hold what the question names, if any.
            if draft.off_the_question and self.settings.retry_off_question:
                missing = missing_pins(question, draft.cited, language, articles, draft.passages).describe()
                draft = yield from self._retried(draft, self._pinned(question, retrieved, language, draft, articles),
                                                 f"first draft cited passages without the question's {missing}",
                                                 turn, timings)
            # The checks withheld an answer the model drew from several reports: a small model
            # handed near-duplicates takes a number from the wrong one. Ask once more over the
            # best-ranked report's passages alone (a shorter prompt, nothing to mix up). When the
            # model only restated the question, over the first passage alone.
            if draft.withheld and self.settings.retry_one_report:
                draft = yield from self._retried(draft, self._narrower(question, retrieved, language, draft,
                                                                       articles),
                                                 "draft withheld, asked again over fewer passages", turn, timings)
        text, abstained, citations = draft.result()
        return _Outcome(text, abstained, citations, retrieved, draft.passages, draft.raw, draft.dropped,
                        draft.certainty)

    def _retried(self, draft: Draft, retry: Draft | None, why: str, turn: _Turn,
                 timings: dict[str, float]) -> Generator[str, None, Draft]:
        """Answer once more through `retry` (None: no better passages, keep `draft`); the first
        draft's withheld sentences stay on record, with `why` it was not shown."""
        if retry is None:
            return draft
        t = time.perf_counter()
        draft.result()  # records why the first draft was withheld, for the log and `held_back`
        retry.dropped[:0] = [*draft.dropped, f"{why}: {draft.raw.strip()[:200]}"]
        yield from self._answer(retry, turn)
        _add(timings, "retry", _ms(t))
        return retry

    def _unclear(self, question: str, pronouns: Sequence[str], timings: dict[str, float]) -> _Outcome:
        """An abstention for a follow-up whose rewrite could not tell who its pronouns stand for
        (`rag.followups.unresolved`): an answer about whoever the passages name would be about the
        wrong person. The closest passages are still offered; no LLM call is spent."""
        t = time.perf_counter()
        retrieved = self._retrieve(question)
        _add(timings, "retrieve", _ms(t))
        why = f"the follow-up's {', '.join(repr(p) for p in pronouns)} could not be resolved from the conversation"
        return _Outcome(ABSTAIN_TEXT, True, [], retrieved, [], "", [f"{why}: {question[:200]}"])

    def _compound(self, parts: Sequence[str], language: str, timings: dict[str, float]) -> _Outcome:
        """Answer each part of a compound question on its own (`rag.compound`), holding every part
        back: the reader sees the parts joined when all are answered, else one abstention."""
        outcomes = [_drained(self._single(part, language, _Turn(time.perf_counter()), timings)) for part in parts]
        retrieved = list({p.node_id: p for o in outcomes for p in o.retrieved}.values())
        given = [p for o in outcomes for p in o.given]
        raw = "\n".join(o.draft for o in outcomes)
        dropped = [d for o in outcomes for d in o.dropped]
        known = [o.certainty for o in outcomes if o.certainty is not None]
        certainty = min(known) if known else None  # the least sure part
        unanswered = [part for part, o in zip(parts, outcomes, strict=True) if o.abstained]
        if unanswered:
            dropped.append(f"no answer to {len(unanswered)} of {len(parts)} parts of the question: "
                           + " | ".join(unanswered))
            return _Outcome(ABSTAIN_TEXT, True, [], retrieved, given, raw, dropped, certainty)
        # "according to the first report, and according to the update": two sources, so two reports.
        # The update's part answered from the first report gave its toll twice (holdout11 q012).
        reports = [{c.passage.doc_id for c in o.citations} for o in outcomes]
        if of_sources(parts) and reports[0] == reports[1]:
            dropped.append(f"the parts ask two sources and were answered from the same report: {' | '.join(parts)}")
            return _Outcome(ABSTAIN_TEXT, True, [], retrieved, given, raw, dropped, certainty)
        text, citations = join_cited([(o.text, o.citations) for o in outcomes])
        return _Outcome(text, False, citations, retrieved, given, raw, dropped, certainty)

    def _given(self, question: str, retrieved: Sequence[Passage], language: str,
               articles: Mapping[str, str]) -> list[Passage]:
        """The passages the model answers from: the best `top_k`, or with `focus_pinned`, the best of
        the reports that hold everything the question names (`rag.grounding.pinned_passages`) when
        any was retrieved. A small model handed the 2023 summit's report beside the 2024 one mixes
        them. All of such a report's retrieved passages stay: the answer may sit a few paragraphs
        from the name that pins it. A question naming a whole day never gets the reports from
        before it, when others were retrieved (`rag.grounding.of_the_day`)."""
        retrieved = of_the_day(question, retrieved)
        if self.settings.focus_pinned:
            chosen = pinned_passages(question, for_reader(retrieved, language), self.settings.top_k, language,
                                     articles)
            reports = {p.doc_id for p in chosen}
            if reports:  # as retrieved (no translation attached yet), in retrieval order
                return [p for p in retrieved if p.doc_id in reports][: self.settings.top_k]
        return list(retrieved[: self.settings.top_k])

    def _pinned(self, question: str, retrieved: Sequence[Passage], language: str, tried: Draft,
                articles: Mapping[str, str]) -> Draft | None:
        """A second draft over the retrieved passages that hold the question's names and dates
        (`rag.grounding.pinned_passages`), or None when there are none, or they are exactly the ones tried."""
        chosen = pinned_passages(question, for_reader(retrieved, language), self.settings.top_k, language, articles)
        if not chosen or {p.node_id for p in chosen} == {p.node_id for p in tried.passages}:
            return None
        return Draft(question, self._widened(chosen, language), language, articles=articles)

    def _narrower(self, question: str, retrieved: Sequence[Passage], language: str, tried: Draft,
                  articles: Mapping[str, str]) -> Draft | None:
        """A draft over less than the withheld one read: its first passage alone when the model
        only restated the question (it found no answer: nothing was mixed up, something was
        missed); else the best-ranked report's retrieved passages alone when it read several
        reports (`_one_report`); else None."""
        if tried.only_restated:
            retry = Draft(question, tried.passages[:1], language, articles=articles)
            retry.hint = answer_hint(question)
            return retry
        if len({p.doc_id for p in tried.passages}) >= 2:
            return self._one_report(question, retrieved, language, articles)
        return None

    def _one_report(self, question: str, retrieved: Sequence[Passage], language: str,
                    articles: Mapping[str, str]) -> Draft | None:
        """A draft over the retrieved passages of the best-ranked report alone, or None when that
        report lacks a name or date the question gives (its answer would be withheld again: no
        call spent on it)."""
        if not retrieved:
            return None
        best = retrieved[0].doc_id
        chosen = [p for p in retrieved if p.doc_id == best][: self.settings.top_k]
        if missing_pins(question, for_reader(chosen, language), language, articles, chosen):
            return None
        return Draft(question, self._widened(chosen, language), language, articles=articles)

    def _widened(self, chosen: Sequence[Passage], language: str) -> list[Passage]:
        """`chosen` as the model reads them: the best widened by neighbouring chunks (`RAG_WINDOW`),
        each article's passages together (`RAG_GROUP_SOURCES`), translated only where the question
        is in another language (`for_reader`)."""
        widened = self.retriever.widen(chosen, self.settings.window, self.settings.window_passages)
        return for_reader(grouped_by_article(widened) if self.settings.group_sources else widened, language)

    def _answer(self, draft: Draft, turn: _Turn) -> Generator[str, None, None]:
        """Stream one model answer through `draft`, showing only what it releases. A draft that
        stops early (an abstention, or a foreign passage to translate first) closes the LLM call."""
        tokens = self.chat_model.stream_tokens(answer_messages(draft.question, draft.passages,
                                                               self.settings.group_sources, draft.hint),
                                               max_tokens=self.settings.llm_max_tokens)
        try:
            for token in tokens:
                out = draft.feed(token.text, token.logprob)
                if out:
                    yield turn.show(out)
                if draft.stopped:
                    return
            out = draft.finish()
            if out:
                yield turn.show(out)
        finally:
            tokens.close()

    def _translated(self, passages: Sequence[Passage], language: str) -> list[Passage]:
        """The passages, the best `MAX_TRANSLATED` of those in another language translated into `language`."""
        out = list(passages)
        for i in [i for i, p in enumerate(passages) if foreign(p, language)][: self.MAX_TRANSLATED]:
            out[i] = replace(passages[i], translation=self.translate(passages[i].text, language))
        return out

    MAX_TRANSLATED = 2

    def translate(self, text: str, language: str) -> str:
        """`text` in `language` by the LLM, remembered for the life of this Assistant and, through
        the translation cache (`lasting_translation`), by the next process too."""
        key = (hashlib.sha256(text.encode()).hexdigest(), language)
        with self._lock:
            if key in self._translations:
                self._translations.move_to_end(key)
                return self._translations[key]
        translation = self.lasting_translation(text, language)
        with self._lock:
            self._translations[key] = translation or text
            while len(self._translations) > 512:
                self._translations.popitem(last=False)
        return translation or text

    def lasting_translation(self, text: str, language: str) -> str:
        """`text` in `language` through the SQLite translation cache that `rag index` keeps its
        translations in (`RAG_MODEL_CACHE_DIR`): a passage translated for a question in Dutch takes
        the bundled model 20-50 s, and each `rag ask` is a new process. Made and checked as at
        index time (`rag.translation.Translator`); without a usable cache, made as before."""
        try:
            with self._lock:
                if self._translation_cache is None:
                    self._translation_cache = TranslationCache(Path(self.settings.model_cache_dir) / CACHE_NAME)
                cache = self._translation_cache
            return Translator(self.settings, lambda: self.chat_model, cache, target=language).translate([text])[0]
        except TranslationError as exc:
            log.warning("translating a passage without the translation cache: %s", exc)
            return faithful_translation(self.chat_model, text, language)
