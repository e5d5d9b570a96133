"""Chinese in the pictures: real glyphs (Noto Sans CJK, its Simplified Chinese face), no boxes, and
Latin letters and the minus sign still drawn by DejaVu Sans, so English pictures are unchanged."""

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.font_manager import FontProperties

from course_utils import fonts, language, story, viz, widgets

MISSING = "missing from font"


@pytest.fixture
def zh(monkeypatch):
    """Chinese, and matplotlib's own font settings: each picture must ask for the CJK face itself."""
    monkeypatch.setattr(language, "_chosen", "zh")
    with matplotlib.rc_context({"font.family": ["sans-serif"]}):
        yield
    plt.close("all")


def _history():
    return [
        {
            "epoch": e,
            "gen_loss": 3.0 - 0.1 * e,
            "disc_loss": 0.5 + 0.01 * e,
            "d_real": 0.8,
            "d_fake": 0.3,
            "afd": 0.1 * e if e % 2 == 0 else None,
            "fd": 10.0 / e if e % 2 == 0 else None,
        }
        for e in range(1, 9)
    ]


STYLES = {
    "hair_style": [0, 1, 2, 3],
    "eye_style": [0, 1, 2, 0],
    "mouth_style": [0, 1, 2, 2],
    "blush": [0, 1, 0, 1],
}


def _glyph_warnings(draw):
    """The "Glyph … missing from font(s)" warnings drawing ``draw()``'s figure gives."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure = draw()
        figure = getattr(figure, "figure", figure)  # an Axes → its figure
        figure.savefig(io.BytesIO(), format="png")
    plt.close(figure)
    return [str(w.message) for w in caught if MISSING in str(w.message)]


PICTURES = {
    "history": lambda: viz.plot_history(_history(), metric="fd", floor=0.5),
    "history afd": lambda: viz.plot_history(_history(), metric="afd", floor=0.9),
    "runs": lambda: viz.plot_runs({"文章的配方": _history(), "改进的配方": _history()}, "afd", 0.9),
    "shares": lambda: viz.plot_category_shares({"真实人脸": STYLES, "崩溃": STYLES}),
    "grid": lambda: viz.plot_grid(np.zeros((9, 56, 56), np.uint8), title="九张画作"),
    "gan loop": story.draw_gan_loop,
    "gradient path": story.draw_gradient_path,
    "toy": lambda: story.plot_toy_snapshots([(0, np.zeros((5, 2)), np.ones((5, 2)))]),
    "sheet": lambda: widgets.plot_sheet(
        np.zeros((2, 3, 56, 56), np.uint8), ["A → B", "方向 1"], ["-3", "0", "+3"], title="漫步"
    ),
}


@pytest.mark.parametrize("name", PICTURES)
def test_every_picture_draws_its_chinese_without_a_missing_glyph(zh, name):
    assert _glyph_warnings(PICTURES[name]) == []


def test_the_check_sees_a_missing_glyph():
    # A character neither font has (an Egyptian hieroglyph) is reported: the check can fail.
    def draw():
        fig = plt.figure()
        fig.text(0.5, 0.5, "\U00013000")
        return fig

    fonts.use_cjk_font()
    assert _glyph_warnings(draw)


def _font_for(character):
    """The face matplotlib draws ``character`` with under the default font settings."""
    for path in font_manager.fontManager._find_fonts_by_props(FontProperties()):
        font = font_manager.get_font(path)
        if font.get_char_index(ord(character)):
            return font.family_name
    return None


def _pixels(text, family=None):
    fig = plt.figure(figsize=(2, 1), dpi=100)
    fig.text(0.05, 0.2, text, fontsize=40, **({"family": family} if family else {}))
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., 0].copy()
    plt.close(fig)
    return pixels


def test_chinese_comes_from_the_simplified_chinese_face():
    assert fonts.use_cjk_font()
    assert _font_for("直") == fonts.FAMILY == "Noto Sans CJK SC"
    # 直 and 骨 are drawn differently in Japan and in mainland China: the SC forms, not the JP ones
    # (the collection's first face).
    drawn = _pixels("直骨")
    assert np.array_equal(drawn, _pixels("直骨", "Noto Sans CJK SC"))
    assert not np.array_equal(drawn, _pixels("直骨", "Noto Sans CJK JP"))


def test_latin_letters_and_the_minus_sign_still_come_from_dejavu():
    assert fonts.use_cjk_font()
    assert _font_for("−") == _font_for("A") == "DejaVu Sans"
    for text in ("−1.5", "epoch 12"):
        assert np.array_equal(_pixels(text), _pixels(text, "DejaVu Sans"))
    assert not np.array_equal(_pixels("−1.5"), _pixels("−1.5", "Noto Sans CJK SC"))


def test_use_cjk_font_adds_the_face_once_and_puts_it_back_after_a_reset():
    assert fonts.use_cjk_font() and fonts.use_cjk_font()
    assert list(matplotlib.rcParams["font.family"]).count(fonts.FAMILY) == 1
    with matplotlib.rc_context({"font.family": ["serif"]}):
        fonts.use_cjk_font()
        assert list(matplotlib.rcParams["font.family"]) == ["serif", fonts.FAMILY]
    assert sum(e.name == fonts.FAMILY for e in font_manager.fontManager.ttflist) == 1


def test_a_system_copy_serves_when_the_pip_package_is_missing(monkeypatch, tmp_path):
    # A font manager that knows no CJK font, no pip package: the system's file is found and used.
    bare = font_manager.FontManager()
    bare.ttflist = [e for e in bare.ttflist if "CJK" not in e.name]
    monkeypatch.setattr(font_manager, "fontManager", bare)
    monkeypatch.setattr(fonts, "_found", None)
    system = fonts.package_font_file()
    monkeypatch.setattr(fonts, "package_font_file", lambda: None)
    monkeypatch.setattr(fonts, "SYSTEM_FILES", (str(tmp_path / "absent.ttc"), str(system)))
    with matplotlib.rc_context():
        assert fonts.use_cjk_font()
        (entry,) = [e for e in bare.ttflist if e.name == fonts.FAMILY]
        assert entry.fname == str(system)


def test_without_any_cjk_font_chinese_says_once_what_to_install(monkeypatch, capsys):
    bare = font_manager.FontManager()
    bare.ttflist = [e for e in bare.ttflist if "CJK" not in e.name]
    monkeypatch.setattr(font_manager, "fontManager", bare)
    monkeypatch.setattr(fonts, "package_font_file", lambda: None)
    monkeypatch.setattr(fonts, "SYSTEM_FILES", ())
    monkeypatch.setattr(fonts, "_found", None)
    monkeypatch.setattr(fonts, "_warned", False)
    with matplotlib.rc_context({"font.family": ["sans-serif"]}):
        assert fonts.use_cjk_font() is False  # English: nothing to say
        assert capsys.readouterr().err == ""
        monkeypatch.setattr(language, "_chosen", "zh")
        assert fonts.use_cjk_font() is False and fonts.use_cjk_font() is False
        said = capsys.readouterr().err.splitlines()
        assert fonts.FAMILY not in matplotlib.rcParams["font.family"]
    assert len(said) == 1 and "pip install noto-cjk-sans-otc" in said[0] and "中文" in said[0]
