"""The calibrated match score's pure parts: features, the fitted model's file, bands, fitting and the curve."""

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from backend.bench import tuning
from matching import calibration


def _features(**kw):
    base = dict(query_language="zh", language_of={1: "zh", 2: "zh", 3: "en"},
                cos={1: 0.90, 2: 0.86, 3: 0.84}, pools={"zh": [0.90, 0.86], "en": [0.84]},
                lexical={1: 12.0, 2: 3.0})
    return calibration.features([1, 2, 3], **(base | kw))


def test_features_are_relative_to_the_query_and_mark_languages():
    f = _features()
    assert set(f[1]) == set(calibration.FEATURES)
    assert f[1]["lex"] == 1.0 and f[2]["lex"] == 0.25 and f[3]["lex"] == 0.0  # over the query's best BM25
    assert f[3]["cross"] == 1.0 and f[1]["cross"] == 0.0
    # how sure keywords are (their best's lead over the second) only reaches cross-language candidates
    assert f[3]["cross_lex_conf"] == pytest.approx(0.75) and f[1]["cross_lex_conf"] == 0.0
    # each language pool's best against the other's
    assert f[1]["lead"] == pytest.approx(0.06) and f[3]["lead"] == pytest.approx(-0.06)
    assert f[1]["cos_gap"] == pytest.approx(0.02)  # above the mean of its own language's nearest
    assert f[1]["minilm"] == 0.0 and f[1]["en_pair"] == 0.0


def test_a_fitted_model_is_committed_and_valid():
    model = calibration.load()
    assert model is not None, "matching/data/calibration.json is missing: run `matchmaker tune`"
    assert set(model.features) <= set(calibration.FEATURES)
    assert model.about["fitted_on"] and all("dev" in name for name in model.about["fitted_on"])
    # a higher first-stage fusion, everything else equal, means more likely relevant; so does a cross-language
    # candidate that stands further above its language's typical neighbour
    low = _features(fused={1: 0.4, 2: 0.2, 3: 0.3})
    high = _features(fused={1: 0.9, 2: 0.2, 3: 0.3}, cos={1: 0.90, 2: 0.86, 3: 0.88})
    assert model.probability(high[1]) > model.probability(low[1])
    assert model.probability(high[3]) > model.probability(low[3])
    p = model.probabilities([low[1], low[2], low[3]])
    assert ((p > 0) & (p < 1)).all()


def test_a_broken_model_file_is_refused_with_a_reason(tmp_path):
    good = json.loads(calibration.DEFAULT_PATH.read_text(encoding="utf-8"))
    bad = dict(good, features=[*good["features"][:-1], "no_such_feature"])
    (tmp_path / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown features"):
        calibration.load(tmp_path / "bad.json")
    short = dict(good, coef=good["coef"][:-1])
    (tmp_path / "short.json").write_text(json.dumps(short), encoding="utf-8")
    with pytest.raises(ValueError, match="differ in length"):
        calibration.load(tmp_path / "short.json")
    assert calibration.load(tmp_path / "absent.json") is None


def test_bands_follow_the_score():
    assert [calibration.band(s) for s in (0.9, 0.5, 0.3, 0.05, 0.01)] == \
        ["likely", "likely", "possible", "worth_a_look", "weak"]
    assert calibration.band(None) is None


def _synthetic(rng, queries: int, name: str) -> dict:
    """Dumps where the relevant candidate has a higher cosine (noisy): what fit() must learn."""
    out = {"split": name, "qrels": {}, "queries": {}}
    for q in range(queries):
        cands = []
        for d in range(20):
            relevant = d == 0
            cos = 0.85 + (0.05 if relevant else 0.0) + rng.normal(0, 0.02)
            feats = dict.fromkeys(calibration.FEATURES, 0.0) | {"cos": cos, "fused": cos - 0.8}
            cands.append([f"{q}-{d}", "zh", feats])
        out["queries"][str(q)] = {"language": "zh", "candidates": cands}
        out["qrels"][str(q)] = {f"{q}-0": 1}
    return out


def test_fit_learns_and_its_curve_is_calibrated_on_fresh_data(tmp_path):
    rng = np.random.default_rng(7)
    dev, test = _synthetic(rng, 200, "synthetic dev"), _synthetic(rng, 200, "synthetic test")
    model = tuning.fit([dev], ("cos", "fused"))
    assert model.coef[model.features.index("cos")] > 0
    runs = tuning.ranked_by(test, model.probability)
    assert tuning.ndcg(test, runs) > 0.8
    points = tuning.calibration_curve([test], model, bins=5)
    assert sum(p["pairs"] for p in points) == 200 * 20
    # predicted and observed shares agree within a few points on data the model did not see
    assert all(abs(p["predicted"] - p["observed"]) < 0.08 for p in points)
    svg = tuning.curve_svg(points, "test curve")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and b"observed share of relevant" in svg and b"<script" not in svg


def test_tune_with_centring_fits_the_saved_dumps_it_has_and_names_the_rest(tmp_path):
    """`matchmaker tune --available` with language centring on: fits on the dev dumps present, reports the test
    dumps present, names the splits left out, and writes the centred model where it is asked to."""
    import os
    import subprocess
    import sys

    from backend.config import ROOT

    rng = np.random.default_rng(11)
    folder = tmp_path / "data" / "tune"
    for name in ("xling_shared dev", "xling_shared test"):
        dump = _synthetic(rng, 60, name) | {"channels": {}}
        dump["doc_languages"] = {c[0]: "zh" for q in dump["queries"].values() for c in q["candidates"]}
        tuning.save(folder / f"{name.replace(' ', '_')}.json", dump)
    env = os.environ | {"MATCHMAKER_DATA_DIR": str(tmp_path / "data"), "MATCHMAKER_LANGUAGE_CENTRING": "1"}
    out, curve = tmp_path / "centred.json", tmp_path / "centred.svg"
    proc = subprocess.run([sys.executable, "-m", "backend.cli", "tune", "--available", "--out", str(out),
                           "--curve", str(curve)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "scifact_en dev: no saved dump, left out" in proc.stderr
    assert "similarities: language-centred; fitted on xling_shared dev (" in proc.stdout
    assert "xling_shared test" in proc.stdout
    model = calibration.load(out)
    assert model is not None and model.about["fitted_on"] == ["xling_shared dev"]
    assert curve.read_bytes().startswith(b"<?xml")
    # nothing was written over the shipped raw-cosine model
    assert calibration.load(calibration.DEFAULT_PATH).about["fitted_on"] != ["xling_shared dev"]


def test_the_centred_scale_has_its_own_committed_model():
    raw, centred = calibration.load(calibration.DEFAULT_PATH), calibration.load(calibration.CENTRED_PATH)
    assert centred is not None, "matching/data/calibration_centred.json is missing: MATCHMAKER_LANGUAGE_CENTRING=1 " \
                                "matchmaker tune"
    assert centred.features == raw.features and centred.coef != raw.coef
    assert "xling_shared dev" in centred.about["fitted_on"]
