"""The pictures and the widgets speak the language chosen: English by default, Chinese with
``use_language("zh")``, read back from the figures' Axes and the widgets themselves."""

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils import language, story, viz, widgets
from course_utils.faces import CATEGORY_LABELS
from course_utils.viz import frame_image, write_png

ROWS = [
    {
        "epoch": e,
        "gen_loss": 2.0,
        "disc_loss": 1.0,
        "d_real": 0.7,
        "d_fake": 0.4,
        "afd": 0.5 if e % 2 == 0 else None,
    }
    for e in range(1, 5)
]
STYLES = {"hair_style": [0, 1], "eye_style": [0, 1], "mouth_style": [0, 1], "blush": [0, 1]}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _words(fig):
    """Every title, axis label and legend entry of a figure, panel by panel."""
    found = []
    for ax in fig.axes:
        legend = ax.get_legend()
        found.append(
            (
                ax.get_title(),
                ax.get_xlabel(),
                ax.get_ylabel(),
                [t.get_text() for t in legend.get_texts()] if legend else [],
            )
        )
    return found


def test_the_history_plot_is_english_by_default_and_chinese_under_zh():
    artist, critic, verdicts, score = _words(viz.plot_history(ROWS, metric="afd", floor=0.9))
    assert artist[:3] == ("artist's loss (generator)", "epoch", "loss")
    assert critic[0] == "critic's loss (discriminator)"
    assert verdicts == (
        "critic's average verdict",
        "epoch",
        "P(real)",
        ["D(x): real faces", "D(G(z)): paintings", "0.5: cannot tell"],
    )
    assert score == (
        "AFD: higher is better",
        "epoch",
        "AFD",
        ["the artist's paintings", "real faces: 0.9"],
    )

    language.use_language("zh")
    artist, critic, verdicts, score = _words(viz.plot_history(ROWS, metric="afd", floor=0.9))
    assert artist[:3] == ("艺术家的损失（生成器）", "轮", "损失")
    assert critic[0] == "评论家的损失（判别器）"
    assert verdicts == (
        "评论家的平均评判",
        "轮",
        "P(真实)",
        ["D(x)：真实人脸", "D(G(z))：画作", "0.5：分不出真假"],
    )
    assert score == ("AFD：越高越好", "轮", "AFD", ["艺术家的画作", "真实人脸：0.9"])


def test_comparing_runs_names_the_floor_in_the_language_chosen():
    language.use_language("zh")
    fig = viz.plot_runs({"甲": ROWS, "乙": ROWS}, metric="fd", floor=0.2)
    gap, score = fig.axes
    assert (gap.get_title(), gap.get_xlabel()) == ("评论家赢得有多轻松", "轮")
    assert score.get_title() == "训练中的 FD（越低越好）"
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["甲", "乙", "真实人脸：0.2"]


def test_style_shares_speak_chinese_and_find_the_real_faces_in_either_language():
    language.use_language("zh")
    for real in ("真实人脸", "real faces"):
        fig = viz.plot_category_shares({real: STYLES, "崩溃": {k: [0, 0] for k in STYLES}})
        hair = fig.axes[0]
        assert (hair.get_title(), hair.get_ylabel()) == ("发型", "人脸占比")
        assert [t.get_text() for t in hair.get_xticklabels()] == [
            "波波头",
            "长发",
            "双马尾",
            "刺猬头",
        ]
        (legend,) = fig.legends
        assert [t.get_text() for t in legend.get_texts()] == [real, "崩溃：50% 的人脸风格不同"]
    # Every style the faces know has its Chinese name.
    for labels in CATEGORY_LABELS.values():
        for label in labels:
            assert re.fullmatch(r"[\u4e00-\u9fff]+", viz._style_name(label)), label


def test_the_diagrams_speak_chinese():
    english = [t.get_text() for t in story.draw_gradient_path().axes[0].texts]
    language.use_language("zh")
    chinese = [t.get_text() for t in story.draw_gradient_path().axes[0].texts]
    assert english[0] == "noise z" and chinese[0] == "噪声 z"
    assert "艺术家的优化器只更新艺术家的权重" in chinese
    loop = story.draw_gan_loop().axes[0]
    assert loop.get_title() == "博弈的一个回合：双方都从评论家的评判中学习"
    assert "评论家\n（判别器 D）" in [t.get_text() for t in loop.texts]
    (toy,) = story.plot_toy_snapshots([(7, np.zeros((3, 2)), np.ones((3, 2)))]).axes
    assert toy.get_title() == "第 7 步\n到圆环的距离 2.00"
    assert [t.get_text() for t in toy.get_legend().get_texts()] == ["真实", "艺术家"]


class _Tensor:
    def __init__(self, value):
        self.value = value

    def numpy(self):
        return self.value


class FlatGenerator:
    """Paints a flat face whose grey level is tanh(z[0])."""

    input_shape = (None, 160)

    def __call__(self, z, training=False):
        z = np.asarray(z, np.float32)
        return _Tensor(np.tanh(z[:, :1, None, None]) * np.ones((len(z), 56, 56, 1), np.float32))


class BrightnessCritic:
    def __call__(self, x, training=False):
        return np.asarray(x).mean(axis=(1, 2, 3))[:, None]


def test_the_widgets_speak_chinese(tmp_path):
    pytest.importorskip("ipywidgets")
    language.use_language("zh")
    walk = widgets.latent_walk(FlatGenerator(), np.eye(160)[:2], scale=1)
    _, controls = walk.children
    assert [c.description for c in controls.children] == ["A → B", "方向 1", "方向 2"]

    for epoch in (1, 2, 3):
        faces = np.full((9, 56, 56), 40 * epoch, np.uint8)
        write_png(tmp_path / "frames" / f"epoch_{epoch:04d}.png", frame_image(faces, epoch))
    slider, caption = widgets.epoch_scrubber(tmp_path).children[0].children
    assert slider.description == "帧" and caption.value == "第 3 轮（共 3 帧中的第 3 帧）"

    game = widgets.CriticGame(
        np.full((4, 56, 56), 255, np.uint8), FlatGenerator(), BrightnessCritic(), n=2, seed=0
    )
    ui = widgets.critic_game(game)
    real, painted = ui.children[1].children
    assert (real.description, painted.description) == ("真实", "画作")
    assert ui.children[3].value == "2 张里还一张都没评判。"
    real.click()
    assert ui.children[2].value.startswith(("答对了：答案是“", "答错了：答案是“"))
    painted.click()
    assert "游戏结束" in ui.children[2].value and real.disabled
    lines = game.reveal().splitlines()
    assert lines[2].split()[0] == "答案" and set(lines[2].split()[1:]) == {"真实", "画作"}
    # The columns line up on screen: a Chinese character is two columns wide.
    assert len({widgets._width(line) for line in lines[1:5]}) == 1


def test_the_game_takes_an_answer_in_the_words_its_buttons_show():
    game = widgets.CriticGame(
        np.full((4, 56, 56), 255, np.uint8), FlatGenerator(), BrightnessCritic(), n=2, seed=0
    )
    assert game.answer("真实") == (game.truth[0] == "real")
    assert game.answer("画作") == (game.truth[1] == "fake")
    assert game.answers == ["real", "fake"]
    language.use_language("zh")
    with pytest.raises(ValueError, match="请回答 'real'（真实）或 'fake'（画作），而不是 'maybe'"):
        widgets.CriticGame(
            np.full((4, 56, 56), 255, np.uint8), FlatGenerator(), BrightnessCritic(), n=2, seed=0
        ).answer("maybe")
