"""GAN Atelier benchmarks: one figure per line, ``name value unit``.

    python benchmarks/run.py            # everything (a few minutes on 2 cores)
    python benchmarks/run.py --quick    # fewer repetitions

Ratios compare against a baseline measured in the same run:
- ``train_step_vs_reference``: the course's train step (``training.make_train_step`` via
  ``GANTrainer``) against a plain TensorFlow-tutorial loop over the same models, batch and data,
  measured in alternating rounds (median), so machine noise hits both alike. Target ≥ 0.95.
- ``classroom_seconds_to_faces``: wall time of ``train()`` with the classroom preset (set-up
  included, the scoring itself left out) until the anime-face detector finds faces in at least 0.9
  of the rate it has on real faces (``classroom_afd_ratio``, 500 faces painted by the painter,
  checked after every epoch), or the whole run's if it never does; ``classroom_cores_used`` is CPU
  time over wall time; ``classroom_afd_ratio_artist_itself`` scores the same run's artist without
  the painter's running average (lesson 5, «A steady hand»): what the painter buys.
- ``article_afd_ratio_same_time``: the article's recipe and networks (the ``seed`` preset) trained
  for the same wall time, scored the same way: what the classroom preset buys.
- ``epoch_overhead_ratio``: the median wall time of a classroom epoch run by ``train_loop`` (the
  batches from ``make_dataset``, no scoring, no run folder) over the time of the same number of bare
  train steps on one ready batch, alternating epoch and bare rounds. It catches time spent between
  the steps (tf.data's end-of-epoch wait for its autotuner made it about 1.7). Target ≤ 1.05.
- ``metric_call_vs_classroom_epoch``: one call of the training-time quality metric (FD and KID of
  500 painted faces, the classroom artist) over one classroom epoch (``n_images`` faces at the
  ``train_step_images_per_s`` just measured): what scoring every ``metric_every`` epochs costs.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2
import numpy as np


def figure(name, value, unit):
    print(f"{name} {value:.4g} {unit}", flush=True)


def reference_step(generator, discriminator, noise_dim, batch_size):
    """The TensorFlow DCGAN tutorial's train step, verbatim in spirit: the baseline."""
    import keras
    import tensorflow as tf

    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
    g_opt, d_opt = keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5)

    @tf.function
    def train_step(images):
        noise = tf.random.normal([batch_size, noise_dim])
        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            generated_images = generator(noise, training=True)
            real_output = discriminator(images, training=True)
            fake_output = discriminator(generated_images, training=True)
            gen_loss = cross_entropy(tf.ones_like(fake_output), fake_output)
            disc_loss = cross_entropy(tf.ones_like(real_output), real_output) + cross_entropy(
                tf.zeros_like(fake_output), fake_output
            )
        g_grads = gen_tape.gradient(gen_loss, generator.trainable_variables)
        d_grads = disc_tape.gradient(disc_loss, discriminator.trainable_variables)
        g_opt.apply_gradients(zip(g_grads, generator.trainable_variables))
        d_opt.apply_gradients(zip(d_grads, discriminator.trainable_variables))
        return gen_loss, disc_loss

    return train_step


def bench_train_step(preset_name, rounds, steps):
    import tensorflow as tf

    from course_utils.data import load_faces, make_dataset, to_model_input
    from course_utils.presets import get_preset
    from course_utils.training import GANTrainer, build_models

    preset = get_preset(preset_name)
    x = to_model_input(load_faces("procedural", limit=preset.batch_size * steps))
    ours = GANTrainer(preset)
    g, d = build_models(preset)
    theirs = reference_step(g, d, 160, preset.batch_size)

    def epoch(step_fn):
        start = time.perf_counter()
        for batch in make_dataset(x, preset.batch_size, seed=1):
            out = step_fn(batch)
        tf.nest.map_structure(lambda t: t.numpy(), out)
        return len(x) // preset.batch_size * preset.batch_size / (time.perf_counter() - start)

    epoch(ours.train_step), epoch(theirs)  # trace and warm up both
    ours_ips, theirs_ips = [], []
    for _ in range(rounds):
        ours_ips.append(epoch(ours.train_step))
        theirs_ips.append(epoch(theirs))
    o, t = statistics.median(ours_ips), statistics.median(theirs_ips)
    suffix = "" if preset_name == "classroom" else f"_{preset_name}"
    figure(f"train_step_images_per_s{suffix}", o, "images/s")
    figure(f"reference_step_images_per_s{suffix}", t, "images/s")
    figure(f"train_step_vs_reference{suffix}", o / t, "ratio")
    return o


def _afd_ratio(generator, real_rate, n=500):
    from course_utils import detector, metrics

    painted = metrics.generate_images(generator, n)
    return detector.detection_rate(painted) / real_rate, painted


def bench_classroom_payoff(with_article=True):
    """The payoff of lesson 5: how soon the classroom preset paints faces, and how well."""
    import resource

    import tensorflow as tf

    from course_utils import detector, metrics
    from course_utils.data import load_faces, make_dataset, to_model_input
    from course_utils.presets import get_preset
    from course_utils.training import GANTrainer, train

    preset = get_preset("classroom")
    real = metrics.get_reference("procedural", 500).heldout_images
    real_rate = detector.detection_rate(real)
    real_std = real.astype(np.float32).std(axis=0).mean()
    scoring = {"seconds": 0.0, "first": None, "last": None}
    began = time.perf_counter()

    def check(generator):  # called by the loop after every epoch; its own time is left out
        start = time.perf_counter()
        ratio, painted = _afd_ratio(generator, real_rate)
        now = start - began - scoring["seconds"]
        if ratio >= 0.9 and scoring["first"] is None:
            scoring["first"] = now
        scoring["last"] = (now, ratio, painted.astype(np.float32).std(axis=0).mean() / real_std)
        scoring["seconds"] += time.perf_counter() - start
        return {"afd": ratio * real_rate}

    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    with tempfile.TemporaryDirectory() as tmp:
        trainer = train(Path(tmp) / "run", preset, progress=False, metric=check, metric_every=1)
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.perf_counter() - began - scoring["seconds"]
    cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
    total, ratio, variety = scoring["last"]
    figure(
        "classroom_seconds_to_faces",
        scoring["first"] if scoring["first"] is not None else total,
        "s",
    )
    figure("classroom_seconds_total", wall, "s")
    figure("classroom_afd_ratio", ratio, "ratio")
    figure("classroom_variety_ratio", variety, "ratio")
    figure("classroom_cores_used", cpu / (time.perf_counter() - began), "cores")
    # The baseline of the same run: the artist's own weights, without the painter's running average.
    figure(
        "classroom_afd_ratio_artist_itself", _afd_ratio(trainer.generator, real_rate)[0], "ratio"
    )
    if not with_article:
        return
    seed = get_preset("seed")
    trainer = GANTrainer(seed)
    x = tf.convert_to_tensor(to_model_input(load_faces("procedural", limit=seed.n_images)))
    start, epoch = time.perf_counter(), 0
    while time.perf_counter() - start < wall:
        epoch += 1
        for batch in make_dataset(x, seed.batch_size, seed=epoch):
            trainer.train_step(batch)
            if time.perf_counter() - start >= wall:
                break
    figure("article_afd_ratio_same_time", _afd_ratio(trainer.painter, real_rate)[0], "ratio")


def bench_epoch_overhead(rounds=3):
    from course_utils.callbacks import Callback
    from course_utils.data import load_faces
    from course_utils.presets import get_preset
    from course_utils.training import GANTrainer, train_loop

    preset = get_preset("classroom")
    trainer = GANTrainer(preset)
    faces = load_faces("procedural", limit=preset.n_images)
    steps = preset.n_images // preset.batch_size
    batch = next(iter(trainer.batches(faces, 0)))
    trainer.train_step(batch)  # traced once, outside the timings
    ended = []

    class Clock(Callback):
        def on_epoch_end(self, epoch, row):
            ended.append(time.perf_counter())

    epochs, bare = [], []
    for epoch in range(1, rounds + 1):
        start = time.perf_counter()
        train_loop(trainer.train_step, lambda e: trainer.batches(faces, e), epoch, epoch, [Clock()])
        epochs.append(ended[-1] - start)
        start = time.perf_counter()
        for _ in range(steps):
            out = trainer.train_step(batch)
        float(out["gen_loss"])
        bare.append(time.perf_counter() - start)
    figure("classroom_epoch_seconds", statistics.median(epochs), "s")
    figure("classroom_bare_steps_seconds", statistics.median(bare), "s")
    figure("epoch_overhead_ratio", statistics.median(epochs) / statistics.median(bare), "ratio")


def bench_faces():
    from course_utils.faces import render_faces

    render_faces(100)
    start = time.perf_counter()
    render_faces(20000, seed=1)
    figure("procedural_faces_per_s", 20000 / (time.perf_counter() - start), "faces/s")


def bench_jpegs(count):
    from course_utils.data import prepare_folder
    from course_utils.faces import render_faces

    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        faces, _ = render_faces(200, size=112)
        for i in range(count):  # colour JPEGs of 90–120 px, like the real dataset
            size = int(rng.integers(90, 121))
            image = cv2.resize(faces[i % 200], (size, size), interpolation=cv2.INTER_AREA)
            cv2.imwrite(f"{tmp}/{i:05d}_2008.jpg", cv2.cvtColor(image, cv2.COLOR_GRAY2BGR))
        start = time.perf_counter()
        prepared = prepare_folder(tmp, limit=count, cache_dir=False)
        seconds = time.perf_counter() - start
        assert len(prepared.images) == count
    figure("jpegs_prepared_per_s", count / seconds, "files/s")
    figure("jpegs_prepare_seconds_20000_equivalent", 20000 * seconds / count, "s")


def bench_gif():
    """500 frames shaped like a real run: noise that resolves into faces over the epochs."""
    from course_utils.faces import render_faces
    from course_utils.viz import frame_image, make_gif, write_png

    faces = render_faces(9, seed=3)[0].astype(np.float32)
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        for epoch in range(1, 501):
            noise_level = 120 * np.exp(-epoch / 60)
            image = np.clip(faces + rng.normal(0, 1, faces.shape) * noise_level, 0, 255).astype(
                np.uint8
            )
            write_png(Path(tmp) / "frames" / f"epoch_{epoch:04d}.png", frame_image(image, epoch))
        start = time.perf_counter()
        make_gif(Path(tmp) / "frames", Path(tmp) / "training.gif")
        figure("gif_seconds_500_frames", time.perf_counter() - start, "s")
        figure("gif_megabytes_500_frames", (Path(tmp) / "training.gif").stat().st_size / 1e6, "MB")


def bench_metric(classroom_images_per_s, repeats):
    from course_utils import metrics
    from course_utils.presets import get_preset
    from course_utils.training import build_models

    preset = get_preset("classroom")
    generator, _ = build_models(preset)
    start = time.perf_counter()
    metric = metrics.make_training_metric("procedural", preset)
    figure("metric_setup_seconds", time.perf_counter() - start, "s")
    metric(generator)  # trace once
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        metric(generator)
        times.append(time.perf_counter() - start)
    call = statistics.median(times)
    figure("metric_seconds_per_call", call, "s")
    epoch_seconds = preset.n_images / classroom_images_per_s
    figure("metric_call_vs_classroom_epoch", call / epoch_seconds, "ratio")
    start = time.perf_counter()
    metrics.evaluate_generator(generator, n=2000)
    figure("quality_report_seconds_n2000", time.perf_counter() - start, "s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, no article run")
    parser.add_argument(
        "--overhead", action="store_true", help="only the epoch-overhead figure (about 2 minutes)"
    )
    parser.add_argument(
        "--payoff",
        action="store_true",
        help="only the classroom payoff figures (about 3 minutes, more with the article)",
    )
    args = parser.parse_args()
    if args.payoff:
        bench_classroom_payoff(with_article=not args.quick)
        return
    if args.overhead:
        bench_epoch_overhead()
        return
    bench_faces()
    bench_jpegs(2000 if args.quick else 20000)
    bench_gif()
    classroom_ips = bench_train_step(
        "classroom", rounds=3 if args.quick else 5, steps=10 if args.quick else 30
    )
    bench_metric(classroom_ips, repeats=3 if args.quick else 5)
    bench_epoch_overhead(rounds=2 if args.quick else 3)
    if not args.quick:
        bench_train_step("seed", rounds=3, steps=3)
    bench_classroom_payoff(with_article=not args.quick)


if __name__ == "__main__":
    main()
