"""The GAN doctor's confusion table: healthy runs and runs broken on purpose, and what it names.

    python benchmarks/doctor_confusion.py                  # every case (minutes on 2 cores)
    python benchmarks/doctor_confusion.py --cases healthy-0 checkerboard --work /tmp/doctor

Each case trains a small classroom-like run (the classroom networks and optimiser on ``--images``
procedural faces for ``--epochs`` epochs, scored every 2 epochs) with one knob broken, watched live
by ``DoctorWatch``; then ``doctor.diagnose`` reads its folder, with a normal band of this size
made of the healthy cases (without the one diagnosed). Prints one row per case (what was
broken) with a mark per keyword found (``X`` by the folder's diagnosis, ``l`` only live), the
false positives on the healthy runs, and what the checks cost per epoch (the live watch's time).

The breaks the package has no knob for are made here: faces scaled to [0, 1] (float input), a
critic taking several steps per artist step, and a critic that never learns (a collapse).
"""

import argparse
import os
import shutil
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from course_utils import doctor  # noqa: E402
from course_utils.presets import PRESETS  # noqa: E402

KEYWORDS = (
    "data-range",
    "critic-wins",
    "collapse",
    "checkerboard",
    "diverged",
    "stalled",
    "outside-normal",
)


def small_preset(images, epochs):
    """The classroom recipe on fewer faces and epochs: seconds a run."""
    return replace(
        PRESETS["classroom"],
        name="doctor-small",
        description="classroom networks and optimiser, fewer faces and epochs",
        n_images=images,
        epochs=epochs,
        metric_every=2,
    )


def make_step(critic_steps=1, critic_learns=True, critic_rate=1.0):
    """A ``make_train_step`` (lesson 5's signature) whose critic takes ``critic_steps`` steps per
    batch at ``critic_rate`` times the learning rate, or never learns: knobs the course's step
    does not have."""
    import tensorflow as tf

    from course_utils.losses import discriminator_loss, generator_loss

    def make(generator, discriminator, g_opt, d_opt, noise_rng, real_label=1.0, jit=False):
        noise_dim = generator.input_shape[-1]
        d_opt.learning_rate = float(d_opt.learning_rate) * critic_rate

        @tf.function
        def step(images):
            n = tf.shape(images)[0]
            for _ in range(critic_steps if critic_learns else 0):
                with tf.GradientTape() as tape:
                    fake = generator(noise_rng.normal([n, noise_dim]), training=True)
                    loss = discriminator_loss(
                        discriminator(images, training=True),
                        discriminator(fake, training=True),
                        real_label,
                    )
                grads = tape.gradient(loss, discriminator.trainable_variables)
                d_opt.apply_gradients(zip(grads, discriminator.trainable_variables))
            with tf.GradientTape() as tape:
                fake = generator(noise_rng.normal([n, noise_dim]), training=True)
                real_output = discriminator(images, training=True)
                fake_output = discriminator(fake, training=True)
                gen_loss = generator_loss(fake_output)
            grads = tape.gradient(gen_loss, generator.trainable_variables)
            g_opt.apply_gradients(zip(grads, generator.trainable_variables))
            return {
                "gen_loss": gen_loss,
                "disc_loss": discriminator_loss(real_output, fake_output, real_label),
                "d_real": tf.reduce_mean(tf.sigmoid(real_output)),
                "d_fake": tf.reduce_mean(tf.sigmoid(fake_output)),
            }

        return step

    return make


def cases(base):
    """``{name: (what was broken, preset, seed, scale faces to [0, 1]?, make_train_step)}``."""
    out = {f"healthy-{s}": ("nothing", base, s, False, None) for s in range(3)}
    out["data-01"] = ("faces in [0, 1]", base, 0, True, None)
    out["lr-high"] = ("learning rate 0.02 (67x)", replace(base, learning_rate=0.02), 0, False, None)
    out["lr-extreme"] = (
        "learning rate 0.2 (670x)",
        replace(base, learning_rate=0.2),
        0,
        False,
        None,
    )
    out["critic-strong"] = (
        "critic: 10x learning rate, 2 steps a batch, no smoothing",
        replace(base, real_label=1.0),
        0,
        False,
        make_step(critic_steps=2, critic_rate=10.0),
    )
    out["checkerboard"] = ("3x3 kernels at stride 2", replace(base, kernel_size=3), 0, False, None)
    out["collapse"] = ("the critic never learns", base, 0, False, make_step(critic_learns=False))
    return out


class TimedWatch(doctor.DoctorWatch):
    """``DoctorWatch`` that remembers when each keyword tripped and how long its checks took."""

    def __init__(self, run_dir):
        super().__init__(run_dir, say=lambda line: print(f"    live: {line}", flush=True))
        self.seconds, self.tripped = [], {}

    def on_epoch_end(self, epoch, row):
        start = time.perf_counter()
        super().on_epoch_end(epoch, row)
        self.seconds.append(time.perf_counter() - start)
        for finding in self.findings:
            self.tripped.setdefault(finding.keyword, epoch)


def replay_case(name, case, work):
    """The doctor on a case trained before: its folder diagnosed, its epochs replayed to a watch."""
    from course_utils.run_folder import RunFolder

    run_dir = Path(work) / name
    watch = TimedWatch(run_dir)
    for row in RunFolder(run_dir).read_history():
        watch.on_epoch_end(row["epoch"], row)
    return case[0], run_dir, watch


def run_case(name, case, faces, metric, work):
    from course_utils.training import GANTrainer, TrainingDiverged, train_loop

    what, preset, seed, unit_range, step = case
    run_dir = Path(work) / name
    shutil.rmtree(run_dir, ignore_errors=True)
    watch = TimedWatch(run_dir)

    def loop(train_step, batches, epochs, first_epoch=1, callbacks=()):
        return train_loop(train_step, batches, epochs, first_epoch, [*callbacks, watch])

    x = (faces.astype(np.float32) / 255.0)[..., None] if unit_range else faces
    start = time.time()
    trainer = GANTrainer(preset, run_dir, seed=seed)
    try:
        trainer.fit(x, progress=False, metric=metric, loop=loop, make_train_step=step)
    except TrainingDiverged as error:
        print(f"    stopped: {str(error)[:90]}")
    print(f"{name:14s} trained in {time.time() - start:.0f} s", flush=True)
    return what, run_dir, watch


def small_band(results, leave_out=None):
    """A normal band for the small preset, from the healthy cases' curves (without ``leave_out``):
    what ``scripts/normal_band.py`` ships for the classroom preset."""
    from course_utils.run_folder import RunFolder

    runs = {}
    for name, (_, run_dir, _) in results.items():
        if name.startswith("healthy") and name != leave_out:
            rows = RunFolder(run_dir).read_history()
            runs[name] = {k: [r.get(k) for r in rows] for k in doctor.BAND_CURVES}
    preset = RunFolder(next(iter(results.values()))[1]).read_config()["preset"]
    real = doctor.real_faces()  # the shipped real-face measures, as the course's doctor uses
    return {"real_faces": real, "bands": [{"preset": preset, "data": "procedural", "runs": runs}]}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="*", default=None, help="case names (default: all)")
    ap.add_argument("--images", type=int, default=1600)
    ap.add_argument("--epochs", type=int, default=14)
    ap.add_argument("--work", default="runs/doctor_confusion")
    ap.add_argument(
        "--replay",
        action="store_true",
        help="train nothing: diagnose the cases' folders in --work again (after a threshold changed)",
    )
    args = ap.parse_args(argv)
    base = small_preset(args.images, args.epochs)
    todo = cases(base)
    names = args.cases or list(todo)
    if args.replay:
        return report({name: replay_case(name, todo[name], args.work) for name in names})

    from course_utils.cloud import import_tensorflow_quietly

    import_tensorflow_quietly()
    from course_utils.data import load_faces
    from course_utils.metrics import make_training_metric

    faces = load_faces("procedural", limit=args.images)
    metric = make_training_metric("procedural", base)
    return report({name: run_case(name, todo[name], faces, metric, args.work) for name in names})


def report(results):
    """The confusion table, the false positives and the cost per epoch."""

    short = {k: k[:12] for k in KEYWORDS}
    diagnosed = {}
    for name, (what, run_dir, watch) in results.items():
        band = small_band(results, leave_out=name)
        found = doctor.diagnose(run_dir, band_file=band)
        print(f"{name:14s} {doctor.report(found)}")
        diagnosed[name] = (what, {f.keyword for f in found}, watch)
    results = diagnosed
    print("\nconfusion (rows: what was broken; X found in the folder, l only live)")
    print(f"{'case':14s} {'broken':52s} " + " ".join(f"{short[k]:>12s}" for k in KEYWORDS))
    for name, (what, found, watch) in results.items():
        marks = ["X" if k in found else ("l" if k in watch.tripped else ".") for k in KEYWORDS]
        print(f"{name:14s} {what:52s} " + " ".join(f"{m:>12s}" for m in marks))
    healthy = [r for n, r in results.items() if n.startswith("healthy")]
    false_folder = sum(bool(found) for _, found, _ in healthy)
    false_live = sum(bool(w.tripped) for _, _, w in healthy)
    print(
        f"false positives on {len(healthy)} healthy runs: {false_folder} (folder), {false_live} (live)"
    )
    seconds = [s for _, _, w in results.values() for s in w.seconds]
    if seconds:
        print(
            f"doctor checks per epoch: median {1000 * statistics.median(seconds):.1f} ms, "
            f"max {1000 * max(seconds):.1f} ms ({len(seconds)} epochs)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
