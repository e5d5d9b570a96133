"""The two artists after the same wall time on the same faces: the GAN (classroom preset) and the VAE.

    python benchmarks/vae_vs_gan.py                       # procedural faces, the GAN's full run
    python benchmarks/vae_vs_gan.py --data data/raw/anime/images --seconds 120
    python benchmarks/vae_vs_gan.py --out /tmp/compare    # also writes each artist's grid

The GAN trains first (its whole preset, or ``--seconds``); the VAE then trains for the same wall
time, set-up and scoring left out, counting its steps. Both are scored on ``--n`` paintings against
``--n`` held-out real faces, next to real faces' own scores (the floor):

- ``afd_ratio``: the anime-face detector's rate on the paintings ÷ its rate on real faces;
- ``fd``, ``kid``, ``mode_coverage``: the course's feature judge (``course_utils.metrics``);
- ``variety``: each pixel's spread across the paintings ÷ real faces' (1: as varied as real
  faces; 0: every painting the same), as ``benchmarks/run.py`` measures it;
- ``sharpness``: high-frequency energy (mean squared 3×3 Laplacian of the picture, pixels in 0..1)
  ÷ real faces'. 1 is as crisp as real faces, below 1 blurrier, above 1 noisier. Calibrated below
  the table on real faces blurred with a Gaussian of σ pixels, so a value can be read as "as blurred
  as real faces at σ ≈ …";
- ``seconds`` and ``steps``: the training each artist had.

Developer tool: its output is English only.
"""

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2
import numpy as np

from course_utils.metrics import high_frequency_energy  # noqa: E402

BLURS = (0.5, 1.0, 1.5, 2.0)


def variety(images_uint8):
    """Each pixel's standard deviation across the faces, averaged over the pixels."""
    return float(np.asarray(images_uint8, np.float32).std(axis=0).mean())


def train_for(trainer, faces, seconds=None):
    """Train ``trainer`` epoch by epoch until ``seconds`` have passed (or, without ``seconds``, for
    its preset's epochs), the painter's running average moved after every step as ``train`` does.
    Returns (wall seconds, steps)."""
    x = trainer._training_input(faces)
    average = trainer.painter_average()
    steps, epoch, start = 0, 0, time.perf_counter()
    while True:
        epoch += 1
        if seconds is None and epoch > trainer.preset.epochs:
            break
        for batch in trainer.batches(x, epoch):
            out = trainer.train_step(batch)
            steps += 1
            if average is not None:
                average.on_step_end(epoch, steps)
            if seconds is not None and time.perf_counter() - start >= seconds:
                break
        else:
            continue
        break
    float(next(iter(out.values())))  # wait for the last step
    return time.perf_counter() - start, steps


def score(generator, reference, n, real):
    from course_utils import metrics

    painted = metrics.generate_images(generator, n)
    result = metrics.evaluate_images(painted, reference, n)
    return {
        "afd_ratio": result["afd"] / real["afd"],
        "fd": result["fd"],
        "kid": result["kid"],
        "mode_coverage": result["mode_coverage"],
        "variety": variety(painted) / real["variety"],
        "sharpness": high_frequency_energy(painted) / real["hf"],
    }, painted


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="procedural", help="procedural, or a folder of faces")
    parser.add_argument("--seconds", type=float, help="train each artist this long")
    parser.add_argument("--n", type=int, default=500, help="paintings scored per artist")
    parser.add_argument("--gan", default="classroom", help="the GAN's preset")
    parser.add_argument("--vae", default="vae", help="the VAE's preset")
    parser.add_argument("--out", help="a folder for each artist's 6×6 grid (PNG)")
    args = parser.parse_args(argv)

    from course_utils import metrics
    from course_utils.data import load_faces
    from course_utils.presets import get_preset
    from course_utils.training import GANTrainer
    from course_utils.vae import VAETrainer
    from course_utils.viz import grid_image, write_png

    gan, vae = get_preset(args.gan), get_preset(args.vae)
    faces = load_faces(args.data, limit=max(gan.n_images, vae.n_images))
    low = metrics.floor(args.data, args.n)
    held_out = metrics.get_reference(str(args.data), args.n).heldout_images
    real = {"afd": low["afd"], "variety": variety(held_out), "hf": high_frequency_energy(held_out)}

    rows, grids = {}, {}
    seconds = args.seconds
    for label, trainer_class, preset in (("GAN", GANTrainer, gan), ("VAE", VAETrainer, vae)):
        trainer = trainer_class(preset)
        wall, steps = train_for(trainer, faces[: preset.n_images], seconds)
        seconds = wall if seconds is None else seconds  # the VAE gets the GAN's time
        rows[label], painted = score(trainer.painter, args.data, args.n, real)
        rows[label].update(seconds=wall, steps=steps, batch=preset.batch_size)
        grids[label] = painted[:36]
    floor_images = metrics.get_reference(str(args.data), args.n).floor_images
    rows["real"] = {
        "afd_ratio": 1.0,
        "fd": low["fd"],
        "kid": low["kid"],
        "mode_coverage": low["mode_coverage"],
        "variety": variety(floor_images) / real["variety"],
        "sharpness": high_frequency_energy(floor_images) / real["hf"],
    }

    print(f"{args.n} paintings each vs {args.n} held-out real faces ({args.data})")
    print(f"{'':14s} {'GAN':>10s} {'VAE':>10s} {'real':>10s}")
    for key in ("afd_ratio", "fd", "kid", "mode_coverage", "variety", "sharpness"):
        print(f"{key:14s} " + " ".join(f"{rows[c][key]:10.3f}" for c in ("GAN", "VAE", "real")))
    for key in ("seconds", "steps", "batch"):
        print(f"{key:14s} " + " ".join(f"{rows[c][key]:10.0f}" for c in ("GAN", "VAE")))
    calibration = [
        high_frequency_energy(np.stack([cv2.GaussianBlur(im, (0, 0), s) for im in floor_images]))
        / real["hf"]
        for s in BLURS
    ]
    print(
        "sharpness of real faces blurred: "
        + ", ".join(f"σ {s:g} px → {c:.2f}" for s, c in zip(BLURS, calibration))
    )
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for label, painted in grids.items():
            print(write_png(out / f"{label.lower()}_grid.png", grid_image(painted, ncols=6)))


if __name__ == "__main__":
    main()
