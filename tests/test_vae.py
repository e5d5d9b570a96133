"""The second artist, the VAE: shapes, the reparameterisation, both loss parts on numbers worked out
by hand, one step that teaches both networks, and a run folder like the GAN's (resume, the loader
returning the decoder)."""

import json
import math
from dataclasses import replace

import cv2
import numpy as np
import pytest
import tensorflow as tf

from course_utils import language, vae
from course_utils.callbacks import TrainingDiverged
from course_utils.data import load_faces, to_model_input
from course_utils.models import make_discriminator_model
from course_utils.presets import PRESETS, get_preset
from course_utils.run_folder import load_generator, read_history
from course_utils.training import GANTrainer
from course_utils.training import train as train_gan
from course_utils.vae import (
    LossGuard,
    VAETrainer,
    kl_loss,
    load_encoder,
    make_decoder_model,
    make_encoder_model,
    make_vae_train_step,
    reconstruction_loss,
    reparameterize,
    walk,
)

TINY = replace(
    PRESETS["vae"],
    n_images=256,
    epochs=2,
    batch_size=64,
    dense_channels=16,
    generator_widths=(16, 8),
    discriminator_widths=(8, 16),
    latent_dim=8,
    metric_every=0,
)


@pytest.fixture(scope="module")
def faces():
    return load_faces("procedural", limit=256)


def test_the_encoder_is_the_critic_with_two_heads_and_the_decoder_paints_from_a_code():
    encoder = make_encoder_model(latent_dim=16, widths=(8, 16), kernel_size=4)
    critic = make_discriminator_model(widths=(8, 16), kernel_size=4, dropout=0.0)
    convs = [(type(layer).__name__, layer.output.shape) for layer in encoder.layers[1:5]]
    assert convs == [(type(layer).__name__, layer.output.shape) for layer in critic.layers[:4]]
    mu, log_var = encoder(np.zeros((3, 56, 56, 1), np.float32))
    assert mu.shape == log_var.shape == (3, 16)

    decoder = make_decoder_model(latent_dim=16, dense_channels=16, widths=(16, 8), kernel_size=4)
    assert decoder.input_shape == (None, 16)
    painted = decoder(np.random.default_rng(0).normal(size=(3, 16)).astype(np.float32)).numpy()
    assert painted.shape == (3, 56, 56, 1)
    assert painted.min() >= -1.0 and painted.max() <= 1.0  # tanh, as the artist and the faces


def test_reparameterize_gives_mu_without_noise_and_samples_of_n_mu_sigma_squared():
    mu = tf.constant([[2.0, -1.0]])
    log_var = tf.constant([[math.log(9.0), math.log(0.25)]])
    np.testing.assert_array_equal(reparameterize(mu, log_var, tf.zeros([1, 2])).numpy(), mu)
    eps = tf.random.stateless_normal([200_000, 2], seed=[0, 1])
    z = reparameterize(mu, log_var, eps).numpy()
    np.testing.assert_allclose(z.mean(axis=0), [2.0, -1.0], atol=0.02)
    np.testing.assert_allclose(z.std(axis=0), [3.0, 0.5], atol=0.02)  # σ = exp(log σ² / 2)


def test_reconstruction_loss_sums_over_pixels_and_averages_over_the_batch():
    images = np.zeros((2, 56, 56, 1), np.float32)
    reconstructions = np.stack([np.full((56, 56, 1), 0.5), np.full((56, 56, 1), 1.0)])
    # Face 1: 3,136 pixels each off by 0.5 → 784; face 2: each off by 1 → 3,136; mean 1,960.
    loss = reconstruction_loss(images, reconstructions.astype(np.float32)).numpy()
    assert loss == pytest.approx(1960.0)
    assert loss != pytest.approx(0.625)  # the per-pixel mean would be 0.625: not what the ELBO sums


def test_kl_loss_is_half_of_mu2_plus_sigma2_minus_1_minus_ln_sigma2_summed_then_averaged():
    mu = tf.constant([[1.0, 0.0], [0.0, 0.0]])
    log_var = tf.constant([[0.0, math.log(4.0)], [0.0, 0.0]])
    # Row 1: 0.5·(1 + 1 − 1 − 0) + 0.5·(0 + 4 − 1 − ln 4) = 0.5 + 1.5 − ln 2; row 2 is N(0, 1): 0.
    expected = (0.5 + 1.5 - math.log(2.0)) / 2
    assert kl_loss(mu, log_var).numpy() == pytest.approx(expected, rel=1e-6)
    assert kl_loss(tf.zeros([4, 8]), tf.zeros([4, 8])).numpy() == 0.0


def test_one_step_teaches_both_networks_and_reports_both_loss_parts(faces):
    encoder = make_encoder_model(latent_dim=8, widths=(8, 16), kernel_size=4)
    decoder = make_decoder_model(latent_dim=8, dense_channels=16, widths=(16, 8), kernel_size=4)
    optimizer = tf.keras.optimizers.Adam(1e-3)
    step = make_vae_train_step(encoder, decoder, optimizer, kl_weight=0.05)
    before = [
        v.numpy().copy() for v in (encoder.trainable_variables[0], decoder.trainable_variables[0])
    ]
    out = step(tf.convert_to_tensor(to_model_input(faces[:32])))
    assert set(out) == {"recon_loss", "kl_loss"}
    assert float(out["recon_loss"]) > 0 and float(out["kl_loss"]) >= 0
    after = [encoder.trainable_variables[0].numpy(), decoder.trainable_variables[0].numpy()]
    assert not np.array_equal(before[0], after[0]), "the encoder did not learn"
    assert not np.array_equal(before[1], after[1]), "the decoder did not learn"


def test_a_vae_run_folder_resumes_where_it_stopped_and_paints_as_an_uninterrupted_one(
    tmp_path, faces
):
    straight = VAETrainer(TINY, tmp_path / "straight")
    straight.fit(faces, epochs=2, progress=False)

    VAETrainer(TINY, tmp_path / "broken").fit(faces, epochs=1, progress=False)
    resumed = VAETrainer(TINY, tmp_path / "broken")
    assert resumed.epochs_done == 1
    resumed.fit(faces, epochs=2, progress=False)

    rows = read_history(tmp_path / "broken")
    assert [r["epoch"] for r in rows] == [1, 2]
    assert {"recon_loss", "kl_loss"} <= set(rows[0]) and "gen_loss" not in rows[0]
    header = (tmp_path / "broken" / "history.csv").read_text().splitlines()[0]
    assert header.startswith("epoch,") and "recon_loss" in header and "d_real" not in header
    for epoch in (1, 2):
        a = cv2.imread(str(tmp_path / "straight" / "frames" / f"epoch_{epoch:04d}.png"), 0)
        b = cv2.imread(str(tmp_path / "broken" / "frames" / f"epoch_{epoch:04d}.png"), 0)
        assert a is not None and np.array_equal(a, b), f"epoch {epoch} frame differs"
    assert (tmp_path / "broken" / "training.gif").exists()
    config = json.loads((tmp_path / "broken" / "config.json").read_text())
    assert config["preset"]["kind"] == "vae" and config["preset"]["kl_weight"] == TINY.kl_weight


def test_load_generator_returns_the_decoder_of_a_vae_run(tmp_path, faces):
    trainer = vae.train(tmp_path / "run", TINY, epochs=1, progress=False, metric=None)
    assert isinstance(trainer, VAETrainer)
    with pytest.raises(ValueError, match="use course_utils.vae.train"):
        train_gan(tmp_path / "other", TINY, epochs=1, progress=False, metric=None)
    decoder = load_generator(tmp_path / "run")
    assert decoder.input_shape == (None, TINY.latent_dim)
    np.testing.assert_array_equal(
        decoder(trainer.preview_noise, training=False).numpy(), trainer.preview()
    )
    encoder = load_encoder(tmp_path / "run")
    x = to_model_input(faces[:4])
    np.testing.assert_array_equal(encoder(x)[0].numpy(), trainer.encoder(x)[0].numpy())
    codes = encoder(x)[0].numpy()
    steps = walk(decoder, codes[0], codes[1], steps=5)
    assert steps.shape == (5, 56, 56, 1)
    np.testing.assert_allclose(steps[0], trainer.reconstruct(x[:1])[0], atol=1e-6)


def test_an_older_gan_run_folder_without_the_vae_knobs_still_resumes(tmp_path, faces):
    GANTrainer("ci", tmp_path / "run").fit(faces, epochs=1, progress=False)
    config_path = tmp_path / "run" / "config.json"
    config = json.loads(config_path.read_text())
    for key in ("kind", "latent_dim", "kl_weight"):
        del config["preset"][key]
    config_path.write_text(json.dumps(config))
    assert GANTrainer("ci", tmp_path / "run").epochs_done == 1
    assert get_preset("ci").generator_knobs().get("noise_dim") is None  # the GAN's knobs unchanged


def test_a_gan_preset_is_refused_by_the_vae_trainer_in_the_language_chosen(monkeypatch):
    with pytest.raises(ValueError, match="trains a gan, not a VAE: use the vae preset"):
        VAETrainer("ci")
    monkeypatch.setattr(language, "_chosen", "zh")
    with pytest.raises(ValueError, match="不是 VAE：请用 vae 预设"):
        VAETrainer("ci")


def test_a_loss_part_that_is_no_number_stops_training_and_the_line_names_both_parts(
    capsys, monkeypatch, faces
):
    with pytest.raises(TrainingDiverged, match="epoch 3: recon_loss became nan.*epoch 2"):
        LossGuard().on_epoch_end(3, {"recon_loss": float("nan"), "kl_loss": 1.0})
    monkeypatch.setattr(language, "_chosen", "zh")
    VAETrainer(TINY).fit(faces[:64], epochs=1, progress=True)
    line = capsys.readouterr().out
    assert "重建损失" in line and "KL 损失" in line and "gen_loss" not in line
