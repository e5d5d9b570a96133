"""The project's promises about itself: dependencies in step, the README's two commands, CI."""

import re

from conftest import REPO

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, as pip vendors it
    from pip._vendor import tomli as tomllib


def _environment_pip_deps():
    lines = (REPO / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    deps = []
    for line in lines[start + 1 :]:
        match = re.match(r"\s+- (.+)", line)
        if not match:
            break
        deps.append(match.group(1))
    return deps


def _pyproject():
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def test_environment_yml_pins_one_version_of_each_pyproject_dependency_inside_its_range():
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = _pyproject()["project"]
    ranges = {
        canonicalize_name(r.name): r
        for r in map(
            Requirement, project["dependencies"] + project["optional-dependencies"]["test"]
        )
    }
    pins = {canonicalize_name(r.name): r for r in map(Requirement, _environment_pip_deps())}
    assert sorted(pins) == sorted(ranges)  # the same packages, none forgotten
    for name, pin in pins.items():
        exact = [spec for spec in pin.specifier if spec.operator == "=="]
        assert len(exact) == 1 and len(pin.specifier) == 1, (
            f"{pin}: pin one version (==) for Binder"
        )
        version = exact[0].version
        assert ranges[name].specifier.contains(version, prereleases=True), (
            f"environment.yml pins {pin}, outside pyproject.toml's {ranges[name]}"
        )


def test_keras_3_and_tensorflow_are_required():
    deps = _pyproject()["project"]["dependencies"]
    assert "keras>=3.0" in deps and any(d.startswith("tensorflow") for d in deps)


def test_readme_gives_two_commands_and_ci_runs_the_test_one():
    readme = (REPO / "README.md").read_text()
    assert "./course.sh train" in readme and "./course.sh test" in readme
    assert "./course.sh test" in (REPO / ".ci" / "run").read_text()


def test_no_notebook_or_module_uses_keras_2_idioms():
    offenders = []
    for path in list((REPO / "course_utils").glob("*.py")) + list(
        (REPO / "notebooks").glob("*.ipynb")
    ):
        text = path.read_text()
        for idiom in ("input_shape=", "tf.keras.", "get_scaled_loss", "alpha="):
            if idiom in text:
                offenders.append(f"{path.name}: {idiom}")
    assert offenders == []


def test_opencv_is_4x_with_the_cascade_classifier_the_face_detector_needs():
    import cv2

    deps = _pyproject()["project"]["dependencies"]
    assert "opencv-python-headless>=4.8,<5" in deps  # OpenCV 5's main wheels dropped it
    assert hasattr(cv2, "CascadeClassifier"), f"OpenCV {cv2.__version__} has no CascadeClassifier"
    cascade = cv2.CascadeClassifier(
        str(REPO / "course_utils" / "assets" / "lbpcascade_animeface.xml")
    )
    assert not cascade.empty()


def test_license_is_an_spdx_string_with_the_license_file_and_third_party_notices():
    project = _pyproject()
    assert project["project"]["license"] == "MIT"
    assert project["project"]["license-files"] == ["LICENSE"]
    assert any(r.replace(" ", "") == "setuptools>=77" for r in project["build-system"]["requires"])
    text = (REPO / "LICENSE").read_text()
    assert text.startswith("MIT License") and "GAN Atelier contributors" in text
    assert "splcher/animefacedataset" in text and "educational" in text
    # Every file or folder in assets/ says where it comes from and under which licence.
    for entry in (REPO / "course_utils" / "assets").iterdir():
        assert entry.name in text, f"LICENSE does not mention course_utils/assets/{entry.name}"


def test_packages_are_discovered_so_every_asset_folder_is_installed():
    setuptools = _pyproject()["tool"]["setuptools"]
    assert "packages" in setuptools and "find" in setuptools["packages"]
    assert setuptools["packages"]["find"]["include"] == ["course_utils*"]
    assert "assets/**/*" in setuptools["package-data"]["course_utils"]


def test_version_release_tag_and_pip_spec_agree_with_pyproject():
    import course_utils

    version = _pyproject()["project"]["version"]
    assert course_utils.__version__ == version
    assert course_utils.RELEASE_TAG == f"v{version}"
    repository = course_utils.REPOSITORY
    assert _pyproject()["project"]["urls"]["Repository"] == f"https://github.com/{repository}"
    assert course_utils.pip_spec() == f"git+https://github.com/{repository}.git@v{version}"


def test_ruff_is_configured_and_a_dev_dependency():
    project = _pyproject()
    ruff = project["tool"]["ruff"]
    assert ruff["line-length"] == 100
    assert "notebooks/**" in ruff["format"]["exclude"]
    assert any(r.startswith("ruff") for r in project["project"]["optional-dependencies"]["dev"])
    hooks = (REPO / ".pre-commit-config.yaml").read_text()
    for hook in ("id: ruff-check", "id: ruff-format", "tests/test_notebook_outputs.py"):
        assert hook in hooks


def test_every_lesson_installs_this_release_and_opens_it_in_colab():
    """On Colab a lesson installs the package pinned to this release, from the one place that names
    the repository (course_utils.REPOSITORY), and its badge opens the same release's notebook."""
    import json

    import course_utils

    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        text = "".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"])
        assert re.findall(r'git\+https://github\.com/[^"\s]+', text) == [course_utils.pip_spec()], (
            path.name
        )
        badge = f"github/{course_utils.REPOSITORY}/blob/{course_utils.RELEASE_TAG}/notebooks/{path.name}"
        assert badge in text, path.name
