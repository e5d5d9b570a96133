"""The GAN doctor: a healthy run gets no finding, each broken one its keyword (course_utils.doctor).

Most tests write run folders by hand (config.json, history.csv, frames of chosen paintings), so each
check is held on exactly the evidence it reads; one test reads a real ``ci`` run.
"""

import json
import math
from dataclasses import asdict

import numpy as np
import pytest
from conftest import run_course, train_ci_run

from course_utils import doctor, language
from course_utils.cli import main
from course_utils.faces import render_faces
from course_utils.presets import PRESETS
from course_utils.run_folder import RunFolder
from course_utils.viz import frame_image, write_png

CLASSROOM = PRESETS["classroom"]  # 200 steps an epoch: paintings are judged from epoch 3


def real_paintings(seed=3):
    return render_faces(9, seed=seed)[0]


# A healthy classroom run's scores at epochs 2, 4, …, 10: near the middle of the normal band's five
# seeds (course_utils/assets/normal_band.json), then improving slowly.
HEALTHY_AFD = {2: 0.21, 4: 0.62, 6: 0.74, 8: 0.83, 10: 0.88}
HEALTHY_FD = {2: 11.2, 4: 3.9, 6: 3.4, 8: 3.2, 10: 2.8}


def healthy_rows(epochs=10):
    """Rows like a healthy classroom run's: the critic ahead but not sure, the scores improving."""
    rows = []
    for e in range(1, epochs + 1):
        row = {"epoch": e, "gen_loss": 3.9, "disc_loss": 0.43, "seconds": 12.0}
        row.update({"d_real": 0.86, "d_fake": 0.04})
        if e % 2 == 0:
            afd = HEALTHY_AFD.get(e, min(0.9, 0.88 + 0.002 * (e - 10)))
            fd = HEALTHY_FD.get(e, 2.8 * 0.98 ** (e - 10))
            row.update({"afd": afd, "fd": fd, "kid": 0.2})
        rows.append(row)
    return rows


def band_file(runs=None):
    """A band made of three seeds that ran like ``healthy_rows`` (a little apart)."""
    rows = healthy_rows()
    curve = {k: [r.get(k) for r in rows] for k in doctor.BAND_CURVES}
    up = {k: [None if v is None else v * 1.02 for v in vs] for k, vs in curve.items()}
    down = {k: [None if v is None else v * 0.98 for v in vs] for k, vs in curve.items()}
    return {
        "real_faces": doctor.REAL_FACES,
        "bands": [
            {
                "preset": asdict(CLASSROOM),
                "data": "procedural",
                "runs": runs or {"0": curve, "1": up, "2": down},
            }
        ],
    }


def make_run(path, rows, paintings=None, frames=None, config=None):
    """A run folder written as training writes one; ``paintings(epoch)`` gives each frame's 9."""
    run = RunFolder(path)
    path.mkdir(parents=True, exist_ok=True)
    run.write_config(
        {"preset": asdict(CLASSROOM), "data": "procedural", "seed": 0, **(config or {})}
    )
    if rows:
        run.write_history(rows)
    paintings = paintings or (lambda epoch: real_paintings())
    for epoch in frames if frames is not None else [r["epoch"] for r in rows]:
        write_png(run.frame_path(epoch), frame_image(paintings(epoch), epoch))
    return path


def keywords(path, band=None):
    return [
        f.keyword for f in doctor.diagnose(path, band_file=band_file() if band is None else band)
    ]


# --- Reading the frames --------------------------------------------------------------------------


def test_the_paintings_are_read_back_from_a_frame_exactly():
    faces = real_paintings()
    assert np.array_equal(doctor.paintings_of_frame(frame_image(faces, 7)), faces)


def test_real_faces_measure_as_the_band_file_says():
    """The real-face numbers every picture check compares with: dark pixels, spread, no peak."""
    measured = doctor.picture_measures(real_paintings())
    real = doctor.real_faces()
    assert 0.25 < measured["dark_share"] < 0.6 and 0.25 < real["dark_share"] < 0.6
    assert measured["spread"] == pytest.approx(real["spread"], rel=0.3)
    assert measured["checker2"] < 1.5 * real["checker2"]
    assert measured["checker4"] < 1.5 * real["checker4"]


# --- One healthy run, one run per keyword --------------------------------------------------------


def test_a_healthy_run_gets_no_finding_and_one_line_saying_why(tmp_path):
    path = make_run(tmp_path / "run", healthy_rows())
    found = doctor.diagnose(path, band_file=band_file())
    assert found == []
    text = doctor.report(found)
    assert text.startswith("healthy: 10 epochs") and "\n" not in text
    assert "inside the normal band of preset classroom (3 seeds)" in text


def test_faces_in_0_1_are_named_data_range(tmp_path):
    upper_half = lambda epoch: real_paintings() // 2 + 128  # noqa: E731  tanh used on [0, 1] only
    path = make_run(tmp_path / "run", healthy_rows(), upper_half)
    [finding] = doctor.diagnose(path, band_file=band_file())
    assert finding.keyword == "data-range"
    assert "0.0% of the paintings' pixels are darker" in finding.saw
    assert "lesson 1" in finding.lesson


def test_a_recorded_input_range_of_0_1_is_named_data_range(tmp_path):
    path = make_run(tmp_path / "run", healthy_rows(), config={"input_range": [0.0, 1.0]})
    assert keywords(path) == ["data-range"]
    assert "[0.00, 1.00]" in doctor.report(doctor.diagnose(path, band_file=band_file()))


def test_a_critic_sure_for_several_epochs_is_named_critic_wins_with_its_checkpoint(tmp_path):
    rows = healthy_rows()
    for row in rows[3:]:  # epochs 4-10: D(G(z)) near 0, the artist's loss climbing
        row.update(d_fake=0.002, gen_loss=5.0 + 0.3 * row["epoch"])
    path = make_run(tmp_path / "run", rows, frames=[1, 2, 3])
    for n in (2, 3):  # checkpoints kept from before the critic won
        (path / "checkpoints").mkdir(exist_ok=True)
        (path / "checkpoints" / f"ckpt-{n}.index").write_bytes(b"")
        (path / "checkpoints" / f"ckpt-{n}.data-00000-of-00001").write_bytes(b"")
    found = doctor.diagnose(path, band_file={})
    assert [f.keyword for f in found] == ["critic-wins"]
    assert "epochs 4-6" in found[0].saw and "loss is 6.20 to 6.80" in found[0].saw
    assert "last checkpoint from before that is epoch 3" in found[0].todo


def test_a_critic_that_is_only_ahead_is_not_critic_wins(tmp_path):
    rows = healthy_rows()
    for row in rows:
        row["d_fake"] = 2 * doctor.CRITIC_WINS_D_FAKE
    assert keywords(make_run(tmp_path / "run", rows), band={}) == []


def test_near_duplicate_paintings_are_named_collapse(tmp_path):
    rng = np.random.default_rng(0)
    one_face = lambda epoch: np.clip(  # noqa: E731
        real_paintings()[[0] * 9] + rng.integers(-3, 4, (9, 56, 56)), 0, 255
    ).astype(np.uint8)
    path = make_run(tmp_path / "run", healthy_rows(), one_face)
    [finding] = doctor.diagnose(path, band_file=band_file())
    assert finding.keyword == "collapse" and "epoch 10" in finding.saw


def test_a_recorded_low_mode_coverage_is_named_collapse(tmp_path):
    rows = healthy_rows()
    rows[-1]["mode_coverage"] = 0.25
    assert keywords(make_run(tmp_path / "run", rows)) == ["collapse"]


def test_a_period_2_pattern_is_named_checkerboard(tmp_path):
    checker = (np.indices((56, 56)).sum(axis=0) % 2) * 60 - 30
    board = lambda epoch: np.clip(real_paintings().astype(int) + checker, 0, 255).astype(np.uint8)  # noqa: E731
    path = make_run(tmp_path / "run", healthy_rows(), board)
    [finding] = doctor.diagnose(path, band_file=band_file())
    assert finding.keyword == "checkerboard" and "period of 2 pixels" in finding.saw
    assert finding.saw.startswith("from epoch 8 to 10")
    assert "4×4" in finding.todo


def test_exploding_losses_are_named_diverged_with_a_lower_learning_rate(tmp_path):
    rows = healthy_rows(6)
    rows[-1].update(gen_loss=doctor.DIVERGED_LOSS * 2, d_fake=0.3)
    found = doctor.diagnose(make_run(tmp_path / "run", rows), band_file={})
    assert [f.keyword for f in found] == ["diverged"]
    assert "epoch 6" in found[0].saw and "0.0003 is too high" in found[0].todo
    assert "3e-05" in found[0].todo


def test_scores_that_stopped_improving_are_named_stalled(tmp_path):
    rows = healthy_rows(16)
    for row in rows:
        if "fd" in row and row["epoch"] > 2:
            row.update(fd=rows[1]["fd"] * 1.01, afd=rows[1]["afd"])
    found = doctor.diagnose(make_run(tmp_path / "run", rows), band_file={})
    assert [f.keyword for f in found] == ["stalled"]
    assert "best at epoch 2" in found[0].saw and "14 more epochs" in found[0].saw


def test_scores_still_improving_are_not_stalled(tmp_path):
    assert keywords(make_run(tmp_path / "run", healthy_rows(16)), band={}) == []


def test_a_run_outside_the_normal_band_is_named_outside_normal(tmp_path):
    rows = healthy_rows()
    for row in rows[4:]:
        row["disc_loss"] = 1.2
    found = doctor.diagnose(make_run(tmp_path / "run", rows), band_file=band_file())
    assert [f.keyword for f in found] == ["outside-normal"]
    assert found[0].saw.startswith(
        "the discriminator loss left the normal band of preset classroom at 6"
    )
    assert "lesson 7, «The normal band»" in found[0].line()


def test_the_band_applies_only_to_its_own_recipe(tmp_path):
    rows = healthy_rows()
    for row in rows[4:]:
        row["disc_loss"] = 1.2
    path = make_run(tmp_path / "run", rows, config={"data": "data/raw/anime/images"})
    assert keywords(path) == []
    assert "no normal band" in doctor.report(doctor.diagnose(path, band_file=band_file()))


def test_a_band_of_two_seeds_is_not_used(tmp_path):
    rows = healthy_rows()
    for row in rows[4:]:
        row["disc_loss"] = 1.2
    two = band_file()
    two["bands"][0]["runs"].pop("2")
    assert keywords(make_run(tmp_path / "run", rows), band=two) == []


def test_the_report_names_the_cause_not_its_symptoms(tmp_path):
    """A diverged run also leaves the band and paints a checkerboard of noise: one line, the cause."""
    rows = healthy_rows()
    for row in rows[4:]:
        row.update(disc_loss=4.0, gen_loss=9.0)
    checker = (np.indices((56, 56)).sum(axis=0) % 2) * 60 - 30
    board = lambda epoch: np.clip(real_paintings().astype(int) + checker, 0, 255).astype(np.uint8)  # noqa: E731
    path = make_run(tmp_path / "run", rows, board)
    assert keywords(path) == ["diverged"]
    assert set(keywords(path, band=band_file())) == {"diverged"}


def test_the_shipped_band_holds_the_classroom_preset_over_several_seeds():
    shipped = doctor.load_band_file()
    [entry] = [b for b in shipped["bands"] if b["preset"]["name"] == "classroom"]
    assert len(entry["runs"]) >= 3 and entry["data"] == "procedural"
    now = json.loads(json.dumps(asdict(CLASSROOM)))  # tuples as JSON keeps them: lists
    assert {
        k: v for k, v in entry["preset"].items() if k != "description" and now.get(k) != v
    } == {}
    curves = doctor._band_curves(list(entry["runs"].values()))
    low, high = curves["disc_loss"][CLASSROOM.epochs - 1]
    assert 0 < low < high < 2


def test_early_paintings_are_not_judged(tmp_path):
    """Before PICTURE_MIN_STEPS a healthy artist paints blobs: the same blob is not a collapse."""
    blob = lambda epoch: np.full((9, 56, 56), 128, np.uint8)  # noqa: E731
    path = make_run(tmp_path / "run", healthy_rows(2), blob)
    assert keywords(path, band={}) == []
    assert "judged after 600 training steps (this run: 400)" in doctor.report(
        doctor.diagnose(path, band_file={})
    )


# --- The command line, the language, the live watch ----------------------------------------------


def test_exit_codes_0_healthy_1_findings_2_not_a_run(tmp_path, capsys):
    healthy = make_run(tmp_path / "healthy", healthy_rows(), config={"data": "elsewhere"})
    rows = healthy_rows()
    rows[-1]["gen_loss"] = 99.0
    broken = make_run(tmp_path / "broken", rows)
    assert main(["doctor", "--run-dir", str(healthy)]) == 0
    assert capsys.readouterr().out.startswith("healthy: ")
    assert main(["doctor", "--run-dir", str(broken)]) == 1
    assert capsys.readouterr().out.startswith("diverged: at epoch 10 the generator loss reached 99")
    (tmp_path / "empty").mkdir()
    assert main(["doctor", "--run-dir", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "is not a run folder" in err and "\n" not in err
    result = run_course("doctor", "--run-dir", str(broken), timeout=120)
    assert result.returncode == 1 and result.stdout.startswith("diverged: "), result.stderr


def test_a_run_without_a_finished_epoch_is_not_judged(tmp_path, capsys):
    path = make_run(tmp_path / "run", [])
    assert main(["doctor", "--run-dir", str(path)]) == 0
    assert "no epoch finished yet" in capsys.readouterr().out


def test_the_doctor_speaks_chinese_under_zh(tmp_path):
    rows = healthy_rows()
    rows[-1]["gen_loss"] = 99.0
    path = make_run(tmp_path / "run", rows)
    language.use_language("zh")
    try:
        sick = doctor.report(doctor.diagnose(path, band_file=band_file()))
        well = doctor.report(doctor.diagnose(make_run(tmp_path / "ok", healthy_rows())))
    finally:
        language._chosen = None
    assert sick.startswith("diverged：第 10 轮生成器损失达到 99.0") and "学习率" in sick
    assert "第 8 课" in sick and well.startswith("健康：读了 10 轮")


def test_the_live_watch_says_a_finding_once_when_it_first_trips():
    said = []
    watch = doctor.DoctorWatch(preset=CLASSROOM, say=said.append, band_file={})
    rows = healthy_rows(8)
    for row in rows[2:]:
        row.update(d_fake=0.001, gen_loss=6.0 + row["epoch"])
    for row in rows[:4]:
        watch.on_epoch_end(row["epoch"], row)
    assert said == []  # two epochs of a sure critic are not yet "several"
    for row in rows[4:]:
        watch.on_epoch_end(row["epoch"], row)
    assert len(said) == 1 and said[0].startswith(
        "critic-wins: D(G(z)) stayed under 0.01 for epochs 3-5"
    )


def test_the_live_watch_explains_a_nan_loss():
    said = []
    watch = doctor.DoctorWatch(preset=CLASSROOM, say=said.append, band_file={})
    watch.on_epoch_end(1, healthy_rows(1)[0])
    watch.on_epoch_end(2, {**healthy_rows(2)[1], "disc_loss": math.nan})
    assert len(said) == 1 and said[0].startswith(
        "diverged: at epoch 2 the discriminator loss became nan"
    )


# --- One real run --------------------------------------------------------------------------------


def test_a_real_ci_run_is_read_and_judged(tmp_path):
    faces = render_faces(512, seed=0)[0]
    path = train_ci_run(tmp_path / "ci", faces, epochs=3)
    found = doctor.diagnose(path)
    assert found == []  # 24 steps: only the losses are judged, and they are healthy
    text = doctor.report(found)
    assert text.startswith("healthy: 3 epochs") and "(this run: 24)" in text


# --- The normal band in lesson 7, and the doctor in training ---------------------------------------


def test_the_normal_band_of_a_classroom_sized_run_and_its_plot(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from course_utils.viz import plot_normal_band

    rows = healthy_rows()
    path = make_run(tmp_path / "run", rows)
    band = doctor.normal_band(path, band_file=band_file())
    assert (
        band["seeds"] == 3
        and band["curves"]["gen_loss"][0][0] < 3.9 < band["curves"]["gen_loss"][0][1]
    )
    fig = plot_normal_band(rows, band)
    losses, critic, afd, fd = fig.axes
    assert [ax.get_ylim()[0] for ax in (losses, critic, afd)] == [0, 0, 0]
    assert afd.get_ylim()[1] == 1 and fd.get_yscale() == "log"
    assert len(losses.collections) == 1 and len(losses.lines) == 1  # the band, and the run
    assert "3 classroom runs" in fig._suptitle.get_text()


def test_a_run_of_another_size_is_drawn_alone(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from course_utils.viz import plot_normal_band

    path = make_run(tmp_path / "run", healthy_rows(), config={"data": "data/raw/anime/images"})
    assert doctor.normal_band(path, band_file=band_file()) is None
    fig = plot_normal_band(healthy_rows(), None)
    assert all(not ax.collections for ax in fig.axes)
    assert "no normal band" in fig._suptitle.get_text()


def test_train_prints_the_doctors_verdict_last(tmp_path, capsys):
    main(["train", "--preset", "ci", "--run-dir", str(tmp_path / "run"), "--no-metric"])
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-2].startswith("The GAN doctor (python -m course_utils doctor --run-dir")
    assert out[-1].strip().startswith("healthy: 2 epochs")


def test_every_lesson_section_the_doctor_names_exists_in_both_languages():
    import re

    from conftest import REPO

    def headings(folder, number):
        (path,) = (REPO / folder).glob(f"{number:02d}_*.ipynb")
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return {
            line[3:].strip()
            for c in cells
            if c["cell_type"] == "markdown"
            for line in "".join(c["source"]).splitlines()
            if line.startswith("## ")
        }

    named = 0
    for english, chinese in doctor._say.entries.values():
        for number, title in re.findall(r"lesson (\d+), «(.+?)»", english):
            assert title in headings("notebooks", int(number)), (number, title)
            named += 1
        for number, title in re.findall(r"第 (\d+) 课“(.+?)”一节", chinese):
            assert title in headings("notebooks/zh", int(number)), (number, title)
            named += 1
    assert named >= 12  # six sections, each named in both languages


def test_the_trainer_watches_with_the_doctor_while_it_shows_progress():
    from course_utils.progress import Progress
    from course_utils.training import GANTrainer

    trainer = GANTrainer("ci")
    trainer.history = healthy_rows(2)  # as if resumed after two epochs
    shown = trainer.callbacks(Progress(2, 4, 8, 64))
    assert isinstance(shown[-1], doctor.DoctorWatch)
    assert [row["epoch"] for row in shown[-1].rows] == [1, 2]  # it knows the earlier epochs
    quiet = trainer.callbacks(Progress(2, 4, 8, 64, enabled=False))
    assert not any(isinstance(c, doctor.DoctorWatch) for c in quiet)
