"""The "and why?" part of a question: its answer must give a reason.

"How many individuals did Canada sanction in March 2024, and why?" answered with the count alone
is half an answer, scored as wrong as a wrong count: a reader who asked why gets a bare number with
a citation. The count passes every number check, so the missing half is judged on its own: an
answer to such a question must say why in some way (a "because", "over", "in response to", a
purpose "to punish"), or it is withheld like a "how many" answered without a number.

Only the trailing "and why" of a compound question is read ("..., and why?", "et pourquoi ?",
"und warum?", "y por qué", "e perché", "e por quê", "dan mengapa", "en waarom"); a question that
opens with "why" is left to the model and the other checks (its whole answer is the reason).
"""

from __future__ import annotations

import re

from rag.rerank import fold

_WHY_TOO = re.compile(r"[,;]?\s*\b(?:and|et|und|y|e|dan|en)\s+(?:why|pourquoi|warum|weshalb|por\s*que|perche"
                      r"|mengapa|kenapa|waarom)\b")
# What gives a reason or a purpose, in the corpus's languages (folded: no accents)
_REASON = re.compile(
    r"\b(?:because|over|due to|owing to|in (?:response|retaliation|reaction) to|in protest|as punishment|for (?:its"
    r"|their|his|her|the) (?:role|part|involvement|support|participation)|for (?:helping|supporting|taking"
    r"|spreading|supplying|producing|organi[sz]ing)|to (?:punish|protest|counter|respond|pressure|hold|target"
    r"|stop|support|help)|accused|linked to|tied to|involved in|responsible for|complicit|citing|after"
    r"|parce que|en raison|en reponse|a cause|car|pour (?:leur|son|sa|ses|avoir|punir|protester|soutenir)"
    r"|accuse\w*|lie\w* (?:a|aux)|implique\w*|suite a"
    r"|weil|wegen|aufgrund|als reaktion|beteiligt|verantwortlich|vorgeworfen|um \w+ zu"
    r"|porque|debido|por (?:su|sus|haber)|en respuesta|acusad\w*|vinculad\w*|implicad\w*|tras"
    r"|perche|a causa|in risposta|accusat\w*|coinvolt\w*|dopo"
    r"|devido|em resposta|acusad\w*|envolvid\w*|apos"
    r"|karena|akibat|atas (?:peran|keterlibatan|serangan|dukungan)|sebagai (?:tanggapan|respons|balasan)"
    r"|terkait|dituduh|terlibat|setelah"
    r"|omdat|wegens|vanwege|als reactie|betrokken|beschuldigd)\b")


def asks_reason_too(question: str) -> bool:
    """Whether a compound question ends by asking why ("..., and why?")."""
    return _WHY_TOO.search(fold(question)) is not None


def gives_reason(answer: str) -> bool:
    """Whether the answer says why in some way: a cause, a response or a purpose."""
    return _REASON.search(fold(answer)) is not None
