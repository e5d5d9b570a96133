"""The training side of the package speaks Chinese when asked: the progress line, the epoch's line,
the run folder's errors and notices, the command line's errors and ``--help``; English otherwise."""

import io
import os
import subprocess

import pytest
from conftest import COURSE, REPO

from course_utils import cli, language
from course_utils.notices import notice
from course_utils.presets import PRESETS
from course_utils.progress import Progress
from course_utils.run_folder import RunFolder, RunFolderError, describe_epochs

ROW = {"seconds": 3.0, "gen_loss": 2.5, "disc_loss": 0.75, "d_real": 0.8, "d_fake": 0.125}


def _one_epoch():
    out = io.StringIO()
    progress = Progress(0, 2, 4, 32, stream=out, every_seconds=0)
    for _ in range(4):
        progress.step(1)
    progress.end_epoch(1, dict(ROW))
    progress.close()
    return out.getvalue()


def test_the_progress_line_and_the_epoch_line_speak_chinese(zh):
    text = _one_epoch()
    draws = text.split("\r")
    assert draws[1] == "第 1/2 轮 [=====...............] 第 1/4 步"
    assert "每秒" in text and "张脸，还需 " in text  # the pace, from the second step on
    epoch_line = text.split("\n")[0].rsplit("\r", 1)[-1]
    assert epoch_line.startswith(
        "第 1/2 轮 · 3 秒 · 生成器损失 2.500 · 判别器损失 0.750 · D(x) 0.80 · D(G(z)) 0.12"
    )
    assert "gen_loss" not in text and "epoch" not in text and "ETA" not in text


def test_the_progress_line_stays_english_by_default():
    text = _one_epoch()
    assert text.split("\r")[1] == "epoch 1/2 [=====...............] step 1/4"
    assert "第" not in text and "gen_loss 2.500 · disc_loss 0.750" in text


def test_a_shorter_chinese_line_blanks_out_the_wider_one_before_it(zh):
    """A Chinese character takes two columns: the padding that wipes the last draw counts them."""
    out = io.StringIO()
    progress = Progress(0, 1, 4, 32, stream=out)
    progress._draw("第 1/1 轮 第 4/4 步")  # 4 Chinese characters and 11 others: 19 columns
    progress._draw("ab")
    assert out.getvalue().split("\r")[2] == "ab" + " " * 17


def test_a_run_folder_error_is_chinese_and_names_the_folder(zh, tmp_path):
    run = RunFolder(tmp_path / "run")
    run.path.mkdir()
    run.frames_dir.write_text("not a folder")
    with pytest.raises(RunFolderError) as raised:
        run.prepare()
    message = str(raised.value)
    assert message.startswith(f"{run.frames_dir} 是一个文件，不是文件夹；")
    assert "--run-dir" in message and "COURSE_RUNS_DIR" in message and "\n" not in message
    with pytest.raises(FileNotFoundError, match="不是运行文件夹（没有 config.json）：请先训练"):
        RunFolder(tmp_path / "empty").preset()
    assert describe_epochs([1, 2, 3, 5]) == "第 1-3、5 轮"


def test_a_mended_history_is_a_chinese_warning_in_one_line(zh, tmp_path, capsys):
    run = RunFolder(tmp_path)
    run.history_path.write_text("epoch,gen_loss,disc_loss,seconds,d_real,d_fake\n1,0.5,0.7")
    assert run.read_history() == []
    [line] = capsys.readouterr().err.splitlines()
    assert line == (
        f"警告：{run.history_path} 在最后一行处被截断（该行已丢弃）；没有可以用来重建它的副本"
    )


def test_a_notice_says_warning_in_the_language_chosen(capsys, monkeypatch):
    notice("x")
    monkeypatch.setattr(language, "_chosen", "zh")
    notice("y")
    assert capsys.readouterr().err == "warning: x\n警告：y\n"


def test_a_preset_describes_itself_in_chinese_and_records_english(zh):
    ci = PRESETS["ci"]
    assert ci.describe().startswith("几秒钟") and "512 张人脸" in ci.describe()
    assert ci.description.startswith("Seconds, for automated tests")  # what config.json keeps


def test_a_command_line_error_is_chinese_and_one_line(zh, monkeypatch, capsys):
    from course_utils import cloud

    monkeypatch.setattr(cloud, "import_tensorflow_quietly", lambda: None)
    assert cli.main(["quality", "--n", "50"]) == 2
    err = capsys.readouterr().err
    assert err == "错误：quality 需要 --run-dir DIR（或 --calibrate）\n"


def test_a_number_out_of_range_is_refused_in_chinese():
    result = subprocess.run(
        [*COURSE, "train", "--epochs", "0"],
        cwd=REPO,
        env={**os.environ, "COURSE_LANG": "zh"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    # argparse's own words ("error: argument --epochs:") stay English; ours are Chinese.
    assert last.endswith("argument --epochs: 必须是 1 到 100,000 之间的整数，而不是 '0'")


def test_help_is_chinese_under_course_lang_zh():
    result = subprocess.run(
        [*COURSE, "train", "--help"],
        cwd=REPO,
        env={**os.environ, "COURSE_LANG": "zh"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: ")  # argparse's word
    assert "训练一次 DCGAN 运行，或从停下的地方接着训练。" in result.stdout
    assert "一直训练到这次运行总共有 N 轮" in result.stdout and "示例：" in result.stdout
    assert "train until the run has N epochs" not in result.stdout


def test_help_stays_english_by_default():
    text = cli.build_parser().format_help()
    assert "examples:" in text and "train a DCGAN run, or resume it where it stopped" in text
    assert not any("\u4e00" <= c <= "\u9fff" for c in text.replace("中文", ""))


def test_an_unknown_course_lang_is_said_once_at_start_up(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_LANG", "klingon")
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("warning: COURSE_LANG='klingon' is not a language")


def test_training_diverged_is_said_in_chinese(zh):
    from course_utils.callbacks import DivergenceGuard, TrainingDiverged

    with pytest.raises(TrainingDiverged) as raised:
        DivergenceGuard("runs/x/checkpoints").on_epoch_end(
            2, {"gen_loss": float("nan"), "disc_loss": float("inf")}
        )
    assert str(raised.value) == (
        "第 2 轮：gen_loss 和 disc_loss 变成了 nan。训练已停止；上一个完好的检查点（第 1 轮）"
        "保留在 runs/x/checkpoints。试试调低学习率。"
    )
