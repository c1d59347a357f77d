"""The English/Chinese pair is found from the texts alone, and same-subject articles are not paired."""

from __future__ import annotations

import cadrecast as cc
from cadrecast.translations import anchors, find_translations


def test_pair_found_without_metadata(corpus):
    pairs = find_translations(corpus, use_metadata=False)
    assert pairs[["doc_id", "translation_of", "method"]].values.tolist() == [
        ["003_b9d991b649e0baf2", "000_1c59dac2740d956f", "detected"]]
    assert pairs.score.iloc[0] > 0.6


def test_metadata_pair_reported_with_score(corpus):
    pairs = find_translations(corpus)
    assert pairs.method.tolist() == ["metadata"] and pairs.score.iloc[0] > 0.6


def test_user_folder_without_metadata(tmp_path, corpus):
    docs = corpus.documents.set_index("doc_id")
    for doc_id in ["000_1c59dac2740d956f", "002_7f015624ccaf9a2e", "003_b9d991b649e0baf2"]:
        (tmp_path / f"{doc_id[:3]}.txt").write_text(docs.loc[doc_id, "raw"], encoding="utf-8")
    pairs = find_translations(cc.load_corpus(tmp_path))
    assert pairs[["doc_id", "translation_of"]].values.tolist() == [["003", "000"]]


def test_same_subject_is_not_a_translation(tmp_path, corpus):
    # an English article on the same subject (officials, 618, JD, rice) with its own figures
    english = (
        "County heads sell rice on JD during 618\n\n"
        "In June 2020, several county heads joined livestreams on JD and Taobao during the 618 "
        "shopping festival. One county head in Hunan sold 3,500 boxes of tea in two hours, and "
        "a deputy mayor in Guangxi attracted 1.2 million viewers. Critics said the sales were "
        "pushed by quotas. On June 20, another official sold 80,000 yuan of honey.\n"
    )
    (tmp_path / "en.txt").write_text(english, encoding="utf-8")
    docs = corpus.documents.set_index("doc_id")
    for doc_id in ["000_1c59dac2740d956f", "002_7f015624ccaf9a2e"]:
        (tmp_path / f"{doc_id[:3]}.txt").write_text(docs.loc[doc_id, "raw"], encoding="utf-8")
    assert find_translations(cc.load_corpus(tmp_path)).empty


def test_anchor_values_agree_across_languages():
    zh = anchors("6月19日凌晨,累计下单金额达到2692億元,超过13.7萬粉絲", "zh")
    en = anchors("In the early morning of June 19, orders reached 269.2 billion yuan, "
                 "with more than 137,000 fans", "en")
    assert set(zh) == set(en)
