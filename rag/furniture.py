"""Site furniture in article text: lines a news page prints around the story, not part of it.

Copied pages carry "Story continues below advertisement", video promos ("Click to play video:
'…'", "WATCH: …"), "Read also: <another story's headline>" links and copyright footers. They
cost prompt tokens and passage slots, and the linked headlines are worse than noise: they are
facts from *other* reports that an answer would then cite as this one ("Read also: … the death
of dozens of soldiers"). Only whole lines are dropped, by short anchored patterns (linear time on
hostile input); attribution the reader may ask about ("Sumber: Reuters", "Pewarta: …", "With
files from …") is kept.
"""

from __future__ import annotations

import logging
import re
from collections import Counter

log = logging.getLogger(__name__)

MAX_FURNITURE_CHARS = 300  # a longer line is prose, whatever it starts with
MAX_REPEATED_CHARS = 80

_BULLET = r"^[\s•·*>\-–—]*"
_SEE_ALSO = re.compile(
    _BULLET + r"(read also|also read|read more|see also|related( stories| articles)?|more on this( story)?"
    r"|baca juga|lihat juga|simak juga|baca selengkapnya"
    r"|(à )?lire aussi|voir aussi|lesen sie auch|mehr zum thema|auch interessant"
    r"|leggi anche|vedi anche|lee también|leer más|ver también)\s*[:：]", re.IGNORECASE)
_MEDIA_PROMO = re.compile(_BULLET + r"(click to play video\b|(watch|watch live|listen|video|photos?|gallery)\s*:)",
                          re.IGNORECASE)
_CLICK_TO_PLAY = re.compile(r"^click to play video:\s*['‘\"“](?P<title>.+)['’\"”]\s*$", re.IGNORECASE)
_COPYRIGHT = re.compile(r"^(copyright\s*)?(©|\(c\)\s*\d{4}|copyright\s+\d{4})|^dilarang keras mengambil konten",
                        re.IGNORECASE)
_NEWSLETTER = re.compile(r"^(sign up|subscribe|abonnez-vous|melden sie sich)\b.{0,150}\b(newsletter|infolettre)",
                         re.IGNORECASE)
_AD_LINES = frozenset({
    "story continues below advertisement", "story continues below", "article continues below advertisement",
    "article continues below", "continue reading below", "advertisement", "advertisements", "advertising",
    "sponsored", "sponsored content", "anzeige", "werbung", "publicité", "pubblicità", "publicidad", "iklan",
    "scroll to continue with content", "comments are closed", "share this article",
    "share", "share this", "tweet", "facebook", "twitter", "whatsapp", "linkedin", "telegram", "email", "print",
    "copy link", "berita terkait",
})


def _is_furniture(line: str) -> bool:
    stripped = line.strip()
    if not stripped or len(stripped) > MAX_FURNITURE_CHARS:
        return False
    return (stripped.lower().rstrip(" .") in _AD_LINES  # "Advertisement", "Comments are closed."
            or any(p.match(stripped) for p in (_SEE_ALSO, _MEDIA_PROMO, _COPYRIGHT, _NEWSLETTER)))


def _promoted_titles(lines: list[str]) -> set[str]:
    """Headlines of the videos a page promotes: the caption line repeating one is furniture too."""
    return {m.group("title").strip() for line in lines if (m := _CLICK_TO_PLAY.match(line.strip()))}


def _repeated_short_lines(lines: list[str]) -> set[str]:
    """Short lines printed twice or more in one article, without digits: a page's own furniture
    ("Story continues below", a newsletter prompt) in whatever words the outlet uses. Lines with
    digits are left alone: a repeated figure may be a real table row or a quoted count. The
    first line is never one: it is the headline a page may print twice."""
    stripped = [s for line in lines if (s := line.strip())]
    counts = Counter(stripped[1:])  # the headline may come back as a caption: it stays the title
    return {text for text, n in counts.items()
            if n >= 2 and len(text) <= MAX_REPEATED_CHARS and not any(ch.isdigit() for ch in text)
            and text != stripped[0]}


def strip_furniture(text: str) -> str:
    """`text` without its furniture lines (paragraph breaks kept); the same text when it has none."""
    lines = text.split("\n")
    promoted = _promoted_titles(lines)
    repeated = _repeated_short_lines(lines)
    kept = [line for line in lines
            if not (_is_furniture(line) or line.strip() in promoted or line.strip() in repeated)]
    dropped = len(lines) - len(kept)
    if dropped:
        log.debug("dropped %d furniture line(s)", dropped)
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return text
