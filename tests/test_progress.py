"""The progress line: where training is, how fast, how long is left; one line per epoch, no \\b."""

import io

from course_utils.progress import Progress


def test_progress_redraws_one_line_with_an_eta_and_ends_each_epoch_with_its_averages():
    out = io.StringIO()
    progress = Progress(
        start=0, epochs=2, steps_per_epoch=4, batch_size=32, stream=out, every_seconds=0
    )
    for _ in range(4):
        progress.step(1)
    progress.end_epoch(
        1,
        {
            "seconds": 3.0,
            "gen_loss": 2.5,
            "disc_loss": 0.75,
            "d_real": 0.8,
            "d_fake": 0.125,
            "afd": 0.5,
        },
    )
    progress.step(2)
    progress.close()
    text = out.getvalue()
    assert "\b" not in text  # notebooks and slides show \b as boxes
    # The first step also traces the train step: no pace or ETA from it, only where training is.
    assert text.split("\r")[1] == "epoch 1/2 [=====...............] step 1/4"
    assert "step 4/4" in text and "ETA " in text and "faces/s" in text
    lines = text.split("\n")
    assert (
        lines[0]
        .rsplit("\r", 1)[-1]
        .startswith(
            "epoch 1/2 · 3 s · gen_loss 2.500 · disc_loss 0.750 · D(x) 0.80 · D(G(z)) 0.12 · AFD 0.50"
        )
    )
    assert text.endswith("\n") and len(lines) == 3  # one line per epoch, then the newline


def test_progress_can_be_silent():
    out = io.StringIO()
    progress = Progress(0, 1, 2, 8, enabled=False, stream=out)
    progress.step(1)
    progress.end_epoch(
        1, {"seconds": 1, "gen_loss": 1, "disc_loss": 1, "d_real": 0.5, "d_fake": 0.5}
    )
    progress.close()
    assert out.getvalue() == ""
