"""Synthetic news articles for the benchmark: any number, from a seed, byte-identical on every run.

Real corpora of 1,000 or 10,000 articles cannot ship with the project, and timings are only
comparable between runs (and machines) when the text is the same. Each article is drawn from its
own `random.Random(f"{seed}:{number}")`, so article 17 is the same whether the corpus has 20 or
10,000 articles: a smaller corpus is a prefix of a larger one, and "one more article" for the
incremental-update measurement is simply the next number.

The text imitates wire copy (headline, dateline, a lead with the key figures, quotes from an
official and a critic, background, outlook) so that chunking and embedding see realistic lengths
and vocabulary; the facts each article states are kept to phrase questions that it answers.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIRST = ("Amira", "Lukas", "Sofia", "Kenji", "Mariana", "Olusegun", "Ingrid", "Rahul", "Chloé", "Tomasz",
         "Yasmin", "Diego", "Hanna", "Kwame", "Elif", "Mateo", "Nadia", "Pieter", "Leila", "Samuel",
         "Aiko", "Bogdan", "Carmen", "Dmitri", "Fatima", "Gustavo", "Helena", "Idris", "Johanna", "Karim",
         "Lucía", "Marek", "Nora", "Oskar", "Priya", "Quentin", "Rosa", "Stefan", "Tendai", "Valentina")
LAST = ("Okafor", "Lindqvist", "Moreau", "Tanaka", "Ferreira", "Kowalski", "Haddad", "Novak", "Mensah",
        "Bergström", "Castillo", "Yilmaz", "Iyer", "Van Dijk", "Rossi", "Nakamura", "Adeyemi", "Schneider",
        "Petrov", "Alvarez", "Kaya", "Dubois", "Sato", "Horvat", "Mbeki", "Jansen", "Costa", "Weber",
        "Ramírez", "Eriksen", "Kim", "Oduya", "Fischer", "Marín", "Dlamini", "Laine", "Quispe", "Varga")
# (city, country, currency)
PLACES = (("Lisbon", "Portugal", "euros"), ("Gdansk", "Poland", "zlotys"), ("Nairobi", "Kenya", "shillings"),
          ("Osaka", "Japan", "yen"), ("Porto Alegre", "Brazil", "reais"), ("Lagos", "Nigeria", "naira"),
          ("Tampere", "Finland", "euros"), ("Pune", "India", "rupees"), ("Lyon", "France", "euros"),
          ("Rotterdam", "the Netherlands", "euros"), ("Izmir", "Turkey", "lira"), ("Accra", "Ghana", "cedis"),
          ("Valparaíso", "Chile", "pesos"), ("Brno", "the Czech Republic", "koruna"),
          ("Cebu", "the Philippines", "pesos"), ("Durban", "South Africa", "rand"), ("Gothenburg", "Sweden", "kronor"),
          ("Monterrey", "Mexico", "pesos"), ("Tbilisi", "Georgia", "lari"), ("Halifax", "Canada", "dollars"),
          ("Adelaide", "Australia", "dollars"), ("Busan", "South Korea", "won"), ("Leipzig", "Germany", "euros"),
          ("Cluj-Napoca", "Romania", "lei"), ("Kumasi", "Ghana", "cedis"), ("Medellín", "Colombia", "pesos"),
          ("Bergen", "Norway", "kroner"), ("Da Nang", "Vietnam", "dong"), ("Seville", "Spain", "euros"),
          ("Tartu", "Estonia", "euros"), ("Arequipa", "Peru", "soles"), ("Kraków", "Poland", "zlotys"))
OUTLETS = ("Meridian Wire", "The Harbour Ledger", "Continental Press Service", "Daily Compass",
           "Northbridge News Agency", "The Evening Register", "Atlas Newswire", "Riverside Gazette")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
PREPOSITION = {"invest": "in", "spend": "on", "allocate": "to"}


@dataclass(frozen=True)
class Topic:
    """The vocabulary of one beat: who acts, on what, and what critics worry about."""

    name: str
    org: str  # formatted with city/country
    role: str
    project: str
    verb: str  # "invest", "spend", "allocate"
    unit: str  # what the project creates, counted
    critic_org: str
    worry: str
    benefit: str


TOPICS = (
    Topic("energy", "{country} Grid Authority", "chief executive", "offshore wind farm", "invest", "megawatts of "
          "capacity", "Coastal Fisheries Association", "the effect on fishing grounds", "lower power bills"),
    Topic("transport", "{city} Metropolitan Transit", "director", "light-rail line", "spend", "daily passenger trips",
          "Taxpayers' Alliance of {country}", "cost overruns on earlier projects", "shorter commutes"),
    Topic("health", "{country} Ministry of Health", "health minister", "regional cancer hospital", "allocate",
          "hospital beds", "{country} Nurses' Union", "staff shortages in existing wards", "shorter waiting lists"),
    Topic("technology", "{city} Semiconductor Consortium", "managing director", "chip packaging plant", "invest",
          "skilled jobs", "{country} Water Council", "the plant's water consumption", "a stronger supply chain"),
    Topic("housing", "{city} City Council", "mayor", "affordable housing programme", "spend", "new homes",
          "{city} Tenants' Federation", "rising rents in the meantime", "relief for young families"),
    Topic("agriculture", "{country} Farmers' Cooperative", "president", "irrigation network", "invest",
          "hectares of farmland", "Friends of the {country} Rivers", "falling groundwater levels", "steadier harvests"),
    Topic("education", "{country} Ministry of Education", "education minister", "school modernisation plan",
          "allocate", "renovated classrooms", "{country} Teachers' Federation", "teacher pay", "better results"),
    Topic("ports", "Port of {city}", "port director", "container terminal expansion", "invest",
          "containers a year", "{city} Residents' Association", "night-time noise and traffic", "more trade"),
)


@dataclass(frozen=True)
class SyntheticArticle:
    """One generated article: its file name, text, manifest entry, and questions it answers."""

    number: int
    filename: str
    text: str
    meta: dict[str, str]
    questions: tuple[str, ...] = field(default=())


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _amount(rng: random.Random) -> str:
    return f"{rng.randint(12, 980)} million" if rng.random() < 0.75 else f"{rng.randint(11, 99) / 10:.1f} billion"


def _sentences(f: dict[str, Any]) -> dict[str, list[str]]:  # long: one literal table of templates, no logic
    """Sentence templates by role, filled with one article's facts (`f`)."""
    return {
        "quote": [
            f"\"This is the largest commitment of its kind in {f['city']} in a generation,\" {f['person']} said. "
            f"\"People will see {f['benefit']} within a few years, not decades.\"",
            f"\"We have listened to residents, to businesses and to our engineers,\" {f['person']} told reporters. "
            f"\"The {f['project']} is the answer that kept coming back.\"",
        ],
        "critic": [
            f"{f['critic']}, a spokesperson for the {f['critic_org']}, said the group would challenge the plan over "
            f"{f['worry']}. \"Nobody has shown us the numbers,\" {f['critic_last']} said.",
            f"Not everyone is convinced. The {f['critic_org']} warned about {f['worry']}, and its spokesperson, "
            f"{f['critic']}, called the timetable \"wishful thinking\".",
        ],
        "filler": [
            f"The announcement comes after {f['months_talks']} months of talks between national and local officials "
            f"in {f['country']}.",
            f"Officials said {f['pct']} percent of the money would come from public funds and the rest from private "
            "lenders and pension funds.",
            f"Shares in several regional suppliers rose by as much as {f['pct2']} percent after the news.",
            f"The region's population has grown by {f['pct2']} percent since {f['past_year']}, according to the "
            "national statistics office.",
            f"A similar plan was shelved in {f['past_year']} after a change of government.",
            f"Analysts at {f['analyst_firm']} said the figures looked realistic but that interest rates were the main "
            "risk.",
            f"Construction is due to start in {f['start_month']} {f['start_year']}, with the first phase finished "
            f"within {f['phase_years']} years.",
            f"Local media in {f['city']} have followed the debate closely, and a petition in favour collected more "
            f"than {f['petition']:,} signatures.",
            "Opposition lawmakers said they would ask for an independent review of the costs before any contract is "
            "signed.",
            f"The {f['org']} has not said which companies will bid for the main contracts.",
            f"An environmental assessment published last year found no reason to block the {f['project']}, although "
            "it asked for further studies.",
            f"Unemployment in the area stands at {f['unemployment']} percent, above the national average.",
            f"Business groups in {f['country']} welcomed the decision and urged the government to speed up permits.",
            f"The plan still needs the approval of {f['country']}'s parliament, where the governing coalition holds "
            "a narrow majority.",
            f"{f['person_last']} is expected to present the details to investors in {f['city']} next month.",
            f"Previous estimates had put the cost at {f['old_amount']} {f['currency']}.",
            "Economists noted that projects of this size often take longer than planned, citing delays elsewhere in "
            "Europe and Asia.",
            f"Residents interviewed by {f['outlet']} were divided, with some praising the ambition and others worried "
            "about years of disruption.",
            f"The {f['critic_org']} said it had asked for a meeting with {f['person_last']} but had not received a "
            "reply.",
            f"About {f['workers']:,} workers are expected on site at the peak of construction.",
            f"The government has promised {f['count']:,} {f['unit']} nationwide by {f['target_year']}.",
            "A spokesperson for the finance ministry declined to comment on the financing.",
            f"Weather permitting, survey teams will begin work near {f['city']} in the coming weeks.",
            f"{f['person_last']} dismissed the criticism, saying that \"doing nothing would cost far more\".",
            f"{f['third']}, an economist at the University of {f['city']}, said the {f['project']} could lift local "
            f"output by {f['pct3']} percent a year once it is running, \"if, and only if, it is delivered on time\".",
            f"In a statement, the office of {f['country']}'s prime minister said the plan was \"a test of whether "
            "we can still build things\" and promised to monitor its progress every quarter.",
            f"The {f['org']} said tenders would be published on its website and that at least {f['pct']} percent of "
            "the work would go to companies based in the region.",
            f"The debate has echoes of {f['past_year']}, when a smaller scheme in {f['other_city']} ran two years "
            "late and cost almost twice its budget.",
            f"Trade unions said they would seek guarantees on wages and safety for the {f['workers']:,} workers "
            "expected on site, after two accidents at other projects last year.",
            f"According to {f['third']} of the University of {f['city']}, the financing depends on a loan from a "
            "regional development bank that has not yet been approved by its board.",
            f"At a public meeting in {f['city']} on {f['weekday']} evening, more than {f['crowd']} people queued to "
            "ask questions, many of them about compensation for land and property.",
            f"Critics also pointed to {f['country']}'s record on large projects, noting that an audit in "
            f"{f['past_year']} found that two in three had exceeded their budgets.",
            f"{f['person_last']} said the {f['org']} would publish quarterly reports on spending and progress, and "
            "invited independent experts to review them.",
            f"Supporters argue that the {f['project']} will help {f['city']} compete with {f['other_city']}, which "
            "completed a comparable project three years ago.",
        ],
    }


def generate_article(seed: int, number: int) -> SyntheticArticle:
    """Article `number` of the corpus drawn from `seed` (300–700 words), independent of corpus size."""
    rng = random.Random(f"{seed}:{number}")
    topic = rng.choice(TOPICS)
    city, country, currency = rng.choice(PLACES)
    outlet = rng.choice(OUTLETS)
    year, month, day = rng.choice((2024, 2025)), rng.randint(1, 12), rng.randint(1, 28)
    person, critic = _person(rng), _person(rng)
    f = {"city": city, "country": country, "currency": currency, "outlet": outlet, "person": person,
         "person_last": person.split(" ", 1)[1], "critic": critic, "critic_last": critic.split(" ", 1)[1],
         "org": topic.org.format(city=city, country=country), "role": topic.role, "project": topic.project,
         "critic_org": topic.critic_org.format(city=city, country=country), "worry": topic.worry,
         "benefit": topic.benefit, "unit": topic.unit, "amount": _amount(rng), "old_amount": _amount(rng),
         "count": rng.randint(2, 90) * 100, "pct": str(rng.randint(20, 80)), "pct2": str(rng.randint(2, 19)),
         "past_year": str(rng.randint(2005, 2020)), "months_talks": str(rng.randint(3, 30)),
         "analyst_firm": f"{rng.choice(LAST)} & {rng.choice(LAST)}", "start_month": rng.choice(MONTHS),
         "start_year": str(year + 1), "phase_years": str(rng.randint(2, 6)), "petition": rng.randint(5, 90) * 1000,
         "unemployment": f"{rng.randint(40, 180) / 10:.1f}", "workers": rng.randint(3, 60) * 100,
         "target_year": str(year + rng.randint(3, 10)), "decision_month": rng.choice(MONTHS),
         "third": _person(rng), "pct3": f"{rng.randint(3, 25) / 10:.1f}", "weekday": rng.choice(WEEKDAYS),
         "crowd": str(rng.randint(8, 60) * 10), "other_city": rng.choice([p[0] for p in PLACES if p[0] != city])}
    created = rng.randint(2, 40) * 100
    prep = PREPOSITION[topic.verb]
    title = f"{f['org']} to {topic.verb} {f['amount']} {currency} {prep} {city} {topic.project}"
    lead = (f"{city.upper()}, {MONTHS[month - 1]} {day} ({outlet}) — The {f['org']} said on {rng.choice(WEEKDAYS)} "
            f"it would {topic.verb} {f['amount']} {currency} {prep} a new {topic.project} in {city}, a project its "
            f"{topic.role}, {person}, said would bring {f['benefit']} to the region.")
    figures = (f"The {topic.project} is expected to add {created:,} {topic.unit}, according to documents seen by "
               f"{outlet}.")
    outlook = f"A final decision on the {topic.project} is expected in {f['decision_month']}."
    pools = _sentences(f)
    filler = pools["filler"]
    rng.shuffle(filler)
    paragraphs = [lead, figures + " " + filler.pop(), rng.choice(pools["quote"]), rng.choice(pools["critic"])]
    target = rng.randint(330, 650)
    words = sum(len(p.split()) for p in paragraphs) + len(title.split()) + len(outlook.split())
    while len(filler) >= 2:
        paragraph = " ".join(filler.pop() for _ in range(rng.choice((1, 2, 2, 3)) if len(filler) > 2 else 2))
        if words + len(paragraph.split()) > 690:
            break
        paragraphs.insert(rng.randint(2, len(paragraphs)), paragraph)
        words += len(paragraph.split())
        if words >= target:
            break
    text = "\n\n".join([title, *paragraphs, outlook]) + "\n"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    meta = {"title": title, "outlet": outlet, "language": "en", "published": f"{year}-{month:02d}-{day:02d}"}
    questions = (
        f"How much will the {f['org']} {topic.verb} {prep} the {topic.project} in {city}?",
        f"What did {person} say about the {topic.project} in {city}?",
        f"Who criticised the {topic.project} plan in {city}, and why?",
        f"When is a decision on the {topic.project} in {city} expected?",
        f"How many {topic.unit} will the new {topic.project} in {city} add?",
        f"What is the role of {person} at the {f['org']}?",
    )
    return SyntheticArticle(number, f"{number:05d}_{digest}.txt", text, meta, questions)


def generate_corpus(seed: int, count: int, start: int = 0) -> list[SyntheticArticle]:
    return [generate_article(seed, n) for n in range(start, start + count)]


def manifest_text(articles: Sequence[SyntheticArticle]) -> str:
    """The manifest in the layout of data/articles/manifest.json: one file per line."""
    lines = [f"  {json.dumps(a.filename)}: {json.dumps(a.meta, ensure_ascii=False)}" for a in articles]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def write_corpus(folder: Path, articles: Sequence[SyntheticArticle]) -> None:
    """Write the articles and their manifest (merged with one already in `folder`)."""
    folder.mkdir(parents=True, exist_ok=True)
    known: list[SyntheticArticle] = []
    manifest = folder / "manifest.json"
    if manifest.is_file():
        for name, meta in json.loads(manifest.read_text(encoding="utf-8")).items():
            known.append(SyntheticArticle(-1, name, "", {k: str(v) for k, v in meta.items()}))
    for article in articles:
        (folder / article.filename).write_text(article.text, encoding="utf-8", newline="\n")
    names = {a.filename for a in articles}
    merged = [a for a in known if a.filename not in names] + list(articles)
    manifest.write_text(manifest_text(merged), encoding="utf-8", newline="\n")


def make_queries(articles: Sequence[SyntheticArticle], count: int) -> list[tuple[str, str]]:
    """`count` (question, answering file) pairs spread evenly over the corpus, cycling question forms."""
    if not articles:
        return []
    out: list[tuple[str, str]] = []
    for i in range(count):
        article = articles[i * len(articles) // count]
        out.append((article.questions[i % len(article.questions)], article.filename))
    return out
