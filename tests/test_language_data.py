"""The data, image, download, detector, face and score helpers speak Chinese when asked.

For a few real error paths per module, and for the text a lesson prints (a folder's summary, the
score table, the end-of-training lines): under ``zh`` the sentence is Chinese and still names the
file or the value at fault; by default it is the English the other tests and the lessons check.
"""

import os
import re
import tarfile
import zipfile

import cv2
import numpy as np
import pytest

from course_utils import (
    cloud,
    data,
    detector,
    download,
    face_folders,
    faces,
    image_files,
    language,
    metrics,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


def _error(kind, call, *args, **kwargs):
    with pytest.raises(kind) as caught:
        call(*args, **kwargs)
    message = str(caught.value).strip("'\"")  # a KeyError-style repr would quote it
    assert "\n" not in message, message
    return message


def _chinese(message):
    assert CJK.search(message), message
    return message


# --- image_files: one bad file ----------------------------------------------------------------


def test_an_empty_image_file_is_named_in_chinese(tmp_path, zh):
    path = tmp_path / "blank.jpg"
    path.write_bytes(b"")
    message = _chinese(_error(ValueError, data.read_face, path))
    assert message == f"{path}：空文件（0 字节）"


def test_a_file_that_is_not_its_format_says_which_format_in_chinese(tmp_path, zh):
    path = tmp_path / "words.png"
    path.write_text("hello, not a picture")
    message = _chinese(_error(ValueError, data.read_face, path))
    assert message.startswith(f"{path}：") and "不是 PNG 图像" in message
    other = tmp_path / "words.gif"
    other.write_text("hello")
    assert _chinese(image_files.try_read_face(other, 56)[1]) == "不是图像（无法识别文件开头的字节）"


def test_an_oversized_image_gives_its_numbers_in_chinese(zh):
    with pytest.raises(image_files._Unusable) as caught:
        image_files._check_dimensions(5000, 4000)
    message = _chinese(str(caught.value))
    assert "5000×4000" in message and "20,000,000" in message
    assert f"MAX_PIXELS = {image_files.MAX_PIXELS:,}" in message


def test_image_file_errors_are_english_by_default(tmp_path):
    path = tmp_path / "blank.jpg"
    path.write_bytes(b"")
    assert _error(ValueError, data.read_face, path) == f"{path}: empty file (0 bytes)"
    assert image_files.name_problem(tmp_path / "bad\udcff.jpg") == (
        "file name is not valid UTF-8; rename the file to use it"
    )
    other = tmp_path / "words.gif"
    other.write_text("hello")
    assert image_files.try_read_face(other, 56)[1] == "not an image (unrecognised start bytes)"


# --- face_folders: a folder with nothing to use -------------------------------------------------


def test_an_empty_folder_is_named_in_chinese_and_english(tmp_path, monkeypatch):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.txt").write_text("no faces here")
    english = _error(ValueError, face_folders.prepare_folder, folder, cache_dir=False)
    assert (
        english
        == f"Image folder '{folder}' contains no image files (.bmp, .jpeg, .jpg, .png, .webp)."
    )
    monkeypatch.setattr(language, "_chosen", "zh")
    chinese = _chinese(_error(ValueError, face_folders.prepare_folder, folder, cache_dir=False))
    assert f"'{folder}'" in chinese and ".jpg" in chinese and chinese.endswith("。")


def test_a_missing_folder_and_a_folder_of_broken_images_in_chinese(tmp_path, zh):
    missing = tmp_path / "nowhere"
    message = _chinese(_error(FileNotFoundError, data.prepare_folder, missing))
    assert f"'{missing}'" in message and "'procedural'" in message
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "a.jpg").write_bytes(b"")
    message = _chinese(_error(ValueError, data.prepare_folder, broken, cache_dir=False))
    assert f"'{broken}'" in message and "1 个文件" in message and "a.jpg：空文件" in message


def test_a_folder_summary_is_said_in_the_language_chosen_when_it_is_read(tmp_path, monkeypatch):
    folder = tmp_path / "faces"
    folder.mkdir()
    images, _ = faces.render_faces(2)
    for i, image in enumerate(images):
        cv2.imwrite(str(folder / f"{i}.png"), image)
    (folder / "zero.jpg").write_bytes(b"")
    (folder / "README").write_text("faces")
    prepared = data.prepare_folder(folder, cache_dir=False)
    english = prepared.summary().splitlines()
    assert english[0] == f"2 images used from {folder}, 2 files skipped"
    assert "  skipped README: not an image file (no extension)" in english
    monkeypatch.setattr(language, "_chosen", "zh")
    chinese = prepared.summary().splitlines()
    assert chinese[0] == f"从 {folder} 用了 2 张图像，跳过了 2 个文件"
    assert "  跳过 README：not an image file (no extension)" in chinese  # judged in English
    again = data.prepare_folder(folder, cache_dir=False)
    assert "  跳过 README：不是图像文件（没有扩展名）" in again.summary().splitlines()
    assert f"  跳过 {folder / 'zero.jpg'}：空文件（0 字节）" in again.report().splitlines()
    assert again.report().splitlines()[0] == "准备好了 2 张 56×56 的人脸，跳过了 2 个文件"


# --- data: the shape and range checks ----------------------------------------------------------


def test_pixels_of_the_wrong_shape_are_refused_in_chinese_naming_the_shape(zh):
    message = _chinese(_error(ValueError, data.to_model_input, np.zeros((56, 56, 3), np.uint8)))
    assert "(N, 56, 56)" in message and "(56, 56, 3)" in message
    channel = _error(ValueError, data.to_model_input, np.zeros((2, 56, 56, 1), np.uint8))
    assert "images[..., 0]" in _chinese(channel)
    floats = _error(ValueError, data.to_model_input, np.full((2, 56, 56), 0.5, np.float32))
    assert "float32" in floats and "从 0.5 到 0.5" in floats and "模型输入" in floats


def test_model_input_checks_name_the_value_in_chinese(zh):
    message = _error(ValueError, data.check_model_input, np.full((2, 56, 56, 1), 255.0, np.float32))
    assert "255.0" in _chinese(message) and "to_model_input" in message
    message = _error(ValueError, data.check_model_input, np.zeros((2, 56, 56), np.float32))
    assert "(2, 56, 56)" in _chinese(message)
    assert "-3" in _chinese(_error(ValueError, data.load_faces, limit=-3))


def test_data_checks_are_english_by_default():
    message = _error(ValueError, data.to_model_input, np.full((2, 56, 56), 300.0, np.float64))
    assert message == (
        "to_model_input expects uint8 pixels 0..255, got float64 values from 300 to 300: "
        "convert it to uint8 first"
    )
    assert _error(ValueError, data.check_model_input, np.zeros((2, 56, 56, 1), np.float64)) == (
        "model input: expected float32 in [-1, 1] of shape (N, 56, 56, 1), got float64: "
        "did you forget to_model_input?"
    )


# --- download: archives that are refused ---------------------------------------------------------


def test_a_file_that_is_no_archive_is_refused_in_chinese(tmp_path, zh):
    archive = tmp_path / "faces.zip"
    archive.write_text("<html>a web page</html>")
    message = _error(ValueError, download.safe_extract, archive, tmp_path / "out")
    assert message == f"{archive}：不是 zip 或 tar 压缩包"


def test_an_unsafe_member_is_named_in_chinese_and_english(tmp_path, monkeypatch):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("../escape.jpg", b"x")
    english = _error(ValueError, download.safe_extract, archive, tmp_path / "out")
    assert "unsafe member '../escape.jpg'" in english and "nothing extracted" in english
    monkeypatch.setattr(language, "_chosen", "zh")
    chinese = _chinese(_error(ValueError, download.safe_extract, archive, tmp_path / "out"))
    assert str(archive) in chinese and "'../escape.jpg'" in chinese
    assert not (tmp_path / "escape.jpg").exists()


def test_a_zip_bomb_gives_its_sizes_in_chinese(tmp_path, zh):
    archive = tmp_path / "big.tar"
    payload = tmp_path / "big.bin"
    payload.write_bytes(os.urandom(3 << 20))
    with tarfile.open(archive, "w") as tar:
        tar.add(payload, arcname="big.bin")
    message = _error(
        ValueError, download.safe_extract, archive, tmp_path / "out", max_bytes=1 << 20
    )
    assert (
        "3.0 MiB" in _chinese(message) and "1.0 MiB" in message and "MAX_EXTRACT_BYTES" in message
    )


# --- detector, faces, cloud ----------------------------------------------------------------------


def test_the_detector_and_the_face_painter_refuse_in_chinese(zh):
    message = _error(ValueError, detector.detect_faces, np.zeros((1, 56, 56), np.float32))
    assert "float32" in _chinese(message) and "detect_faces" in message
    assert "-1" in _chinese(_error(ValueError, faces.render_faces, -1))
    assert "4" in _chinese(_error(ValueError, faces.render_faces, 2, size=4))


def test_the_detector_and_the_face_painter_refuse_in_english_by_default():
    assert _error(ValueError, detector.detect_faces, np.zeros((1, 56, 56), np.int32)) == (
        "detect_faces wants uint8 pixels 0..255, got int32"
    )
    assert _error(ValueError, faces.render_faces, -1) == "n must be >= 0, got -1"


def test_the_hardware_line_and_drive_error_follow_the_language(monkeypatch):
    monkeypatch.setattr(cloud, "gpu_names", lambda: [])
    monkeypatch.setattr(cloud, "in_colab", lambda: True)
    cores = os.cpu_count()
    assert cloud.describe_hardware() == (
        f"CPU only ({cores} cores): the classroom preset is sized for this. "
        "In Colab: Runtime → Change runtime type → T4 GPU, then run the notebook again."
    )
    monkeypatch.setattr(language, "_chosen", "zh")
    line = _chinese(cloud.describe_hardware())
    assert f"（{cores} 核）" in line and "T4 GPU" in line
    monkeypatch.setattr(cloud, "in_colab", lambda: False)
    assert "Colab" not in cloud.describe_hardware()
    message = _chinese(_error(RuntimeError, cloud.run_dir_path, "x", use_drive=True))
    assert "use_drive=False" in message


# --- metrics: input errors, the score table, the end-of-training lines ---------------------------


def test_metrics_input_errors_in_chinese_name_the_value(zh):
    message = _chinese(_error(ValueError, metrics.score, "fid"))
    assert "'fid'" in message and "afd, fd, kid" in message
    assert "'smudge'" in _chinese(
        _error(ValueError, metrics.distort, np.zeros((1, 8, 8)), "smudge", 1)
    )
    assert "KID" in _chinese(
        _error(ValueError, metrics.kernel_inception_distance, [[1.0]], [[2.0]])
    )
    message = _error(ValueError, metrics.Score, "dark", len, "x", better="bigger")
    assert _chinese(message).startswith("分数 dark：")


def test_metrics_input_errors_are_english_by_default():
    assert _error(ValueError, metrics.score, "fid").startswith(
        "unknown score 'fid'; choose one of afd"
    )
    assert _error(ValueError, metrics.distort, np.zeros((1, 8, 8)), "smudge", 1) == (
        "unknown distortion 'smudge'; choose blur, noise or cut"
    )


def _result(value):
    return {s.name: value for s in metrics.SCORES}


def test_the_score_table_speaks_chinese_and_stays_aligned(monkeypatch):
    columns = {"this run": _result(0.5), "real floor": _result(0.25)}
    english = metrics.format_table(columns).splitlines()
    assert english[0].split() == ["metric", "this", "run", "real", "floor", "meaning"]
    assert english[2].endswith("   Fréchet distance of features (lower is better)")
    monkeypatch.setattr(language, "_chosen", "zh")
    chinese = metrics.format_table({"本次": _result(0.5), "真实下限": _result(0.25)}).splitlines()
    assert chinese[0].startswith("指标") and chinese[0].endswith("含义")
    assert chinese[2].endswith("特征的 Fréchet 距离（越低越好）")
    # Each heading ends in the column its numbers end in: a Chinese character takes two columns.
    header = chinese[0]
    end_of_second_heading = metrics._width(header[: header.index("真实下限") + len("真实下限")])
    assert chinese[1][:end_of_second_heading].endswith("0.2500")


def test_the_end_of_training_lines_speak_chinese(monkeypatch):
    fd = metrics.score("fd")
    assert fd.summary(12.5, 10.0, 3, 500) == "FD 12.50 (real faces: 10.00; lower is better)"
    monkeypatch.setattr(language, "_chosen", "zh")
    assert fd.summary(12.5, 10.0, 3, 500) == "FD 12.50（真实人脸：10.00；越低越好）"
    afd = metrics.score("afd").summary(0.5, 0.9, 7, 500)
    assert "第 7 轮" in afd and "50%" in afd and "90%" in afd and "越高越好" in afd
    # A score added by a learner keeps its own words in any language.
    mine = metrics.Score(
        "dark", len, "dark pixels (lower is better)", training_line="{value} {better}"
    )
    assert mine.meaning() == "dark pixels (lower is better)"
    assert mine.summary(1, 2, 3, 4) == "1 lower"
