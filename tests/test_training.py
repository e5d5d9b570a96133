"""Training: presets, a step that changes weights, NaN handling, resume after kill -9."""

import json
import os
import signal
import subprocess
import time
from dataclasses import replace

import cv2
import numpy as np
import pytest
import tensorflow as tf
from conftest import COURSE

from course_utils import training
from course_utils.callbacks import Callback
from course_utils.data import load_faces, to_model_input
from course_utils.presets import get_preset
from course_utils.run_folder import load_discriminator, load_generator, read_history
from course_utils.training import GANTrainer, train

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_get_preset_reads_the_one_switch(monkeypatch):
    monkeypatch.setenv("COURSE_PRESET", "ci")
    assert get_preset().name == "ci"
    monkeypatch.delenv("COURSE_PRESET")
    assert get_preset().name == "classroom"
    assert get_preset("seed").epochs == 500 and get_preset("seed").batch_size == 256
    with pytest.raises(ValueError, match="unknown preset 'fast'"):
        get_preset("fast")


def test_seed_preset_is_the_article_exactly():
    seed = get_preset("seed")
    assert (seed.n_images, seed.epochs, seed.batch_size, seed.learning_rate, seed.beta_1) == (
        20000,
        500,
        256,
        1e-4,
        0.9,
    )
    g, d = training.build_models(seed)
    assert g.count_params() == 3_134_112 and d.count_params() == 231_681
    assert seed.average_decay == 0  # the article paints with the artist itself


def test_one_train_step_changes_both_networks_and_reports_verdicts():
    trainer = GANTrainer("ci")
    before_g = [v.numpy().copy() for v in trainer.generator.trainable_variables]
    before_d = [v.numpy().copy() for v in trainer.discriminator.trainable_variables]
    batch = tf.convert_to_tensor(to_model_input(load_faces("procedural", limit=64)))
    out = {k: float(v) for k, v in trainer.train_step(batch).items()}
    assert all(np.isfinite(v) for v in out.values())
    assert 0 < out["d_real"] < 1 and 0 < out["d_fake"] < 1
    assert all(
        not np.array_equal(a, b.numpy())
        for a, b in zip(before_g, trainer.generator.trainable_variables)
    )
    assert all(
        not np.array_equal(a, b.numpy())
        for a, b in zip(before_d, trainer.discriminator.trainable_variables)
    )


def test_pixels_are_scaled_batch_by_batch_to_exactly_what_to_model_input_gives():
    # The trainer keeps uint8 faces (a quarter of the memory) and scales each batch in tf.data:
    # the same batches, the same numbers, as training on to_model_input's float copy.
    trainer = GANTrainer(replace(get_preset("ci"), batch_size=32))
    faces = load_faces("procedural", limit=96)
    faces[0, :16, :16] = np.arange(256, dtype=np.uint8).reshape(16, 16)  # every pixel value once
    from_pixels = [b.numpy() for b in trainer.batches(faces, epoch=4)]
    from_floats = [b.numpy() for b in trainer.batches(to_model_input(faces), epoch=4)]
    assert [b.shape for b in from_pixels] == [(32, 56, 56, 1)] * 3
    assert all(b.dtype == np.float32 for b in from_pixels)
    assert all(np.array_equal(a, b) for a, b in zip(from_pixels, from_floats))


def test_training_on_pixels_keeps_no_float_copy_of_them(monkeypatch):
    seen = []
    real_make_dataset = training.make_dataset

    def spy(images, *args, **kwargs):
        seen.append(images)
        return real_make_dataset(images, *args, **kwargs)

    monkeypatch.setattr(training, "make_dataset", spy)
    faces = load_faces("procedural", limit=64)
    GANTrainer(replace(get_preset("ci"), batch_size=32)).fit(faces, epochs=1, progress=False)
    assert seen and all(images is faces for images in seen)


def test_train_runs_the_loop_and_step_it_is_given_as_the_lesson_does(tmp_path):
    # Lesson 5 passes its own train_loop and make_train_step: an edit there must show in training.
    calls = {"loop": 0, "step": 0}

    def lessons_make_train_step(*args):
        step = training.make_train_step(*args)

        def counted(batch):
            calls["step"] += 1
            return step(batch)

        return counted

    def lessons_loop(train_step, batches, epochs, first_epoch=1, callbacks=()):
        calls["loop"] += 1
        training.train_loop(train_step, batches, epochs, first_epoch, callbacks)

    trainer = train(
        tmp_path / "run",
        "ci",
        epochs=1,
        progress=False,
        metric=None,
        loop=lessons_loop,
        make_train_step=lessons_make_train_step,
    )
    preset = get_preset("ci")
    assert calls == {"loop": 1, "step": preset.n_images // preset.batch_size}
    assert [row["epoch"] for row in read_history(tmp_path / "run")] == [1]
    assert trainer.epochs_done == 1


def test_the_loop_calls_its_collaborators_after_each_step_and_epoch_in_order():
    events = []

    class Recorder(Callback):
        def __init__(self, name):
            self.name = name

        def on_step_end(self, epoch, step):
            events.append((self.name, "step", epoch, step))

        def on_epoch_end(self, epoch, row):
            events.append((self.name, "epoch", epoch, row["a"]))

    def step(batch):
        return {"a": tf.constant(float(batch))}

    training.train_loop(
        step,
        lambda epoch: [epoch, 3 * epoch],
        3,
        first_epoch=2,
        callbacks=[Recorder("first"), Recorder("second")],
    )
    assert events == [
        ("first", "step", 2, 1),
        ("second", "step", 2, 1),
        ("first", "step", 2, 2),
        ("second", "step", 2, 2),
        ("first", "epoch", 2, 4.0),
        ("second", "epoch", 2, 4.0),  # (2 + 6) / 2 steps
        ("first", "step", 3, 1),
        ("second", "step", 3, 1),
        ("first", "step", 3, 2),
        ("second", "step", 3, 2),
        ("first", "epoch", 3, 6.0),
        ("second", "epoch", 3, 6.0),
    ]


def test_short_training_moves_the_critic_away_from_chance():
    preset = replace(get_preset("ci"), n_images=1024)
    faces = load_faces("procedural", limit=preset.n_images)
    trainer = GANTrainer(preset)
    trainer.fit(faces, epochs=3, progress=False)
    real = to_model_input(load_faces("procedural", limit=1280)[1024:])
    fake = trainer.generator(tf.random.normal([256, 160], seed=1), training=False)
    accuracy = (
        np.mean(trainer.discriminator(real, training=False).numpy() > 0)
        + np.mean(trainer.discriminator(fake, training=False).numpy() <= 0)
    ) / 2
    assert accuracy > 0.65, accuracy
    assert len(trainer.history) == 3 and [r["epoch"] for r in trainer.history] == [1, 2, 3]


def test_nan_loss_stops_with_a_clear_message_and_keeps_the_last_good_checkpoint(tmp_path):
    faces = load_faces("procedural", limit=128)
    trainer = GANTrainer("ci", tmp_path / "run")
    trainer.fit(faces, epochs=1, progress=False)
    good = [v.numpy().copy() for v in trainer.generator.variables]
    real_step = trainer.train_step

    def poisoned(batch):
        out = real_step(batch)
        return {**out, "gen_loss": tf.constant(float("nan"))}

    trainer.train_step = poisoned
    with pytest.raises(training.TrainingDiverged, match=r"epoch 2: gen_loss became nan.*epoch 1"):
        trainer.fit(faces, epochs=3, progress=False)
    assert not (tmp_path / "run" / "frames" / "epoch_0002.png").exists()
    assert [r["epoch"] for r in read_history(tmp_path / "run")] == [1]
    restored = GANTrainer("ci", tmp_path / "run")
    assert int(restored.epoch.numpy()) == 1
    assert all(np.array_equal(a, b.numpy()) for a, b in zip(good, restored.generator.variables))


def test_a_run_folder_refuses_a_different_preset_once_an_epoch_is_done(tmp_path):
    trainer = GANTrainer("ci", tmp_path / "run")
    trainer.fit(load_faces("procedural", limit=128), epochs=1, progress=False)
    with pytest.raises(
        ValueError, match="records preset name='ci', but the settings given now have 'classroom'"
    ):
        GANTrainer("classroom", tmp_path / "run")
    # The same name with another learning rate is another experiment too (the Python API).
    with pytest.raises(
        ValueError,
        match="records preset learning_rate=0.0002, but the settings given now have 0.001",
    ):
        GANTrainer(replace(get_preset("ci"), learning_rate=1e-3), tmp_path / "run")
    # How long to train is not: a longer run of the same preset resumes.
    assert GANTrainer(replace(get_preset("ci"), epochs=9), tmp_path / "run").epochs_done == 1


def test_a_run_folder_with_no_finished_epoch_accepts_a_new_configuration(tmp_path):
    GANTrainer("ci", tmp_path / "run", data="procedural")  # e.g. a start that failed
    GANTrainer("classroom", tmp_path / "run")  # the corrected command is accepted


def test_load_generator_restores_the_trained_weights(tmp_path):
    trainer = GANTrainer("ci", tmp_path / "run")
    trainer.fit(load_faces("procedural", limit=128), epochs=1, progress=False)
    generator = load_generator(tmp_path / "run")
    np.testing.assert_array_equal(
        generator(trainer.preview_noise, training=False).numpy(), trainer.preview()
    )
    critic = load_discriminator(tmp_path / "run")
    faces = to_model_input(load_faces("procedural", limit=8))
    np.testing.assert_array_equal(
        critic(faces, training=False).numpy(), trainer.discriminator(faces, training=False).numpy()
    )
    with pytest.raises(FileNotFoundError, match="not a run folder"):
        load_generator(tmp_path)


def _train_cmd(run_dir, epochs):
    return [*COURSE, "train", "--preset", "ci", "--run-dir", str(run_dir), "--epochs", str(epochs),
            "--no-metric"]  # fmt: skip


def test_resume_after_kill_9_continues_at_the_right_epoch_with_identical_frames(tmp_path):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    epochs = 5
    straight = tmp_path / "straight"
    subprocess.run(_train_cmd(straight, epochs), check=True, cwd=REPO, env=env, capture_output=True)

    broken = tmp_path / "broken"
    # Kill twice: once right after the second checkpoint, once a moment into the fourth epoch.
    for wait_for in ("ckpt-2.index", "ckpt-3.index"):
        proc = subprocess.Popen(
            _train_cmd(broken, epochs),
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 240
        while not (broken / "checkpoints" / wait_for).exists() and proc.poll() is None:
            assert time.time() < deadline, "training never reached the checkpoint"
            time.sleep(0.02)
        if wait_for == "ckpt-3.index":
            time.sleep(0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        done = json.loads((broken / "config.json").read_text())["preset"]["name"]
        assert done == "ci"
    result = subprocess.run(
        _train_cmd(broken, epochs), cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert [r["epoch"] for r in read_history(broken)] == list(range(1, epochs + 1))
    for epoch in range(1, epochs + 1):
        a = cv2.imread(str(straight / "frames" / f"epoch_{epoch:04d}.png"), cv2.IMREAD_GRAYSCALE)
        b = cv2.imread(str(broken / "frames" / f"epoch_{epoch:04d}.png"), cv2.IMREAD_GRAYSCALE)
        assert np.array_equal(a, b), f"epoch {epoch} frame differs after resume"
    assert (broken / "training.gif").exists()
    assert not list(broken.rglob("*.tmp*"))


@pytest.mark.parametrize("jit_compile,mixed_precision", [(True, False), (False, True)])
def test_gpu_options_train_on_cpu_too_with_float32_outputs(jit_compile, mixed_precision):
    """XLA and mixed bfloat16 must run anywhere with the lesson's plain step: bfloat16 has
    float32's range, so the gradients reach the weights without loss scaling."""
    trainer = GANTrainer("ci", jit_compile=jit_compile, mixed_precision=mixed_precision)
    before = trainer.generator.trainable_variables[0].numpy().copy()
    batch = tf.convert_to_tensor(to_model_input(load_faces("procedural", limit=64)))
    out = trainer.train_step(batch)
    assert np.isfinite(float(out["gen_loss"])) and np.isfinite(float(out["disc_loss"]))
    assert not np.array_equal(before, trainer.generator.trainable_variables[0].numpy())
    assert trainer.preview().dtype == np.float32
    if mixed_precision:
        assert trainer.generator.layers[1].compute_dtype == "bfloat16"
    import keras

    assert keras.mixed_precision.global_policy().name == "float32"  # restored for everyone else


def test_a_run_keeps_a_tensorboard_log_of_the_numbers_and_the_grids(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    train(tmp_path / "run", "ci", epochs=2, progress=False)
    log = EventAccumulator(str(tmp_path / "run" / "logs"), size_guidance={"tensors": 0})
    log.Reload()
    tags = set(log.Tags()["tensors"])
    assert {"gen_loss", "disc_loss", "d_real", "d_fake", "afd", "fd"} <= tags
    assert [e.step for e in log.Tensors("gen_loss")] == [1, 2]
    grids = [t for t in tags if "grid" in t]
    assert grids and [e.step for e in log.Tensors(grids[0])] == [1, 2]


def test_a_finished_run_is_reloaded_without_loading_its_faces_or_judges(tmp_path, monkeypatch):
    train(tmp_path / "run", "ci", epochs=1, progress=False, metric=None)

    def refuse(*args, **kwargs):
        raise AssertionError("a finished run must not load faces or build its judges")

    monkeypatch.setattr(training, "load_faces", refuse)
    monkeypatch.setattr(training, "make_training_metric", refuse)
    again = train(tmp_path / "run", "ci", epochs=1, progress=False)
    assert again.epochs_done == 1 and [r["epoch"] for r in again.history] == [1]
    with pytest.raises(ValueError, match="give the faces to train on"):
        again.fit(None, epochs=2, progress=False)


# --- the painter: a running average of the artist (lesson 5, «A steady hand») -------------------


def test_the_painter_moves_one_tenth_of_the_way_to_the_artist_after_a_ci_step():
    from course_utils.callbacks import PainterAverage

    trainer = GANTrainer("ci")  # average_decay 0.9
    assert trainer.averaged and trainer.painter is not trainer.generator
    start = [v.numpy().copy() for v in trainer.generator.variables]
    assert all(np.array_equal(a, p.numpy()) for a, p in zip(start, trainer.painter.variables))
    batch = tf.convert_to_tensor(to_model_input(load_faces("procedural", limit=64)))
    trainer.train_step(batch)
    artist = [v.numpy().copy() for v in trainer.generator.variables]
    average = trainer.painter_average()
    assert isinstance(average, PainterAverage)
    average.on_step_end(1, 1)
    for before, now, painter in zip(start, artist, trainer.painter.variables):
        np.testing.assert_allclose(painter.numpy(), 0.9 * before + 0.1 * now, rtol=1e-6, atol=1e-7)
    # The update reads the artist and never writes it.
    assert all(np.array_equal(a, v.numpy()) for a, v in zip(artist, trainer.generator.variables))
    assert any(not np.array_equal(a, p.numpy()) for a, p in zip(artist, trainer.painter.variables))


def test_the_painter_changes_no_number_of_the_game_only_the_paintings():
    faces = load_faces("procedural", limit=128)
    with_painter = GANTrainer("ci")
    without = GANTrainer(replace(get_preset("ci"), average_decay=0.0))
    assert not without.averaged and without.painter is without.generator
    assert without.painter_average() is None
    rows_with = with_painter.fit(faces, epochs=2, progress=False)
    rows_without = without.fit(faces, epochs=2, progress=False)
    for a, b in zip(rows_with, rows_without):
        for key in ("gen_loss", "disc_loss", "d_real", "d_fake"):
            assert a[key] == b[key]
    assert np.array_equal(
        with_painter.generator(with_painter.preview_noise, training=False).numpy(),
        without.preview(),
    )
    assert not np.allclose(with_painter.preview(), without.preview(), atol=1e-3)


def test_a_resumed_run_keeps_its_painter_and_load_generator_paints_with_it(tmp_path):
    faces = load_faces("procedural", limit=128)
    whole = GANTrainer("ci", tmp_path / "whole")
    whole.fit(faces, epochs=3, progress=False)
    GANTrainer("ci", tmp_path / "parts").fit(faces, epochs=1, progress=False)
    parts = GANTrainer("ci", tmp_path / "parts")
    assert parts.epochs_done == 1
    parts.fit(faces, epochs=3, progress=False)
    for a, b in zip(whole.painter.variables, parts.painter.variables):
        assert np.array_equal(a.numpy(), b.numpy())
    loaded = load_generator(tmp_path / "parts")
    for a, b in zip(parts.painter.variables, loaded.variables):
        assert np.array_equal(a.numpy(), b.numpy())
    artist = load_generator(tmp_path / "parts", averaged=False)
    for a, b in zip(parts.generator.variables, artist.variables):
        assert np.array_equal(a.numpy(), b.numpy())
    # The last frame is the painter's painting of the preview noise.
    frame = cv2.imread(str(tmp_path / "parts" / "frames" / "epoch_0003.png"), cv2.IMREAD_GRAYSCALE)
    from course_utils.viz import frame_image

    assert np.array_equal(frame, frame_image(parts.preview(), 3))


def test_an_older_run_folder_without_average_decay_loads_and_resumes_with_its_artist(tmp_path):
    faces = load_faces("procedural", limit=128)
    plain = replace(get_preset("ci"), average_decay=0.0)
    trainer = GANTrainer(plain, tmp_path / "run")
    trainer.fit(faces, epochs=1, progress=False)
    config_path = tmp_path / "run" / "config.json"
    config = json.loads(config_path.read_text())
    del config["preset"]["average_decay"]  # as written before the knob existed
    config_path.write_text(json.dumps(config))
    loaded = load_generator(tmp_path / "run")
    for a, b in zip(trainer.generator.variables, loaded.variables):
        assert np.array_equal(a.numpy(), b.numpy())
    assert GANTrainer(plain, tmp_path / "run").epochs_done == 1
    with pytest.raises(ValueError, match="average_decay"):
        GANTrainer("ci", tmp_path / "run")  # today's ci averages: another experiment, said so
