"""Score a trained model on the held-out split and write its figures into meta.json and the
model card (models/<name>/README.md). The card is generated, so it always matches the model."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from analyser.fileio import atomic_write
from analyser.report.evaluation import criteria_table, overall_table


def _v(res: dict[str, Any], key: str) -> float:
    return float(res["systems"][0]["overall"][key]["value"])


def score_and_document(
    model_dir: str | Path,
    heldout: str | Path,
    framework: str = "inclusive-leader",
    encoder: str | None = None,
    spacy_model: str | None = None,
    fairness_file: str | Path | None = None,
    reps: int = 1000,
) -> dict[str, Any]:
    from analyser.analyse import Analyser
    from analyser.corpus import load_records
    from analyser.evaluate import evaluate_records

    model_dir = Path(model_dir)
    analyser = Analyser(framework, model_dir=model_dir, encoder=encoder, spacy_model=spacy_model, precision="float32")
    records = load_records([heldout])
    res = evaluate_records(analyser, records, reps=reps)
    fair = None
    if fairness_file and Path(fairness_file).exists():
        from analyser.fairness import fairness_report

        fair = fairness_report(analyser, load_records([fairness_file]))
    meta_path = model_dir / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["metrics"] = {
        "heldout_file": str(heldout),
        "heldout_nominations": len(records),
        **{s["system"]: {k: v["value"] for k, v in s["overall"].items()} for s in res["systems"]},
    }
    if fair is not None:
        meta["fairness"] = fair["summary"]
    atomic_write(meta_path, json.dumps(meta, indent=2, sort_keys=True, default=float) + "\n")
    atomic_write(model_dir / "README.md", model_card(meta, res, fair))
    return res


def _agreement_section() -> str:
    from analyser.corpus import CORPUS_DIR

    double = sorted((CORPUS_DIR / "double").glob("*.jsonl"))
    if not double:
        return ""
    from analyser.corpus_tools import agreement, agreement_markdown

    res = agreement(sorted((CORPUS_DIR / "raw").glob("*.jsonl")), double)
    return "## Human agreement on this corpus (the ceiling)\n\n" + agreement_markdown(res) + "\n"


def model_card(meta: dict[str, Any], res: dict[str, Any], fair: dict[str, Any] | None) -> str:
    m = meta
    n = res["systems"][0]["n"]
    out = [
        f"# Model card: {m['name']}",
        "",
        "An evidence model for the analyser: it rates how well a nomination evidences each sub-criterion "
        f"of the **{m['framework']}** framework (v{m['framework_version']}) and cites the sentences behind "
        "each rating. It is a decision aid for judges and nominators, never the decision.",
        "",
        "## What it is",
        "",
        f"- Sentence encoder: `{m['embedding_model']}` (`{m['embedding_model_id']}`), frozen, float32 at training; "
        "bfloat16 at inference where the CPU supports it.",
        f"- spaCy pipeline: `{m['spacy_model']}` (sentence recogniser only) plus rule-based signal components.",
        "- Heads (scikit-learn): calibrated logistic-regression relevance heads per sub-criterion (on the "
        "embeddings of a sentence and its neighbours plus signals, and on word and character tf-idf; each "
        "once from content alone and once knowing the question the sentence is under, blended), an "
        "ordinal strength model (levels 1-3 of a sentence as evidence) and an ordinal aggregator that "
        "turns sentence scores into probabilities of levels 0-3 per sub-criterion"
        + (
            " (it also reads the nomination's register: sentence and word length, so that with the style "
            "twins it learns how much of the scores comes from how a nomination is written)"
            if m.get("register_features")
            else ""
        )
        + "; the level reported is the expected level, rounded.",
        f"- Citation threshold {m['thresholds']['cite']} (tuned on out-of-fold scores so that about 80% of cited "
        f"sentences are gold evidence). Misplaced evidence: every candidate with a content score of at least "
        f"{m['thresholds']['misplaced']} is in the JSON report (tuned for recall); the judge's summary and the "
        f"nominator's feedback show only those at {m['thresholds'].get('misplaced_confident', 0.5)} or more, "
        "where about half are right.",
        "",
        "## Training",
        "",
        f"- Corpus: {', '.join('`' + f + '`' for f in m['corpus_files'])} (hash `{m['corpus_hash']}`), "
        f"{m['n_train_nominations']} nominations, {m['n_train_sentences']} sentences. See `corpora/README.md`.",
        f"- Command: `{m['training_command']}` ({m['training_seconds']} s on this machine; "
        f"seed {m['params']['seed']}).",
        f"- Parameters: `{json.dumps(m['params'], sort_keys=True)}`.",
        "",
        f"## Held-out accuracy ({n} nominations never seen in training)",
        "",
        "95% bootstrap intervals over nominations. Baselines on the same file: keyword search over the "
        "framework's keywords, and raw cosine similarity of sentences to the sub-criterion descriptions.",
        "",
        overall_table(res),
        "",
        "Per sub-criterion (analyser):",
        "",
        criteria_table(res["systems"][0]),
        "",
    ]
    agreement = _agreement_section()
    if agreement:
        out.append(agreement)
    if fair is not None:
        from analyser.fairness import fairness_table

        out += ["## Fairness across writing styles (held-out style twins)", "", fairness_table(fair), ""]
    qwk = _v(res, "qwk")
    out += [
        "## Intended use and limits",
        "",
        "- Use: to point judges to the sentences that bear on each sub-criterion, and to show nominators "
        "what their answers are missing. Not for ranking people or deciding awards.",
        f"- Held-out strength QWK is {qwk:.2f}"
        + ("" if math.isnan(qwk) else "; expect lower on writing unlike the corpus.")
        + " The corpus is written for this project (see `corpora/README.md`); real nominations differ.",
        "- English only: a nomination in another language is flagged and not rated.",
        "- Levels follow `corpora/ANNOTATION.md` (the labelling standard); where a judge reads the standard "
        "differently, the judge is right.",
        "",
    ]
    return "\n".join(out)
