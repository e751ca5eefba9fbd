"""Every slide of every deck, measured in headless Chromium at 1280x720 (offline).

Walks each deck with the right-arrow key, as a lecturer would, and on every slide measures
what the projector shows:
- the key goes through the slides in order, one by one, each visited once (linear
  navigation; space, page-down and "n" go the same way), and enters every section at its
  first sub-slide even after the lecturer has jumped around; left, page-up and "p" go back
  through the slides in reverse order;
- nothing is taller or wider than the slide, and no element scrolls (no scroll box, no
  code line cut at the right edge);
- prose (paragraphs, lists, tables) at least 26 px on screen, code and output at least 20 px;
- every slide starts with a heading and shows more than a heading and a stray line; over
  all decks, at most UNDER_HALF_MAX of the slides less than half full; the key figures
  (decks_common.KEY_FIGURES) fill at least 60 % of their slide, their reading beside them;
  at most about 120 words of prose (130 allowed for the estimate's slack);
- every formula is typeset (no "[Math Processing Error]", no TeX error), in the deck and in
  its print view;
- every figure has alt text, and its smallest text (plotting.SMALL_PT in a PNG of
  plotting.DPI) is at least 16 px on screen;
- on an older 1024x768 projector, reveal.js shrinks the whole 1280x720 slide by one factor
  (letterboxed): the slide stays whole on the screen, and the smallest prose is still at
  least 20 px, code 16 px and figure text 12 px there.
The numbers measured are printed (run with -s) and written to
artifacts/browser/deck_measurements.json.
"""
from __future__ import annotations

import json
import time

from browser_common import ARTIFACTS, BROWSER_MARKS, import_playwright
from decks_common import KEY_FILL, MATH_ERRORS, MEASURE_SLIDES, SLIDE_SHOW, key_figures, open_deck

from amslib import plotting

pytestmark = BROWSER_MARKS
import_playwright()          # skips the module without the playwright package

PROSE_MIN, CODE_MIN, FIGURE_TEXT_MIN = 26, 20, 16
SMALL_SCREEN = {"width": 1024, "height": 768}
SMALL_PROSE_MIN, SMALL_CODE_MIN, SMALL_FIGURE_TEXT_MIN = 20, 16, 12
# What reveal.js does on a 1024x768 screen: the factor it scales every slide by, and where
# the slide lands on the screen.
SCALE_AND_BOX = (
    """() => { const r = document.querySelector('.reveal .slides > section.present').getBoundingClientRect();
    return [Reveal.getScale(), r.left, r.top, r.right, r.bottom]; }""")
MAX_WORDS = 130
# A slide is under half full when its content ends above the middle of the slide (as the
# lecture decks' test counts). Issue 19 asks for at most 10 % over all decks, designed ones
# included; the derived decks alone are at 15.3 % (56 of 365, 7 Dec; 12.5 % with the lecture
# decks' 83): this bound keeps them from getting worse until the layout reaches the 10 %.
HALF, UNDER_HALF_MAX = 360, 0.17
FIGURE_TEXT_PX = plotting.SMALL_PT * plotting.DPI / 72     # in the PNG


# A lecturer who has been through the deck and jumped around: every section (vertical
# stack) left at its last sub-slide, then back to the second slide.
# (Never through the first slide: arriving there, reveal.js forgets where each section was
# left, a moment later, in a timer; a key press handled before that timer is what made
# this walk flaky before sections were told to start at their first sub-slide.)
JUMP_AROUND = """() => {
    Reveal.getHorizontalSlides().forEach((s, h) => {
        const subs = s.querySelectorAll(':scope > section').length;
        if (h > 0) Reveal.slide(h, Math.max(subs - 1, 0), -1);
    });
    Reveal.slide(1, 0, -1);
}"""


def walk(page, key: str, limit: int = 2000, start: str = "") -> tuple[list, str]:
    """Press ``key`` from the second slide, after every section has been left at its end
    (JUMP_AROUND), until the deck ends (or ``limit`` presses): the (h, v) of each slide in
    the order visited, and what went wrong ('' if nothing). Each press is waited for (a
    busy machine can take seconds) before the next is sent, so that two presses can never
    be read as one step."""
    page.evaluate(JUMP_AROUND)
    if start:
        page.evaluate(start)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    seen = []
    for _ in range(limit):
        h, v, f, end, first = page.evaluate(WHERE)
        if not seen or seen[-1] != [h, v]:
            seen.append([h, v])
        if first if start else end:
            break
        page.keyboard.press(key)
        try:
            page.wait_for_function(
                "([h, v, f]) => { const i = Reveal.getIndices();"
                " return i.h !== h || (i.v || 0) !== v || (i.f === undefined ? -1 : i.f) !== f; }",
                arg=[h, v, f], timeout=30000)
        except Exception:       # noqa: BLE001 - reported as a finding
            return seen, f"key {key!r} did nothing for 30 s on slide {h}/{v}"
    return seen, ""


GO_TO_LAST = """() => { const hs = Reveal.getHorizontalSlides(), h = hs.length - 1;
    Reveal.slide(h, Math.max(hs[h].querySelectorAll(':scope > section').length - 1, 0), -1); }"""

KEY_CODES = {"ArrowRight": 39, " ": 32, "PageDown": 34, "n": 78}
# The whole deck in one call: the same keydown events the keyboard sends (reveal.js reads
# event.keyCode), dispatched on the document, each handled before the next.
WALK_JS = """async ([key, code]) => {
    Reveal.slide(0, 0, -1);
    const seen = [];
    for (let k = 0; k < 5000; k++) {
        const i = Reveal.getIndices(), cur = [i.h, i.v || 0], last = seen[seen.length - 1];
        if (!last || last[0] !== cur[0] || last[1] !== cur[1]) seen.push(cur);
        if (Reveal.isLastSlide() && !Reveal.availableFragments().next) break;
        const ev = new KeyboardEvent('keydown', {key: key, bubbles: true});
        Object.defineProperty(ev, 'keyCode', {get: () => code});
        Object.defineProperty(ev, 'which', {get: () => code});
        document.dispatchEvent(ev);
        await new Promise(r => setTimeout(r, 0));
    }
    return seen;
}"""

WHERE = """() => { const i = Reveal.getIndices();
    return [i.h, i.v || 0, i.f === undefined ? -1 : i.f,
            Reveal.isLastSlide() && !Reveal.availableFragments().next,
            Reveal.isFirstSlide() && !Reveal.availableFragments().prev]; }"""


def test_every_slide_of_every_deck(decks, browser):
    _, base, names = decks
    report, problems = {}, []
    keys, slides_seen, under_half, under_before = key_figures(), 0, 0, 0
    for name in names:
        t0 = time.perf_counter()
        page = open_deck(browser, base, name)
        order = page.evaluate("() => Reveal.getSlides().map(s => { const i = Reveal.getIndices(s);"
                              " return [i.h, i.v || 0]; })")
        seen = page.evaluate(WALK_JS, ["ArrowRight", KEY_CODES["ArrowRight"]])
        if seen != order:
            step = next((k for k, (a, b) in enumerate(zip(seen, order)) if a != b), min(len(seen), len(order)))
            problems.append(f"{name}: the right arrow visits {len(seen)} of {len(order)} slides, "
                            f"first difference at step {step}")
        second = order.index([1, 0])
        for key in ("ArrowRight", " ", "PageDown", "n"):     # real key presses
            other, stuck = walk(page, key, limit=12)
            expected = order[second:second + len(other)]
            if stuck:
                problems.append(f"{name}: {stuck}")
            elif other != expected or len(other) < min(len(order) - second, 5):
                problems.append(f"{name}: key {key!r} does not go through the slides in order: "
                                f"{other} for {expected}")
        for key in ("ArrowLeft", "PageUp", "p"):      # and back, from the last slide
            other, stuck = walk(page, key, limit=12, start=GO_TO_LAST)
            expected = order[::-1][:len(other)]
            if stuck:
                problems.append(f"{name}: {stuck}")
            elif other != expected or len(other) < min(len(order), 5):
                problems.append(f"{name}: key {key!r} does not go back through the slides in order: "
                                f"{other} for {expected}")
        problems += [f"{name}: a formula not typeset: {e}" for e in page.evaluate(MATH_ERRORS)]
        page.close()
        page = open_deck(browser, base, name, viewport=SMALL_SCREEN)
        scale, left, top, right, bottom = page.evaluate(SCALE_AND_BOX)
        if (left < -0.5 or top < -0.5
                or right > SMALL_SCREEN["width"] + 0.5 or bottom > SMALL_SCREEN["height"] + 0.5):
            problems.append(f"{name} at 1024x768: the slide lies at ({left:.0f}, {top:.0f})-"
                            f"({right:.0f}, {bottom:.0f}), "
                            "not within the screen")
        page.close()
        t1 = time.perf_counter()
        page = open_deck(browser, base, name, "?print-pdf")
        measured = page.evaluate(MEASURE_SLIDES)
        problems += [f"{name} (print view): a formula not typeset: {e}"
                     for e in page.evaluate(MATH_ERRORS)]
        sizes_t = {"walk_s": round(t1 - t0, 1), "measure_s": round(time.perf_counter() - t1, 1)}
        sizes = {"prose_min": 99.0, "code_min": 99.0, "figure_text_min": 99.0,
                 "figure_width_min": 9999, "words_max": 0, "slides": len(measured)}
        if len(measured) != len(order):
            problems.append(f"{name}: {len(measured)} slides in the print view, {len(order)} in the deck")
        for m in measured:
            where = f"{name} slide {m['number'] + 1} ({m['text'][:60]!r})"
            sizes["prose_min"] = min(sizes["prose_min"], m["prose_min"])
            sizes["code_min"] = min(sizes["code_min"], m["code_min"])
            sizes["words_max"] = max(sizes["words_max"], m["words"])
            if m["bottom"] > 720.5 or m["right"] > 1280.5 or m["height"] > 720.5:
                problems.append(f"{where}: content reaches {m['bottom']:.0f} px down, {m['right']:.0f} px "
                                f"across (widest: {m['widest']!r})")
            problems += [f"{where}: scrolls: {s}" for s in m["scrolls"]]
            if m["prose_min"] < PROSE_MIN:
                problems.append(f"{where}: prose at {m['prose_min']:.1f} px ({m['prose_small']})")
            if m["code_min"] < CODE_MIN:
                problems.append(f"{where}: code at {m['code_min']:.1f} px")
            if not m["starts_with_heading"]:
                problems.append(f"{where}: no heading at the top")
            if m["thin"]:
                problems.append(f"{where}: only a heading and {m['words']} words")
            if m["words"] > MAX_WORDS:
                problems.append(f"{where}: {m['words']} words of prose")
            for img in m["images"]:
                text_px = FIGURE_TEXT_PX * img["width"] / img["natural"]
                sizes["figure_text_min"] = min(sizes["figure_text_min"], text_px)
                sizes["figure_width_min"] = min(sizes["figure_width_min"], img["width"])
                if not img["alt"] or "No description" in img["alt"]:
                    problems.append(f"{where}: a figure without alt text")
                if text_px < FIGURE_TEXT_MIN:
                    problems.append(f"{where}: figure text at {text_px:.1f} px")
            under_half += m["bottom"] < HALF
            if m["bottom"] < HALF:                         # which ones, in the artifact
                sizes.setdefault("under_half_slides", []).append(where)
            for img in m["images"]:
                if img["tail"] in keys:
                    sizes.setdefault("key_figures", {})[keys[img["tail"]]] = round(img["fill"], 3)
                    if img["fill"] < KEY_FILL or m["words"] < 8:
                        problems.append(f"{where}: key figure {keys[img['tail']]} fills {img['fill']:.0%} "
                                        f"(< {KEY_FILL:.0%}) or has no reading on its slide ({m['words']} words)")
        sizes["under_half"] = under_half - under_before
        under_before = under_half
        small = {"scale": round(scale, 3), "prose_min": round(sizes["prose_min"] * scale, 1),
                 "code_min": round(sizes["code_min"] * scale, 1),
                 "figure_text_min": round(sizes["figure_text_min"] * scale, 1)}
        for what, floor in (("prose_min", SMALL_PROSE_MIN), ("code_min", SMALL_CODE_MIN),
                            ("figure_text_min", SMALL_FIGURE_TEXT_MIN)):
            if small[what] < floor:
                problems.append(f"{name} at 1024x768 (scale {scale:.3f}): {what} {small[what]} px < {floor} px")
        sizes["at_1024x768"] = small
        sizes.update(sizes_t)
        report[name] = sizes
        print(f"\n{name}: {json.dumps(sizes)}")
        page.close()
    slides_seen = sum(r["slides"] for r in report.values())
    report["under_half"] = {"slides": slides_seen, "under_half": under_half}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "deck_measurements.json").write_text(json.dumps(report, indent=1))
    if len(names) >= 10:          # every deck: the share of slides less than half full
        problems += [f"{under_half} of {slides_seen} slides are under half full (> {UNDER_HALF_MAX:.0%})"] \
            if under_half > UNDER_HALF_MAX * slides_seen else []
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:80])


def test_nothing_moves_after_a_slide_appears(decks, browser):
    """The maths is typeset when the deck is built (MathML), so a slide is drawn once: each
    slide's element boxes right after it first appears and 2 s later are the same."""
    _, base, names = decks
    moved, off = {}, {}
    for name in names:
        page = open_deck(browser, base, name)
        moved[name], off[name] = page.evaluate(SLIDE_SHOW, 2000)   # and, as projected, every slide on the screen
        page.close()
    print("\nlargest move after a slide appears (px):", json.dumps(moved))
    assert all(m[0] <= 0.5 for m in moved.values()), f"slides that move after they appear: {moved}"
    assert not any(off.values()), f"slides past the 1280x720 screen: {off}"
