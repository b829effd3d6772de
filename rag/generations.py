"""Generations of an index: a rebuild writes a new collection beside the live one, and readers
move to it when a pointer collection's metadata names it (one atomic write). Only names and the
pointer live here; `IndexStore.create_generation` and `IndexStore.publish` use them.

Collections of an index named C: C or C__g<ns> (the chunks, one per generation), each with its
companions <name>__aux (fusion vectors) and <name>__tr (translations), and C__live (the pointer).
"""

from __future__ import annotations

import contextlib
import time
from typing import Any


def new_name(collection: str) -> str:
    """The name of a new generation of `collection`."""
    return f"{collection}__g{time.time_ns()}"


def aux_name(collection: str) -> str:
    return f"{collection}__aux"


def translations_name(collection: str) -> str:
    """The companion collection of translated passages (same ids as the chunks they translate)."""
    return f"{collection}__tr"


def pointer_name(collection: str) -> str:
    return f"{collection}__live"


def live_name(client: Any, collection: str) -> str:
    """The generation readers should use: what the pointer says, else the plain collection name
    (indexes built before rebuilds were atomic, and ones never rebuilt)."""
    try:
        pointer = client.get_collection(pointer_name(collection))
    except Exception:  # no pointer: the plain name is live
        return collection
    return str((pointer.metadata or {}).get("generation") or collection)


def generations(client: Any, collection: str) -> list[str]:
    """Every main collection of this index: the plain name and each `__g<n>` generation."""
    names = [str(getattr(c, "name", c)) for c in client.list_collections()]
    return [n for n in names
            if n == collection or (n.startswith(f"{collection}__g") and not n.endswith(("__aux", "__tr")))]


def point_to(client: Any, collection: str, name: str) -> None:
    """Make `name` the live generation: a single metadata write readers see at their next question."""
    pointer = client.get_or_create_collection(pointer_name(collection), metadata={"generation": name})
    pointer.modify(metadata={"generation": name})


def drop_others(client: Any, collection: str, keep: str) -> None:
    """Drop every generation of `collection` but `keep` (with their companions)."""
    for name in generations(client, collection):
        if name != keep:
            drop(client, name)


def drop(client: Any, name: str) -> None:
    for victim in (name, aux_name(name), translations_name(name)):
        with contextlib.suppress(Exception):  # absent already: nothing to drop
            client.delete_collection(victim)
