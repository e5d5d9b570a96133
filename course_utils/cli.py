"""``python -m course_utils``: train, draw and assemble GIFs without a notebook.

For teachers who pre-train on a GPU server and for the README's one-command demo::

    python -m course_utils train --preset classroom --data procedural --run-dir runs/classroom
    python -m course_utils generate --run-dir runs/classroom --n 9 --out faces.png
    python -m course_utils gif --run-dir runs/classroom
    python -m course_utils quality --run-dir runs/classroom
"""

import argparse
import os
import sys
from pathlib import Path


def _train(args):
    from course_utils.training import TrainingDiverged, get_preset, train
    preset = get_preset(args.preset)
    run_dir = Path(args.run_dir or f"runs/{preset.name}")
    data = args.data if args.data == "procedural" else str(Path(args.data).resolve())
    print(f"Training preset '{preset.name}' on {data} faces in {run_dir}/")
    print(f"  {preset.description}")
    try:
        trainer = train(run_dir, preset, data=data, epochs=args.epochs, seed=args.seed,
                        jit_compile=args.xla, mixed_precision=args.mixed_precision,
                        metric=None if args.no_metric else "auto", metric_every=args.metric_every)
    except TrainingDiverged as error:
        print(f"error: {error}", file=sys.stderr)
        return 3
    last = trainer.history[-1] if trainer.history else None
    print(f"\nDone: trained to epoch {int(trainer.epoch.numpy())} in {run_dir}/")
    if last:
        print(f"  last epoch: generator loss {last['gen_loss']:.3f}, "
              f"discriminator loss {last['disc_loss']:.3f}")
    scored = [row for row in trainer.history if row.get("fd") is not None]
    if scored:
        from course_utils.metrics import TRAINING_METRIC_N, floor
        low = floor(data, TRAINING_METRIC_N)
        print(f"  image quality at epoch {scored[-1]['epoch']} ({TRAINING_METRIC_N} faces): "
              f"FD {scored[-1]['fd']:.2f}, KID {scored[-1]['kid']:.3f}; real faces score "
              f"FD {low['fd']:.2f}, KID {low['kid']:.3f} (lower is better)")
    for name in ("config.json", "history.csv", "frames/", "checkpoints/", "training.gif"):
        print(f"  {run_dir / name}")
    return 0


def _generate(args):
    import tensorflow as tf
    from course_utils.training import load_generator
    from course_utils.viz import grid_image, write_png
    import cv2
    generator = load_generator(args.run_dir)
    noise = tf.random.stateless_normal([args.n, generator.input_shape[-1]], seed=[args.seed, 7])
    images = generator(noise, training=False).numpy()
    ncols = max(1, int(round(args.n ** 0.5)))
    grid = grid_image(images, ncols=ncols)
    grid = cv2.resize(grid, None, fx=args.scale, fy=args.scale, interpolation=cv2.INTER_NEAREST)
    print(write_png(args.out, grid))
    return 0


def _gif(args):
    from course_utils.viz import make_gif
    run_dir = Path(args.run_dir)
    out = Path(args.out) if args.out else run_dir / "training.gif"
    count = make_gif(run_dir / "frames", out, max_frames=args.max_frames)
    print(f"{out}: {count} frames, {out.stat().st_size / 1e6:.2f} MB")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m course_utils", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("train", help="train (or resume) a DCGAN run")
    p.add_argument("--preset", choices=["seed", "classroom", "ci"], default=None,
                   help="default: $COURSE_PRESET, else classroom")
    p.add_argument("--data", default="procedural", help="'procedural' or a folder of face images")
    p.add_argument("--run-dir", default=None, help="default: runs/PRESET")
    p.add_argument("--epochs", type=int, default=None, help="total epochs (default: the preset's)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--xla", action="store_true", help="compile the train step with XLA (GPU)")
    p.add_argument("--mixed-precision", action="store_true", help="mixed float16 (GPU)")
    p.add_argument("--metric-every", type=int, default=None, metavar="K",
                   help="score image quality every K epochs (default: the preset's)")
    p.add_argument("--no-metric", action="store_true", help="skip the image-quality metric")
    p.set_defaults(func=_train)

    p = sub.add_parser("generate", help="draw new faces from a run's latest checkpoint")
    p.add_argument("--run-dir", required=True)
    p.add_argument("--n", type=int, default=9)
    p.add_argument("--out", default="generated.png")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--scale", type=int, default=3)
    p.set_defaults(func=_generate)

    p = sub.add_parser("gif", help="(re)build a run's training GIF from its frames")
    p.add_argument("--run-dir", required=True)
    p.add_argument("--out", default=None)
    p.add_argument("--max-frames", type=int, default=100)
    p.set_defaults(func=_gif)

    from course_utils import metrics, slides
    for module in (slides, metrics):
        module.add_cli(sub)
    return parser


def main(argv=None):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    args = build_parser().parse_args(argv)
    if args.command in ("train", "generate", "quality"):
        from course_utils.cloud import import_tensorflow_quietly
        import_tensorflow_quietly()
    try:
        return args.func(args)
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
