import json

from matching.explain import explain, highlight, ordinal, shared_terms, similarity_label, terms

NEED = "风电滚子磨削后表面烧伤，圆度超差，希望找到高校团队合作解决在线检测问题。"
CAPABILITY = "本课题组长期从事风电轴承滚子精密磨削工艺与磨削烧伤的机器视觉在线检测研究，研制了数控成形磨床。"


def test_terms_keep_wind_power_words_whole():
    assert "风电滚子" in terms(NEED)
    assert "风电" in terms("风电行业的齿轮箱需要国产化")
    assert "风" not in terms(NEED) and "电滚子" not in terms(NEED)


def test_terms_drop_stopwords_single_characters_punctuation_and_numbers():
    found = terms("我们需要解决的问题是：2024年 轴承 的 the noise and the vibration of 3 bearings")
    assert "轴承" in found and "noise" in found and "bearings" in found
    for noise in ("我们", "需要", "解决", "问题", "的", "：", "2024", "the", "3"):
        assert noise not in found


def test_shared_terms_name_the_shared_domain_terms():
    shared = shared_terms(NEED, CAPABILITY)
    assert {"风电", "滚子", "磨削", "在线检测"} <= set(shared)
    assert shared.index("在线检测") < shared.index("烧伤")  # domain and longer terms first


def test_shared_terms_find_a_term_segmented_differently_in_the_other_text():
    # 数控机床 is one word in the need; the capability writes 数控机床主轴 and is cut differently.
    shared = shared_terms("五轴数控机床的热变形补偿", "研究数控机床主轴热误差补偿")
    assert "数控机床" in shared


def test_shared_terms_leave_out_terms_inside_longer_shared_terms():
    shared = shared_terms("风电滚子的磨削", "风电滚子精密磨削")
    assert "风电滚子" in shared and "风电" not in shared and "滚子" not in shared


def test_shared_terms_in_english_match_plurals_and_respect_the_limit():
    shared = shared_terms(
        "Grinding burn detection for rollers", "We detect grinding burns on roller surfaces"
    )
    assert {"grinding", "burn"} <= {s.rstrip("s") for s in shared} | set(shared)
    assert len(shared_terms(NEED, CAPABILITY, limit=2)) == 2


def test_highlight_marks_terms_and_escapes_everything_else():
    html = highlight("<script>alert(1)</script> 风电滚子 & Grinding burns", ["风电滚子", "burn", "grinding"])
    assert "<script>" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html
    assert "<mark>风电滚子</mark>" in html
    assert "<mark>Grinding</mark>" in html and "<mark>burns</mark>" in html


def test_highlight_escapes_html_inside_terms_too():
    html = highlight("a <b> c", ["<b>"])
    assert str(html) == "a <mark>&lt;b&gt;</mark> c"


def test_similarity_labels_and_ordinals():
    zh, en, cross = ("zh", "zh"), ("en", "en"), ("zh", "en")
    assert similarity_label(0.93, zh) == "very close"
    assert similarity_label(0.90, zh) == "close"
    assert similarity_label(0.87, zh) == "related"
    assert similarity_label(0.84, zh) == "weak"  # unrelated Chinese texts reach 0.85 with e5
    assert similarity_label(0.90, en) == "very close"
    assert similarity_label(0.80, en) == "weak"
    assert similarity_label(0.845, cross) == "very close"  # across languages e5 cosines run lower
    assert similarity_label(0.81, cross) == "related"
    assert similarity_label(0.70, ("en", "en"), channel="minilm") == "close"
    assert similarity_label(0.10, ("en", "en"), channel="minilm") == "weak"
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 102)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "102nd",
    ]


def test_explain_gives_a_plain_summary_in_both_languages():
    result = explain(
        NEED,
        CAPABILITY,
        similarity=0.92,
        lexical_rank=2,
        dense_rank=1,
        chain_agrees=True,
        lang_pair=("zh", "zh"),
    )
    json.dumps(result)
    assert result["cross_language"] is False
    assert result["similarity_label"] == "very close"
    assert "风电" in result["shared_terms"]
    assert result["summary"].startswith("Shares the key terms ")
    assert "semantically very close (0.92)" in result["summary"]
    assert "ranked 2nd by keywords and 1st by meaning" in result["summary"]
    assert "same industry chain" in result["summary"]
    assert "共同关键词" in result["summary_zh"] and "同属一条产业链" in result["summary_zh"]


def test_explain_across_languages_without_ranks():
    result = explain(
        NEED,
        "Grinding burn detection of wind-turbine bearing rollers",
        similarity=0.79,
        lexical_rank=None,
        dense_rank=None,
        chain_agrees=None,
        lang_pair=("zh", "en"),
    )
    assert result["cross_language"] is True
    assert "across languages (Chinese need, English capability)" in result["summary"]
    assert "ranked" not in result["summary"]
    assert "跨语言" in result["summary_zh"]
