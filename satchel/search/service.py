"""The search index: what is known about each asset as text passages (name, description,
alt text, tags, OCR text, transcript, caption), their WordLlama embeddings, and ranked
semantic or hybrid search over them. Keyword search stays the assets listing's own."""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from satchel.assets.filters import conditions as library_conditions
from satchel.assets.models import Asset
from satchel.codes import Code
from satchel.db import utcnow
from satchel.errors import SatchelError, Unavailable
from satchel.media.ml import embed
from satchel.search.models import SearchEntry
from satchel.skills.models import AiResult

log = logging.getLogger("satchel.search")
MAX_PASSAGES = 24
PASSAGE_WORDS = 48
# Hybrid adds this much for the share of query words found literally: a tie-breaker, small
# enough that a semantic match ("kitten on the couch") is not beaten by a document that
# merely repeats one query word ("sofa catalogue").
KEYWORD_WEIGHT = 0.04
MIN_SCORE = 0.2  # below this a semantic match is noise
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "in",
        "of",
        "and",
        "or",
        "for",
        "to",
        "with",
        "at",
        "by",
        "is",
        "are",
        "was",
    ]
)


def _chunks(text: str) -> list[str]:
    words = text.split()
    return [" ".join(words[i : i + PASSAGE_WORDS]) for i in range(0, len(words), PASSAGE_WORDS)]


def filename_words(name: str) -> str:
    stem = name.rsplit(".", 1)[0]
    return " ".join(_WORD.findall(stem.replace("_", " ").replace("-", " ")))


def passages_of(asset: Asset, results: dict[str, dict[str, Any]]) -> list[str]:
    found: list[str] = []
    name = filename_words(asset.filename)
    if name:
        found.append(name)
    for value in (asset.description, asset.alt_text):
        if value:
            found += _chunks(value)
    tags = list(asset.tags or []) + list(results.get("tags", {}).get("tags", []))
    if tags:
        found.append(" ".join(str(t) for t in dict.fromkeys(tags)))
    for kind in ("caption", "alt_text"):
        text = results.get(kind, {}).get("text")
        if text:
            found.append(str(text))
    for kind in ("ocr", "transcript"):
        text = results.get(kind, {}).get("text")
        if text:
            found += _chunks(str(text))
    return list(dict.fromkeys(p for p in found if p.strip()))[:MAX_PASSAGES]


def _current(session: Session, asset_id: str) -> tuple[Asset, list[str], dict[str, Any]] | None:
    session.execute(select(Asset.id).where(Asset.id == asset_id).with_for_update())
    asset = session.scalars(select(Asset).where(Asset.id == asset_id)).first()
    if asset is None:
        return None
    rows = session.scalars(select(AiResult).where(AiResult.asset_id == asset_id))
    results = {r.kind: dict(r.payload_json) for r in rows}
    return asset, passages_of(asset, results), results.get("hashes", {})


def reindex(runtime: Any, *, asset_id: str) -> None:
    """Rebuild the asset's entry (text always; embeddings when WordLlama is installed).

    Two reindexes of one asset can overlap (an enrichment job and a skill run on request
    finish together), and embedding takes long, so what is written is read again inside
    the write, under the asset's row lock: the hashes and text stored now, never the ones
    an earlier read saw. Passages that changed while they were embedded are embedded again."""
    with runtime.db.session() as session:
        found = _current(session, asset_id)
    for _ in range(3):
        if found is None:
            return
        passages = found[1]
        vectors = embed.pack(embed.embed(passages)) if embed.available() is None else None
        with runtime.db.write_session() as session:
            found = _current(session, asset_id)
            if found is None or (found[1] != passages and vectors is not None):
                continue  # gone, or new text came while embedding: embed that
            asset, passages, hashes = found
            session.execute(delete(SearchEntry).where(SearchEntry.asset_id == asset_id))
            session.add(
                SearchEntry(
                    asset_id=asset_id,
                    owner_id=asset.owner_id,
                    text="\n".join(passages),
                    embedding=vectors,
                    phash=hashes.get("phash"),
                    dhash=hashes.get("dhash"),
                    updated_at=utcnow(),
                )
            )
            session.commit()
            return
    log.warning("reindex of %s gave up: its text kept changing while it was embedded", asset_id)


def refresh(runtime: Any, *, asset_id: str) -> None:
    """Reindex after an edit of the asset's text; a missing embedding engine is no error
    (keyword search does not need the index)."""
    try:
        reindex(runtime, asset_id=asset_id)
    except SatchelError:
        log.warning("could not reindex %s", asset_id, exc_info=True)


def has_embeddings(session: Session, *, owner_id: str | None) -> bool:
    stmt = select(SearchEntry.asset_id).where(SearchEntry.embedding.is_not(None))
    if owner_id is not None:
        stmt = stmt.where(SearchEntry.owner_id == owner_id)
    return session.scalars(stmt.limit(1)).first() is not None


def _query_words(q: str) -> list[str]:
    return [w for w in (x.lower() for x in _WORD.findall(q)) if w not in _STOP]


def rank(
    session: Session, *, owner_id: str | None, q: str, mode: str, limit: int
) -> list[tuple[str, float]]:
    """(asset id, score) best first: the best passage's cosine similarity to the query,
    plus, in hybrid mode, a small share for query words found literally."""
    stmt = select(SearchEntry.asset_id, SearchEntry.embedding, SearchEntry.text).where(
        SearchEntry.embedding.is_not(None)
    )
    if owner_id is not None:
        stmt = stmt.where(SearchEntry.owner_id == owner_id)
    rows = list(session.execute(stmt))
    if not rows:
        return []
    query = embed.embed([q])[0]
    words = _query_words(q)
    scored: list[tuple[str, float]] = []
    for asset_id, packed, text in rows:
        vectors = embed.unpack(packed or b"")
        score = float((vectors @ query).max()) if len(vectors) else 0.0
        if mode == "hybrid" and words:
            have = set(_query_words(text))
            score += KEYWORD_WEIGHT * sum(w in have for w in words) / len(words)
        if score >= MIN_SCORE:
            scored.append((asset_id, round(score, 4)))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]


def list_ranked(
    session: Session, *, owner_id: str | None, query: Any, mode: str | None
) -> tuple[list[Asset], dict[str, Any]] | None:
    """Assets matching `query.q` by meaning, best first, with the listing's filters; None
    when keyword search should answer (asked for, or nothing is embedded yet)."""
    if mode is None and not has_embeddings(session, owner_id=owner_id):
        return None
    if embed.available() is not None:
        if mode is None:
            return None
        raise Unavailable(embed.available() or "", code=Code.FEATURE_UNAVAILABLE)
    chosen = mode or "hybrid"
    scored = rank(session, owner_id=owner_id, q=query.q, mode=chosen, limit=500)
    ids = [asset_id for asset_id, _ in scored]
    # The listing's library filters too: trashed assets never answer, archived ones only
    # when asked, and folders, favourites and capture metadata narrow as they do there.
    library = library_conditions(query.library) if getattr(query, "library", None) else []
    stmt = select(Asset).where(Asset.id.in_(ids), Asset.trashed_at.is_(None), *library)
    rows = {a.id: a for a in session.scalars(stmt)}
    out: list[Asset] = []
    scores: dict[str, float] = {}
    for asset_id, score in scored:
        asset = rows.get(asset_id)
        if asset is None or not _passes(asset, query):
            continue
        out.append(asset)
        scores[asset_id] = score
        if len(out) >= query.limit:
            break
    return out, {"mode": chosen, "scores": scores, "next_cursor": None, "has_more": False}


def _passes(asset: Asset, query: Any) -> bool:
    checks = (
        (query.kind, asset.kind),
        (query.media_type, asset.media_type),
        (query.status, asset.status),
    )
    if any(want and want != have for want, have in checks):
        return False
    if query.tag and query.tag not in (asset.tags or []):
        return False
    if query.created_after and asset.created_at <= query.created_after:
        return False
    return not (query.created_before and asset.created_at >= query.created_before)
