"""Nothing lost, nothing silent: every damaged input to the data path ends in a recovery or in a
one-line error that names the file and says what to do. The bad files are made here, in tmp_path."""

import hashlib
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import zip_of

from course_utils import data, download, face_folders, image_files


def _noisy_jpeg(size=(100, 100), progressive=False, seed=0):
    """A JPEG with real detail (noise and a disc), so that a cut really loses picture data."""
    rng = np.random.default_rng(seed)
    image = (rng.integers(0, 60, size + (3,)) + np.array([40, 120, 180])).astype(np.uint8)
    cv2.circle(image, (size[1] // 2, size[0] // 2), min(size) // 3, (255, 255, 255), -1)
    params = [cv2.IMWRITE_JPEG_PROGRESSIVE, int(progressive)]
    return cv2.imencode(".jpg", image, params)[1].tobytes()


def _png(image):
    return cv2.imencode(".png", image)[1].tobytes()


def _reasons(prepared):
    return {Path(path).name: reason for path, reason in prepared.skipped}


# --- 1. a file name that is not valid UTF-8 ---------------------------------------------------


def test_a_name_that_is_not_utf8_is_skipped_and_reported_and_the_rest_load(jpeg_folder, tmp_path):
    fd = os.open(os.fsencode(jpeg_folder) + b"/bad\xff.jpg", os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, (jpeg_folder / "10000_2008.jpg").read_bytes())
    os.close(fd)
    # With the cache on: the cache key used to fail on the name ("'utf-8' codec can't encode").
    prepared = data.prepare_folder(jpeg_folder, cache_dir=tmp_path / "cache")
    assert len(prepared.images) == 12
    [(name, reason)] = prepared.skipped
    assert name.endswith("bad\\xff.jpg") and "not valid UTF-8" in reason and "rename" in reason
    summary = prepared.summary()
    summary.encode("utf-8")  # printable as it is
    assert "bad\\xff.jpg" in summary
    again = data.prepare_folder(jpeg_folder, cache_dir=tmp_path / "cache")  # from the cache
    assert again.skipped == prepared.skipped and len(again.images) == 12


# --- 2. a JPEG is judged by whether it decodes completely -------------------------------------


@pytest.mark.parametrize("progressive", [False, True])
def test_a_cut_jpeg_with_an_end_marker_glued_on_is_refused(tmp_path, progressive):
    good = _noisy_jpeg(progressive=progressive)
    for keep in (len(good) // 2, len(good) - 40):
        path = tmp_path / f"cut_{keep}.jpg"
        path.write_bytes(good[:keep] + b"\xff\xd9")
        with pytest.raises(ValueError, match=rf"cut_{keep}\.jpg: truncated JPEG"):
            data.read_face(path)


def test_a_complete_jpeg_followed_by_other_bytes_is_accepted_unchanged(tmp_path):
    good = _noisy_jpeg()
    (tmp_path / "clean.jpg").write_bytes(good)
    (tmp_path / "trailer.jpg").write_bytes(good + b"trailing bytes \xff\xd8 and more")
    assert np.array_equal(
        data.read_face(tmp_path / "trailer.jpg"), data.read_face(tmp_path / "clean.jpg")
    )


def test_checking_good_jpegs_prints_no_decoder_warnings(jpeg_folder, capfd):
    (jpeg_folder / "cut.jpg").write_bytes(_noisy_jpeg()[:3000] + b"\xff\xd9")
    prepared = data.prepare_folder(jpeg_folder, cache_dir=False)
    assert _reasons(prepared) == {
        "cut.jpg": "truncated JPEG (its image data stops before the picture is complete)"
    }
    err = capfd.readouterr().err
    assert "Corrupt JPEG" not in err and "Premature end" not in err
    os.write(2, b"stderr still works\n")  # and file descriptor 2 is back afterwards
    assert "stderr still works" in capfd.readouterr().err


def test_the_format_comes_from_the_bytes_not_the_suffix(tmp_path):
    image = np.full((40, 40), 200, np.uint8)
    (tmp_path / "really_a_png.jpg").write_bytes(_png(image))
    assert data.read_face(tmp_path / "really_a_png.jpg").min() == 200
    (tmp_path / "words.png").write_text("no picture here")
    with pytest.raises(ValueError, match=r"words\.png: not a PNG image"):
        data.read_face(tmp_path / "words.png")


def test_a_png_cut_short_or_with_a_damaged_chunk_is_refused(tmp_path):
    good = _png(np.random.default_rng(0).integers(0, 256, (60, 60), dtype=np.uint8))
    (tmp_path / "cut.png").write_bytes(good[: len(good) // 2] + good[-12:])  # IEND glued on
    (tmp_path / "flipped.png").write_bytes(good[:100] + bytes([good[100] ^ 1]) + good[101:])
    (tmp_path / "trailer.png").write_bytes(good + b"extra")
    with pytest.raises(ValueError, match=r"cut\.png: .*PNG"):
        data.read_face(tmp_path / "cut.png")
    with pytest.raises(ValueError, match=r"flipped\.png: corrupt PNG \(bad checksum"):
        data.read_face(tmp_path / "flipped.png")
    assert data.read_face(tmp_path / "trailer.png").shape == (56, 56)


# --- 3. transparency is composited on white ---------------------------------------------------


def test_transparent_png_areas_become_white_and_half_transparent_ones_blend(tmp_path):
    bgra = np.zeros((56, 56, 4), np.uint8)  # black everywhere...
    bgra[:, :28, 3] = 0  # ...left half fully transparent
    bgra[:, 28:, 3] = 128  # ...right half half transparent
    bgra[:8, 28:36] = (255, 255, 255, 255)  # one opaque white square
    (tmp_path / "alpha.png").write_bytes(_png(bgra))
    face = data.read_face(tmp_path / "alpha.png")
    assert np.all(face[:, :28] == 255)
    assert np.all(np.abs(face[8:, 36:].astype(int) - round(255 * (1 - 128 / 255))) <= 1)
    assert np.all(face[:8, 28:36] == 255)


def test_an_opaque_png_reads_as_before(tmp_path):
    bgr = np.random.default_rng(1).integers(0, 256, (56, 56, 3), dtype=np.uint8)
    (tmp_path / "opaque.png").write_bytes(_png(bgr))
    expected = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    assert np.abs(data.read_face(tmp_path / "opaque.png").astype(int) - expected).max() <= 1


# --- 4. too small to be a face crop -----------------------------------------------------------


def test_images_smaller_than_min_side_are_skipped_and_say_so(jpeg_folder):
    cv2.imwrite(str(jpeg_folder / "dot.png"), np.zeros((1, 1), np.uint8))
    side = image_files.MIN_SIDE
    cv2.imwrite(str(jpeg_folder / "thin.png"), np.zeros((side - 1, 200), np.uint8))
    cv2.imwrite(str(jpeg_folder / "smallest.png"), np.zeros((side, side), np.uint8))
    prepared = data.prepare_folder(jpeg_folder, cache_dir=False)
    reasons = _reasons(prepared)
    assert set(reasons) == {"dot.png", "thin.png"} and len(prepared.images) == 13
    assert reasons["dot.png"] == (
        f"image is 1×1 px, too small for a face crop (under MIN_SIDE = {side} px on a side)"
    )
    assert "MIN_SIDE" in prepared.summary()


# --- 5. too many pixels: refused from the header, before decoding -----------------------------


def _png_declaring(width, height):
    def chunk(kind, body):
        return len(body).to_bytes(4, "big") + kind + body + zlib_crc(kind + body).to_bytes(4, "big")

    import zlib

    zlib_crc = zlib.crc32
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )


def _jpeg_declaring(width, height):
    good = bytearray(_noisy_jpeg())
    sof = good.index(b"\xff\xc0")
    good[sof + 5 : sof + 7] = height.to_bytes(2, "big")
    good[sof + 7 : sof + 9] = width.to_bytes(2, "big")
    return bytes(good)


@pytest.mark.parametrize(
    "name, content",
    [("huge.png", _png_declaring(20000, 20000)), ("huge.jpg", _jpeg_declaring(20000, 20000))],
)
def test_huge_images_are_refused_before_decoding(tmp_path, monkeypatch, name, content):
    (tmp_path / name).write_bytes(content)

    def no_decoding(*args):
        raise AssertionError("decoded a file that should have been refused from its header")

    monkeypatch.setattr(image_files, "_imdecode", no_decoding)
    with pytest.raises(ValueError) as error:
        data.read_face(tmp_path / name)
    message = str(error.value)
    assert message.startswith(f"{tmp_path / name}: image is 20000×20000 px (400,000,000 pixels)")
    assert f"MAX_PIXELS = {image_files.MAX_PIXELS:,}" in message and "\n" not in message


def test_the_pixel_cap_is_a_module_constant(tmp_path, monkeypatch):
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((100, 100), np.uint8))
    assert data.read_face(tmp_path / "a.png").shape == (56, 56)
    monkeypatch.setattr(image_files, "MAX_PIXELS", 99 * 99)
    with pytest.raises(ValueError, match="over MAX_PIXELS"):
        data.read_face(tmp_path / "a.png")


def test_bmp_and_webp_sizes_are_read_from_their_headers(tmp_path, monkeypatch):
    image = np.full((30, 40, 3), 90, np.uint8)
    for suffix in (".bmp", ".webp"):
        (tmp_path / f"a{suffix}").write_bytes(cv2.imencode(suffix, image)[1].tobytes())
        assert data.read_face(tmp_path / f"a{suffix}").shape == (56, 56)
    monkeypatch.setattr(image_files, "MAX_PIXELS", 30 * 40 - 1)
    for suffix in (".bmp", ".webp"):
        with pytest.raises(ValueError, match=r"image is 40×30 px"):
            data.read_face(tmp_path / f"a{suffix}")


# --- 6. what a load used and skipped, in a few printable lines --------------------------------


def test_the_summary_counts_and_names_the_first_skipped_files(jpeg_folder, monkeypatch):
    for i in range(7):
        (jpeg_folder / f"empty{i}.jpg").write_bytes(b"")
    real_read_bytes = Path.read_bytes

    def read_bytes(self):
        if self.name == "10003_2008.jpg":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    prepared = data.prepare_folder(jpeg_folder, limit=10, cache_dir=False)
    assert len(prepared.images) == 10
    assert _reasons(prepared)["10003_2008.jpg"] == "Permission denied"
    lines = prepared.summary().splitlines()
    assert lines[0] == (
        f"10 images used from {jpeg_folder}, 8 files skipped, 1 more not needed (limit reached)"
    )
    assert lines[1:6] == ["  skipped 10003_2008.jpg: Permission denied"] + [
        f"  skipped empty{i}.jpg: empty file (0 bytes)" for i in range(4)
    ]
    assert lines[6] == "  ... and 3 more (all of them: .report())"
    assert str(prepared) == prepared.summary()


def test_load_faces_verbose_prints_the_summary(jpeg_folder, capsys):
    (jpeg_folder / "zero.jpg").write_bytes(b"")
    images = data.load_faces(jpeg_folder, cache_dir=False, verbose=True)
    assert len(images) == 12
    out = capsys.readouterr().out
    assert out.startswith("12 images used from") and "skipped zero.jpg: empty file" in out


def test_a_folder_where_every_image_name_is_bad_is_one_clear_error(tmp_path):
    folder = tmp_path / "faces"
    folder.mkdir()
    os.close(os.open(os.fsencode(folder) + b"/\xfe.jpg", os.O_WRONLY | os.O_CREAT, 0o644))
    with pytest.raises(
        ValueError,
        match=r"faces' has no usable image files; 1 files skipped, "
        r"e\.g\. .*\\xfe\.jpg: file name is not valid UTF-8",
    ):
        data.prepare_folder(folder, cache_dir=False)


# --- 7. a cache folder that cannot be written --------------------------------------------------


def _unwritable(tmp_path):
    """A folder nobody can create, root included: its parent is a regular file."""
    (tmp_path / "a_file").write_text("")
    return tmp_path / "a_file" / "cache"


def test_an_unwritable_cache_folder_falls_back_to_the_user_cache(
    jpeg_folder, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    first = data.prepare_folder(jpeg_folder, cache_dir=_unwritable(tmp_path))
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"warning: cannot write the cache folder {_unwritable(tmp_path)}")
    assert err.endswith(f"cached in {tmp_path / 'xdg' / 'gan-atelier'} instead") and "\n" not in err
    [cached] = (tmp_path / "xdg" / "gan-atelier").glob("faces_*.npz")
    np.savez(
        cached,
        images=first.images * 0 + 7,
        files=np.array(first.files),
        skipped=np.zeros((0, 2), str),
    )
    again = data.prepare_folder(jpeg_folder, cache_dir=_unwritable(tmp_path))
    assert again.images.max() == 7 and capsys.readouterr().err == ""  # found there, no warning


def test_with_no_writable_cache_it_works_without_one_and_says_so(
    jpeg_folder, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(_unwritable(tmp_path)))
    prepared = data.prepare_folder(jpeg_folder, cache_dir=_unwritable(tmp_path))
    assert len(prepared.images) == 12
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "working without a cache" in err


def test_an_unreadable_cache_file_is_rebuilt_with_a_warning(jpeg_folder, tmp_path, capsys):
    data.prepare_folder(jpeg_folder, cache_dir=tmp_path / "cache")
    [cached] = (tmp_path / "cache").glob("faces_*.npz")
    cached.write_bytes(b"not an npz")
    assert len(data.prepare_folder(jpeg_folder, cache_dir=tmp_path / "cache").images) == 12
    assert f"ignoring unreadable cache file {cached}" in capsys.readouterr().err
    assert len(data.prepare_folder(jpeg_folder, cache_dir=tmp_path / "cache").images) == 12


def test_an_installed_copy_caches_in_the_user_cache_not_inside_python(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data.default_cache_dir() == face_folders._COURSE_ROOT / "data" / "cache"  # this checkout
    monkeypatch.setattr(face_folders, "_COURSE_ROOT", tmp_path / "site-packages")
    assert data.default_cache_dir() == tmp_path / "xdg" / "gan-atelier"


# --- 8. model input is checked at the door ----------------------------------------------------


def test_to_model_input_refuses_floats_instead_of_rescaling_them_again():
    x = data.to_model_input(np.zeros((2, 56, 56), np.uint8))
    with pytest.raises(
        ValueError,
        match=r"expects uint8 pixels 0\.\.255, got float32 values from "
        r"-1 to -1: it looks like model input already",
    ):
        data.to_model_input(x[..., 0])
    with pytest.raises(ValueError, match="got float64 values from 0 to 255: convert it to uint8"):
        data.to_model_input(np.linspace(0, 255, 2 * 56 * 56).reshape(2, 56, 56))


def test_to_model_input_checks_integer_range_and_shape():
    ok = data.to_model_input(np.full((2, 56, 56), 255, np.int16))
    assert ok.dtype == np.float32 and ok.max() == 1.0
    with pytest.raises(ValueError, match="expects pixels 0..255, got int16 values from -3 to 300"):
        data.to_model_input(np.array([-3, 300] * (56 * 28), np.int16).reshape(1, 56, 56))
    with pytest.raises(
        ValueError, match=r"expected images of shape \(N, 56, 56\).*got shape \(56, 56, 3\)"
    ):
        data.to_model_input(np.zeros((56, 56, 3), np.uint8))  # one colour picture, not N faces
    with pytest.raises(ValueError, match=r"got shape \(4, 64, 64\)"):
        data.to_model_input(np.zeros((4, 64, 64), np.uint8))
    with pytest.raises(ValueError, match=r"drop the channel axis"):
        data.to_model_input(np.zeros((4, 56, 56, 1), np.uint8))
    with pytest.raises(ValueError, match="got bool"):
        data.to_model_input(np.zeros((4, 56, 56), bool))


def test_check_model_input_passes_what_to_model_input_makes():
    x = data.to_model_input(np.arange(256, dtype=np.uint8).repeat(13)[: 56 * 56].reshape(1, 56, 56))
    assert data.check_model_input(x) is x
    assert data.check_model_input(x * (1 + 1e-4)) is not None  # float rounding is tolerated


@pytest.mark.parametrize(
    "bad, message",
    [
        (
            np.full((2, 56, 56, 1), 255.0, np.float32),
            r"expected float32 in \[-1, 1\] of shape \(N, 56, 56, 1\), got values up to 255\.0: "
            r"did you forget to_model_input\?",
        ),
        (np.full((2, 56, 56, 1), -2.0, np.float32), r"got values down to -2\.0"),
        (np.zeros((2, 56, 56, 1), np.float64), r"got float64"),
        (np.zeros((2, 56, 56), np.uint8), r"got uint8: did you forget to_model_input\?"),
        (np.zeros((2, 56, 56), np.float32), r"got shape \(2, 56, 56\)"),
        (np.full((2, 56, 56, 1), np.nan, np.float32), r"NaN or infinite"),
    ],
)
def test_check_model_input_names_what_is_wrong(bad, message):
    with pytest.raises(ValueError, match=message):
        data.check_model_input(bad)


# --- 9. the download helper -------------------------------------------------------------------


def test_a_zip_bomb_is_refused_from_its_declared_sizes(served, jpeg_folder, tmp_path):
    root, url = served
    zeros = {"images/zeros.bin": bytes(2 << 20)}
    (root / "bomb.zip").write_bytes(zip_of(jpeg_folder, extra=zeros))
    assert (root / "bomb.zip").stat().st_size < 200_000  # 2 MiB of zeros compress to little
    with pytest.raises(
        ValueError,
        match=r"bomb\.zip: its members add up to 2\.\d MiB, more than "
        r"1\.0 MiB \(MAX_EXTRACT_BYTES.*nothing extracted",
    ):
        data.download_dataset(
            f"{url}/bomb.zip", tmp_path / "dl", max_extract_bytes=1 << 20, cache_dir=False
        )
    assert not (tmp_path / "dl" / "images").exists()
    assert not list((tmp_path / "dl").glob(".extract-*"))


def test_the_cap_is_also_checked_on_the_bytes_written(jpeg_folder, tmp_path, monkeypatch):
    archive = tmp_path / "lying.zip"
    archive.write_bytes(zip_of(jpeg_folder, extra={"images/zeros.bin": bytes(2 << 20)}))
    monkeypatch.setattr(download, "_declared_size", lambda sizes: 0)  # as if the sizes lied
    monkeypatch.setattr(download, "MAX_EXTRACT_BYTES", 1 << 20)
    with pytest.raises(ValueError, match=r"lying\.zip: extracting it writes more than 1\.0 MiB"):
        data.safe_extract(archive, tmp_path / "out")


def test_a_changed_archive_is_downloaded_and_extracted_afresh(
    served, jpeg_folder, tmp_path, capsys
):
    root, url = served
    old, new = zip_of(jpeg_folder, count=4), zip_of(jpeg_folder, count=7)
    (root / "faces.zip").write_bytes(old)
    first = data.download_dataset(
        f"{url}/faces.zip", tmp_path / "dl", sha256=hashlib.sha256(old).hexdigest(), cache_dir=False
    )
    assert len(first.images) == 4
    (root / "faces.zip").write_bytes(new)  # the dataset page now has another archive
    second = data.download_dataset(
        f"{url}/faces.zip", tmp_path / "dl", sha256=hashlib.sha256(new).hexdigest(), cache_dir=False
    )
    assert len(second.images) == 7
    assert "downloading it again" in capsys.readouterr().err
    marker = tmp_path / "dl" / "images" / data.EXTRACTED_FROM
    assert marker.read_text().strip() == hashlib.sha256(new).hexdigest()
    assert sorted(p.name for p in (tmp_path / "dl").iterdir()) == ["faces.zip", "images"]


def test_an_images_folder_extracted_by_an_older_version_is_replaced(served, jpeg_folder, tmp_path):
    root, url = served
    (root / "faces.zip").write_bytes(zip_of(jpeg_folder, count=6))
    stale = tmp_path / "dl" / "images"
    stale.mkdir(parents=True)
    (stale / "old.jpg").write_bytes((jpeg_folder / "10000_2008.jpg").read_bytes())
    prepared = data.download_dataset(f"{url}/faces.zip", tmp_path / "dl", cache_dir=False)
    assert len(prepared.images) == 6 and not (stale / "old.jpg").exists()


def test_a_url_of_a_folder_names_the_problem(served, jpeg_folder, tmp_path):
    root, url = served
    (root / "images").mkdir()  # the server answers /images with a page
    (root / "images" / "a.jpg").write_bytes((jpeg_folder / "10000_2008.jpg").read_bytes())
    with pytest.raises(ValueError) as error:
        data.download_dataset(f"{url}/images", tmp_path / "dl", cache_dir=False)
    message = str(error.value)
    assert f"{url}/images gave a web page, not a zip or tar archive" in message
    assert "must point at the archive file itself" in message and "\n" not in message
    assert not (tmp_path / "dl" / "images").exists()
    assert list((tmp_path / "dl").iterdir()) == []


def test_a_failed_download_is_one_line_naming_the_url(served, tmp_path):
    _, url = served
    with pytest.raises(ConnectionError, match=rf"{url}/missing\.zip: download failed \(.*\)"):
        data.download_dataset(f"{url}/missing.zip", tmp_path / "dl")
    assert list((tmp_path / "dl").iterdir()) == []
