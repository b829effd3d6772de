"""How sure the model was of what it wrote, from its own token log-probabilities.

The bundled model states a wrong answer as fluently as a right one, but not as surely: over the
dev sets, an answer whose least sure words it wrote with a low log-probability was far more often
wrong (docs/quality.md, "Sixteenth round" and "Seventeenth round"). The few words it guessed
decide: a whole answer's mean is diluted by the fluent words around a guessed name or number.
The server reports each streamed token's log-probability with the token (no extra call); a draft
keeps them beside its text (`TokenLog`) and withholds an answer the model was unsure of. Where
the server sends none (another model through `OPENAI_BASE_URL`), nothing is judged: a threshold
fitted to one model means nothing for another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.prompts import CITATION

# An answer is withheld when the mean log-probability of its LEAST_SURE_WORDS least sure word
# pieces is below UNSURE_LOGPROB: chosen on dev2 and dev3, confirmed on dev4 (recorded runs of the
# bundled model; docs/quality.md, "Seventeenth round"). -0.65 was tried in the twenty-seventh round
# (chosen on the pooled first runs of four fresh splits) and went back: on the sets it was not
# chosen on it withheld one right answer and no wrong one. An answer of fewer pieces is judged on all.
LEAST_SURE_WORDS = 5
UNSURE_LOGPROB = -0.7

_WORD = re.compile(r"\w")


@dataclass
class TokenLog:
    """The log-probabilities of a draft's streamed pieces, by where each starts in its raw text."""

    pieces: list[tuple[int, str, float]] = field(default_factory=list)

    def add(self, start: int, text: str, logprob: float | None) -> None:
        if logprob is not None:
            self.pieces.append((start, text, logprob))

    def least_sure(self, raw: str, count: int = LEAST_SURE_WORDS) -> float | None:
        """The mean log-probability of the `count` least sure word pieces of `raw` (the draft's
        text so far; all of its word pieces when there are fewer): punctuation, spaces and citation
        marks left out (the model writes them with near certainty whatever it claims). None when
        the server sent no log-probabilities."""
        words = sorted(self._word_logprobs(raw))[:count]
        return sum(words) / len(words) if words else None

    def _word_logprobs(self, raw: str) -> list[float]:
        marks = [m.span() for m in CITATION.finditer(raw)]
        return [lp for start, text, lp in self.pieces
                if _WORD.search(text) and not any(a <= start and start + len(text) <= b for a, b in marks)]


def unsure(least_sure: float | None) -> bool:
    """Whether an answer whose least sure words have this mean log-probability is too unsure to show."""
    return least_sure is not None and least_sure < UNSURE_LOGPROB
