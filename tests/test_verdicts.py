"""Every claim's verdict is the same wherever a lesson states it: in a "**Verdict on C7: ...**" paragraph,
in a key point ("- C7 (partly supported): ..."), or in a row of lesson 07's verdict table. Verdicts are
compared by their kind, "supported", "partly supported" or "not supported"; what follows ("with its
condition", "read precisely") may differ between a lesson and the summary. Lesson 06 puts all eight claims
on trial and lesson 07 sums them up, so each of the two states a verdict on every claim."""

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLAIMS = [f"C{n}" for n in range(1, 9)]
TRIAL = "06_claims_on_trial"  # the lesson that puts every claim on trial
SUMMARY = "07_which_optimizer"  # the lesson whose table sums the verdicts up
KINDS = re.compile(r"not supported|partly supported|supported")
STATEMENTS = [
    re.compile(r"\*\*Verdict on (?P<claims>C\d+)(?P<verdict>[^*]*)\*\*"),
    re.compile(r"^- (?:Claims? )?(?P<claims>C\d+(?: and C\d+)?) \((?P<verdict>[^)]*)\)", re.M),
    re.compile(r"^\| (?P<claims>C\d+) \|(?P<verdict>.*)\|\s*$", re.M),
]


def verdicts(texts) -> dict[str, dict[str, list[str]]]:
    """``{claim: {kind: [where]}}`` from ``(where, markdown)`` pairs; statements that name no kind (a key
    point about the topic of a claim) are left out."""
    found: dict[str, dict[str, list[str]]] = {}
    for where, text in texts:
        for pattern in STATEMENTS:
            for match in pattern.finditer(text):
                kind = KINDS.search(match["verdict"])
                if kind is None:
                    continue
                for claim in re.findall(r"C\d+", match["claims"]):
                    found.setdefault(claim, {}).setdefault(kind.group(), []).append(where)
    return found


def lesson_markdown():
    for path in sorted((REPO / "notebooks" / "solutions").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for n, cell in enumerate(cells):
            if cell["cell_type"] == "markdown":
                yield f"{path.stem} cell {n}", "".join(cell["source"])


def test_every_claim_has_one_verdict_in_every_lesson():
    found = verdicts(lesson_markdown())
    assert {"C1", "C3", "C5", "C7", "C8"} <= set(found)  # the statements are found at all
    assert sum(len(places) for kinds in found.values() for places in kinds.values()) >= 25
    split = {claim: kinds for claim, kinds in found.items() if len(kinds) > 1}
    assert not split, f"claims with different verdicts in different places: {json.dumps(split, indent=1)}"


def test_lessons_06_and_07_give_every_claim_a_verdict():
    """06 in a Verdict paragraph for each claim (and in its key points), 07 in a row of its table."""
    found = verdicts(lesson_markdown())
    for claim in CLAIMS:
        places = [where for kinds in found.get(claim, {}).values() for where in kinds]
        trial = [where for where in places if where.startswith(f"{TRIAL} cell ")]
        summary = [where for where in places if where.startswith(f"{SUMMARY} cell ")]
        assert len(set(trial)) >= 2, f"{claim}: {TRIAL} lacks a Verdict paragraph or a key point: {places}"
        assert summary, f"{claim}: {SUMMARY}'s verdict table has no row for it: {places}"


def test_a_verdict_that_differs_between_lessons_is_found():
    texts = [
        ("03", "**Verdict on C7, for a scaling: supported, with the condition that says what it means.**"),
        ("04", "- C7 (partly supported): the adaptation is per coordinate."),
        ("06", "**Verdict on C7: partly supported** — as in lessons 03 and 04."),
        ("07", "| C7 | RMSProp adapts to the topology | partly supported | per coordinate only |"),
        ("06", "- C3 and C4 (partly supported, as in lesson 02): ..."),
        ("02", "- C3 (local minima): momentum can carry a run over a hill."),  # a topic, not a verdict
    ]
    found = verdicts(texts)
    assert found["C7"] == {"supported": ["03"], "partly supported": ["04", "06", "07"]}
    assert found["C3"] == found["C4"] == {"partly supported": ["06"]}
