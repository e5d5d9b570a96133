"""Visit every slide of a reveal.js deck in headless Chromium, the way a projector shows it.

Used by tests/test_slides.py, and by hand to look at a deck slide by slide::

    python tests/deck_browser.py slides/build/05_training.slides.html --shots /tmp/shots

Chromium is driven through the Chrome DevTools protocol (a websocket, ``websocket-client``), so the
only browser piece needed is Debian's ``chromium`` package (and, for the Chinese decks of
``slides/build/zh/``, a font with Chinese glyphs: Debian's ``fonts-noto-cjk``; without one, Chromium
draws every Chinese character as a box). Each slide is shown at 1280×800 with all
its fragments, checked, and (optionally) saved as ``DECK-HH-VV.png``. A slide's problems:

* ``bottom``: visible content below the slide (or the window), as on a projector that cuts it off;
* ``right``: content past the slide's right edge, or a code/output block whose text is wider than
  the block (``scrollWidth > clientWidth``: the end of the line is hidden behind a scroll bar);
* ``marker``: a test or sync marker (``NBVAL``, ``#@save``) in the visible text;
* ``control``: a control character in the visible text (``\\r``, ``\\b``, other C0 controls, U+FFFD):
  what a progress bar leaves behind, drawn by the browser as □;
* ``plot``: a picture whose text would be smaller than ``MIN_PLOT_TEXT_PX`` on screen: the deck tells
  (``data-font-px`` on each picture, see course_utils.slides) how tall its text is in image pixels.
"""

import argparse
import base64
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

WIDTH, HEIGHT = 1280, 800
MIN_PLOT_TEXT_PX = 12.0  # smallest plot text on screen at 1280×800 that reads from the back row
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-port=0",
    f"--window-size={WIDTH},{HEIGHT}",
]


def chinese_fonts():
    """The font families fontconfig offers for Chinese text (``fc-list :lang=zh``); [] without any."""
    if shutil.which("fc-list") is None:
        return []
    listing = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=60
    )
    return sorted({line.split(",")[0].strip() for line in listing.stdout.splitlines() if line})


def find_chromium():
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


# Runs in the page: the problems of the slide on screen, as a list of strings.
INSPECT_JS = r"""
((MIN_PLOT_TEXT_PX) => {
  const slide = Reveal.getCurrentSlide();
  const box = document.querySelector('.reveal .slides').getBoundingClientRect();
  const bottom = Math.min(box.bottom, window.innerHeight) + 1;
  const right = Math.min(box.right, window.innerWidth) + 1;
  const left = Math.max(box.left, 0) - 1;
  const problems = [];
  const shown = el => {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' || el.closest('aside.notes')) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const label = el => {
    const text = (el.innerText || el.alt || el.tagName).trim().replace(/\s+/g, ' ');
    return el.tagName.toLowerCase() + ' "' + text.slice(0, 50) + '"';
  };
  const leaves = [...slide.querySelectorAll('*')].filter(el => shown(el) &&
      (el.tagName === 'IMG' || el.tagName === 'svg' || el.tagName === 'CANVAS' ||
       [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())));
  // Where the ink is: a picture's box, or the line boxes of an element's own text (a block's box
  // can be narrower than the text that spills out of it).
  const boxes = el => {
    if (el.tagName === 'IMG' || el.tagName === 'svg' || el.tagName === 'CANVAS') return [el.getBoundingClientRect()];
    return [...el.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim()).flatMap(n => {
      const range = document.createRange(); range.selectNodeContents(n);
      return [...range.getClientRects()].filter(r => r.width > 0);
    });
  };
  let low = null, wide = null;
  for (const el of leaves) {
    for (const r of boxes(el)) {
      if (r.bottom > bottom && (!low || r.bottom > low[1])) low = [el, r.bottom];
      if ((r.right > right || r.left < left) && (!wide || r.right > wide[1])) wide = [el, r.right];
    }
  }
  // The navigation arrows sit in the bottom-right corner, over the slide: nothing may hide there.
  const arrows = [...document.querySelectorAll('.reveal .controls button')]
    .filter(b => getComputedStyle(b).opacity > 0 && getComputedStyle(b).visibility !== 'hidden')
    .map(b => b.getBoundingClientRect()).filter(r => r.width > 0);
  const hidden = leaves.find(el => boxes(el).some(r => arrows.some(a =>
      r.left < a.right && r.right > a.left && r.top < a.bottom && r.bottom > a.top)));
  if (hidden) problems.push(`controls: ${label(hidden)} lies under the navigation arrows`);
  if (low) problems.push(`bottom: ${label(low[0])} ends at ${Math.round(low[1])} px, below ${Math.round(bottom - 1)}`);
  if (wide) problems.push(`right: ${label(wide[0])} reaches ${Math.round(wide[1])} px, past ${Math.round(right - 1)}`);
  for (const el of [slide, ...slide.querySelectorAll('pre, code, .jp-OutputArea-output, .jp-InputArea, .highlight, div, section')]) {
    if (!shown(el)) continue;
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible') {
      problems.push(`right: ${label(el)} is ${el.scrollWidth} px wide in a ${el.clientWidth} px box`);
      break;
    }
  }
  for (const el of [slide, ...slide.querySelectorAll('div, section, pre')]) {
    if (!shown(el)) continue;
    if (el.scrollHeight > el.clientHeight + 1 && ['auto', 'scroll'].includes(getComputedStyle(el).overflowY)) {
      problems.push(`bottom: ${label(el)} scrolls (${el.scrollHeight} px in ${el.clientHeight} px)`);
      break;
    }
  }
  const text = slide.innerText;
  for (const marker of ['NBVAL', '#@save', '@save course_utils']) {
    if (text.includes(marker)) { problems.push(`marker: "${marker}" on the slide`); break; }
  }
  const control = text.match(/[\x00-\x08\x0b-\x1f\x7f\ufffd]/);
  if (control) {
    const at = text.indexOf(control[0]);
    problems.push(`control: U+${control[0].charCodeAt(0).toString(16).padStart(4, '0')} in "` +
                  JSON.stringify(text.slice(Math.max(0, at - 30), at + 10)) + '"');
  }
  for (const figure of slide.querySelectorAll('[data-font-px]')) {
    const img = figure.querySelector('img');
    if (!img || !shown(img) || !img.naturalWidth) continue;
    const px = parseFloat(figure.dataset.fontPx) * img.getBoundingClientRect().width / img.naturalWidth;
    if (px < MIN_PLOT_TEXT_PX) problems.push(`plot: text ${px.toFixed(1)} px on screen (< ${MIN_PLOT_TEXT_PX})`);
    if (figure.dataset.textOverlap) problems.push(`plot: texts overlap: ${figure.dataset.textOverlap}`);
  }
  const fragments = slide.querySelectorAll('.fragment:not(.visible)');
  if (fragments.length) problems.push(`fragments: ${fragments.length} not shown`);
  return problems;
})
"""


class Chromium:
    """A headless Chromium with one page, spoken to over the DevTools websocket."""

    def __init__(self, executable=None, width=WIDTH, height=HEIGHT):
        import websocket

        executable = executable or find_chromium()
        if executable is None:
            raise FileNotFoundError("no chromium on PATH (apt-get install -y chromium)")
        self.profile = Path(tempfile.mkdtemp(prefix="deck-chromium-"))
        self.process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.time() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.process.poll() is not None or time.time() > deadline:
                self.close()
                raise RuntimeError("chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        for _ in range(100):
            targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
            pages = [t for t in targets if t.get("type") == "page"]
            if pages:
                break
            time.sleep(0.1)
        self.socket = websocket.create_connection(
            pages[0]["webSocketDebuggerUrl"], suppress_origin=True, timeout=120
        )
        self.next_id = 0
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def send(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:60]}...: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(expression):
                return
            time.sleep(0.1)
        raise TimeoutError(expression)

    def fonts_drawing(self, selector):
        """The fonts Chromium really drew the text of the first ``selector`` element with
        (``CSS.getPlatformFontsForNode``): family name and glyph count."""
        self.send("DOM.enable")
        self.send("CSS.enable")
        root = self.send("DOM.getDocument", depth=0)["root"]["nodeId"]
        node = self.send("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        if not node:
            raise LookupError(f"no {selector!r} on the page")
        fonts = self.send("CSS.getPlatformFontsForNode", nodeId=node)["fonts"]
        return {font["familyName"]: font["glyphCount"] for font in fonts}

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", format="png")["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def close(self):
        if getattr(self, "socket", None):
            self.socket.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def visit_deck(browser, deck, shots_dir=None):
    """Show every slide of ``deck`` (all fragments), check it, optionally screenshot it.

    Returns one dict per slide: ``h``, ``v``, ``problems`` (a list of strings), ``shot`` (a path or
    None)."""
    deck = Path(deck).resolve()
    browser.send("Page.navigate", url=deck.as_uri())
    browser.wait_for("document.readyState === 'complete'")
    # The deck's template exposes window.Reveal; older decks only hand it to require.js's callback.
    browser.evaluate(
        "window.Reveal || new Promise(done => require(['reveal.js/dist/reveal.js'], "
        "R => { window.Reveal = R; done(true); }))"
    )
    browser.wait_for("Reveal.isReady()")
    # No animations: a fragment fading in is still invisible to the checks (and the screenshot).
    browser.evaluate(
        "Reveal.configure({transition: 'none', backgroundTransition: 'none'}); "
        "const style = document.createElement('style'); style.textContent = "
        "'*, *::before, *::after { transition: none !important; "
        "animation: none !important; }'; document.head.appendChild(style); "
        "document.fonts.ready.then(() => true)"
    )
    slides = browser.evaluate(
        "Reveal.getSlides().map(s => { const i = Reveal.getIndices(s); return [i.h, i.v || 0]; })"
    )
    js = f"({INSPECT_JS})({MIN_PLOT_TEXT_PX})"
    report = []
    for h, v in slides:
        browser.evaluate(
            f"Reveal.slide({h}, {v}, 1000); Reveal.layout(); "
            "Promise.all([...Reveal.getCurrentSlide().querySelectorAll('img')]"
            ".map(i => i.decode().catch(() => null)))"
        )
        problems = browser.evaluate(js)
        shot = None
        if shots_dir is not None:
            shot = Path(shots_dir) / f"{deck.name.split('.')[0]}-{h:02d}-{v:02d}.png"
            browser.screenshot(shot)
        report.append({"h": h, "v": v, "problems": problems, "shot": shot})
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("decks", nargs="+", type=Path)
    parser.add_argument("--shots", type=Path, help="folder for one PNG per slide")
    args = parser.parse_args(argv)
    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
    total = bad = 0
    with Chromium() as browser:
        for deck in args.decks:
            report = visit_deck(browser, deck, args.shots)
            failing = [r for r in report if r["problems"]]
            total, bad = total + len(report), bad + len(failing)
            print(f"{deck.name}: {len(report)} slides, {len(failing)} with problems")
            for r in failing:
                for problem in r["problems"]:
                    print(f"  {r['h']}.{r['v']}: {problem}")
    print(f"{total} slides, {bad} with problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
