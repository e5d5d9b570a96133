"""The project's promises about itself: dependencies in step, the README's two commands, CI."""

import re
import tomllib

from conftest import REPO


def _names(requirements):
    return {re.split(r"[<>=!~\[ ]", r.strip(), maxsplit=1)[0].lower() for r in requirements}


def _environment_pip_deps():
    lines = (REPO / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    deps = []
    for line in lines[start + 1:]:
        match = re.match(r"\s+- (.+)", line)
        if not match:
            break
        deps.append(match.group(1))
    return deps


def test_environment_yml_and_pyproject_declare_the_same_dependencies():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["test"]
    env = _environment_pip_deps()
    assert _names(env) == _names(declared)
    # Same version bounds too, not just the same names.
    assert sorted(r.replace(" ", "") for r in env) == sorted(r.replace(" ", "") for r in declared)


def test_keras_3_and_tensorflow_are_required():
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    assert "keras>=3.0" in deps and any(d.startswith("tensorflow") for d in deps)


def test_readme_gives_two_commands_and_ci_runs_the_test_one():
    readme = (REPO / "README.md").read_text()
    assert "./course.sh train" in readme and "./course.sh test" in readme
    assert "./course.sh test" in (REPO / ".ci" / "run").read_text()


def test_no_notebook_or_module_uses_keras_2_idioms():
    offenders = []
    for path in list((REPO / "course_utils").glob("*.py")) + list((REPO / "notebooks").glob("*.ipynb")):
        text = path.read_text()
        for idiom in ("input_shape=", "tf.keras.", "get_scaled_loss", "alpha="):
            if idiom in text:
                offenders.append(f"{path.name}: {idiom}")
    assert offenders == []
