"""GAN Atelier's helper package: everything the notebooks use beyond the lesson's own code.

One module per lesson concern: ``faces`` (procedural anime faces), ``data`` (loading and shaping),
``models``, ``losses``, ``training`` (presets, train step, resumable loop), ``viz`` (grids, GIFs),
``metrics`` (offline image quality), ``widgets``, ``exercises`` (answer checks), ``slides`` and ``cli``.
Modules are imported on demand so that ``import course_utils`` stays cheap (no TensorFlow import).
"""

__version__ = "0.1.0"
