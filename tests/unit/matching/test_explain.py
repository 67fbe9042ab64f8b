import json

import pytest

from matching import terms as term_lists
from matching.explain import (
    IDF_MIN_DOCUMENTS,
    MAX_TERMS,
    explain,
    frequency_cap,
    highlight,
    idf,
    shared_terms,
    similarity_label,
    terms,
)

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


def test_similarity_labels():
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


def test_the_stored_explanation_holds_codes_and_numbers_not_sentences():
    result = explain(NEED, CAPABILITY, similarity=0.92, chain_agrees=True, lang_pair=("zh", "zh")).stored()
    json.dumps(result)
    assert set(result) == {"shared_terms", "similarity", "similarity_label", "chain_agrees", "cross_language"}
    assert result["similarity"] == 0.92 and result["similarity_label"] == "very close"
    assert result["chain_agrees"] is True and result["cross_language"] is False
    assert "风电" in result["shared_terms"] and len(result["shared_terms"]) <= MAX_TERMS


def test_explain_across_languages_and_without_a_similarity():
    result = explain(NEED, "Grinding burn detection of wind-turbine bearing rollers", similarity=None,
                     chain_agrees=None, lang_pair=("zh", "en"))
    assert result.cross_language is True
    assert result.similarity is None and result.similarity_label is None and result.chain_agrees is None
    assert set(result.stored()) == {"shared_terms", "cross_language"}  # unknown codes are left out, not null


# --- what the shared terms leave out --------------------------------------------------------------------

# A sample need and capability (the sample data's wording) that share much filler besides real terms.
FILLER_NEED = ("拟通过产学研联合攻关，采用新工艺完成风电滚子磨削烧伤控制，设备每天运行20小时。"
               "As a manufacturer we propose a joint project with a partner to cut grinding burn on rollers "
               "in production.")
FILLER_CAP = ("课题组采用CBN砂轮完成了风电滚子磨削烧伤在线检测，联合企业开展项目，设备连续运行500小时。"
              "Joint project with a bearing manufacturer: grinding burn detection for rollers in production lines.")


def test_filler_and_stop_words_are_never_named_as_shared():
    found = shared_terms(FILLER_NEED, FILLER_CAP, limit=50)
    filler = {"采用", "完成", "小时", "联合", "设备", "manufacturer", "joint", "project", "production", "with", "in"}
    assert not filler & {t.casefold() for t in found}
    assert "磨削烧伤" in found and "风电滚子" in found  # what the two really share is still there
    assert {"grinding", "burn", "rollers"} & {t.casefold() for t in found}
    # every word of the maintained lists and of the filler file is out, unless it is a domain term
    assert {"采用", "完成", "小时", "manufacturer", "joint", "project"} <= term_lists.common_words()
    assert not term_lists.common_words() & term_lists.domain_terms()


def test_at_most_five_terms_domain_terms_first():
    found = shared_terms(FILLER_NEED, FILLER_CAP)
    assert len(found) == MAX_TERMS == 5
    domain = term_lists.domain_terms()
    flags = [t.casefold() in domain for t in found]
    assert flags == sorted(flags, reverse=True)  # no plain word before a domain term
    assert flags[0] and found[0] in ("风电滚子", "磨削烧伤")
    # a domain term comes first even when the need names it last, behind longer plain words
    found = shared_terms("高压柱塞泵缸体配流盘的偏磨问题，涉及磨削烧伤",
                         "研究高压柱塞泵缸体配流盘偏磨机理和磨削烧伤检测")
    assert found[0] == "磨削烧伤" and "磨削烧伤" in domain
    assert len(found) == MAX_TERMS and not any(t.casefold() in domain for t in found[1:])


def test_a_term_held_by_too_many_postings_is_not_named_when_frequencies_are_given():
    frequencies = {"风电": 60, "在线检测": 5, "磨削": 19, "烧伤": 20}  # 风电: idf 0.5
    plain = shared_terms(NEED, CAPABILITY)
    floored = shared_terms(NEED, CAPABILITY, document_frequency=frequencies.get, documents=100)
    assert "风电" in plain and "风电" not in floored
    assert "在线检测" in floored and "磨削" in floored  # idf 2.9 and 1.64: above the floor of 1.6
    assert "烧伤" not in floored  # idf 1.59: just below it
    assert "滚子" in floored  # a term of unknown frequency is kept
    # a small collection says too little for a floor
    assert shared_terms(NEED, CAPABILITY, document_frequency=frequencies.get,
                        documents=IDF_MIN_DOCUMENTS - 1) == plain


@pytest.mark.parametrize("documents", [50, 100, 650, 100_000])
def test_frequency_cap_is_the_first_frequency_below_the_floor(documents):
    cap = frequency_cap(documents)
    assert idf(cap, documents) < 1.6 <= idf(cap - 1, documents)
