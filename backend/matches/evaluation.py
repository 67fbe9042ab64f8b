"""`matchmaker eval`: load a relevance-labelled set into a scratch database through the product's
own services, rank with every channel and the fusion, and report Recall/nDCG/MRR@10."""

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from backend.capabilities import service as capabilities
from backend.capabilities.models import Capability
from backend.capabilities.schemas import CapabilityIn
from backend.matches import matching
from backend.needs import service as needs
from backend.needs.models import Need
from backend.needs.schemas import NeedIn
from backend.organisations import service as organisations
from backend.organisations.models import OrgKind
from matching.cache import EmbeddingCache
from matching.metrics import evaluate


@dataclass
class BenchSet:
    needs: list[dict]
    capabilities: list[dict]
    qrels: dict[str, dict[str, int]]


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


def _insert(session: Session, bench: BenchSet, reverse: bool, progress) -> tuple[dict, dict]:  # noqa: ANN001
    """Insert the records that take part as real postings; return bench-id -> row maps."""
    firm = organisations.create(session, kind=OrgKind.FIRM, name="评测企业 bench firm", region_code="330602")
    lab = organisations.create(session, kind=OrgKind.UNIVERSITY, name="评测大学 bench lab", region_code="330100")
    if reverse:
        wanted_caps = {c for q, rels in bench.qrels.items() for c, r in rels.items() if r > 0}
        cap_recs = [c for c in bench.capabilities if c["id"] in wanted_caps]
        need_recs = bench.needs
    else:
        cap_recs = bench.capabilities
        need_recs = [n for n in bench.needs if any(r > 0 for r in bench.qrels.get(n["id"], {}).values())]
    need_rows, cap_rows = {}, {}
    total = len(need_recs) + len(cap_recs)
    for i, rec in enumerate(cap_recs, start=1):
        cap_rows[rec["id"]] = capabilities.create(
            session, CapabilityIn(organisation_id=lab.id, kind="result", title=_title(rec), description=rec["text"]))
        if progress and i % 200 == 0:
            progress("insert", i, total)
    for i, rec in enumerate(need_recs, start=1):
        need_rows[rec["id"]] = needs.create(
            session, NeedIn(organisation_id=firm.id, title=_title(rec), description=rec["text"]))
        if progress and i % 200 == 0:
            progress("insert", len(cap_recs) + i, total)
    session.info.pop("pending_jobs", None)
    return need_rows, cap_rows


def run_eval(
    url: str,
    bench: BenchSet,
    *,
    reverse: bool = False,
    methods: set[str] | None = None,
    cache_path: Path | None = None,
    progress=None,  # noqa: ANN001
    keep_candidates: dict | None = None,
) -> dict[str, dict[str, float]]:
    """Metrics per channel and for the fusion ("hybrid") on one set, in a scratch database at `url`."""
    cache = EmbeddingCache(cache_path) if cache_path else None
    engine = create_engine(url)
    with Session(engine) as session:
        need_rows, cap_rows = _insert(session, bench, reverse, progress)
        sources, targets, target_cls = (
            (cap_rows, need_rows, Need) if reverse else (need_rows, cap_rows, Capability)
        )
        matching.embed_postings(session, list(targets.values()), cache=cache,
                                on_progress=(lambda d, t: progress("embed", d, t)) if progress else None)
        source_ids = list(sources)
        source_rows = [sources[s] for s in source_ids]
        qvecs = matching.query_vectors(source_rows, cache=cache)
        by_row = {row.id: bench_id for bench_id, row in targets.items()}
        runs: dict[str, dict[str, list[str]]] = defaultdict(dict)
        for i, (bench_id, row) in enumerate(zip(source_ids, source_rows, strict=True)):
            found = matching.retrieve(session, row, target_cls, {n: v[i] for n, v in qvecs.items()})
            for name, ids in found.rankings.items():
                runs[name][bench_id] = [by_row[x] for x in ids]
            runs["hybrid"][bench_id] = [by_row[x] for x, _ in found.fused]
            if keep_candidates is not None:  # for studying fusion offline: the fusion's own input
                keep_candidates[bench_id] = {
                    name: [(by_row[x], score) for x, score in ranked] for name, ranked in found.ranked_scores.items()
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
    qrels = {q: rels for q, rels in qrels.items() if q in sources}
    names = sorted(runs, key=lambda n: (n == "hybrid", n))
    results = {name: evaluate(runs[name], qrels) for name in names}
    if methods:
        results = {n: m for n, m in results.items() if n in methods or n.split(":")[0] in methods}
    return results
