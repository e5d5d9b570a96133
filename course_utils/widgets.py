"""Play with a trained pair in a notebook: walk the artist's noise space, scrub through the epochs,
and try being the critic yourself.

The logic lives in plain, tested functions and in ``CriticGame``; the ipywidgets wrappers
(``latent_walk``, ``epoch_scrubber``, ``critic_game``) only wire sliders and buttons to them.
"""

from pathlib import Path

import cv2
import numpy as np

from course_utils.data import to_model_input, to_pixels
from course_utils.viz import FRAME_PATTERN, frame_paths


# --- noise space ------------------------------------------------------------------------------
def slerp(a, b, t):
    """Spherical interpolation from noise vector ``a`` (t=0) to ``b`` (t=1).

    Gaussian noise vectors of dimension 160 all have length close to √160 ≈ 12.6; a straight line
    between two of them passes through shorter vectors the artist never saw in training (the middle
    of the line has length ≈ 12.6 / √2), while slerp follows the sphere and keeps the length typical.
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    cos = np.clip(np.dot(a / na, b / nb), -1.0, 1.0)
    omega = np.arccos(cos)
    if omega < 1e-6:  # (almost) the same direction: plain interpolation is exact enough
        return ((1 - t) * a + t * b).astype(np.float32)
    return ((np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)).astype(
        np.float32
    )


def random_directions(count, dim=160, seed=0):
    """``count`` orthonormal directions in noise space (rows), reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((dim, count)))
    return q.T.astype(np.float32)


def latent_point(z0, z1, t, directions=(), amounts=()):
    """The point ``t`` of the way from ``z0`` to ``z1`` (slerp), pushed ``amounts[i]`` along
    ``directions[i]``."""
    z = slerp(z0, z1, t).astype(np.float64)
    for direction, amount in zip(directions, amounts):
        z = z + amount * np.asarray(direction, np.float64)
    return z.astype(np.float32)


def draw(generator, z, scale=4):
    """The artist's face for one noise vector as uint8, upscaled ``scale``× (nearest: honest pixels)."""
    z = np.asarray(z, np.float32).reshape(1, -1)
    face = to_pixels(generator(z, training=False).numpy())[0]
    return cv2.resize(face, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)


def png_bytes(image):
    """uint8 image → PNG file bytes (what ``ipywidgets.Image`` shows)."""
    ok, encoded = cv2.imencode(".png", np.asarray(image, np.uint8))
    if not ok:
        raise ValueError(f"could not encode image of shape {np.shape(image)}")
    return encoded.tobytes()


# --- epochs -----------------------------------------------------------------------------------
def frame_label(path):
    """'epoch 12 of 40'-style caption for a frame file, from its name."""
    match = FRAME_PATTERN.search(Path(path).name)
    return f"epoch {int(match.group(1))}" if match else Path(path).name


# --- be the critic ----------------------------------------------------------------------------
class CriticGame:
    """Be the critic: judge ``n`` faces, half real and half painted, in a seeded shuffled order;
    then compare your accuracy with the discriminator's on exactly the same images.

    The discriminator says "real" when its logit is > 0 (probability > 0.5). It judges the same
    uint8 pictures the learner sees, so neither player gets a sharper view.
    """

    REAL, FAKE = "real", "fake"

    def __init__(self, real_images, generator, discriminator, n=10, seed=0):
        if n < 2 or n % 2:
            raise ValueError(f"n must be an even number ≥ 2 (half real, half painted), got {n}")
        real_images = np.asarray(real_images)
        if real_images.dtype != np.uint8 or real_images.ndim != 3:
            raise ValueError(
                f"real_images must be uint8 (N, H, W), got {real_images.dtype} {real_images.shape}"
            )
        if len(real_images) < n // 2:
            raise ValueError(f"need at least {n // 2} real images, got {len(real_images)}")
        rng = np.random.default_rng(seed)
        real = real_images[rng.choice(len(real_images), n // 2, replace=False)]
        noise = rng.standard_normal((n // 2, generator.input_shape[-1])).astype(np.float32)
        fake = to_pixels(generator(noise, training=False).numpy())
        order = rng.permutation(n)
        self.images = np.concatenate([real, fake])[order]
        self.truth = np.array([self.REAL] * (n // 2) + [self.FAKE] * (n // 2))[order]
        logits = np.asarray(discriminator(to_model_input(self.images), training=False)).reshape(-1)
        self.critic_logits = logits.astype(np.float32)
        self.critic_says = np.where(self.critic_logits > 0, self.REAL, self.FAKE)
        self.answers = []

    def __len__(self):
        return len(self.images)

    @property
    def done(self):
        return len(self.answers) == len(self.images)

    def next_image(self):
        """The face to judge now (uint8), or None when every face has been judged."""
        return None if self.done else self.images[len(self.answers)]

    def answer(self, label):
        """Record your verdict on the current face: "real" or "fake" (True means real).
        Returns whether you were right."""
        if self.done:
            raise IndexError("the game is over: every face has been judged (see score())")
        if isinstance(label, (bool, np.bool_)):
            label = self.REAL if label else self.FAKE
        label = str(label).strip().lower()
        if label in ("painted", "generated"):
            label = self.FAKE
        if label not in (self.REAL, self.FAKE):
            raise ValueError(f"answer 'real' or 'fake', not {label!r}")
        self.answers.append(label)
        return label == self.truth[len(self.answers) - 1]

    def score(self):
        """Accuracy so far, yours next to the critic's on the same faces."""
        k = len(self.answers)
        truth = self.truth[:k]
        you = int(np.sum(np.array(self.answers, dtype=object) == truth)) if k else 0
        critic = int(np.sum(self.critic_says[:k] == truth))
        return {
            "judged": k,
            "you_correct": you,
            "critic_correct": critic,
            "you_accuracy": you / k if k else None,
            "critic_accuracy": critic / k if k else None,
        }

    def summary(self):
        """One line for a learner."""
        s = self.score()
        if not s["judged"]:
            return f"0 of {len(self)} judged yet."
        return (
            f"{s['judged']} of {len(self)} judged — you: {s['you_correct']}/{s['judged']} "
            f"({s['you_accuracy']:.0%}), the critic: {s['critic_correct']}/{s['judged']} "
            f"({s['critic_accuracy']:.0%})"
        )


# --- the widgets (thin) -----------------------------------------------------------------------
def latent_walk(generator, seed=0, n_directions=3, scale=4, reach=3.0):
    """Slider ``t`` walks from one noise vector to another (slerp); the other sliders push the
    point along a few random directions. The face redraws as you drag."""
    import ipywidgets as w

    dim = generator.input_shape[-1]
    rng = np.random.default_rng(seed)
    z0, z1 = rng.standard_normal((2, dim)).astype(np.float32)
    directions = random_directions(n_directions, dim, seed + 1)
    image = w.Image(format="png", width=56 * scale, height=56 * scale)
    t = w.FloatSlider(0.0, min=0.0, max=1.0, step=0.05, description="A → B", continuous_update=True)
    pushes = [
        w.FloatSlider(0.0, min=-reach, max=reach, step=0.25, description=f"direction {i + 1}")
        for i in range(n_directions)
    ]

    def redraw(*_):
        z = latent_point(z0, z1, t.value, directions, [p.value for p in pushes])
        image.value = png_bytes(draw(generator, z, scale))

    for slider in [t, *pushes]:
        slider.observe(redraw, names="value")
    redraw()
    return w.HBox([image, w.VBox([t, *pushes])])


def epoch_scrubber(run_dir, scale=1):
    """A slider over a run's per-epoch frames (``run_dir/frames``): drag to watch it learn."""
    import ipywidgets as w

    paths = frame_paths(Path(run_dir) / "frames")
    if not paths:
        raise FileNotFoundError(f"no frames in '{Path(run_dir) / 'frames'}': train first")
    first = cv2.imread(str(paths[0]), cv2.IMREAD_GRAYSCALE)
    image = w.Image(format="png", width=first.shape[1] * scale, height=first.shape[0] * scale)
    slider = w.IntSlider(len(paths), min=1, max=len(paths), description="frame")
    caption = w.Label()

    def show(*_):
        path = paths[slider.value - 1]
        image.value = path.read_bytes()
        caption.value = f"{frame_label(path)} ({slider.value} of {len(paths)} frames)"

    slider.observe(show, names="value")
    show()
    return w.VBox([w.HBox([slider, caption]), image])


def critic_game(game, scale=3):
    """Buttons "Real" and "Painted" over ``CriticGame`` ``game``; the score updates after each answer."""
    import ipywidgets as w

    image = w.Image(format="png", width=56 * scale, height=56 * scale)
    real, fake = w.Button(description="Real"), w.Button(description="Painted")
    feedback, tally = w.Label(), w.Label(game.summary())

    def show():
        face = game.next_image()
        if face is None:
            real.disabled = fake.disabled = True
            feedback.value += "  Game over."
            return
        image.value = png_bytes(
            cv2.resize(face, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
        )

    def on(label):
        def click(_):
            i = len(game.answers)
            right = game.answer(label)
            critic = game.critic_says[i]
            feedback.value = (
                f"{'Right' if right else 'Wrong'}: it was {game.truth[i]}; "
                f"the critic said {critic} (logit {game.critic_logits[i]:+.2f})."
            )
            tally.value = game.summary()
            show()

        return click

    real.on_click(on(CriticGame.REAL))
    fake.on_click(on(CriticGame.FAKE))
    show()
    return w.VBox([image, w.HBox([real, fake]), feedback, tally])
