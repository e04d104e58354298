"""The estimator's API: fitted state, reproducibility, errors, persistence."""

import pickle
import re

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skae import AutoencoderTransformer
from skae._training import _flush_denormal_enabled

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(hidden_layer_sizes=(16,), max_iter=3, random_state=0)


@pytest.fixture(scope="module")
def X():
    return load_digits().data[:200] / 16


@pytest.fixture(scope="module")
def X_binary(X):
    return (X >= 0.5).astype(float)


@pytest.fixture(scope="module")
def fitted(X):
    return AutoencoderTransformer(**FAST).fit(X)


def test_fitted_attributes_and_shapes(fitted, X):
    assert fitted.n_features_in_ == 64
    assert fitted.n_iter_ == 3 and len(fitted.loss_curve_) == 3
    assert fitted.best_loss_ == min(fitted.loss_curve_)
    assert fitted.validation_scores_ is None and fitted.best_validation_score_ is None
    assert fitted.noise_variance_ > 0
    assert fitted.device_ == "cpu"
    assert fitted.transform(X).shape == (200, 2)
    assert fitted.inverse_transform(np.zeros((4, 2))).shape == (4, 64)
    assert fitted.score_samples(X).shape == (200,)
    assert isinstance(fitted.score(X), float)
    np.testing.assert_array_equal(
        fitted.get_feature_names_out(), ["autoencodertransformer0", "autoencodertransformer1"]
    )


def test_loss_decreases(X):
    ae = AutoencoderTransformer(hidden_layer_sizes=(16,), max_iter=20, random_state=0).fit(X)
    assert ae.loss_curve_[-1] < ae.loss_curve_[0] - 1.0


def test_fit_transform_equals_fit_then_transform(X):
    ae = AutoencoderTransformer(**FAST)
    np.testing.assert_array_equal(ae.fit_transform(X), ae.transform(X))


def test_same_seed_gives_bit_identical_models(X):
    a = AutoencoderTransformer(**FAST).fit(X).transform(X)
    b = AutoencoderTransformer(**FAST).fit(X).transform(X)
    c = AutoencoderTransformer(**{**FAST, "random_state": 1}).fit(X).transform(X)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_fit_leaves_global_random_state_and_threads_alone(X):
    torch.manual_seed(123)
    np.random.seed(123)
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()
    threads = torch.get_num_threads()
    denormals_flushed = _flush_denormal_enabled()
    AutoencoderTransformer(**FAST).fit(X)
    AutoencoderTransformer(**{**FAST, "random_state": None}).fit(X)
    assert _flush_denormal_enabled() == denormals_flushed
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.array_equal(np.random.get_state()[1], numpy_state[1])
    assert torch.get_num_threads() == threads


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved(fitted, X, dtype):
    Xd = X.astype(dtype)
    assert fitted.transform(Xd).dtype == dtype
    assert fitted.score_samples(Xd).dtype == dtype
    assert fitted.inverse_transform(fitted.transform(Xd)).dtype == dtype


def test_batch_invariance_float64(fitted, X):
    full = fitted.transform(X)
    one_by_one = np.vstack([fitted.transform(X[i : i + 1]) for i in range(10)])
    np.testing.assert_allclose(one_by_one, full[:10], rtol=1e-12, atol=1e-14)


def test_early_stopping_records_validation_scores_and_keeps_best(X):
    ae = AutoencoderTransformer(
        hidden_layer_sizes=(16,),
        early_stopping=True,
        max_iter=30,
        n_iter_no_change=3,
        random_state=0,
    ).fit(X)
    assert len(ae.validation_scores_) == ae.n_iter_
    assert ae.best_validation_score_ == max(ae.validation_scores_)
    assert ae.best_loss_ is None


def test_convergence_warning_when_max_iter_reached(X):
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(2\) reached"):
        AutoencoderTransformer(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X)


def test_stops_on_plateau_before_max_iter(X):
    ae = AutoencoderTransformer(
        hidden_layer_sizes=(4,), max_iter=500, tol=10.0, n_iter_no_change=2, random_state=0
    ).fit(X)
    assert ae.n_iter_ == 3 + 1  # first epoch sets the best, then 3 without enough gain


def test_verbose_prints_one_line_per_epoch(X, capsys):
    AutoencoderTransformer(**FAST).fit(X)
    assert capsys.readouterr().out == ""
    AutoencoderTransformer(**{**FAST, "verbose": 1}).fit(X)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("Iteration 1, loss = ")


def test_partial_fit_runs_one_epoch_per_call(X):
    ae = AutoencoderTransformer(hidden_layer_sizes=(16,), random_state=0)
    ae.partial_fit(X[:100])
    assert ae.n_iter_ == 1
    ae.partial_fit(X[100:])
    assert ae.n_iter_ == 2 and len(ae.loss_curve_) == 2
    with pytest.raises(ValueError, match="X has 3 features"):
        ae.partial_fit(X[:, :3])


def test_warm_start_continues_training(X):
    ae = AutoencoderTransformer(**{**FAST, "warm_start": True}).fit(X)
    first = ae.loss_curve_[-1]
    ae.fit(X)
    assert ae.n_iter_ == 6 and ae.loss_curve_[-1] < first


@pytest.mark.parametrize("likelihood", ["gaussian", "bernoulli"])
def test_pickle_and_joblib_round_trips_are_identical(X_binary, likelihood, tmp_path):
    ae = AutoencoderTransformer(likelihood=likelihood, **FAST).fit(X_binary)
    restored = pickle.loads(pickle.dumps(ae))
    joblib.dump(ae, tmp_path / "ae.joblib")
    mapped = joblib.load(tmp_path / "ae.joblib", mmap_mode="r")
    for other in (restored, mapped):
        np.testing.assert_array_equal(other.transform(X_binary), ae.transform(X_binary))
        np.testing.assert_array_equal(other.score_samples(X_binary), ae.score_samples(X_binary))


def test_fitted_network_lives_on_cpu_in_eval_mode(fitted):
    assert all(p.device.type == "cpu" for p in fitted.network_.parameters())
    assert not fitted.network_.training


def test_clone_gives_unfitted_copy_with_same_params(fitted):
    twin = clone(fitted)
    assert twin.get_params() == fitted.get_params()
    assert not hasattr(twin, "network_")


def test_device_auto_resolves_and_unavailable_device_is_rejected(X):
    ae = AutoencoderTransformer(**{**FAST, "device": "auto"}).fit(X)
    assert ae.device_ in ("cpu", "cuda", "mps")
    with pytest.raises(ValueError, match="device='tpu' is not understood"):
        AutoencoderTransformer(**{**FAST, "device": "tpu"}).fit(X)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="device='cuda:0' was requested but is not"):
            AutoencoderTransformer(**{**FAST, "device": "cuda:0"}).fit(X)


def test_set_output_pandas_names_columns(X):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(X, columns=[f"px{i}" for i in range(64)])
    ae = AutoencoderTransformer(**FAST).set_output(transform="pandas").fit(df)
    out = ae.transform(df)
    assert list(out.columns) == ["autoencodertransformer0", "autoencodertransformer1"]
    assert list(ae.feature_names_in_) == list(df.columns)


# Bernoulli: the properties scikit-learn's checks test, on data in [0, 1].


def test_bernoulli_reproducible_dtypes_and_batch_invariant(X_binary):
    ae = AutoencoderTransformer(likelihood="bernoulli", **FAST).fit(X_binary)
    again = AutoencoderTransformer(likelihood="bernoulli", **FAST).fit(X_binary)
    np.testing.assert_array_equal(ae.transform(X_binary), again.transform(X_binary))
    for dtype in (np.float32, np.float64):
        assert ae.transform(X_binary.astype(dtype)).dtype == dtype
        assert ae.score_samples(X_binary.astype(dtype)).dtype == dtype
    single = np.array([ae.score_samples(X_binary[i : i + 1])[0] for i in range(5)])
    np.testing.assert_allclose(single, ae.score_samples(X_binary)[:5], rtol=1e-12)
    readonly = X_binary.copy()
    readonly.flags.writeable = False
    np.testing.assert_array_equal(
        AutoencoderTransformer(likelihood="bernoulli", **FAST).fit(readonly).transform(readonly),
        ae.transform(X_binary),
    )


# Errors: each names the problem and what is accepted.


@pytest.mark.parametrize(
    "bad, match",
    [
        (np.nan, "Input X contains NaN"),
        (np.inf, "Input X contains infinity"),
        (1e300, "beyond float32's range"),
    ],
)
def test_bad_values_are_rejected_everywhere(fitted, X, bad, match):
    Xbad = X.copy()
    Xbad[3, 5] = bad
    for method in (fitted.transform, fitted.score_samples, fitted.score):
        with pytest.raises(ValueError, match=match):
            method(Xbad)
    with pytest.raises(ValueError, match=match):
        AutoencoderTransformer(**FAST).fit(Xbad)


def test_wrong_width_is_rejected(fitted, X):
    for method in (fitted.transform, fitted.score_samples, fitted.score):
        with pytest.raises(ValueError, match="X has 10 features, but AutoencoderTransformer"):
            method(X[:, :10])
    with pytest.raises(ValueError, match=re.escape("expecting codes of n_components=2")):
        fitted.inverse_transform(np.zeros((3, 5)))


def test_bernoulli_rejects_data_outside_unit_interval(X):
    ae = AutoencoderTransformer(likelihood="bernoulli", **FAST)
    with pytest.raises(ValueError, match=r"models values in \[0, 1\], but X has values in"):
        ae.fit(X * 2)
    with pytest.raises(ValueError, match="Negative values in data"):
        ae.fit(X - 0.5)
    ae.fit(X)
    with pytest.raises(ValueError, match="MinMaxScaler"):
        ae.score(X + 1)


@pytest.mark.parametrize(
    "params, error, match",
    [
        (
            {"n_components": 0},
            ValueError,
            "'n_components' parameter .* must be an int in the range",
        ),
        ({"activation": "gelu"}, ValueError, "'activation' parameter .* must be a str among"),
        ({"likelihood": "poisson"}, ValueError, "'likelihood' parameter"),
        ({"learning_rate_init": -1.0}, ValueError, "'learning_rate_init' parameter"),
        ({"batch_size": "big"}, ValueError, "'batch_size' parameter"),
        ({"hidden_layer_sizes": (8, 0)}, ValueError, "hidden_layer_sizes must contain positive"),
        ({"device": 3}, ValueError, "'device' parameter"),
    ],
)
def test_bad_parameters_are_rejected(X, params, error, match):
    with pytest.raises(error, match=match):
        AutoencoderTransformer(**{**FAST, **params}).fit(X)


def test_failed_fit_leaves_fitted_model_unchanged(fitted, X):
    model = pickle.loads(pickle.dumps(fitted))
    before = model.transform(X)
    Xbad = X.copy()
    Xbad[0, 0] = np.nan
    model.set_params(warm_start=True)
    with pytest.raises(ValueError):
        model.fit(Xbad)
    with pytest.raises(ValueError):
        model.partial_fit(X[:, :5])
    assert model.n_iter_ == fitted.n_iter_ and model.n_features_in_ == 64
    np.testing.assert_array_equal(model.transform(X), before)
