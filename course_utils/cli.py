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
from course_utils.language import Messages, check_environment
from course_utils.notices import notice
from course_utils.presets import PRESETS, get_preset
from course_utils.run_folder import RunFolder

PROG = "gan-atelier"

# Every sentence the command line says, and its --help texts, in English and Chinese. The words
# argparse itself writes ("usage:", "options:", "show this help message and exit", its own errors)
# stay English: they are argparse's, not ours.
_say = Messages(
    __name__,
    {
        # --- --help ---
        "about": (
            "GAN Atelier: train the course's DCGAN on anime faces, draw new faces from a run, "
            "rebuild its\ntraining GIF, score its image quality and build the lessons' slide "
            "decks, without a notebook.\nRuns resume: train the same run folder again and it "
            "continues where it stopped.",
            "GAN 画室：不用笔记本，也能训练课程里画动漫人脸的 DCGAN、用训练好的运行画新的人脸、\n"
            "重做训练 GIF、给画质打分，以及生成各课的幻灯片。\n"
            "训练可以接着进行：对同一个运行文件夹再训练一次，它会从停下的地方继续。",
        ),
        "examples": ("examples:", "示例："),
        "command help": (
            "'{prog} COMMAND --help' lists a command's options.",
            "'{prog} COMMAND --help' 会列出一个命令的选项。",
        ),
        "as a sentence": ("{text}.", "{text}。"),
        "commands": ("commands", "命令"),
        "version help": (
            "print the course package's version and exit",
            "显示课程软件包的版本并退出",
        ),
        "train summary": (
            "train a DCGAN run, or resume it where it stopped",
            "训练一次 DCGAN 运行，或从停下的地方接着训练",
        ),
        "generate summary": (
            "draw new faces from a run's latest checkpoint",
            "用一次运行最新的检查点画新的人脸",
        ),
        "gif summary": (
            "rebuild a run's training GIF from its per-epoch frames",
            "用每一轮的画面重做一次运行的训练 GIF",
        ),
        "quality summary": (
            "score a run's faces against real ones, next to the floor",
            "把一次运行画的人脸与真实人脸比较打分，并列出下限",
        ),
        "slides summary": (
            "build offline reveal.js decks from the lessons",
            "用各课生成可离线使用的 reveal.js 幻灯片",
        ),
        "example classroom": (
            "train the classroom preset on the built-in faces -> runs/classroom/",
            "用内置人脸训练 classroom 预设 -> runs/classroom/",
        ),
        "example seed": (
            "the article's recipe on a GPU -> runs/seed/",
            "在 GPU 上跑原文的配方 -> runs/seed/",
        ),
        "example generate": ("draw 16 new faces", "画 16 张新的人脸"),
        "example gif": ("rebuild the training GIF", "重做训练 GIF"),
        "example quality": ("score the faces next to real ones", "把画出的人脸与真实人脸一起打分"),
        "example slides": (
            "build the lessons' slide decks -> slides/build/",
            "生成各课的幻灯片 -> slides/build/",
        ),
        "example train": (
            "-> runs/classroom/ (or runs/$COURSE_PRESET/); again: resumes",
            "-> runs/classroom/（或 runs/$COURSE_PRESET/）；再运行一次：接着训练",
        ),
        "example ci": ("seconds, for a smoke test -> runs/ci/", "几秒钟的冒烟测试 -> runs/ci/"),
        "example real data": ("the real dataset, 30 epochs", "真实数据集，训练 30 轮"),
        "example bigger faces": (
            "16 faces, 2x enlarged, another seed",
            "16 张人脸，放大 2 倍，换一个种子",
        ),
        "example small gif": ("a smaller GIF of 50 frames", "更小的 GIF：50 帧"),
        "example score": (
            "score 2,000 faces next to the real-faces floor",
            "给 2,000 张人脸打分，并列出真实人脸的下限",
        ),
        "example calibrate": (
            "the floor, and blurred, noised and cut real faces",
            "下限，以及模糊、加噪和裁切过的真实人脸的分数",
        ),
        "example every deck": (
            "execute every lesson and write its deck",
            "运行每一课，并写出它的幻灯片",
        ),
        "example saved decks": (
            "two decks from the notebooks as saved",
            "按笔记本保存时的样子生成两份幻灯片",
        ),
        "help preset": (
            "the recipe and its size (default: $COURSE_PRESET, else classroom)",
            "配方及其规模（默认：$COURSE_PRESET，没有则为 classroom）",
        ),
        "help data": (
            "'procedural' (the built-in faces, offline) or a folder of face images, searched "
            "recursively (default: %(default)s)",
            "'procedural'（内置人脸，无需联网）或一个人脸图像文件夹，会递归查找"
            "（默认：%(default)s）",
        ),
        "help train run dir": (
            "where the run's config, history, frames, checkpoints and GIF go; an existing run "
            "resumes (default: runs/PRESET)",
            "运行的配置、历史记录、画面、检查点和 GIF 存放的地方；已有的运行会接着训练"
            "（默认：runs/PRESET）",
        ),
        "help epochs": (
            "train until the run has N epochs in total (default: the preset's)",
            "一直训练到这次运行总共有 N 轮（默认：预设的轮数）",
        ),
        "help train seed": (
            "random seed of the weights, the data order and the noise (default: %(default)s)",
            "权重、数据顺序和噪声的随机种子（默认：%(default)s）",
        ),
        "help xla": (
            "compile the train step with XLA (faster on a GPU)",
            "用 XLA 编译训练步（在 GPU 上更快）",
        ),
        "help mixed precision": (
            "compute in bfloat16, weights and outputs in float32 (GPUs of compute capability 8.0 "
            "and later)",
            "用 bfloat16 计算，权重和输出保持 float32（需要计算能力 8.0 及以上的 GPU）",
        ),
        "help metric every": (
            "score image quality (AFD, FD, KID) every K epochs (default: the preset's)",
            "每 K 轮给画质打一次分（AFD, FD, KID）（默认：预设的值）",
        ),
        "help no metric": (
            "skip the image-quality score during training",
            "训练时不给画质打分",
        ),
        "help generate run dir": (
            "a run folder that holds checkpoints (written by train)",
            "存有检查点的运行文件夹（由 train 写出）",
        ),
        "help generate n": (
            "how many faces to draw, in a roughly square grid (default: %(default)s)",
            "要画多少张人脸，排成大致方形的网格（默认：%(default)s）",
        ),
        "help generate out": (
            "the image file to write (default: %(default)s)",
            "要写出的图像文件（默认：%(default)s）",
        ),
        "help generate seed": (
            "noise seed: the same seed draws the same faces (default: %(default)s)",
            "噪声的种子：同一个种子画出同样的人脸（默认：%(default)s）",
        ),
        "help scale": (
            "enlarge each pixel this many times (default: %(default)s)",
            "把每个像素放大这么多倍（默认：%(default)s）",
        ),
        "help gif run dir": (
            "a run folder with frames/epoch_*.png (written by train)",
            "含有 frames/epoch_*.png 的运行文件夹（由 train 写出）",
        ),
        "help gif out": (
            "the GIF to write (default: RUN_DIR/training.gif)",
            "要写出的 GIF（默认：RUN_DIR/training.gif）",
        ),
        "help max frames": (
            "keep at most N frames, evenly spaced, the last one always (default: %(default)s)",
            "最多保留 N 帧，均匀间隔，最后一帧总会保留（默认：%(default)s）",
        ),
        "help quality run dir": (
            "the run to score (needed unless --calibrate)",
            "要打分的运行（除非用 --calibrate，否则必须给出）",
        ),
        "help quality n": (
            "how many painted and how many real faces are compared (default: %(default)s)",
            "各用多少张画作和真实人脸来比较（默认：%(default)s）",
        ),
        "help reference": (
            "the real faces: 'procedural' or a folder of images (default: the data the run "
            "trained on)",
            "真实人脸：'procedural' 或一个图像文件夹（默认：这次运行训练时用的数据）",
        ),
        "help quality seed": (
            "seed of the painted and real faces drawn (default: %(default)s)",
            "抽取画作和真实人脸的种子（默认：%(default)s）",
        ),
        "help artist": (
            "score the artist's own weights, not the painter's running average of them "
            "(lesson 5, «A steady hand»; the same for a preset that keeps none)",
            "给艺术家本身的权重打分，而不是画师对它们的滑动平均"
            "（第 5 课«稳住画笔»；预设没有滑动平均时两者相同）",
        ),
        "help calibrate": (
            "print the real-vs-real floor and the scores of blurred, noised and cut real faces "
            "instead of scoring a run",
            "不给运行打分，而是显示真实对真实的下限，以及模糊、加噪和裁切过的真实人脸的分数",
        ),
        # --- what the commands say ---
        "whole number": (
            "must be a whole number from {low:,} to {high:,}, not {text!r}",
            "必须是 {low:,} 到 {high:,} 之间的整数，而不是 {text!r}",
        ),
        "training": (
            "Training preset '{preset}' on {data} faces in {folder}/",
            "用预设 '{preset}' 在 {data} 人脸上训练，运行文件夹：{folder}/",
        ),
        "error": ("error: {text}", "错误：{text}"),
        "doctor says": (
            "The GAN doctor (python -m course_utils doctor --run-dir {folder}):",
            "GAN 医生的诊断（python -m course_utils doctor --run-dir {folder}）：",
        ),
        "done": (
            "Done: trained to epoch {epoch} in {folder}/",
            "完成：已训练到第 {epoch} 轮，运行文件夹：{folder}/",
        ),
        "last epoch vae": (
            "last epoch: reconstruction loss {recon:.1f}, KL loss {kl:.1f}",
            "最后一轮：重建损失 {recon:.1f}，KL 损失 {kl:.1f}",
        ),
        "last epoch": (
            "last epoch: generator loss {gen:.3f}, discriminator loss {disc:.3f}",
            "最后一轮：生成器损失 {gen:.3f}，判别器损失 {disc:.3f}",
        ),
        "image too big": (
            "generate: {n} faces at --scale {scale} make an image over {limit:,} pixels a side; "
            "use a smaller --scale or --n",
            "generate：{n} 张人脸配上 --scale {scale}，画出的图像边长会超过 {limit:,} 像素；"
            "请用更小的 --scale 或 --n",
        ),
        "gif not writable": (
            "{folder} is not writable (a shared run?): write the GIF elsewhere with --out FILE",
            "{folder} 不可写（共享的运行？）：请用 --out FILE 把 GIF 写到别处",
        ),
        "list": (", ", "、"),
        "gif skips": (
            "no frame for epoch(s) {epochs}: the GIF skips them (train again in {folder} to "
            "repaint them from their checkpoints)",
            "第 {epochs} 轮没有画面：GIF 里跳过了它们（在 {folder} 再训练一次，就会根据"
            "检查点把它们重画出来）",
        ),
        "gif written": ("{path}: {count} frames, {mb:.2f} MB", "{path}：{count} 帧，{mb:.2f} MB"),
        "quality needs a run": (
            "quality needs --run-dir DIR (or --calibrate)",
            "quality 需要 --run-dir DIR（或 --calibrate）",
        ),
        "comparing": (
            "{path}: {n} painted faces vs {n} real ones ({reference})",
            "{path}：{n} 张画作对比 {n} 张真实人脸（{reference}）",
        ),
        "this run": ("this run", "本次运行"),
        "real floor": ("real floor", "真实下限"),
        "stopped": ("stopped (SIGTERM)", "已停止（SIGTERM）"),
        "interrupted": ("interrupted", "已中断"),
        "to resume": (
            "; run the same command again to resume from the last finished epoch",
            "；再运行同一条命令，就会从最后完成的那一轮接着训练",
        ),
    },
)

# Each command's examples: (what it does, as a key of _say, the command line after the program's
# name).
EXAMPLES = {
    None: [
        ("example classroom", "train"),
        ("example seed", "train --preset seed --xla"),
        ("example generate", "generate --run-dir runs/classroom --n 16 --out faces.png"),
        ("example gif", "gif --run-dir runs/classroom"),
        ("example quality", "quality --run-dir runs/classroom"),
        ("example slides", "slides --preset classroom"),
    ],
    "train": [
        ("example train", "train"),
        ("example ci", "train --preset ci"),
        ("example seed", "train --preset seed --xla --mixed-precision"),
        (
            "example real data",
            "train --data data/raw/anime/images --run-dir runs/anime --epochs 30",
        ),
    ],
    "generate": [
        (
            "example bigger faces",
            "generate --run-dir runs/classroom --n 16 --scale 2 --seed 1 --out faces.png",
        ),
    ],
    "gif": [
        ("example small gif", "gif --run-dir runs/seed --max-frames 50 --out seed.gif"),
    ],
    "quality": [
        ("example score", "quality --run-dir runs/classroom"),
        ("example calibrate", "quality --calibrate"),
    ],
    "slides": [
        ("example every deck", "slides --preset classroom"),
        ("example saved decks", "slides --lessons 00 05 --no-execute"),
    ],
}


def _epilog(name, prog):
    lines = [_say("examples")]
    for what, line in EXAMPLES[name]:
        what = _say(what) if what in _say else what  # an example given as text, not a key
        lines += [f"  # {what}", f"  {prog} {line}"]
    if name is None:
        lines += ["", _say("command help", prog=prog)]
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
            raise argparse.ArgumentTypeError(_say("whole number", low=low, high=high, text=text))
        return value

    parse.__name__ = "whole number"  # argparse names the type in its messages
    return parse


MAX_SEED = 2**31 - 1
MAX_GRID_PIXELS = 8192  # generate: the largest side of the PNG it writes (about 64 MB in memory)


def _train(args):
    from course_utils.training import TrainingDiverged

    preset = get_preset(args.preset)
    if preset.kind == "vae":  # the second artist, lesson 9: the same run folder
        from course_utils.vae import train
    else:
        from course_utils.training import train
    run_dir = run_dir_for(args, preset.name)
    data = args.data if args.data == "procedural" else str(Path(args.data).resolve())
    print(_say("training", preset=preset.name, data=data, folder=run_dir))
    print(f"  {preset.describe()}")
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
        print(_say("error", text=error), file=sys.stderr)
        _print_doctor(preset, run_dir)
        return 3
    last = trainer.history[-1] if trainer.history else None
    print("\n" + _say("done", epoch=int(trainer.epoch.numpy()), folder=run_dir))
    if last and preset.kind == "vae":
        print("  " + _say("last epoch vae", recon=last["recon_loss"], kl=last["kl_loss"]))
    elif last:
        print("  " + _say("last epoch", gen=last["gen_loss"], disc=last["disc_loss"]))
    _print_last_scores(trainer.history, data)
    for name in ("config.json", "history.csv", "frames/", "checkpoints/", "training.gif"):
        print(f"  {run_dir / name}")
    _print_doctor(preset, run_dir)
    return 0


def _print_doctor(preset, run_dir):
    """The doctor's verdict on the run just trained: one line per finding, or why it looks healthy."""
    if preset.kind != "gan":
        return
    from course_utils import doctor

    try:
        findings = doctor.diagnose(run_dir)
    except doctor.DoctorError:
        return
    print(_say("doctor says", folder=run_dir))
    for line in doctor.report(findings).splitlines():
        print(f"  {line}")


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
        raise ValueError(_say("image too big", n=args.n, scale=args.scale, limit=MAX_GRID_PIXELS))
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
        raise ValueError(_say("gif not writable", folder=out.parent)) from None
    history = RunFolder(run_dir).read_history()
    missing = RunFolder(run_dir).missing_frames(history[-1]["epoch"]) if history else []
    if missing:
        epochs = _say("list").join(map(str, missing))
        notice(_say("gif skips", epochs=epochs, folder=run_dir))
    print(_say("gif written", path=out, count=count, mb=out.stat().st_size / 1e6))
    return 0


def _quality(args):
    from course_utils import metrics

    if args.calibrate:
        print(metrics.format_calibration(args.reference or "procedural", args.n))
        return 0
    if not args.run_dir:
        raise ValueError(_say("quality needs a run"))
    run = RunFolder(args.run_dir)
    reference = args.reference
    if reference is None:
        reference = (run.read_config() or {}).get("data", "procedural")
    generator = run.load("generator", averaged=not args.artist)
    result = metrics.evaluate_generator(generator, reference=reference, n=args.n, seed=args.seed)
    print(_say("comparing", path=run.path, n=args.n, reference=reference))
    low = metrics.floor(reference, args.n)
    print(metrics.format_table({_say("this run"): result, _say("real floor"): low}))
    print()
    print(metrics.format_attribute_table(result, low))
    return 0


def _slides(args):
    from course_utils.language import language
    from course_utils.slides import DECK_DIRS, build_decks, built_message

    lang = args.lang or language()
    out_dir = Path(args.out_dir) if args.out_dir else DECK_DIRS[lang]
    preset = get_preset(args.preset).name if not args.no_execute else None
    decks = build_decks(args.lessons, out_dir, preset, execute=not args.no_execute, lang=lang)
    print(built_message(decks, out_dir))
    return 0


def build_parser(prog=PROG):
    """The argument parser: ``prog`` is the name the usage lines show."""
    from course_utils.language import LANGUAGES
    from course_utils.slides import option_help

    presets = preset_names()

    def command(name, summary, handler):
        p = sub.add_parser(
            name,
            help=summary,
            description=_say("as a sentence", text=summary[0].upper() + summary[1:]),
            epilog=_epilog(name, prog),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(func=handler)
        return p

    parser = argparse.ArgumentParser(
        prog=prog,
        description=_say("about"),
        epilog=_epilog(None, prog),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}",
        help=_say("version help"),
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", title=_say("commands")
    )

    p = command("train", _say("train summary"), _train)
    p.add_argument("--preset", choices=presets, default=None, help=_say("help preset"))
    p.add_argument("--data", default="procedural", metavar="procedural|DIR", help=_say("help data"))
    p.add_argument("--run-dir", default=None, metavar="DIR", help=_say("help train run dir"))
    p.add_argument(
        "--epochs",
        type=whole_number(1, 100_000),
        default=None,
        metavar="N",
        help=_say("help epochs"),
    )
    p.add_argument(
        "--seed", type=whole_number(0, MAX_SEED), default=0, help=_say("help train seed")
    )
    p.add_argument("--xla", action="store_true", help=_say("help xla"))
    p.add_argument("--mixed-precision", action="store_true", help=_say("help mixed precision"))
    p.add_argument(
        "--metric-every",
        type=whole_number(0, 100_000),
        default=None,
        metavar="K",
        help=_say("help metric every"),
    )
    p.add_argument("--no-metric", action="store_true", help=_say("help no metric"))

    p = command("generate", _say("generate summary"), _generate)
    p.add_argument("--run-dir", required=True, metavar="DIR", help=_say("help generate run dir"))
    p.add_argument("--n", type=whole_number(1, 1_000), default=9, help=_say("help generate n"))
    p.add_argument("--out", default="generated.png", metavar="PNG", help=_say("help generate out"))
    p.add_argument(
        "--seed", type=whole_number(0, MAX_SEED), default=0, help=_say("help generate seed")
    )
    p.add_argument("--scale", type=whole_number(1, 16), default=3, help=_say("help scale"))

    p = command("gif", _say("gif summary"), _gif)
    p.add_argument("--run-dir", required=True, metavar="DIR", help=_say("help gif run dir"))
    p.add_argument("--out", default=None, metavar="GIF", help=_say("help gif out"))
    p.add_argument(
        "--max-frames",
        type=whole_number(1, 1_000),
        default=100,
        metavar="N",
        help=_say("help max frames"),
    )

    p = command("quality", _say("quality summary"), _quality)
    p.add_argument("--run-dir", default=None, metavar="DIR", help=_say("help quality run dir"))
    p.add_argument("--n", type=whole_number(50, 20_000), default=2000, help=_say("help quality n"))
    p.add_argument(
        "--reference", default=None, metavar="procedural|DIR", help=_say("help reference")
    )
    p.add_argument(
        "--seed", type=whole_number(0, MAX_SEED), default=0, help=_say("help quality seed")
    )
    p.add_argument("--calibrate", action="store_true", help=_say("help calibrate"))
    p.add_argument("--artist", action="store_true", help=_say("help artist"))

    p = command("slides", _say("slides summary"), _slides)
    p.add_argument("--preset", choices=presets, default=None, help=option_help("--preset"))
    p.add_argument(
        "--lessons", nargs="+", default=None, metavar="NN", help=option_help("--lessons")
    )
    p.add_argument("--no-execute", action="store_true", help=option_help("--no-execute"))
    p.add_argument("--lang", choices=LANGUAGES, default=None, help=option_help("--lang"))
    p.add_argument("--out-dir", default=None, metavar="DIR", help=option_help("--out-dir"))

    from course_utils import doctor  # no TensorFlow: it reads the run folder's files

    doctor.add_parser(sub, prog)
    return parser


class Terminated(Exception):
    """The process was asked to stop (SIGTERM: a closed terminal, a killed job, a notebook server
    shutting down); raised in the main thread so the run ends as after a Ctrl-C."""


def _terminated(signum, frame):
    raise Terminated()


def main(argv=None, prog=PROG):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    complaint = check_environment()  # a COURSE_LANG the course cannot speak: said, then English
    if complaint:
        notice(complaint)
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
        print(_say("error", text=" ".join(text.split())), file=sys.stderr)
        # What TensorFlow leaves behind a failed restore logs hundreds of lines when it is deleted
        # at exit: the one line above says it all.
        logging.getLogger("tensorflow").setLevel(logging.ERROR)
        return 2
    except (KeyboardInterrupt, Terminated) as stop:
        what = _say("stopped") if isinstance(stop, Terminated) else _say("interrupted")
        resume = _say("to resume") if args.command == "train" else ""
        print(f"\n{what}{resume}", file=sys.stderr)
        return 143 if isinstance(stop, Terminated) else 130
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
