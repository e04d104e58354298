"""Fitting in with the ecosystem: callbacks, displays, polars, the HTML repr, dask."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderTransformer, LossCurveDisplay
from skae._callbacks import EpochCallbacks

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(hidden_layer_sizes=(8,), max_iter=4, random_state=0)


@pytest.fixture(scope="module")
def X():
    return np.random.RandomState(0).rand(80, 6)


def test_scoring_monitor_records_each_epoch(X):
    callback = pytest.importorskip("sklearn.callback")
    monitor = callback.ScoringMonitor(
        scoring={"log_likelihood": lambda est, X, y=None: est.score(X)}
    )
    ae = AutoencoderTransformer(**FAST).set_callbacks(monitor).fit(X)
    rows = monitor.get_logs().data
    epochs = [row for row in rows if row["task_name"] == "epoch"]
    assert len(epochs) == ae.n_iter_ == 4
    scores = [row["log_likelihood"] for row in epochs]
    assert scores == sorted(scores)  # training improves the fit on X
    final = [row for row in rows if row["task_name"] == "fit"][0]["log_likelihood"]
    assert final == pytest.approx(ae.score(X))


@pytest.mark.parametrize("where", ["alone", "grid search", "pipeline"])
def test_progress_bar_runs_everywhere(X, where, capsys):
    callback = pytest.importorskip("sklearn.callback")
    pytest.importorskip("rich")
    ae = AutoencoderTransformer(**FAST)
    model = {
        "alone": ae,
        "grid search": GridSearchCV(ae, {"n_components": [1, 2]}, cv=2),
        "pipeline": make_pipeline(StandardScaler(), ae),
    }[where]
    model.set_callbacks(callback.ProgressBar()).fit(X)
    assert "AutoencoderTransformer - fit" in capsys.readouterr().out


def test_without_callback_api_the_hooks_do_nothing(X):
    class OldStyle:  # an estimator of scikit-learn < 1.9 has no _init_callback_context
        pass

    hooks = EpochCallbacks(OldStyle(), X, None, 3)
    hooks.begin_epoch()
    assert hooks.end_epoch(lambda: 1 / 0) is False  # attributes never computed
    hooks.end_fit()


def test_callback_asking_to_stop_ends_training(X):
    callback = pytest.importorskip("sklearn.callback")

    class StopAfterTwo:
        def setup(self, estimator, context):
            self.ends = 0

        def on_fit_task_begin(self, estimator, context, **kwargs):
            pass

        def on_fit_task_end(self, estimator, context, **kwargs):
            self.ends += 1
            return self.ends == 2

        def teardown(self, estimator, context):
            pass

    assert isinstance(StopAfterTwo(), callback.FitCallback)
    ae = AutoencoderTransformer(**{**FAST, "max_iter": 10}).set_callbacks(StopAfterTwo()).fit(X)
    assert ae.n_iter_ == 2


def test_verbose_still_prints_with_callbacks(X, capsys):
    callback = pytest.importorskip("sklearn.callback")
    monitor = callback.ScoringMonitor(scoring={"ll": lambda est, X, y=None: est.score(X)})
    AutoencoderTransformer(**{**FAST, "verbose": 1}).set_callbacks(monitor).fit(X)
    assert capsys.readouterr().out.count("Iteration") == 4


def test_loss_curve_display(X):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ae = AutoencoderTransformer(**{**FAST, "early_stopping": True, "max_iter": 6}).fit(X)
    fig, ax = plt.subplots()
    display = LossCurveDisplay.from_estimator(ae, ax=ax)
    assert display.ax_ is ax and display.figure_ is fig
    np.testing.assert_allclose(display.lines_[0].get_ydata(), ae.loss_curve_)
    np.testing.assert_allclose(display.lines_[1].get_ydata(), ae.validation_scores_)
    plain = LossCurveDisplay([3.0, 2.0, 1.5]).plot()
    assert len(plain.lines_) == 1 and plain.validation_ax_ is None
    plt.close("all")


def test_set_output_polars(X):
    pl = pytest.importorskip("polars")
    ae = AutoencoderTransformer(**FAST).set_output(transform="polars").fit(X)
    out = ae.transform(X)
    assert isinstance(out, pl.DataFrame)
    assert out.columns == ["autoencodertransformer0", "autoencodertransformer1"]


def test_html_repr_links_to_the_api_page():
    html = AutoencoderTransformer()._repr_html_()
    assert "skae.AutoencoderTransformer.html" in html
