"""The data module: shaping as taught, the folder-of-JPEGs path, bad files, the download helper."""

import io
import tarfile

import cv2
import numpy as np
import pytest
from conftest import zip_of

from course_utils import data


def test_to_model_input_shapes_and_maps_0_and_255_to_minus_one_and_one():
    images = np.array([[[0, 255], [128, 64]]], dtype=np.uint8).repeat(3, axis=0)
    x = data.to_model_input(images, size=None)  # size=None: any (N, H, W), here 2×2
    assert x.shape == (3, 2, 2, 1) and x.dtype == np.float32
    assert x[0, 0, 0, 0] == -1.0 and x[0, 0, 1, 0] == 1.0
    assert x[0, 1, 0, 0] == pytest.approx((128 - 127.5) / 127.5)
    assert x[0, 1, 1, 0] == pytest.approx(-63.5 / 127.5)


def test_to_pixels_inverts_to_model_input_for_every_grey_level():
    levels = np.arange(256, dtype=np.uint8).reshape(1, 16, 16)
    assert np.array_equal(data.to_pixels(data.to_model_input(levels, size=None)), levels)
    # Values outside tanh's range are clipped, not wrapped around.
    assert data.to_pixels(np.array([-3.0, 3.0])).tolist() == [0, 255]


def test_to_model_input_rejects_images_with_a_channel_axis():
    with pytest.raises(ValueError, match="expected images of shape"):
        data.to_model_input(np.zeros((2, 56, 56, 1), np.uint8))


def test_prepare_folder_reads_colour_jpegs_of_any_size_as_56px_grayscale(jpeg_folder, tmp_path):
    prepared = data.prepare_folder(jpeg_folder, cache_dir=tmp_path / "cache")
    assert prepared.images.shape == (12, 56, 56) and prepared.images.dtype == np.uint8
    assert prepared.skipped == []
    # The white disc stays white in the centre; the corners keep the (grey-converted) background.
    assert prepared.images[:, 28, 28].min() > 245
    first = cv2.imread(str(sorted(jpeg_folder.glob("*.jpg"))[0]))
    expected_corner = cv2.cvtColor(first, cv2.COLOR_BGR2GRAY)[2, 2]
    assert abs(int(prepared.images[0, 0, 0]) - int(expected_corner)) <= 3


def test_prepare_folder_respects_limit_and_uses_sorted_order(jpeg_folder, tmp_path):
    prepared = data.prepare_folder(jpeg_folder, limit=5, cache_dir=False)
    assert len(prepared.images) == 5
    assert [p.rsplit("/", 1)[-1] for p in prepared.files] == [
        f"{10000 + i}_2008.jpg" for i in range(5)
    ]


def test_bad_files_are_skipped_and_reported_by_name(jpeg_folder):
    good = (jpeg_folder / "10000_2008.jpg").read_bytes()
    (jpeg_folder / "zero.jpg").write_bytes(b"")
    (jpeg_folder / "truncated.jpg").write_bytes(good[: len(good) // 2])
    (jpeg_folder / "text.jpg").write_text("not a picture at all")
    (jpeg_folder / "notes.txt").write_text("hello")
    prepared = data.prepare_folder(jpeg_folder, cache_dir=False)
    assert len(prepared.images) == 12
    reasons = {path.rsplit("/", 1)[-1]: reason for path, reason in prepared.skipped}
    assert set(reasons) == {"zero.jpg", "truncated.jpg", "text.jpg", "notes.txt"}
    assert "empty" in reasons["zero.jpg"]
    assert "truncated" in reasons["truncated.jpg"]
    assert "not a JPEG" in reasons["text.jpg"]
    assert "not an image file" in reasons["notes.txt"]
    assert "truncated.jpg" in prepared.report()


def test_missing_and_empty_folders_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        data.prepare_folder(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="empty.*contains no image files"):
        data.prepare_folder(tmp_path / "empty")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "a.jpg").write_bytes(b"")
    with pytest.raises(ValueError, match="no readable images"):
        data.prepare_folder(tmp_path / "broken", cache_dir=False)


def test_prepared_arrays_are_cached_and_reused(jpeg_folder, tmp_path):
    cache = tmp_path / "cache"
    first = data.prepare_folder(jpeg_folder, cache_dir=cache)
    files = list(cache.glob("faces_*.npz"))
    assert len(files) == 1
    # Poison the cache file's content: a second call must read it rather than decode the JPEGs.
    poisoned = first.images.copy()
    poisoned[0] = 7
    np.savez(files[0], images=poisoned, files=np.array(first.files), skipped=np.zeros((0, 2), str))
    again = data.prepare_folder(jpeg_folder, cache_dir=cache)
    assert again.images[0].max() == 7
    # A new file changes the key: the cache is not used for a different folder content.
    cv2.imwrite(str(jpeg_folder / "20000_2010.jpg"), np.full((100, 100, 3), 90, np.uint8))
    assert len(data.prepare_folder(jpeg_folder, cache_dir=cache).images) == 13


def test_area_interpolation_averages_where_nearest_aliases():
    """Why INTER_AREA: a 1-px checkerboard shrunk 2× should become flat mid-grey."""
    board = (np.indices((112, 112)).sum(axis=0) % 2 * 255).astype(np.uint8)
    area = cv2.resize(board, (56, 56), interpolation=data.RESIZE_INTERPOLATION)
    nearest = cv2.resize(board, (56, 56), interpolation=cv2.INTER_NEAREST)
    assert np.all(np.abs(area.astype(int) - 128) <= 1)
    assert set(np.unique(nearest)) <= {0, 255}


def test_make_dataset_batches_of_exactly_batch_size_and_seeded_shuffle():
    x = np.arange(1000, dtype=np.float32).reshape(1000, 1, 1, 1)
    batches = [b.numpy() for b in data.make_dataset(x, batch_size=256, seed=3)]
    assert [len(b) for b in batches] == [256, 256, 256]  # the last 232 are dropped
    seen = np.concatenate(batches).ravel()
    assert len(set(seen)) == 768 and not np.array_equal(seen, np.sort(seen))
    again = np.concatenate([b.numpy() for b in data.make_dataset(x, 256, seed=3)]).ravel()
    assert np.array_equal(seen, again)


def test_make_dataset_reads_the_array_itself_and_lets_it_go_with_the_dataset():
    # No copy: the batches come from the caller's array (a change shows in the next batches)...
    import gc
    import weakref

    x = np.zeros((64, 1, 1, 1), np.float32)
    dataset = data.make_dataset(x, batch_size=32, seed=0)
    assert dataset.faces is x
    x[:] = 7.0
    assert all(float(b.numpy().min()) == 7.0 for b in dataset)
    # ... and no leak: TensorFlow keeps the picking function for good, but not the array.
    gone = weakref.ref(x)
    batches = list(dataset.take(1))  # an iterator and a derived dataset, then all dropped
    del x, dataset, batches
    gc.collect()
    assert gone() is None


def test_make_dataset_over_a_temporary_array_keeps_it_while_read():
    import gc

    iterator = iter(data.make_dataset(np.ones((512, 1, 1, 1), np.float32), batch_size=256))
    gc.collect()
    assert [next(iterator).shape[0] for _ in range(2)] == [256, 256]


def test_the_batch_scaler_gives_exactly_what_to_model_input_gives():
    # Every grey level, scaled batch by batch in the pipeline and all at once with NumPy.
    faces = np.arange(256, dtype=np.uint8).reshape(4, 8, 8)
    dataset = data.make_dataset(faces, batch_size=2, seed=0)
    pairs = list(dataset.map(lambda batch: (batch, data.pixels_to_model_input(batch))))
    pixels = np.concatenate([p.numpy() for p, _ in pairs])
    scaled = np.concatenate([s.numpy() for _, s in pairs])
    assert sorted(pixels[:, 0, 0].tolist()) == [0, 64, 128, 192]  # all four faces, once each
    assert scaled.shape == (4, 8, 8, 1) and scaled.dtype == np.float32
    assert np.array_equal(scaled, data.to_model_input(pixels, size=None))


def test_load_faces_procedural_is_prefix_stable_uint8():
    small = data.load_faces("procedural", limit=10)
    large = data.load_faces("procedural", limit=50)
    assert small.shape == (10, 56, 56) and small.dtype == np.uint8
    assert np.array_equal(large[:10], small)
    with pytest.raises(ValueError):
        data.load_faces("procedural", limit=0)


# --- the download helper, against a server on 127.0.0.1 -------------------------------------


def test_download_verifies_checksum_extracts_and_prepares(served, jpeg_folder, tmp_path):
    root, url = served
    archive = zip_of(jpeg_folder)
    (root / "faces.zip").write_bytes(archive)
    import hashlib

    digest = hashlib.sha256(archive).hexdigest()
    prepared = data.download_dataset(
        f"{url}/faces.zip", tmp_path / "dl", sha256=digest, cache_dir=False
    )
    assert prepared.images.shape == (12, 56, 56)


def test_download_with_wrong_checksum_is_refused_and_deleted(served, jpeg_folder, tmp_path):
    root, url = served
    (root / "faces.zip").write_bytes(zip_of(jpeg_folder))
    with pytest.raises(ValueError, match="SHA-256 mismatch"):
        data.download_dataset(f"{url}/faces.zip", tmp_path / "dl", sha256="0" * 64)
    assert not (tmp_path / "dl" / "faces.zip").exists()
    assert not (tmp_path / "dl" / "images").exists()


def test_archive_with_path_traversal_writes_nothing_outside(served, jpeg_folder, tmp_path):
    root, url = served
    (root / "evil.zip").write_bytes(zip_of(jpeg_folder, extra={"../../escaped.txt": "gotcha"}))
    with pytest.raises(ValueError, match="unsafe member"):
        data.download_dataset(f"{url}/evil.zip", tmp_path / "dl")
    assert not list(tmp_path.rglob("escaped.txt"))
    assert not (tmp_path / "dl" / "images").exists()


def test_tar_with_a_link_out_of_the_target_is_refused(tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf_:
        link = tarfile.TarInfo("images/passwd")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tf_.addfile(link)
    archive = tmp_path / "links.tar.gz"
    archive.write_bytes(buffer.getvalue())
    with pytest.raises(ValueError, match="unsafe member 'images/passwd'"):
        data.safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "out" / "images" / "passwd").exists()
