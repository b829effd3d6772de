"""Translation at index time: the cache, the companion passages and their whole lifecycle.

The translating LLM is the OpenAI-protocol stub on 127.0.0.1 (its "translation" is the text with
a marker in front), the embeddings and the Chroma index are real.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from rag.assistant import Assistant, for_reader
from rag.embeddings import E5Embedding
from rag.indexing import index_paths
from rag.kept_numbers import written_in_digits
from rag.llm import LLMError
from rag.retrieval import Retriever
from rag.schema import IndexReport, Passage, chunk_id
from rag.settings import Settings
from rag.store import IndexStore
from rag.translation import TranslationCache, Translator, cache_key, needs_translation
from tests.fixtures.openai_stub import OpenAIStub
from tests.fixtures.settings import make_settings

ITALIAN = ("Vertice di Hiroshima, il Canada annuncia nuove sanzioni\n\n"
           "Il primo ministro canadese ha annunciato sabato nuove sanzioni contro diciassette persone "
           "e trentacinque società legate al complesso militare-industriale russo. "
           "Le misure comprendono anche un divieto di importazione dei diamanti russi.\n\n"
           "Secondo il comunicato, le sanzioni sono state adottate in base alla legge sulle misure "
           "economiche speciali. Il presidente ucraino è arrivato a Hiroshima lo stesso giorno.")
ENGLISH = ("Ottawa expels diplomats\n\nCanada expelled four Russian diplomats on Monday over what the "
           "foreign minister called interference. The embassy said it would respond in kind.")


def marked_translation(request: dict[str, Any]) -> str:
    """The stub's translation: the user's text with a marker that says it went through here, and
    its number words in digits, as a translation keeps its numbers (`rag.kept_numbers`)."""
    return "EN: " + written_in_digits(request["messages"][-1]["content"], "it")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "articles"
    target.mkdir()
    (target / "sanzioni.txt").write_text(ITALIAN)
    (target / "expels.txt").write_text(ENGLISH)
    (target / "manifest.json").write_text(json.dumps({"sanzioni.txt": {"language": "it", "published": "2023-05-20"},
                                                      "expels.txt": {"language": "en"}}))
    return target


def stub_settings(tmp_path: Path, stub: OpenAIStub, **overrides: object) -> Settings:
    return make_settings(tmp_path, llm="openai", openai_base_url=stub.base_url, openai_api_key="sk-test",
                         llm_model="stub-model", translate_articles=True, model_cache_dir=tmp_path / "cache",
                         fusion="none", **overrides)


def run(settings: Settings, folder: Path, e5: E5Embedding, **kw: Any) -> IndexReport:
    return index_paths(settings, [folder], embedder=e5, **kw)


def companions(settings: Settings) -> dict[tuple[str, str], int]:
    store = IndexStore.open(settings)
    assert store.translations is not None
    return store.translations.counts(settings.index_language)


def translation_calls(stub: OpenAIStub) -> int:
    return sum(1 for r in stub.behaviour.requests if "Translate" in r["messages"][0]["content"])


def test_the_cache_keeps_translations_across_instances_and_tells_models_and_languages_apart(tmp_path: Path) -> None:
    TranslationCache(tmp_path / "t.sqlite3").put(cache_key("m", "en", "ciao"), "hello")
    again = TranslationCache(tmp_path / "t.sqlite3")
    assert again.get(cache_key("m", "en", "ciao")) == "hello"
    assert again.get(cache_key("other-model", "en", "ciao")) is None
    assert again.get(cache_key("m", "fr", "ciao")) is None


def test_which_articles_are_translated(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, translate_articles=True)
    assert needs_translation("it", settings) and needs_translation("ID", settings)
    assert not needs_translation("en", settings) and not needs_translation("", settings)  # unknown: no guess
    assert not needs_translation("it", make_settings(tmp_path, translate_articles=False))
    assert not needs_translation("fr", make_settings(tmp_path, translate_articles=True, index_language="fr"))


def test_foreign_articles_get_translated_companions_that_retrieval_matches_and_attaches(
        tmp_path: Path, folder: Path, stub: OpenAIStub, e5: E5Embedding) -> None:
    stub.behaviour.reply = marked_translation
    settings = stub_settings(tmp_path, stub)
    report = run(settings, folder, e5)
    assert report.translated == ["sanzioni.txt"] and report.notes == []
    store = IndexStore.open(settings)
    chunks = store.documents()["sanzioni.txt"].chunks
    assert report.chunks_translated == chunks == translation_calls(stub)
    assert sum(companions(settings).values()) == chunks  # the English article has none

    # a search among the reports of a month finds a report by its translation too
    query = e5.get_query_embedding("Which Russian imports did Canada ban at Hiroshima?")
    assert store.translations is not None
    assert {h.node.metadata["source"] for h in store.translations.query(query, 3, published=(2023, 5))} == {
        "sanzioni.txt"}
    assert store.translations.query(query, 3, published=(2022, 5)) == []
    # a report's opening passage, compared with another's, is its translation's
    digest = store.documents()["sanzioni.txt"].content_hash
    translated_lede = store.translations.collection.get(ids=[chunk_id("sanzioni.txt", digest, 0)],
                                                        include=["embeddings"])["embeddings"][0]
    assert store.opening_vector("sanzioni.txt", digest) == pytest.approx(list(translated_lede))
    assert store.opening_vector("sanzioni.txt", "no-such-version") is None

    retriever = Retriever(store, e5, top_k=3)
    best = retriever.retrieve("Which Russian imports did Canada ban at Hiroshima?")[0]
    assert best.source == "sanzioni.txt" and best.node_id
    assert best.translation.startswith("EN: ") and "diamanti" in best.translation  # the stub's marker
    assert "diamanti" in best.text and not best.text.startswith("EN:")  # the citation stays on the original
    widened = retriever.widen([best], window=1, count=1)[0]
    assert widened.translation.count("EN: ") == min(chunks, 1 + (best.chunk > 0) + (best.chunk < chunks - 1))

    # The article a translated passage is checked against opens with its translation (the names
    # of its lede in the index's language), then the original; an untranslated one is the original.
    articles = retriever.articles([best, *retriever.retrieve("Which diplomats did Canada expel?")])
    assert articles["sanzioni.txt"].startswith("EN: Vertice di Hiroshima") and "\nVertice di Hiroshima" in articles[
        "sanzioni.txt"]
    assert articles["expels.txt"].startswith("Ottawa expels") and "EN: " not in articles["expels.txt"]


def test_incremental_runs_rebuild_update_and_removal_keep_translations_in_step(
        tmp_path: Path, folder: Path, stub: OpenAIStub, e5: E5Embedding) -> None:
    stub.behaviour.reply = marked_translation
    settings = stub_settings(tmp_path, stub)
    run(settings, folder, e5)
    calls = translation_calls(stub)

    again = run(settings, folder, e5)  # nothing changed: no LLM call, nothing translated
    assert again.translated == [] and translation_calls(stub) == calls

    rebuilt = run(settings, folder, e5, rebuild=True)  # a new generation, translations from the cache
    assert rebuilt.translated == ["sanzioni.txt"] and translation_calls(stub) == calls
    assert sum(companions(settings).values()) == rebuilt.chunks_translated > 0

    (folder / "sanzioni.txt").write_text(ITALIAN.replace("diciassette", "diciotto"))
    updated = run(settings, folder, e5)
    assert updated.updated == ["sanzioni.txt"] and updated.translated == ["sanzioni.txt"]
    new_hash = IndexStore.open(settings).documents()["sanzioni.txt"].content_hash
    assert {digest for _, digest in companions(settings)} == {new_hash}  # the old version's are gone
    assert translation_calls(stub) == calls + 1  # only the changed chunk went to the LLM

    (folder / "sanzioni.txt").unlink()
    removed = run(settings, folder, e5)
    assert removed.removed == ["sanzioni.txt"] and companions(settings) == {}


def test_a_failing_llm_leaves_the_article_searchable_and_the_next_run_translates_it(
        tmp_path: Path, folder: Path, stub: OpenAIStub, e5: E5Embedding) -> None:
    stub.behaviour.status = 503
    settings = stub_settings(tmp_path, stub)
    failed = run(settings, folder, e5)
    assert "sanzioni.txt" in failed.added and failed.translated == []
    assert any("sanzioni.txt could not be translated" in note and "next `rag index`" in note for note in failed.notes)
    assert companions(settings) == {}

    stub.behaviour.status = 200
    stub.behaviour.reply = marked_translation
    healed = run(settings, folder, e5)
    assert healed.added == [] and healed.translated == ["sanzioni.txt"] and healed.notes == []


def test_a_killed_translation_resumes_from_the_chunks_already_made(tmp_path: Path, stub: OpenAIStub) -> None:
    settings = stub_settings(tmp_path, stub)
    texts = ["la casa bianca", "il gatto nero", "la strada lunga"]
    answered = ["the white house", "the black cat"]

    def dies_after_the_second(_request: dict[str, Any]) -> str:
        if len(answered) == 1:
            stub.behaviour.status = 503  # the third call finds the LLM gone
        return answered.pop(0)

    stub.behaviour.reply = dies_after_the_second
    with pytest.raises(LLMError, match="503"):
        Translator(settings).translate(texts)
    stub.behaviour.status = 200
    stub.behaviour.reply = marked_translation
    fresh = Translator(settings)  # a new process: only the cache is left
    assert fresh.translate(texts) == ["the white house", "the black cat", "EN: la strada lunga"]
    assert fresh.calls == 1


def test_a_weekday_the_model_changed_is_put_back_in_new_and_cached_translations(tmp_path: Path,
                                                                               stub: OpenAIStub) -> None:
    """The 1.5B model once translated Indonesian "Sabtu" (Saturday) as "Sunday"; the answer to
    "On which day...?" was then a cited "Sunday"."""
    settings = stub_settings(tmp_path, stub)
    original = "Serangan terhadap gedung apartemen di Dnipro, Sabtu, merupakan serangan paling mematikan."
    stub.behaviour.reply = "The attack on an apartment building in Dnipro on Sunday was the deadliest."
    assert Translator(settings).translate([original]) == [
        "The attack on an apartment building in Dnipro on Saturday was the deadliest."]
    # A translation cached before the check existed comes back checked too.
    key = cache_key(settings.llm_model_name, settings.index_language, "Pada hari Senin, Joly berbicara.")
    Translator(settings).cache.put(key, "On Friday, Joly spoke.")
    fresh = Translator(settings)
    assert fresh.translate(["Pada hari Senin, Joly berbicara."]) == ["On Monday, Joly spoke."]
    assert fresh.calls == 0


def test_the_status_command_reports_translations(tmp_path: Path, folder: Path, stub: OpenAIStub,
                                                 e5: E5Embedding, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from rag.cli import app

    settings = stub_settings(tmp_path, stub)
    stub.behaviour.status = 503
    run(settings, folder, e5)
    monkeypatch.setenv("RAG_INDEX_DIR", str(settings.index_dir))
    status = json.loads(CliRunner().invoke(app, ["status", "--json"]).stdout)
    assert status["untranslated_articles"] == ["sanzioni.txt"] and status["translated_passages"] == 0
    stub.behaviour.status = 200
    stub.behaviour.reply = marked_translation
    run(settings, folder, e5)
    status = json.loads(CliRunner().invoke(app, ["status", "--json"]).stdout)
    assert status["untranslated_articles"] == [] and status["translated_passages"] > 0


def test_the_model_reads_the_original_when_the_question_is_in_the_articles_language() -> None:
    passage = Passage("a.txt", "a.txt", "t", "o", "it", "2023", "testo", 0.9, 0, translation="text")
    assert for_reader([passage], "it")[0].translation == ""
    assert for_reader([passage], "en")[0].translation == "text"
    assert for_reader([passage], "")[0].translation == "text"  # a question too short to tell


def test_an_english_question_over_a_translated_passage_is_answered_without_translating_again(
        tmp_path: Path, folder: Path, stub: OpenAIStub, e5: E5Embedding) -> None:
    stub.behaviour.reply = marked_translation
    settings = stub_settings(tmp_path, stub)
    run(settings, folder, e5)
    calls = translation_calls(stub)

    def answer_from_translation(request: dict[str, Any]) -> str:
        sources = request["messages"][-1]["content"]
        assert "EN: " in sources  # the model was given the stored translation
        n = re.search(r"\[(\d+)\][^\n]*EN: ", sources)
        assert n is not None
        return f"Canada banned imports of Russian diamanti [{n.group(1)}]."

    stub.behaviour.reply = answer_from_translation
    answer = Assistant(settings, embedder=e5).ask("Which Russian imports did Canada ban at Hiroshima?")
    assert not answer.abstained and answer.citations[0].passage.source == "sanzioni.txt"
    assert answer.citations[0].passage.translation.startswith("EN: ")
    assert "translate" not in answer.timings_ms and translation_calls(stub) == calls



def test_a_chunk_whose_translation_lost_a_number_is_translated_again_sentence_by_sentence(
        tmp_path: Path, stub: OpenAIStub) -> None:
    """The 1.5B model left "17 persone e 35 entità" out of a long Italian sentence and wrote
    "over 20,000" for "oltre 2000": the passage the model answers from then lacks or misstates
    the numbers asked about."""
    settings = stub_settings(tmp_path, stub)
    original = ("Il Canada sanziona 17 persone e 35 entità. "
                "Le misure portano a oltre 2000 il numero totale.")
    replies = {
        original: "Canada announced new sanctions against Moscow. The total rises to over 20,000.",
        "Il Canada sanziona 17 persone e 35 entità.": "Canada sanctions 17 people and 35 entities.",
        "Le misure portano a oltre 2000 il numero totale.": "The measures bring the total to over 20,000.",
    }
    stub.behaviour.reply = lambda request: replies[request["messages"][-1]["content"]]
    translator = Translator(settings)
    expected = "Canada sanctions 17 people and 35 entities. Le misure portano a oltre 2000 il numero totale."
    assert translator.translate([original]) == [expected]
    assert translator.calls == 3  # the whole chunk, then each of its two sentences
    fresh = Translator(settings)  # a new process: both translations come from the cache
    assert fresh.translate([original]) == [expected] and fresh.calls == 0


def test_a_question_time_translation_that_changed_a_number_is_made_again_sentence_by_sentence(
        tmp_path: Path, stub: OpenAIStub) -> None:
    """The same check for the passages translated into a question's language while it waits."""
    from rag.llm import make_chat_model
    from rag.translation import faithful_translation

    settings = stub_settings(tmp_path, stub)
    original = "Canada expelled four diplomats. The United States expelled 60."
    replies = {
        original: "Le Canada a expulsé quatre diplomates. Les États-Unis en ont expulsé 16.",
        "Canada expelled four diplomats.": "Le Canada a expulsé quatre diplomates.",
        "The United States expelled 60.": "Les États-Unis en ont expulsé 60.",
    }
    stub.behaviour.reply = lambda request: replies[request["messages"][-1]["content"]]
    assert faithful_translation(make_chat_model(settings), original, "fr") == (
        "Le Canada a expulsé quatre diplomates. Les États-Unis en ont expulsé 60.")
    assert len(stub.behaviour.requests) == 3


def test_a_chunk_whose_translation_lost_a_name_kept_elsewhere_in_its_article_is_translated_again(
        tmp_path: Path, stub: OpenAIStub) -> None:
    """The 1.5B model turned "Joly menyampaikan" (Joly said) into "Trudeau has announced", then,
    asked for the sentence alone, "Johnson said". The article's other chunk shows that it keeps
    "Joly" as written, so the chunk lost a name: the sentence that still loses it stays in
    Indonesian, the reader's model reads Joly there rather than someone else."""
    settings = stub_settings(tmp_path, stub)
    first = "Joly bertemu dengan James Cleverly di Toronto."
    second = "Dia berada di Toronto, Selasa. Joly menyampaikan bahwa pakar Kanada akan bergabung."
    replies = {
        first: "Joly met James Cleverly in Toronto.",
        second: "Trudeau has announced that Canadian experts will join.",
        "Dia berada di Toronto, Selasa.": "She was in Toronto on Tuesday.",
        "Joly menyampaikan bahwa pakar Kanada akan bergabung.": "Johnson said that Canadian experts will join.",
    }
    stub.behaviour.reply = lambda request: replies[request["messages"][-1]["content"]]
    translator = Translator(settings)
    expected = ["Joly met James Cleverly in Toronto.",
                "She was in Toronto on Tuesday. Joly menyampaikan bahwa pakar Kanada akan bergabung."]
    assert translator.translate([first, second]) == expected
    assert translator.calls == 4  # both chunks, then each sentence of the second
    fresh = Translator(settings)  # a new process: every translation comes from the cache
    assert fresh.translate([first, second]) == expected and fresh.calls == 0
    # Alone, nothing shows that the translator keeps "Joly": the chunk's translation stands.
    assert Translator(settings).translate([second]) == ["Trudeau has announced that Canadian experts will join."]

