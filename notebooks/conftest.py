"""nbval settings for the lessons: outputs that legitimately change between runs are not compared.

TensorFlow writes C++ log lines to stderr in some kernels and not others, and a GIF shown inline
changes with every training run (nbval compares image/gif, unlike png). See nbval's documentation
on ``skip_compare``.
"""


def pytest_collectstart(collector):
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr", "image/gif", "application/vnd.jupyter.widget-view+json")
