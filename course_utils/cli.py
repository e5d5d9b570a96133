"""The command line (``gan-atelier`` or ``python -m course_utils``): the course without a notebook.

Every sub-command, option and handler is defined here; the handlers import the modules that do the
work (``training``, ``viz``, ``metrics``, ``slides``) only when a command runs, so ``--help`` stays
fast and never loads TensorFlow.
"""

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from course_utils import __version__
from course_utils.notices import notice
from course_utils.presets import PRESETS, get_preset
from course_utils.run_folder import RunFolder

PROG = "gan-atelier"

DESCRIPTION = """\
GAN Atelier: train the course's DCGAN on anime faces, draw new faces from a run, rebuild its
training GIF, score its image quality and build the lessons' slide decks, without a notebook.
Runs resume: train the same run folder again and it continues where it stopped."""

# Each command's examples: (what it does, the command line after the program's name).
EXAMPLES = {
    None: [
        ("train the classroom preset on the built-in faces -> runs/classroom/", "train"),
        ("the article's recipe on a GPU -> runs/seed/", "train --preset seed --xla"),
        ("draw 16 new faces", "generate --run-dir runs/classroom --n 16 --out faces.png"),
        ("rebuild the training GIF", "gif --run-dir runs/classroom"),
        ("score the faces next to real ones", "quality --run-dir runs/classroom"),
        ("build the lessons' slide decks -> slides/build/", "slides --preset classroom"),
    ],
    "train": [
        ("-> runs/classroom/ (or runs/$COURSE_PRESET/); again: resumes", "train"),
        ("seconds, for a smoke test -> runs/ci/", "train --preset ci"),
        (
            "the article's recipe on a GPU -> runs/seed/",
            "train --preset seed --xla --mixed-precision",
        ),
        (
            "the real dataset, 30 epochs",
            "train --data data/raw/anime/images --run-dir runs/anime --epochs 30",
        ),
    ],
    "generate": [
        (
            "16 faces, 2x enlarged, another seed",
            "generate --run-dir runs/classroom --n 16 --scale 2 --seed 1 --out faces.png",
        ),
    ],
    "gif": [
        ("a smaller GIF of 50 frames", "gif --run-dir runs/seed --max-frames 50 --out seed.gif"),
    ],
    "quality": [
        ("score 2,000 faces next to the real-faces floor", "quality --run-dir runs/classroom"),
        ("the floor, and blurred, noised and cut real faces", "quality --calibrate"),
    ],
    "slides": [
        ("execute every lesson and write its deck", "slides --preset classroom"),
        ("two decks from the notebooks as saved", "slides --lessons 00 05 --no-execute"),
    ],
}


def _epilog(name, prog):
    lines = ["examples:"]
    for what, line in EXAMPLES[name]:
        lines += [f"  # {what}", f"  {prog} {line}"]
    if name is None:
        lines += ["", f"'{prog} COMMAND --help' lists a command's options."]
    return "\n".join(lines)


def preset_names():
    """The presets' names, in the order the course introduces them (no TensorFlow import)."""
    return list(PRESETS)


def run_dir_for(args, preset_name):
    """The run folder of ``train``: ``--run-dir`` if given, else ``runs/PRESET``."""
    return Path(args.run_dir or f"runs/{preset_name}")


def whole_number(low, high):
    """An argparse type: a whole number from ``low`` to ``high``, else a message with the range.
    Every count, size and seed of every command is checked at the door: a negative count is a
    traceback deep in TensorFlow, and a huge one fills the memory of a laptop or a Colab kernel."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be a whole number from {low:,} to {high:,}, not {text!r}"
            )
        return value

    parse.__name__ = "whole number"  # argparse names the type in its messages
    return parse


MAX_SEED = 2**31 - 1
MAX_GRID_PIXELS = 8192  # generate: the largest side of the PNG it writes (about 64 MB in memory)


def _train(args):
    from course_utils.training import TrainingDiverged, train

    preset = get_preset(args.preset)
    run_dir = run_dir_for(args, preset.name)
    data = args.data if args.data == "procedural" else str(Path(args.data).resolve())
    print(f"Training preset '{preset.name}' on {data} faces in {run_dir}/")
    print(f"  {preset.description}")
    try:
        trainer = train(
            run_dir,
            preset,
            data=data,
            epochs=args.epochs,
            seed=args.seed,
            jit_compile=args.xla,
            mixed_precision=args.mixed_precision,
            metric=None if args.no_metric else "auto",
            metric_every=args.metric_every,
        )
    except TrainingDiverged as error:
        print(f"error: {error}", file=sys.stderr)
        return 3
    last = trainer.history[-1] if trainer.history else None
    print(f"\nDone: trained to epoch {int(trainer.epoch.numpy())} in {run_dir}/")
    if last:
        print(
            f"  last epoch: generator loss {last['gen_loss']:.3f}, "
            f"discriminator loss {last['disc_loss']:.3f}"
        )
    _print_last_scores(trainer.history, data)
    for name in ("config.json", "history.csv", "frames/", "checkpoints/", "training.gif"):
        print(f"  {run_dir / name}")
    return 0


def _print_last_scores(history, data):
    """The ``train`` command's lines on the last scored epoch, next to real faces' scores."""
    from course_utils.metrics import SCORES, TRAINING_METRIC_N, floor

    shown = [s for s in SCORES if s.training_line]
    scored = [row for row in history if any(row.get(s.name) is not None for s in shown)]
    if not scored:
        return
    low, now = floor(data, TRAINING_METRIC_N), scored[-1]
    for s in shown:
        if now.get(s.name) is not None:
            print("  " + s.summary(now[s.name], low[s.name], now["epoch"], TRAINING_METRIC_N))


def _generate(args):
    import cv2
    import tensorflow as tf

    from course_utils.viz import grid_image, write_png

    ncols = max(1, int(round(args.n**0.5)))
    side = -(-args.n // ncols) * 58 * args.scale  # 56 pixels and a 2-pixel gap a face
    if max(side, ncols * 58 * args.scale) > MAX_GRID_PIXELS:
        raise ValueError(
            f"generate: {args.n} faces at --scale {args.scale} make an image over "
            f"{MAX_GRID_PIXELS:,} pixels a side; use a smaller --scale or --n"
        )
    generator = RunFolder(args.run_dir).load("generator")
    noise = tf.random.stateless_normal([args.n, generator.input_shape[-1]], seed=[args.seed, 7])
    images = generator(noise, training=False).numpy()
    grid = grid_image(images, ncols=ncols)
    grid = cv2.resize(grid, None, fx=args.scale, fy=args.scale, interpolation=cv2.INTER_NEAREST)
    print(write_png(args.out, grid))
    return 0


def _gif(args):
    from course_utils.viz import make_gif

    run_dir = Path(args.run_dir)
    out = Path(args.out) if args.out else run_dir / "training.gif"
    try:
        count = make_gif(run_dir / "frames", out, max_frames=args.max_frames)
    except PermissionError:
        raise ValueError(
            f"{out.parent} is not writable (a shared run?): write the GIF elsewhere with --out FILE"
        ) from None
    history = RunFolder(run_dir).read_history()
    missing = RunFolder(run_dir).missing_frames(history[-1]["epoch"]) if history else []
    if missing:
        notice(
            f"no frame for epoch(s) {', '.join(map(str, missing))}: the GIF skips them "
            f"(train again in {run_dir} to repaint them from their checkpoints)"
        )
    print(f"{out}: {count} frames, {out.stat().st_size / 1e6:.2f} MB")
    return 0


def _quality(args):
    from course_utils import metrics

    if args.calibrate:
        print(metrics.format_calibration(args.reference or "procedural", args.n))
        return 0
    if not args.run_dir:
        raise ValueError("quality needs --run-dir DIR (or --calibrate)")
    run = RunFolder(args.run_dir)
    reference = args.reference
    if reference is None:
        reference = (run.read_config() or {}).get("data", "procedural")
    generator = run.load("generator")
    result = metrics.evaluate_generator(generator, reference=reference, n=args.n, seed=args.seed)
    print(f"{run.path}: {args.n} painted faces vs {args.n} real ones ({reference})")
    low = metrics.floor(reference, args.n)
    print(metrics.format_table({"this run": result, "real floor": low}))
    print()
    print(metrics.format_attribute_table(result, low))
    return 0


def _slides(args):
    from course_utils.slides import build_decks

    preset = get_preset(args.preset).name if not args.no_execute else None
    decks = build_decks(args.lessons, Path(args.out_dir), preset, execute=not args.no_execute)
    print(
        f"{len(decks)} deck(s) in {args.out_dir}/ (offline: reveal.js copied alongside). "
        "Open one in a browser; arrow keys move, 's' opens speaker notes."
    )
    return 0


def build_parser(prog=PROG):
    """The argument parser: ``prog`` is the name the usage lines show."""
    from course_utils.slides import BUILD_DIR

    presets = preset_names()

    def command(name, summary, handler):
        p = sub.add_parser(
            name,
            help=summary,
            description=summary[0].upper() + summary[1:] + ".",
            epilog=_epilog(name, prog),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(func=handler)
        return p

    parser = argparse.ArgumentParser(
        prog=prog,
        description=DESCRIPTION,
        epilog=_epilog(None, prog),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}",
        help="print the course package's version and exit",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", title="commands")

    p = command("train", "train a DCGAN run, or resume it where it stopped", _train)
    p.add_argument(
        "--preset",
        choices=presets,
        default=None,
        help="the recipe and its size (default: $COURSE_PRESET, else classroom)",
    )
    p.add_argument(
        "--data",
        default="procedural",
        metavar="procedural|DIR",
        help="'procedural' (the built-in faces, offline) or a folder of face images, "
        "searched recursively (default: %(default)s)",
    )
    p.add_argument(
        "--run-dir",
        default=None,
        metavar="DIR",
        help="where the run's config, history, frames, checkpoints and GIF go; an "
        "existing run resumes (default: runs/PRESET)",
    )
    p.add_argument(
        "--epochs",
        type=whole_number(1, 100_000),
        default=None,
        metavar="N",
        help="train until the run has N epochs in total (default: the preset's)",
    )
    p.add_argument(
        "--seed",
        type=whole_number(0, MAX_SEED),
        default=0,
        help="random seed of the weights, the data order and the noise (default: %(default)s)",
    )
    p.add_argument(
        "--xla", action="store_true", help="compile the train step with XLA (faster on a GPU)"
    )
    p.add_argument(
        "--mixed-precision",
        action="store_true",
        help="compute in bfloat16, weights and outputs in float32 (GPUs of "
        "compute capability 8.0 and later)",
    )
    p.add_argument(
        "--metric-every",
        type=whole_number(0, 100_000),
        default=None,
        metavar="K",
        help="score image quality (AFD, FD, KID) every K epochs (default: the preset's)",
    )
    p.add_argument(
        "--no-metric", action="store_true", help="skip the image-quality score during training"
    )

    p = command("generate", "draw new faces from a run's latest checkpoint", _generate)
    p.add_argument(
        "--run-dir",
        required=True,
        metavar="DIR",
        help="a run folder that holds checkpoints (written by train)",
    )
    p.add_argument(
        "--n",
        type=whole_number(1, 1_000),
        default=9,
        help="how many faces to draw, in a roughly square grid (default: %(default)s)",
    )
    p.add_argument(
        "--out",
        default="generated.png",
        metavar="PNG",
        help="the image file to write (default: %(default)s)",
    )
    p.add_argument(
        "--seed",
        type=whole_number(0, MAX_SEED),
        default=0,
        help="noise seed: the same seed draws the same faces (default: %(default)s)",
    )
    p.add_argument(
        "--scale",
        type=whole_number(1, 16),
        default=3,
        help="enlarge each pixel this many times (default: %(default)s)",
    )

    p = command("gif", "rebuild a run's training GIF from its per-epoch frames", _gif)
    p.add_argument(
        "--run-dir",
        required=True,
        metavar="DIR",
        help="a run folder with frames/epoch_*.png (written by train)",
    )
    p.add_argument(
        "--out",
        default=None,
        metavar="GIF",
        help="the GIF to write (default: RUN_DIR/training.gif)",
    )
    p.add_argument(
        "--max-frames",
        type=whole_number(1, 1_000),
        default=100,
        metavar="N",
        help="keep at most N frames, evenly spaced, the last one always (default: %(default)s)",
    )

    p = command("quality", "score a run's faces against real ones, next to the floor", _quality)
    p.add_argument(
        "--run-dir",
        default=None,
        metavar="DIR",
        help="the run to score (needed unless --calibrate)",
    )
    p.add_argument(
        "--n",
        type=whole_number(50, 20_000),
        default=2000,
        help="how many painted and how many real faces are compared (default: %(default)s)",
    )
    p.add_argument(
        "--reference",
        default=None,
        metavar="procedural|DIR",
        help="the real faces: 'procedural' or a folder of images "
        "(default: the data the run trained on)",
    )
    p.add_argument(
        "--seed",
        type=whole_number(0, MAX_SEED),
        default=0,
        help="seed of the painted and real faces drawn (default: %(default)s)",
    )
    p.add_argument(
        "--calibrate",
        action="store_true",
        help="print the real-vs-real floor and the scores of blurred, noised and cut "
        "real faces instead of scoring a run",
    )

    p = command("slides", "build offline reveal.js decks from the lessons", _slides)
    p.add_argument(
        "--preset",
        choices=presets,
        default=None,
        help="the preset to execute the lessons with (default: $COURSE_PRESET, else classroom)",
    )
    p.add_argument(
        "--lessons",
        nargs="+",
        default=None,
        metavar="NN",
        help="lesson numbers or notebook stems, e.g. 00 05 (default: every lesson)",
    )
    p.add_argument(
        "--no-execute",
        action="store_true",
        help="export the notebooks as saved, without running them (no pictures "
        "unless they hold outputs)",
    )
    p.add_argument(
        "--out-dir",
        default=str(BUILD_DIR),
        metavar="DIR",
        help="where the decks go (default: %(default)s)",
    )
    return parser


class Terminated(Exception):
    """The process was asked to stop (SIGTERM: a closed terminal, a killed job, a notebook server
    shutting down); raised in the main thread so the run ends as after a Ctrl-C."""


def _terminated(signum, frame):
    raise Terminated()


def main(argv=None, prog=PROG):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    args = build_parser(prog).parse_args(argv)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if main_thread else None
    try:
        if args.command in ("train", "generate", "quality"):
            from course_utils.cloud import import_tensorflow_quietly

            import_tensorflow_quietly()  # seconds: a Ctrl-C here is answered below too
        return args.func(args)
    except (OSError, ValueError) as error:
        # One line that names the file and says what to do (RunFolderError is a ValueError);
        # Python's own OSError ("[Errno 28] ...: 'path'") is shortened to the file and why.
        text = str(error)
        if isinstance(error, OSError) and error.filename is not None and text.startswith("[Errno"):
            text = f"{error.filename}: {error.strerror}"
        print(f"error: {' '.join(text.split())}", file=sys.stderr)
        # What TensorFlow leaves behind a failed restore logs hundreds of lines when it is deleted
        # at exit: the one line above says it all.
        logging.getLogger("tensorflow").setLevel(logging.ERROR)
        return 2
    except (KeyboardInterrupt, Terminated) as stop:
        resume = "; run the same command again to resume from the last finished epoch"
        what = "stopped (SIGTERM)" if isinstance(stop, Terminated) else "interrupted"
        print(f"\n{what}{resume if args.command == 'train' else ''}", file=sys.stderr)
        return 143 if isinstance(stop, Terminated) else 130
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
