"""Train the metric's feature extractor: a small CNN that reads procedural faces' attributes back.

Reproducible (fixed seeds, deterministic ops) and small: about 160k weights, trained on 20,000
procedural faces for a few epochs, a few minutes on a 2-core CPU. It prints the held-out accuracy
(categorical attributes) and R² (continuous attributes) per attribute, then writes
``course_utils/assets/feature_extractor.weights.h5``. The metric uses its penultimate layer as
features (see ``course_utils.metrics`` and docs/metrics.md).

    python scripts/train_feature_extractor.py [--n 20000] [--epochs 8] [--out PATH]
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from course_utils import metrics  # noqa: E402
from course_utils.faces import render_faces  # noqa: E402

TRAIN_SEED = 12345  # faces the extractor learns from (not the GAN's seed-0 faces, not the metric's)
VALID_SEED = 12346  # held-out faces for the accuracy / R² report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--n-valid", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--out", default=str(metrics.WEIGHTS_PATH))
    args = parser.parse_args(argv)

    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    tf.config.experimental.enable_op_determinism()

    began = time.perf_counter()
    x_train, a_train = render_faces(args.n, seed=TRAIN_SEED)
    x_valid, a_valid = render_faces(args.n_valid, seed=VALID_SEED)
    print(f"rendered {args.n} + {args.n_valid} faces in {time.perf_counter() - began:.1f} s")

    model = metrics.build_feature_extractor()
    losses = {"continuous": "mse"}
    losses.update({name: "sparse_categorical_crossentropy" for name in metrics.CATEGORIES})
    model.compile(
        optimizer=keras.optimizers.Adam(2e-3),
        loss=losses,
        loss_weights={"continuous": 10.0, **{n: 1.0 for n in metrics.CATEGORIES}},
    )
    print(f"extractor: {model.count_params():,} weights, {metrics.FEATURE_DIM}-d features")

    def targets(attrs):
        return {
            "continuous": metrics.normalise_continuous(attrs),
            **{name: attrs[name] for name in metrics.CATEGORIES},
        }

    began = time.perf_counter()
    schedule = keras.optimizers.schedules.CosineDecay(2e-3, args.epochs * (args.n // 128))
    model.optimizer.learning_rate = schedule
    model.fit(
        metrics.to_input(x_train),
        targets(a_train),
        batch_size=128,
        epochs=args.epochs,
        shuffle=True,
        verbose=2,
    )
    print(f"trained in {time.perf_counter() - began:.0f} s")

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".weights.h5")
    os.close(fd)
    # A fresh copy holds the weights only (saving the compiled model would add Adam's moments).
    bare = metrics.build_feature_extractor()
    bare.set_weights(model.get_weights())
    bare.save_weights(tmp)
    os.replace(tmp, out)
    print(f"\n{out}: {out.stat().st_size / 1e3:.0f} kB")

    feats = metrics._embed(x_valid, model=model)[0] * metrics.FEATURE_SCALE
    rms = float(np.sqrt(np.mean(feats**2)))
    print(
        f"raw feature RMS {rms:.3f} (metrics.FEATURE_SCALE should be about this), "
        f"{int((feats.max(axis=0) == 0).sum())} of {metrics.FEATURE_DIM} features always 0"
    )
    predicted = metrics.predict_attributes(x_valid, model=model)
    print(f"\nheld-out faces (seed {VALID_SEED}, n={args.n_valid}):")
    for name, value in metrics.attribute_scores(predicted, a_valid).items():
        kind = "accuracy" if name in metrics.CATEGORIES else "R²"
        print(f"  {name:18s} {kind:8s} {value:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
