"""The decks: built from the lessons, offline (nothing loaded from the internet), and they render."""

import os
import re
import shutil
import subprocess

import numpy as np
import pytest

from course_utils import slides

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def test_lesson_selection():
    all_lessons = slides.lesson_notebooks()
    assert all_lessons == sorted(all_lessons) and all(re.match(r"\d\d_", p.name) for p in all_lessons)
    if all_lessons:
        first = all_lessons[0]
        assert slides.lesson_notebooks([first.stem[:2]]) == [first]
        assert slides.lesson_notebooks([int(first.stem[:2])]) == [first]
    with pytest.raises(FileNotFoundError, match="no lesson '99'"):
        slides.lesson_notebooks(["99"])


def test_cli_has_slides_subcommand():
    from course_utils.cli import build_parser
    args = build_parser().parse_args(["slides", "--preset", "ci", "--lessons", "00", "05", "--no-execute"])
    assert args.lessons == ["00", "05"] and args.no_execute and args.preset == "ci"
    assert args.func is slides._slides


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    lessons = slides.lesson_notebooks()
    if not lessons:
        pytest.skip("no lesson notebooks yet")
    # The smallest lesson that trains nothing heavy: the first one; executed so pictures appear.
    out = tmp_path_factory.mktemp("build")
    return slides.build_deck(lessons[0], out, preset="ci", execute=True)


def test_deck_is_offline_and_has_the_lesson(deck):
    html = deck.read_text(encoding="utf-8")
    loads = re.findall(r"<(?:script|link|img)\b[^>]*?(?:src|href)=[\"']([^\"']+)", html)
    assert loads, "the deck loads nothing at all?"
    remote = [u for u in loads if re.match(r"(https?:)?//", u)]
    assert remote == [], remote
    for url in loads:
        if not url.startswith("data:"):
            assert (deck.parent / url).is_file(), f"{url} is missing next to the deck"
    assert 'class="slides"' in html and "<section" in html
    assert "colab-badge" not in html
    assert "absl::InitializeLog" not in html
    title = re.search(r"<title>(.*?) slides</title>", html).group(1)
    assert title.startswith("Lesson ")
    assert "data:image/png;base64" in html, "executed deck should carry the lesson's pictures"


def test_deck_renders_in_headless_chromium(deck, tmp_path):
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required on CI to check the decks render")
        pytest.skip("chromium not installed")
    import cv2
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,720",
             "--virtual-time-budget=5000"]
    url = deck.resolve().as_uri()
    png = tmp_path / "deck.png"
    subprocess.run(flags + [f"--screenshot={png}", url], check=True, timeout=120,
                   capture_output=True)
    shot = cv2.imread(str(png), cv2.IMREAD_GRAYSCALE)
    assert shot.shape == (720, 1280)
    assert shot.std() > 10, "blank screenshot: reveal.js did not lay out the deck"
    dom = subprocess.run(flags + ["--dump-dom", url], check=True, timeout=120,
                         capture_output=True, text=True).stdout
    title = re.search(r"<title>(.*?)</title>", deck.read_text(encoding="utf-8")).group(1)
    assert title in dom
    # reveal.js ran: it marks the slide on screen as present and builds its controls.
    assert re.search(r'<section[^>]*class="[^"]*present', dom)
    assert 'class="controls"' in dom or "<aside class=\"controls" in dom
