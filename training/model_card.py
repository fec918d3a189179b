#!/usr/bin/env python3
"""Writes models/MODEL_CARD.md from models/model.json (the metrics train.py measured)."""
import json
from pathlib import Path

MODELS = Path(__file__).resolve().parent.parent / "models"


def pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def main() -> None:
    m = json.loads((MODELS / "model.json").read_text(encoding="utf-8"))
    dev = m["metrics"]["dev"]
    hard = m["metrics"]["held_out_hard_examples"]
    lines = [
        f"# Model card: {m['name']} v{m['version']}",
        "",
        "A byte-level convolutional network that scores text for prompt-injection / jailbreak risk. It runs",
        "locally with onnxruntime (CPU, or CUDA when available); nothing is sent anywhere.",
        "",
        "## Model",
        "",
        f"- File: `{m['file']}` (sha256 `{m['sha256']}`), {m['parameters']:,} parameters, ONNX opset 13.",
        f"- Input: `{m['input']['name']}` int64 [batch, {m['tokenizer']['window']}] byte ids (UTF-8 byte + 1, 0 = padding, ASCII lower-cased, CRLF → LF);",
        f"  output `{m['output']['name']}`: probability of an attack, per window. Long texts: windows every {m['tokenizer']['stride']} bytes, score = max.",
        "- Architecture: embedding 24 → conv(5) 48 → max-pool 2 → dilated conv(5, d=2) 96 → max-pool 2 → dilated conv(5, d=2) 128",
        "  → masked max + mean pooling → 64 → 1. Trained as multiple-instance learning (a text's score is its",
        "  highest window), the way it is used.",
        *(
            [f"- Ensemble: {m['training']['members']} networks of this shape trained from different seeds; the graph averages their logits.", f"  Each member alone scored dev ROC-AUC {', '.join(str(a) for a in m['training'].get('member_roc_auc', []))}."]
            if m["training"].get("members", 1) > 1
            else []
        ),
        f"- Training: {m['training']['epochs']} epochs{' per member' if m['training'].get('members', 1) > 1 else ''}, AdamW + one-cycle, seed {m['training']['seed']}, {m['training']['train_rows']:,} texts, torch {m['training']['torch']} on CPU ({m['training']['seconds']} s).",
        f"- Threshold: {m['threshold']:.4f} (1 % false positives on dev).",
        "",
        "## Data",
        "",
        "`../shared/datasets/prompt-injection/` (train.jsonl, dev.jsonl; see its README for the 18 source",
        "repositories, their licences — MIT, Apache-2.0, CC0, CC BY(-SA), two GPL-3.0 sources — and how the",
        "constructed examples were made), plus `training/hard_examples.jsonl` written for this project:",
        "benign system prompts and templates with placeholders, defensive prompts that quote attacks,",
        "role-play requests, tool descriptions (label 0) and attacks that are not \"ignore previous",
        "instructions\" — markdown-image exfiltration, tool hijacking, fake system messages (label 1).",
        "Half of these (by a stable hash) are held out and used only for evaluation.",
        "",
        "## Metrics",
        "",
        "| set | ROC-AUC | TPR at 1 % FPR |",
        "|---|---|---|",
        f"| dev.jsonl | {dev['roc_auc']:.4f} | {pct(dev['tpr_at_1pct_fpr'])} |",
    ]
    if "baseline_char_ngram_lr_dev" in m["metrics"]:
        b = m["metrics"]["baseline_char_ngram_lr_dev"]
        lines.append(f"| dev.jsonl, baseline: hashed char 2–5-gram logistic regression | {b['roc_auc']:.4f} | {pct(b['tpr_at_1pct_fpr'])} |")
    if "group_cv" in m["metrics"]:
        cv = m["metrics"]["group_cv"]
        lines.append(f"| group 5-fold by source repository (mean) | {cv['mean_roc_auc']:.4f} | {pct(cv['mean_tpr_at_1pct_fpr'])} |")
    if "group_cv" in m["metrics"]:
        cv = m["metrics"]["group_cv"]
        lines += [
            "",
            f"Group 5-fold cross-validation: each fold's sources (repositories) are held out of its training, so these numbers",
            f"measure sources the model never saw ({cv.get('epochs', '?')} epoch(s) per fold, single network; the shipped model trains longer):",
            "",
            "| held-out sources | texts | ROC-AUC | TPR at 1 % FPR |",
            "|---|---|---|---|",
        ]
        for fold in cv["folds"]:
            lines.append(f"| {', '.join(fold['held_out'])} | {fold['count']} | {fold['roc_auc']:.4f} | {pct(fold['tpr_at_1pct_fpr'])} |")
    lines += ["", "Per kind on dev, at the threshold:", "", "| kind | count | rate |", "|---|---|---|"]
    for kind, v in dev["by_kind"].items():
        rate = f"TPR {pct(v['tpr'])}" if "tpr" in v else f"FPR {pct(v['fpr'])}"
        lines.append(f"| {kind} | {v['count']} | {rate} |")
    lines += [
        "",
        f"Held-out hard examples: highest benign score {hard['benign_max_score']}, benign above threshold {hard['benign_above_threshold']}, attacks detected {hard['attacks_detected']}.",
        "",
        *(
            [
                "## Speed",
                "",
                f"CPU ({m['speed_cpu']['machine']}, {m['speed_cpu']['date']}, `{m['speed_cpu']['measured_by']}`): one text per call p50 {m['speed_cpu']['batch1_p50_ms']} ms,",
                f"p95 {m['speed_cpu']['batch1_p95_ms']} ms; batches of 64: {m['speed_cpu']['batch64_texts_per_s']:,} texts/s; process RSS {m['speed_cpu']['rss_mb']['before']} → {m['speed_cpu']['rss_mb']['after']} MB.",
                "",
            ]
            if "speed_cpu" in m
            else []
        ),
        "## Limits",
        "",
        "- Dev-set numbers overstate performance on new sources: a held-out set made of sources the model",
        "  never saw is much harder (see the dataset README). Treat findings as a prompt for review.",
        "- Benign system prompts that quote attacks to refuse them are the hardest negatives (see the",
        "  benign_system_prompt FPR above).",
        "- Attacks that read like ordinary requests, non-English attacks and encoded payloads are often missed.",
        "- Framing shifts scores: a DAN jailbreak scored 0.99 alone but 0.04 under a Markdown heading saying",
        "  where it was copied from. Indirect injections inside long documents are the weakest kind.",
        "- No GPU was available when this model was trained and measured; the CUDA path is probed at run time.",
        "",
    ]
    (MODELS / "MODEL_CARD.md").write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {MODELS / 'MODEL_CARD.md'}")


if __name__ == "__main__":
    main()
