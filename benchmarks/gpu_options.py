"""Train-step speed under the GPU options: plain / XLA / mixed bfloat16 / XLA + mixed.

    python benchmarks/gpu_options.py            # CPU: plain and XLA only, ci-sized models
    python benchmarks/gpu_options.py --full     # all four, the seed article's models and batch

Prints one figure per line, ``name value unit`` (images per second of ``GANTrainer.train_step``,
median of rounds after a warm-up that absorbs tracing and XLA compilation), then the speed-up of
each option over plain. Mixed bfloat16 only pays on GPUs with bfloat16 units (compute capability
8.0 and later); on a CPU it is slower, so it is measured there only with ``--full``.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

OPTIONS = {
    "plain": (False, False),
    "xla": (True, False),
    "mixed": (False, True),
    "xla_mixed": (True, True),
}


def figure(name, value, unit):
    print(f"{name} {value:.4g} {unit}", flush=True)


def images_per_second(preset, option, steps, rounds):
    import tensorflow as tf

    from course_utils.data import load_faces, to_model_input
    from course_utils.training import GANTrainer

    jit, mixed = OPTIONS[option]
    trainer = GANTrainer(preset, None, jit_compile=jit, mixed_precision=mixed)
    batch = tf.constant(to_model_input(load_faces("procedural", limit=preset.batch_size)))
    for _ in range(3):  # trace (and compile) before timing
        out = trainer.train_step(batch)
    float(out["gen_loss"])
    speeds = []
    for _ in range(rounds):
        began = time.perf_counter()
        for _ in range(steps):
            out = trainer.train_step(batch)
        float(out["gen_loss"])  # wait for the device
        speeds.append(steps * preset.batch_size / (time.perf_counter() - began))
    return statistics.median(speeds)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--full",
        action="store_true",
        help="all four options with the seed preset's models (meant for a GPU)",
    )
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--options", nargs="+", choices=list(OPTIONS), default=None)
    args = parser.parse_args(argv)
    import tensorflow as tf

    from course_utils.presets import get_preset

    on_gpu = bool(tf.config.list_physical_devices("GPU"))
    preset = get_preset("seed" if args.full else "ci")
    options = args.options or (list(OPTIONS) if args.full or on_gpu else ["plain", "xla"])
    steps = args.steps or (50 if on_gpu else 10)
    print(
        f"# device: {'GPU' if on_gpu else 'CPU'}; models and batch of preset '{preset.name}' "
        f"(batch {preset.batch_size}); {steps} steps x {args.rounds} rounds",
        flush=True,
    )
    results = {}
    for option in options:
        results[option] = images_per_second(preset, option, steps, args.rounds)
        figure(f"train_step_{option}_{preset.name}", results[option], "images/s")
    if "plain" in results:
        for option, value in results.items():
            if option != "plain":
                figure(f"speedup_{option}_vs_plain_{preset.name}", value / results["plain"], "x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
