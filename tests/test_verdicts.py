"""Every claim's verdict is the same wherever a lesson states it: in a "**Verdict on C7: ...**" paragraph,
in a key point ("- C7 (partly supported): ..."), or in a row of lesson 08's verdict table. Verdicts are
compared by their kind, "supported", "partly supported" or "not supported"; what follows ("with its
condition", "read precisely") may differ between a lesson and the summary. Lesson 06 puts all eight claims
on trial and lesson 08 sums them up, so each of the two states a verdict on every claim.

Lesson 07 retries C3, C6 and C8 on a neural network. A verdict there is a verdict on another experiment, and
may differ from the testbed's: it is written "C6 on the network" ("**Verdict on C6 on the network: ...**",
"- C6 on the network (partly supported): ...", "| C6 on the network | ... |" in lesson 08's table) and kept
apart, as a claim of its own that must read the same wherever it is stated."""

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLAIMS = [f"C{n}" for n in range(1, 9)]
TRIAL = "06_claims_on_trial"  # the lesson that puts every claim on trial
SUMMARY = "08_which_optimizer"  # the lesson whose table sums the verdicts up
NETWORK = "07_a_real_network"  # the lesson that retries some claims on a network
ON_NETWORK = ["C3 on the network", "C6 on the network", "C8 on the network"]
KINDS = re.compile(r"not supported|partly supported|supported")
CLAIM = r"C\d+(?: on the network)?"  # a claim, or its retrial on the network (lesson 07)
STATEMENTS = [
    re.compile(rf"\*\*Verdict on (?P<claims>{CLAIM})(?P<verdict>[^*]*)\*\*"),
    re.compile(rf"^- (?:Claims? )?(?P<claims>{CLAIM}(?: and {CLAIM})?) \((?P<verdict>[^)]*)\)", re.M),
    re.compile(rf"^\| (?P<claims>{CLAIM}) \|(?P<verdict>.*)\|\s*$", re.M),
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
                for claim in re.findall(CLAIM, match["claims"]):
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


def test_lessons_06_and_08_give_every_claim_a_verdict():
    """06 in a Verdict paragraph for each claim (and in its key points), 08 in a row of its table."""
    found = verdicts(lesson_markdown())
    for claim in CLAIMS:
        places = [where for kinds in found.get(claim, {}).values() for where in kinds]
        trial = [where for where in places if where.startswith(f"{TRIAL} cell ")]
        summary = [where for where in places if where.startswith(f"{SUMMARY} cell ")]
        assert len(set(trial)) >= 2, f"{claim}: {TRIAL} lacks a Verdict paragraph or a key point: {places}"
        assert summary, f"{claim}: {SUMMARY}'s verdict table has no row for it: {places}"


def test_lesson_07_gives_each_claim_it_retries_a_verdict_and_08_sums_it_up():
    """07 in a Verdict paragraph and a key point for each claim it retries; 08 in a row of its table."""
    found = verdicts(lesson_markdown())
    for claim in ON_NETWORK:
        places = [where for kinds in found.get(claim, {}).values() for where in kinds]
        retrial = [where for where in places if where.startswith(f"{NETWORK} cell ")]
        summary = [where for where in places if where.startswith(f"{SUMMARY} cell ")]
        assert len(set(retrial)) >= 2, (
            f"{claim}: {NETWORK} lacks a Verdict paragraph or a key point: {places}"
        )
        assert summary, f"{claim}: {SUMMARY}'s verdict table has no row for it: {places}"


def test_a_verdict_on_the_network_is_kept_apart_from_the_testbeds():
    texts = [
        ("06", "**Verdict on C3: partly supported, under conditions** — as in lesson 02."),
        ("07", "**Verdict on C3 on the network: not supported.** Momentum ended lower..."),
        ("07", "- C3 on the network (not supported): runs end at different losses."),
        ("08", "| C3 on the network | momentum escapes minima | not supported | no minima in play |"),
        ("08", "| C3 | momentum helps to overcome local minima | partly supported | ... |"),
        ("07", "- C6 on the network (partly supported): every layer moves about as far."),
    ]
    found = verdicts(texts)
    assert found["C3"] == {"partly supported": ["06", "08"]}
    assert found["C3 on the network"] == {"not supported": ["07", "07", "08"]}
    assert found["C6 on the network"] == {"partly supported": ["07"]} and "C6" not in found


def test_a_verdict_that_differs_between_lessons_is_found():
    texts = [
        ("03", "**Verdict on C7, for a scaling: supported, with the condition that says what it means.**"),
        ("04", "- C7 (partly supported): the adaptation is per coordinate."),
        ("06", "**Verdict on C7: partly supported** — as in lessons 03 and 04."),
        ("08", "| C7 | RMSProp adapts to the topology | partly supported | per coordinate only |"),
        ("06", "- C3 and C4 (partly supported, as in lesson 02): ..."),
        ("02", "- C3 (local minima): momentum can carry a run over a hill."),  # a topic, not a verdict
    ]
    found = verdicts(texts)
    assert found["C7"] == {"supported": ["03"], "partly supported": ["04", "06", "08"]}
    assert found["C3"] == found["C4"] == {"partly supported": ["06"]}
