"""GAN Atelier's helper package: everything the notebooks use beyond the lesson's own code.

One module per lesson concern: ``faces`` (procedural anime faces), ``data`` (loading and shaping),
``models``, ``losses``, ``training`` (presets, train step, resumable loop), ``viz`` (grids, GIFs),
``metrics`` (offline image quality), ``widgets``, ``exercises`` (answer checks), ``slides`` and ``cli``.
Modules are imported on demand so that ``import course_utils`` stays cheap (no TensorFlow import).
"""

__version__ = "0.1.0"

#: Where the course lives on GitHub ("owner/name"). A fork publishing under another name changes
#: this line and the install line in the first cell of each lesson.
REPOSITORY = "gan-atelier/gan-atelier"
#: The git tag of this release: the lessons on Colab install exactly this version of the package.
RELEASE_TAG = f"v{__version__}"


def pip_spec(ref=RELEASE_TAG):
    """What ``pip install`` needs to get this release from GitHub, e.g. on Colab.

    >>> pip_spec()
    'git+https://github.com/gan-atelier/gan-atelier.git@v0.1.0'
    """
    return f"git+https://github.com/{REPOSITORY}.git@{ref}"
