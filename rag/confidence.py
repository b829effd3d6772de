"""How sure the model was of what it wrote, from its own token log-probabilities.

The bundled model states a wrong answer as fluently as a right one, but not as surely: over the
dev sets, an answer whose words it wrote with a low mean log-probability was far more often
wrong (docs/quality.md, "Sixteenth round"). The server reports each streamed token's
log-probability with the token (no extra call); a draft keeps them beside its text (`TokenLog`) and withholds an
answer the model was unsure of. Where the server sends none (another model through
`OPENAI_BASE_URL`), nothing is judged: a threshold fitted to one model means nothing for another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.prompts import CITATION

# Mean log-probability of an answer's words below which it is withheld: fitted on dev2, dev3 and
# dev4 with the bundled model (docs/quality.md, "Sixteenth round").
UNSURE_MEAN_LOGPROB = -0.3

_WORD = re.compile(r"\w")


@dataclass
class TokenLog:
    """The log-probabilities of a draft's streamed pieces, by where each starts in its raw text."""

    pieces: list[tuple[int, str, float]] = field(default_factory=list)

    def add(self, start: int, text: str, logprob: float | None) -> None:
        if logprob is not None:
            self.pieces.append((start, text, logprob))

    def mean(self, raw: str) -> float | None:
        """The mean log-probability of the word pieces of `raw` (the draft's text so far):
        punctuation, spaces and citation marks left out (the model writes them with near
        certainty whatever it claims). None when the server sent no log-probabilities."""
        marks = [m.span() for m in CITATION.finditer(raw)]
        words = [lp for start, text, lp in self.pieces
                 if _WORD.search(text) and not any(a <= start and start + len(text) <= b for a, b in marks)]
        return sum(words) / len(words) if words else None


def unsure(mean: float | None) -> bool:
    """Whether an answer written with this mean log-probability is too unsure to show."""
    return mean is not None and mean < UNSURE_MEAN_LOGPROB
