"""Tests of the procedural face renderer (course_utils.faces).

Besides shapes and determinism, these check that the attributes are *visible*: an attribute the
renderer silently ignored would make the attribute-based quality metric meaningless.
"""

import cv2
import numpy as np
import pytest

from course_utils import faces
from course_utils.faces import (
    ATTRIBUTES,
    CATEGORIES,
    CONTINUOUS_RANGES,
    IMAGE_SIZE,
    draw_faces,
    render_faces,
    sample_face_params,
)


def upright(n=16, seed=5):
    """Parameters of n faces, centred and untilted, so that regions of the image are predictable."""
    p = sample_face_params(n, seed)
    p["tilt_degrees"][:] = 0
    p["offset_x"][:] = 0
    p["offset_y"][:] = 0
    return p


def with_value(p, name, value):
    q = {k: v.copy() for k, v in p.items()}
    q[name][:] = value
    return q


# --- shape, type, range ---------------------------------------------------------------------------


def test_shape_dtype_and_value_range():
    images, attrs = render_faces(24, seed=0)
    assert IMAGE_SIZE == 56
    assert images.shape == (24, 56, 56)
    assert images.dtype == np.uint8
    # Outlines and pupils are near black, highlights near white (softened by SOFTEN_SIGMA, so not
    # quite 255): the full grey range is used.
    assert images.min() < 30
    assert images.max() > 230
    assert 60 < images.mean() < 200


@pytest.mark.parametrize("size", [28, 64])
def test_other_sizes_scale_the_drawing(size):
    images, _ = render_faces(4, seed=1, size=size)
    assert images.shape == (4, size, size)
    # Same faces, another resolution: shrunk to 28 pixels, both versions look alike.
    small = np.stack([cv2.resize(im, (28, 28), interpolation=cv2.INTER_AREA) for im in images])
    ref = np.stack(
        [
            cv2.resize(im, (28, 28), interpolation=cv2.INTER_AREA)
            for im in render_faces(4, seed=1)[0]
        ]
    )
    assert np.abs(small.astype(int) - ref).mean() < 6


def test_empty_and_invalid_requests():
    images, attrs = render_faces(0)
    assert images.shape == (0, 56, 56)
    assert all(len(v) == 0 for v in attrs.values())
    with pytest.raises(ValueError):
        render_faces(-1)


# --- determinism ------------------------------------------------------------------------------------


def test_same_seed_same_faces():
    a, attrs_a = render_faces(20, seed=7)
    b, attrs_b = render_faces(20, seed=7)
    np.testing.assert_array_equal(a, b)
    for name in ATTRIBUTES:
        np.testing.assert_array_equal(attrs_a[name], attrs_b[name])


@pytest.mark.parametrize("k", [1, 13, 40])
def test_prefix_stable(k):
    full, attrs_full = render_faces(40, seed=3)
    part, attrs_part = render_faces(k, seed=3)
    np.testing.assert_array_equal(part, full[:k])
    for name in ATTRIBUTES:
        np.testing.assert_array_equal(attrs_part[name], attrs_full[name][:k])


def test_different_seeds_give_different_faces():
    a, _ = render_faces(8, seed=0)
    b, _ = render_faces(8, seed=1)
    assert np.abs(a.astype(int) - b).mean() > 15


def test_helper_process_draws_the_same_pixels():
    # Large batches are shared with a helper process; the pixels must not depend on that.
    p = sample_face_params(40, seed=11)
    np.testing.assert_array_equal(faces._draw_split(p, 56), faces._draw_here(p, 56))


def test_helper_process_really_draws_its_share(monkeypatch):
    # Only the first 55 % are drawn in this process: the rest arrive from the helper's pipe.
    p = sample_face_params(40, seed=11)
    expected = faces._draw_here(p, 56)
    drawn_here = []
    draw_here = faces._draw_here

    def counting(params, size, out=None):
        drawn_here.append(len(params["face_width"]))
        return draw_here(params, size, out=out)

    monkeypatch.setattr(faces, "_draw_here", counting)
    np.testing.assert_array_equal(faces._draw_split(p, 56), expected)
    assert drawn_here == [22]


def test_a_helper_that_fails_is_replaced_by_drawing_here(monkeypatch):
    # A helper that exits at once with nothing written: its 18 faces are drawn here, the same ones.
    p = sample_face_params(40, seed=11)
    expected = faces._draw_here(p, 56)
    monkeypatch.setattr(faces.sys, "executable", "false")
    np.testing.assert_array_equal(faces._draw_split(p, 56), expected)


# --- attributes -------------------------------------------------------------------------------------


def test_attribute_names_are_documented_and_typed():
    assert set(CONTINUOUS_RANGES) | set(CATEGORIES) == set(ATTRIBUTES)
    assert not set(CONTINUOUS_RANGES) & set(CATEGORIES)
    for name in (
        "hair_shade",
        "skin_shade",
        "background_shade",
        "eye_size",
        "eye_spacing",
        "face_width",
        "tilt_degrees",
        "offset_x",
        "offset_y",
        "mouth_width",
        "blush",
        "hair_style",
    ):
        assert name in ATTRIBUTES
    assert all(isinstance(text, str) and len(text) > 10 for text in ATTRIBUTES.values())


def test_attributes_have_length_n_and_stay_in_range():
    n = 600
    _, attrs = render_faces(n, seed=2)
    assert set(attrs) == set(ATTRIBUTES)
    for name, (lo, hi) in CONTINUOUS_RANGES.items():
        values = attrs[name]
        assert values.shape == (n,) and values.dtype == np.float32, name
        assert lo <= values.min() and values.max() <= hi, name
        assert values.std() > 0.1 * (hi - lo), f"{name} barely varies"
    for name, count in CATEGORIES.items():
        values = attrs[name]
        assert values.shape == (n,) and np.issubdtype(values.dtype, np.integer), name
        # Every value occurs, and none is rare: the generator has real modes to cover.
        counts = np.bincount(values, minlength=count)
        assert len(counts) == count, name
        assert counts.min() > 0.15 * n, (name, counts)


def test_reported_attributes_are_the_drawn_ones():
    images, attrs = render_faces(10, seed=4)
    p = sample_face_params(10, seed=4)
    for name in ATTRIBUTES:
        np.testing.assert_array_equal(attrs[name], p[name])
    np.testing.assert_array_equal(draw_faces(p), images)


# --- attributes act on the picture ------------------------------------------------------------------


def test_hair_shade_changes_the_hair():
    p = upright()
    dark = draw_faces(with_value(p, "hair_shade", 0.0)).astype(float)
    light = draw_faces(with_value(p, "hair_shade", 1.0)).astype(float)
    top_of_head = (slice(5, 12), slice(20, 36))  # the hair dome above the forehead
    gain = light[(slice(None),) + top_of_head].mean(axis=(1, 2)) - dark[
        (slice(None),) + top_of_head
    ].mean(axis=(1, 2))
    assert (gain > 60).all(), gain


def test_blush_darkens_the_cheeks_and_nothing_else():
    p = upright()
    plain = draw_faces(with_value(p, "blush", 0)).astype(float)
    blushing = draw_faces(with_value(p, "blush", 1)).astype(float)
    change = plain - blushing  # positive where blushing is darker
    cheeks = change[:, 30:42, 8:48]
    assert (cheeks.mean(axis=(1, 2)) > 1.0).all()
    assert (cheeks.max(axis=(1, 2)) > 25).all()
    # Above the eyes and below the mouth nothing changes.
    assert np.abs(change[:, :22]).max() == 0
    assert np.abs(change[:, 46:]).max() == 0


def test_tilt_rotates_the_face():
    p = upright(8)
    straight = draw_faces(p).astype(np.float32)
    tilted = draw_faces(with_value(p, "tilt_degrees", 10.0)).astype(np.float32)
    centre = (IMAGE_SIZE / 2, IMAGE_SIZE / 2 - 1.0)  # where the face frame's origin sits
    for i in range(len(straight)):
        # Rotating the straight face clockwise by 10 degrees (OpenCV's angle is anticlockwise)
        # should land close to the tilted face; rotating it the other way should not.
        def rotated(angle):
            m = cv2.getRotationMatrix2D(centre, angle, 1.0)
            return cv2.warpAffine(
                straight[i], m, (IMAGE_SIZE, IMAGE_SIZE), borderMode=cv2.BORDER_REPLICATE
            )

        inner = (slice(12, 44), slice(12, 44))  # away from borders the rotation has to invent
        err_right = np.abs(rotated(-10.0) - tilted[i])[inner].mean()
        err_wrong = np.abs(rotated(10.0) - tilted[i])[inner].mean()
        err_none = np.abs(straight[i] - tilted[i])[inner].mean()
        assert err_right < 0.6 * err_none and err_right < 0.6 * err_wrong, (
            i,
            err_right,
            err_none,
            err_wrong,
        )


def test_long_hair_reaches_down_beside_the_neck():
    p = with_value(
        with_value(upright(), "hair_shade", 0.0), "background_shade", 1.0
    )  # dark hair, light back
    bob = draw_faces(with_value(p, "hair_style", 0)).astype(float)
    long = draw_faces(with_value(p, "hair_style", 1)).astype(float)

    def lower_sides(images):  # beside the neck, below the jaw
        return np.concatenate([images[:, 44:50, 9:14], images[:, 44:50, 42:47]], axis=2).mean(
            axis=(1, 2)
        )

    assert (lower_sides(bob) - lower_sides(long) > 80).all(), (lower_sides(bob), lower_sides(long))


def test_bigger_eyes_cover_more_pixels():
    p = with_value(
        with_value(upright(), "iris_shade", 0.0), "hair_shade", 1.0
    )  # dark eyes, light hair
    p["eye_spacing"][:] = 15.0  # keep the eyes inside the face whatever their size

    def eye_pixels(size):
        images = draw_faces(with_value(p, "eye_size", size))
        band = images[:, 18:36, 8:48]
        return ((band < 90) | (band > 245)).sum(axis=(1, 2))  # iris, pupil, lashes, whites

    small, big = eye_pixels(7.5), eye_pixels(10.5)
    assert (big - small > 25).all(), (small, big)


# Mouths are thin lines a few pixels wide; after softening, a smile and a cat mouth differ by
# softer grey (over 8 levels) in fewer pixels than eyes or hair do (over 30), and the softening
# spreads them a row or two further.
@pytest.mark.parametrize(
    "name, rows, pixels, level",
    [
        ("eye_style", slice(14, 38), 20, 30),
        ("mouth_style", slice(34, 48), 2, 8),
        ("hair_style", slice(0, 56), 60, 30),
    ],
)
def test_each_category_looks_different(name, rows, pixels, level):
    # Changing only this attribute clearly changes at least `pixels` pixels where it should act.
    p = with_value(with_value(upright(8), "hair_shade", 0.1), "background_shade", 0.9)
    images = [
        draw_faces(with_value(p, name, value)).astype(int) for value in range(CATEGORIES[name])
    ]
    for a in range(len(images)):
        for b in range(a + 1, len(images)):
            changed = np.abs(images[a] - images[b]) > level
            assert (changed[:, rows].sum(axis=(1, 2)) >= pixels).all(), (name, a, b)
            if name != "hair_style":  # eyes and mouths stay where they are
                outside = changed.copy()
                outside[:, rows] = False
                assert not outside.any(), (name, a, b)


def test_faces_are_not_all_alike():
    images, _ = render_faces(64, seed=0)
    face_region = images[:, 14:46, 14:42].astype(float)
    assert face_region.std(axis=0).mean() > 25
    # and no two faces are the same
    flat = images.reshape(64, -1).astype(float)
    distances = np.abs(flat[:, None] - flat[None]).mean(axis=2)
    assert distances[~np.eye(64, dtype=bool)].min() > 5
