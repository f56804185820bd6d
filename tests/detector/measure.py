#!/usr/bin/python3
"""Measures the question detector: precision, recall and F1 on two labelled sets.

1. tests/detector/social.jsonl: posts in the style of social replies, written and labelled by
   the Earshot team (English plus Spanish, French, German, Portuguese, Italian, Dutch,
   Japanese, Chinese), rhetorical and self-answered questions included.
1b. tests/detector/informal.jsonl: questions written fast, without a question mark (wh-openers,
   "anyone…" calls, chat shorthand, a greeting before the question) and statements that look
   like them, written and labelled by the Earshot team. Split in two: `dev` was looked at while
   tuning the detector, `held_out` never was; both are reported.
2. The ChatterBot corpus (PyPI `chatterbot-corpus`, BSD licence): multilingual chat
   utterances. Its writers' own question marks are the labels; the detector reads each
   utterance twice, as written and with every question mark removed, the second being the
   hard case (people who ask without "?").

Runs `earshot-cli classify` (built in release mode) and prints a table. `make measure-detector`
runs it; it needs PyYAML (Debian's python3-yaml) and pip to fetch the corpus once.
"""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "target" / "detector-corpus"
CORPUS_VERSION = "1.3.3"
CORPUS_LANGUAGES = {
    "english": "en",
    "spanish": "es",
    "french": "fr",
    "german": "de",
    "portuguese": "pt",
    "italian": "it",
    "dutch": "nl",
    "japanese": "ja",
    "chinese": "zh",
}
QUESTION_MARKS = str.maketrans("", "", "?？¿")


def classify(texts, languages=None):
    binary = ROOT / "target" / "release" / "earshot-cli"
    subprocess.run(
        ["cargo", "build", "--quiet", "--release", "-p", "earshot-cli"], cwd=ROOT, check=True
    )
    languages = languages or [None] * len(texts)
    lines = "".join(
        json.dumps({"text": text, **({"lang": lang} if lang else {})}) + "\n"
        for text, lang in zip(texts, languages)
    )
    done = subprocess.run(
        [binary, "classify"], input=lines, capture_output=True, text=True, check=True
    )
    return [json.loads(line)["question"] for line in done.stdout.splitlines()]


def scores(pairs):
    tp = sum(1 for want, got in pairs if want and got)
    fp = sum(1 for want, got in pairs if not want and got)
    fn = sum(1 for want, got in pairs if want and not got)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def report(title, rows):
    """rows: (language, label, detected) triples."""
    print(f"\n{title}")
    print(f"  {'language':<10}{'items':>7}{'questions':>11}{'precision':>11}{'recall':>8}{'F1':>7}")
    languages = sorted({row[0] for row in rows})
    for language in [*languages, "all"]:
        subset = [(want, got) for lang, want, got in rows if language in ("all", lang)]
        precision, recall, f1 = scores(subset)
        questions = sum(1 for want, _ in subset if want)
        print(
            f"  {language:<10}{len(subset):>7}{questions:>11}"
            f"{precision:>11.3f}{recall:>8.3f}{f1:>7.3f}"
        )


def corpus_utterances():
    CACHE.mkdir(parents=True, exist_ok=True)
    wheel = CACHE / f"chatterbot_corpus-{CORPUS_VERSION}-py2.py3-none-any.whl"
    if not wheel.exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", CACHE,
             f"chatterbot-corpus=={CORPUS_VERSION}"],
            check=True,
        )
    utterances = []
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(archive.namelist()):
            parts = name.split("/")
            if len(parts) != 4 or parts[1] != "data" or not name.endswith(".yml"):
                continue
            language = CORPUS_LANGUAGES.get(parts[2])
            if language is None:
                continue
            document = yaml.safe_load(archive.read(name)) or {}
            for conversation in document.get("conversations") or []:
                for utterance in conversation:
                    if isinstance(utterance, str) and utterance.strip():
                        utterances.append((language, utterance.strip()))
    return utterances


def main():
    social = [json.loads(line) for line in (ROOT / "tests/detector/social.jsonl").open()]
    found = classify([case["text"] for case in social])
    report(
        "Earshot social test set (tests/detector/social.jsonl)",
        [(case["lang"], case["question"], got) for case, got in zip(social, found)],
    )
    informal = [json.loads(line) for line in (ROOT / "tests/detector/informal.jsonl").open()]
    guessed = classify([case["text"] for case in informal])
    declared = classify([case["text"] for case in informal], [case["lang"] for case in informal])
    for split in ("dev", "held_out"):
        for how, found in (("language guessed", guessed), ("language declared", declared)):
            report(
                f"Earshot informal set, {split}, {how} (tests/detector/informal.jsonl; no question marks)",
                [(case["lang"], case["question"], got)
                 for case, got in zip(informal, found) if case["split"] == split],
            )
    if os.environ.get("EARSHOT_SKIP_CORPUS"):
        return
    utterances = corpus_utterances()
    labels = [("?" in text or "？" in text) for _, text in utterances]
    as_written = classify([text for _, text in utterances])
    unmarked = classify([text.translate(QUESTION_MARKS) for _, text in utterances])
    report(
        f"ChatterBot corpus {CORPUS_VERSION}, as written (label: the writer's question mark)",
        [(lang, want, got) for (lang, _), want, got in zip(utterances, labels, as_written)],
    )
    report(
        f"ChatterBot corpus {CORPUS_VERSION}, question marks removed (the detector reads words only)",
        [(lang, want, got) for (lang, _), want, got in zip(utterances, labels, unmarked)],
    )
    declared = classify(
        [text.translate(QUESTION_MARKS) for _, text in utterances],
        [lang for lang, _ in utterances],
    )
    report(
        f"ChatterBot corpus {CORPUS_VERSION}, question marks removed, language declared",
        [(lang, want, got) for (lang, _), want, got in zip(utterances, labels, declared)],
    )


if __name__ == "__main__":
    main()
