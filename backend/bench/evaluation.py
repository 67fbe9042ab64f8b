"""`matchmaker eval`: load a relevance-labelled set into a scratch database through the product's
own services, rank with every channel and the fusion, and report Recall/nDCG/MRR@10, nDCG@10 per language
slice, the intrusion rate and the hub share."""

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from backend.base import PostingColumns
from backend.capabilities import service as capabilities
from backend.capabilities.models import Capability
from backend.capabilities.schemas import CapabilityIn
from backend.matches import lexical_index, matching
from backend.needs import service as needs
from backend.needs.models import Need
from backend.needs.schemas import NeedIn
from backend.organisations import service as organisations
from backend.organisations.models import OrgKind
from matching.cache import EmbeddingCache
from matching.metrics import evaluate_languages


@dataclass
class BenchSet:
    needs: list[dict]
    capabilities: list[dict]
    qrels: dict[str, dict[str, int]]

    def repeated_ids(self) -> dict[str, int]:
        """Ids held by more than one record, per file: a document kept in two languages under one id counts
        as one document (found in either language), a query as its first copy."""
        out = {}
        for name, recs in (("needs", self.needs), ("capabilities", self.capabilities)):
            ids = [_bench_id(r) for r in recs]
            if len(ids) != len(set(ids)):
                out[name] = len(ids) - len(set(ids))
        return out


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as err:
                    raise ValueError(f"{path}:{n}: not JSON ({err.msg})") from None
    return rows


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3:
                if line.strip():
                    raise ValueError(f"{path}:{n}: expected need_id<TAB>capability_id<TAB>relevance")
                continue
            qrels[parts[0]][parts[1]] = int(parts[2])
    return dict(qrels)


def load_set(directory: Path, needs_file: Path | None = None, qrels_file: Path | None = None) -> BenchSet:
    """Read needs.jsonl, capabilities.jsonl and qrels.tsv (or the given overrides) of one folder."""
    def pick(override: Path | None, name: str) -> Path:
        if override is None:
            return directory / name
        return override if override.exists() or override.is_absolute() else directory / override

    paths = [pick(needs_file, "needs.jsonl"), directory / "capabilities.jsonl", pick(qrels_file, "qrels.tsv")]
    for p in paths:
        if not p.exists():
            raise FileNotFoundError(f"{p} does not exist (see the bench format: needs.jsonl, capabilities.jsonl, "
                                    "qrels.tsv)")
    return BenchSet(read_jsonl(paths[0]), read_jsonl(paths[1]), read_qrels(paths[2]))


def _title(rec: dict) -> str:
    return (rec.get("title") or "").strip() or rec["text"].strip()[:120]


def _bench_id(rec: dict) -> str:
    """A record's id as the qrels spell it (a JSON number 7 is the qrels' "7")."""
    return str(rec["id"])


def _first_of_each(recs: list[dict]) -> list[dict]:
    """The records with the first copy of each id (a query must have one text)."""
    first: dict[str, dict] = {}
    for rec in recs:
        first.setdefault(_bench_id(rec), rec)
    return list(first.values())


@dataclass
class _Loaded:
    """The postings of one run: the queries (one per id) and every target row with its set id (a document
    kept in two languages under one id gives two rows with the same id)."""

    sources: list[tuple[str, PostingColumns]]
    targets: list[tuple[str, PostingColumns]]


def _insert(session: Session, bench: BenchSet, reverse: bool, progress) -> _Loaded:  # noqa: ANN001
    """Insert the records that take part as real postings."""
    firm = organisations.create(session, kind=OrgKind.FIRM, name="评测企业 bench firm", region_code="330602")
    lab = organisations.create(session, kind=OrgKind.UNIVERSITY, name="评测大学 bench lab", region_code="330100")
    if reverse:
        wanted_caps = {c for q, rels in bench.qrels.items() for c, r in rels.items() if r > 0}
        cap_recs = _first_of_each([c for c in bench.capabilities if _bench_id(c) in wanted_caps])
        need_recs = bench.needs
    else:
        cap_recs = bench.capabilities
        need_recs = _first_of_each(
            [n for n in bench.needs if any(r > 0 for r in bench.qrels.get(_bench_id(n), {}).values())])
    need_rows, cap_rows = [], []
    total = len(need_recs) + len(cap_recs)
    for i, rec in enumerate(cap_recs, start=1):
        cap_rows.append((_bench_id(rec), capabilities.create(
            session, CapabilityIn(organisation_id=lab.id, kind="result", title=_title(rec), description=rec["text"]))))
        if progress and i % 200 == 0:
            progress("insert", i, total)
    for i, rec in enumerate(need_recs, start=1):
        need_rows.append((_bench_id(rec), needs.create(
            session, NeedIn(organisation_id=firm.id, title=_title(rec), description=rec["text"]))))
        if progress and i % 200 == 0:
            progress("insert", len(cap_recs) + i, total)
    session.info.pop("pending_jobs", None)
    return _Loaded(cap_rows, need_rows) if reverse else _Loaded(need_rows, cap_rows)


def _doc_languages(rows: list[tuple[str, PostingColumns]]) -> dict[str, str]:
    """Set id -> the detected language of its posting(s): "zh", or "en+zh" for a document in both."""
    langs: dict[str, set[str]] = defaultdict(set)
    for bench_id, row in rows:
        langs[bench_id].add(row.language or "?")
    return {bench_id: "+".join(sorted(found)) for bench_id, found in langs.items()}


def _unique(ids: list[str]) -> list[str]:
    """Each set id once, where it first appears (two language copies of one document are one result)."""
    return list(dict.fromkeys(ids))


def run_eval(
    url: str,
    bench: BenchSet,
    *,
    reverse: bool = False,
    methods: set[str] | None = None,
    cache_path: Path | None = None,
    progress=None,  # noqa: ANN001
    keep_candidates: dict | None = None,
) -> dict[str, dict]:
    """Metrics per channel and for the fusion ("hybrid") on one set, in a scratch database at `url`.

    Each method's figures are evaluate()'s plus "slices" (query language -> relevant documents'
    language, from the postings' detected languages), "intrusion@1" and "hub_share" (matching.metrics).
    """
    cache = EmbeddingCache(cache_path) if cache_path else None
    engine = create_engine(url)
    with Session(engine) as session:
        target_cls = Need if reverse else Capability
        left = session.scalar(select(func.count()).select_from(target_cls))
        if left:
            raise RuntimeError(f"the scratch database already holds {left} {target_cls.__tablename__}; "
                               "the eval needs an empty one")
        # A bulk load: the impact-ordered lexical index is built once afterwards instead of by its insert
        # trigger per posting (several times faster on a few thousand postings; the same rows either way).
        tables = list(lexical_index.COLLECTIONS)
        for table in tables:
            session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_lexical_inserted"))
        loaded = _insert(session, bench, reverse, progress)
        for table in tables:
            lexical_index.rebuild(session, table)
            session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {table}_lexical_inserted"))
        matching.embed_postings(session, [row for _unused, row in loaded.targets], cache=cache,
                                on_progress=(lambda d, t: progress("embed", d, t)) if progress else None)
        source_ids = [bench_id for bench_id, _unused in loaded.sources]
        source_rows = [row for _unused, row in loaded.sources]
        qvecs = matching.query_vectors(source_rows, cache=cache)
        by_row = {row.id: bench_id for bench_id, row in loaded.targets}
        query_lang = {bench_id: row.language or "?" for bench_id, row in loaded.sources}
        doc_lang = _doc_languages(loaded.targets)
        runs: dict[str, dict[str, list[str]]] = defaultdict(dict)
        for i, (bench_id, row) in enumerate(loaded.sources):
            found = matching.retrieve(session, row, target_cls, {n: v[i] for n, v in qvecs.items()})
            for name, ids in found.rankings.items():
                runs[name][bench_id] = _unique([by_row[x] for x in ids])
            runs["hybrid"][bench_id] = _unique([by_row[x] for x, _unused in found.fused])
            if found.first_fused and found.first_fused is not found.fused:
                runs["fusion:weighted"][bench_id] = _unique([by_row[x] for x, _unused in found.first_fused])
            if keep_candidates is not None:  # for fitting the calibration offline: every candidate's features
                keep_candidates[bench_id] = {
                    "language": row.language,
                    "candidates": [[by_row[x], doc_lang.get(by_row[x], "?"), feats]
                                   for x, feats in found.features.items()],
                }
            if progress and (i + 1) % 50 == 0:
                progress("rank", i + 1, len(source_ids))
        session.rollback()
    engine.dispose()
    qrels = bench.qrels
    if reverse:
        inverted: dict[str, dict[str, int]] = defaultdict(dict)
        for q, rels in qrels.items():
            for c, r in rels.items():
                inverted[c][q] = r
        qrels = dict(inverted)
    qrels = {q: rels for q, rels in qrels.items() if q in query_lang}
    names = sorted(runs, key=lambda n: (n == "hybrid", n))
    results = {name: evaluate_languages(runs[name], qrels, query_lang, doc_lang) for name in names}
    if methods:
        results = {n: m for n, m in results.items() if n in methods or n.split(":")[0] in methods}
    return results
