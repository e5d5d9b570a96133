"""The story lesson's pictures: the GAN loop as a diagram, and a tiny GAN on 2-D points.

The toy GAN plays the same game as the face GAN on data one can see whole: real points lie on a ring;
the artist maps 2-D noise to points; the critic judges points. Snapshots of the artist's cloud show
it being pushed onto the ring.
"""

import numpy as np

from course_utils.fonts import use_cjk_font
from course_utils.language import Messages

_say = Messages(
    __name__,
    {
        # The GAN loop (lesson 0): the boxes, the two losses, the title.
        "noise": ("noise z\n(160 numbers)", "噪声 z\n（160 个数）"),
        "artist": ("artist\n(generator G)", "艺术家\n（生成器 G）"),
        "painting": ("painting\nG(z)", "画作\nG(z)"),
        "critic": ("critic\n(discriminator D)", "评论家\n（判别器 D）"),
        "real faces x": ("real faces x", "真实人脸 x"),
        "verdict": ("verdict\nP(real)", "评判\nP(真实)"),
        "artist's aim": ('artist\'s loss: "make D say real"', "艺术家的损失：“让 D 说真”"),
        "critic's aim": (
            'critic\'s loss: "real → 1, painting → 0"',
            "评论家的损失：“真实 → 1，画作 → 0”",
        ),
        "one round": (
            "One round of the game: both players learn from the critic's verdict",
            "博弈的一个回合：双方都从评论家的评判中学习",
        ),
        # The toy GAN's snapshots.
        "real": ("real", "真实"),
        "artist points": ("artist", "艺术家"),
        "snapshot": (
            "step {step}\ndistance to ring {distance:.2f}",
            "第 {step} 步\n到圆环的距离 {distance:.2f}",
        ),
        # The artist's step (lesson 5): the boxes and the three lines.
        "noise z": ("noise z", "噪声 z"),
        "artist G": ("artist G\nweights change", "艺术家 G\n权重会变"),
        "painting G(z)": ("painting\nG(z)", "画作\nG(z)"),
        "critic D": ("critic D\nweights stay put", "评论家 D\n权重不变"),
        "verdict logit": ("verdict\n(a logit)", "评判\n（一个 logit）"),
        "artist's loss": ("artist's loss\n−ln σ(logit)", "艺术家的损失\n−ln σ(logit)"),
        "forward": (
            "forward: paint, judge, score (the tape records every step)",
            "前向：作画、评判、算损失（梯度带记下每一步）",
        ),
        "backward": (
            "backward: the gradient of the artist's loss flows through the critic into the artist",
            "反向：艺术家损失的梯度穿过评论家，流回艺术家",
        ),
        "optimizer": (
            "the artist's optimizer moves only the artist's weights",
            "艺术家的优化器只更新艺术家的权重",
        ),
    },
)


def draw_gan_loop():
    """A matplotlib diagram: noise → artist → painting → critic ← real faces; verdict → both losses."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    use_cjk_font()
    fig, ax = plt.subplots(figsize=(9, 3.6))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 4.4)
    ax.axis("off")
    boxes = {
        _say("noise"): (0.2, 2.6, 1.5, "#eeeeee"),
        _say("artist"): (2.4, 2.6, 1.5, "#ffd8a8"),
        _say("painting"): (4.6, 2.6, 1.5, "#eeeeee"),
        _say("critic"): (6.6, 1.6, 1.8, "#a5d8ff"),
        _say("real faces x"): (4.6, 0.5, 1.5, "#d3f9d8"),
        _say("verdict"): (8.75, 1.6, 1.1, "#eeeeee"),
    }
    for text, (x, y, width, colour) in boxes.items():
        ax.add_patch(
            FancyBboxPatch((x, y), width, 1.0, boxstyle="round,pad=0.08", fc=colour, ec="#333333")
        )
        ax.text(x + width / 2, y + 0.5, text, ha="center", va="center", fontsize=10)

    def arrow(a, b, **kw):
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=14, **kw))

    arrow((1.75, 3.1), (2.35, 3.1))
    arrow((3.95, 3.1), (4.55, 3.1))
    arrow((6.15, 3.0), (6.6, 2.45))
    arrow((6.15, 1.0), (6.6, 1.85))
    arrow((8.45, 2.1), (8.72, 2.1))
    arrow((9.2, 2.7), (3.2, 3.65), connectionstyle="arc3,rad=0.25", color="#e8590c", ls="--")
    ax.text(6.3, 4.15, _say("artist's aim"), color="#e8590c", fontsize=9, ha="center")
    arrow((9.3, 1.55), (7.5, 1.45), connectionstyle="arc3,rad=-0.6", color="#1971c2", ls="--")
    ax.text(
        8.4,
        0.15,
        _say("critic's aim"),
        color="#1971c2",
        fontsize=9,
        ha="center",
    )
    ax.set_title(_say("one round"))
    return fig


def ring_points(n, rng, radius=2.0, noise=0.05):
    """``n`` real points on a ring of ``radius``."""
    angle = rng.uniform(0, 2 * np.pi, n)
    return np.stack([np.cos(angle), np.sin(angle)], 1) * radius + rng.normal(0, noise, (n, 2))


def distance_to_ring(points, radius=2.0):
    """Mean distance of points to the ring: 0 means the artist has learned the real data."""
    return float(np.mean(np.abs(np.linalg.norm(points, axis=1) - radius)))


def train_toy_gan(steps=600, seed=0, batch=128, snapshots=5):
    """Train a two-layer artist and critic on ring points; return ``[(step, fake_points, real_points)]``."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    artist = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(2),
        ]
    )
    critic = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(64),
            keras.layers.LeakyReLU(0.2),
            keras.layers.Dense(64),
            keras.layers.LeakyReLU(0.2),
            keras.layers.Dense(1),
        ]
    )
    g_opt, d_opt = keras.optimizers.Adam(1e-3, beta_1=0.5), keras.optimizers.Adam(1e-3, beta_1=0.5)
    bce = keras.losses.BinaryCrossentropy(from_logits=True)

    @tf.function
    def step(real, noise):
        with tf.GradientTape() as gt, tf.GradientTape() as dt:
            fake = artist(noise, training=True)
            real_out, fake_out = critic(real, training=True), critic(fake, training=True)
            g_loss = bce(tf.ones_like(fake_out), fake_out)
            d_loss = bce(tf.ones_like(real_out), real_out) + bce(tf.zeros_like(fake_out), fake_out)
        g_opt.apply_gradients(
            zip(gt.gradient(g_loss, artist.trainable_variables), artist.trainable_variables)
        )
        d_opt.apply_gradients(
            zip(dt.gradient(d_loss, critic.trainable_variables), critic.trainable_variables)
        )

    preview_noise = rng.normal(size=(500, 2)).astype("float32")
    preview_real = ring_points(500, np.random.default_rng(seed + 1)).astype("float32")
    keep = set(np.linspace(0, steps, snapshots).round().astype(int).tolist())
    out = []
    for i in range(steps + 1):
        if i in keep:
            out.append((i, artist(preview_noise, training=False).numpy(), preview_real))
        if i < steps:
            step(
                ring_points(batch, rng).astype("float32"),
                rng.normal(size=(batch, 2)).astype("float32"),
            )
    return out


def plot_toy_snapshots(snapshots):
    """Side-by-side scatter plots of the real ring (blue) and the artist's points (orange)."""
    import matplotlib.pyplot as plt

    use_cjk_font()
    # Constrained layout keeps the two-line titles inside the figure (tight_layout let the square
    # panels push them over the top edge).
    fig, axes = plt.subplots(
        1, len(snapshots), figsize=(3 * len(snapshots), 3.2), layout="constrained"
    )
    for ax, (step, fake, real) in zip(np.atleast_1d(axes), snapshots):
        ax.scatter(*real.T, s=4, c="tab:blue", label=_say("real"))
        ax.scatter(*fake.T, s=4, c="tab:orange", label=_say("artist points"))
        ax.set_xlim(-3.2, 3.2)
        ax.set_ylim(-3.2, 3.2)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(
            _say("snapshot", step=step, distance=distance_to_ring(fake)), fontsize="medium"
        )
    np.atleast_1d(axes)[0].legend(loc="lower left", fontsize="small")
    return fig


def draw_gradient_path():
    """Lesson 5's diagram of the artist's step: noise → artist → painting → critic → verdict →
    artist's loss, forward along the top; the gradient flows back along the bottom, *through* the
    critic (whose weights stay put in this step) into the artist's weights, which the optimizer moves.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    use_cjk_font()
    fig, ax = plt.subplots(figsize=(11, 3.3))
    ax.set_xlim(0, 11)
    ax.set_ylim(0, 3.3)
    ax.axis("off")
    forward, backward = "#333333", "#c92a2a"
    boxes = [  # (text, colour): left to right, the order of the arithmetic
        (_say("noise z"), "#eeeeee"),
        (_say("artist G"), "#ffd8a8"),
        (_say("painting G(z)"), "#eeeeee"),
        (_say("critic D"), "#a5d8ff"),
        (_say("verdict logit"), "#eeeeee"),
        (_say("artist's loss"), "#ffe3e3"),
    ]
    width, gap, y, height = 1.5, 0.36, 1.3, 1.0
    lefts = [0.1 + i * (width + gap) for i in range(len(boxes))]
    for (text, colour), x in zip(boxes, lefts):
        ax.add_patch(
            FancyBboxPatch((x, y), width, height, boxstyle="round,pad=0.06", fc=colour, ec=forward)
        )
        ax.text(x + width / 2, y + height / 2, text, ha="center", va="center", fontsize=11)

    def arrow(a, b, colour, **kw):
        ax.add_patch(
            FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=16, color=colour, lw=1.6, **kw)
        )

    for left, right in zip(lefts, lefts[1:]):
        arrow((left + width + 0.06, y + height / 2), (right - 0.06, y + height / 2), forward)
    # Backward: from the loss, under every box, up into the artist's weights.
    low = y - 0.38
    loss_x, artist_x = lefts[-1] + width / 2, lefts[1] + width / 2
    ax.plot([loss_x, loss_x, artist_x], [y - 0.08, low, low], color=backward, lw=1.6, ls="--")
    for x in lefts[2:-1]:  # arrowheads along the way, pointing back
        arrow((x + width / 2 + 0.2, low), (x + width / 2 - 0.2, low), backward)
    arrow((artist_x, low), (artist_x, y - 0.08), backward)
    ax.text(
        5.5,
        2.75,
        _say("forward"),
        ha="center",
        fontsize=12,
        color=forward,
    )
    ax.text(
        5.5,
        0.45,
        _say("backward"),
        ha="center",
        fontsize=12,
        color=backward,
    )
    ax.text(
        5.5,
        0.02,
        _say("optimizer"),
        ha="center",
        fontsize=12,
        color=backward,
    )
    fig.tight_layout()
    return fig
