"""Hardening: bad input, divergence, interruption, concurrency, safe persistence."""

import json
import pickle
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skae._estimator
from skae import AutoencoderTransformer

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(hidden_layer_sizes=(6,), max_iter=3, random_state=0)


@pytest.fixture(scope="module")
def X():
    return np.random.RandomState(0).rand(40, 5)


@pytest.fixture(scope="module")
def fitted(X):
    return AutoencoderTransformer(**FAST).fit(X)


def _with_value(X, value):
    X = X.astype(np.result_type(X, type(value)))
    X[1, 2] = value
    return X


BAD_DATA = {
    "nan": (lambda X: _with_value(X, np.nan), ValueError, "NaN"),
    "inf": (lambda X: _with_value(X, np.inf), ValueError, "infinity"),
    "-inf": (lambda X: _with_value(X, -np.inf), ValueError, "infinity"),
    "beyond float32": (lambda X: _with_value(X, -1e300), ValueError, "beyond float32's range"),
    "complex": (lambda X: X + 1j, ValueError, "[Cc]omplex"),
    "strings": (lambda X: np.full(X.shape, "pixel", dtype=object), ValueError, "could not convert"),
    "str dtype": (lambda X: X.astype(str), ValueError, "holds strings"),
    "objects": (lambda X: np.full(X.shape, object(), dtype=object), TypeError, "float"),
    "1-D": (lambda X: X[0], ValueError, "Expected 2D array"),
    "3-D": (lambda X: X[None], ValueError, "3"),
    "empty": (lambda X: X[:0], ValueError, "0 sample"),
    "wrong width": (lambda X: X[:, :3], ValueError, "X has 3 features"),
}


@pytest.mark.parametrize("case", sorted(BAD_DATA))
@pytest.mark.parametrize("method", ["fit", "partial_fit", "transform", "score_samples", "score"])
def test_bad_input_raises_clear_error_and_keeps_model(fitted, X, case, method):
    make_bad, error, match = BAD_DATA[case]
    model = pickle.loads(pickle.dumps(fitted))
    before = model.transform(X)
    if case == "wrong width" and method == "fit":
        pytest.skip("fit accepts any width: it starts afresh")
    with pytest.raises(error, match=match):
        getattr(model, method)(make_bad(X))
    np.testing.assert_array_equal(model.transform(X), before)
    assert model.n_iter_ == fitted.n_iter_


@pytest.mark.parametrize(
    "Z, error, match",
    [
        (np.zeros((3, 5)), ValueError, "expecting codes of n_components=2"),
        (np.full((3, 2), np.nan), ValueError, "NaN"),
        (np.zeros(2), ValueError, "Expected 2D array"),
        (sp.csr_matrix(np.zeros((3, 2))), TypeError, "[Ss]parse"),
        (np.zeros((0, 2)), ValueError, "0 sample"),
    ],
)
def test_inverse_transform_rejects_bad_codes(fitted, Z, error, match):
    with pytest.raises(error, match=match):
        fitted.inverse_transform(Z)


def test_one_sample_fit_is_refused_but_transform_works(fitted, X):
    with pytest.raises(ValueError, match="1 sample"):
        AutoencoderTransformer(**FAST).fit(X[:1])
    assert fitted.transform(X[:1]).shape == (1, 2)


@pytest.mark.parametrize("n_samples", [0, -1, 2.5, "3"])
def test_sample_rejects_bad_counts(fitted, n_samples):
    with pytest.raises(ValueError, match="n_samples must be a positive integer"):
        fitted.sample(n_samples)


def test_bernoulli_range_checked_in_every_method(X):
    model = AutoencoderTransformer(likelihood="bernoulli", **FAST).fit(X.round())
    for method in ("partial_fit", "transform", "score_samples", "score"):
        with pytest.raises(ValueError, match=r"models values in \[0, 1\]"):
            getattr(model, method)(X + 1)


def test_unfitted_model_raises_not_fitted(X):
    from sklearn.exceptions import NotFittedError

    for method in ("transform", "score_samples", "score", "inverse_transform", "sample", "save"):
        with pytest.raises(NotFittedError):
            arg = "x.safetensors" if method == "save" else X
            getattr(AutoencoderTransformer(), method)(*(() if method == "sample" else (arg,)))


layouts = st.sampled_from(["C", "F", "strided", "readonly", "memmap"])


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    n_samples=st.integers(2, 25),
    n_features=st.integers(1, 6),
    dtype=st.sampled_from([np.float32, np.float64]),
    layout=layouts,
    special=st.sampled_from([None, np.nan, np.inf, -np.inf, 1e300]),
    seed=st.integers(0, 2**16),
)
def test_property_any_input_gives_finite_output_or_clear_error(
    tmp_path, n_samples, n_features, dtype, layout, special, seed
):
    X = np.random.RandomState(seed).randn(n_samples, n_features).astype(dtype)
    if special is not None:
        X = X.astype(np.float64) if special == 1e300 else X
        X[seed % n_samples, seed % n_features] = special
    if layout == "F":
        X = np.asfortranarray(X)
    elif layout == "strided":
        X = np.repeat(X, 2, axis=0)[::2]
    elif layout == "readonly":
        X.flags.writeable = False
    elif layout == "memmap":
        path = tmp_path / f"x{seed}.joblib"
        joblib.dump(X, path)
        X = joblib.load(path, mmap_mode="r")
    model = AutoencoderTransformer(hidden_layer_sizes=(4,), max_iter=1, random_state=0)
    if special is not None:
        with pytest.raises(ValueError, match="NaN|infinity|float32's range"):
            model.fit(X)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
        Z = model.transform(X)
        scores = model.score_samples(X)
    assert Z.shape == (n_samples, 2) and Z.dtype == X.dtype
    assert np.all(np.isfinite(Z)) and np.all(np.isfinite(scores))
    assert np.all(np.isfinite(model.inverse_transform(Z)))


def test_divergence_stops_at_once_with_advice():
    X = np.random.RandomState(0).randn(200, 5) * 1e15
    model = AutoencoderTransformer(learning_rate_init=1e3, max_iter=50, random_state=0)
    with pytest.raises(ValueError, match="diverged. Use a smaller learning_rate_init, or scale"):
        model.fit(X)
    assert not hasattr(model, "network_")


def test_diverging_candidate_gets_error_score_in_grid_search():
    X = np.random.RandomState(0).randn(120, 5)
    search = GridSearchCV(
        AutoencoderTransformer(hidden_layer_sizes=(8,), max_iter=5, random_state=0),
        {"learning_rate_init": [1e-3, 1e12]},
        cv=2,
        error_score=np.nan,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the FitFailedWarning of the diverging candidate
        search.fit(X)
    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores[1]) and np.isfinite(scores[0])


def test_ctrl_c_keeps_last_completed_epoch(monkeypatch, X):
    real_run_epoch = skae._estimator.run_epoch
    calls = []

    def interrupted_on_third_epoch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_run_epoch(*args, **kwargs)

    monkeypatch.setattr(skae._estimator, "run_epoch", interrupted_on_third_epoch)
    params = dict(hidden_layer_sizes=(6,), max_iter=10, random_state=0)
    with pytest.warns(UserWarning, match="Training interrupted by user after 2 epochs"):
        model = AutoencoderTransformer(**params).fit(X)
    assert model.interrupted_ and model.n_iter_ == 2
    monkeypatch.setattr(skae._estimator, "run_epoch", real_run_epoch)
    two_epochs = AutoencoderTransformer(**{**params, "max_iter": 2}).fit(X)
    assert not two_epochs.interrupted_
    np.testing.assert_array_equal(model.transform(X), two_epochs.transform(X))


def test_threads_with_same_seed_give_identical_models(X):
    def fit_once(_):
        return (
            AutoencoderTransformer(hidden_layer_sizes=(16,), max_iter=5, random_state=3)
            .fit(X)
            .transform(X)
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(fit_once, range(4)))
    for other in results[1:]:
        np.testing.assert_array_equal(other, results[0])
    assert threading.active_count() >= 1


def test_loky_workers_get_a_share_of_the_cores():
    counts = joblib.Parallel(n_jobs=2, backend="loky")(
        joblib.delayed(torch.get_num_threads)() for _ in range(2)
    )
    assert all(c <= max(1, joblib.cpu_count() // 2) for c in counts)


def test_memmap_input_fits_without_warnings_or_copies(tmp_path, X):
    joblib.dump(X, tmp_path / "X.joblib")
    mapped = joblib.load(tmp_path / "X.joblib", mmap_mode="r")
    assert not mapped.flags.writeable
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = AutoencoderTransformer(**FAST).fit(mapped)
        np.testing.assert_array_equal(model.transform(mapped), model.transform(X))


# Safe persistence.


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"variational": True, "covariance_type": "diag"},
        {"likelihood": "bernoulli", "variational": True},
        {"covariance_type": "diag"},
    ],
)
def test_save_load_round_trip(tmp_path, X, params):
    data = X.round() if params.get("likelihood") == "bernoulli" else X
    model = AutoencoderTransformer(**params, **FAST).fit(data)
    model.save(tmp_path / "m.safetensors")
    loaded = AutoencoderTransformer.load(tmp_path / "m.safetensors")
    assert loaded.get_params() == model.get_params()
    np.testing.assert_array_equal(loaded.transform(data), model.transform(data))
    np.testing.assert_array_equal(loaded.score_samples(data), model.score_samples(data))
    loaded.partial_fit(data)  # still trainable
    assert loaded.n_iter_ == model.n_iter_ + 1


def _rewrite(source, target, *, params=None, fitted=None, tensors=None, metadata=None):
    from safetensors import safe_open
    from safetensors.torch import load_file, save_file

    with safe_open(str(source), framework="pt") as f:
        meta = dict(f.metadata())
    stored = load_file(str(source))
    if params:
        meta["params"] = json.dumps({**json.loads(meta["params"]), **params})
    if fitted:
        meta["fitted"] = json.dumps({**json.loads(meta["fitted"]), **fitted})
    meta.update(metadata or {})
    save_file({**stored, **(tensors or {})}, str(target), metadata=meta)


@pytest.fixture
def saved(tmp_path, X):
    path = tmp_path / "good.safetensors"
    AutoencoderTransformer(**FAST).fit(X).save(path)
    return path


def test_load_rejects_files_that_are_not_skae_models(tmp_path, saved):
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"\x00" * 100)
    truncated = tmp_path / "truncated.safetensors"
    truncated.write_bytes(saved.read_bytes()[:-40])
    foreign = tmp_path / "foreign.safetensors"
    _rewrite(saved, foreign, metadata={"format": "someone.else"})
    for path, match in [
        (junk, "not a valid safetensors file"),
        (truncated, "not a valid safetensors file"),
        (foreign, "does not declare the format"),
    ]:
        with pytest.raises(ValueError, match=match):
            AutoencoderTransformer.load(path)


class _Payload:
    def __reduce__(self):
        import pathlib

        return (pathlib.Path.touch, (pathlib.Path(_Payload.marker),))


def test_pickle_renamed_as_model_does_not_execute(tmp_path):
    _Payload.marker = str(tmp_path / "executed")
    evil = tmp_path / "model.safetensors"
    evil.write_bytes(pickle.dumps(_Payload()))
    with pytest.raises(ValueError, match="not a valid safetensors file"):
        AutoencoderTransformer.load(evil)
    assert not (tmp_path / "executed").exists()


def test_load_rejects_inconsistent_tensors_and_unknown_keys(tmp_path, saved):
    cases = {
        "shapes": dict(params={"hidden_layer_sizes": [7]}),
        "extra tensor": dict(tensors={"network.extra": torch.zeros(2)}),
        "unknown attribute": dict(fitted={"surprise_": 1}),
        "unknown parameter": dict(params={"surprise": 1}),
        "non-finite": dict(tensors={"network.encoder.0.bias": torch.full((6,), float("nan"))}),
    }
    matches = {
        "shapes": "tensors disagree with its configuration",
        "extra tensor": "tensors disagree with its configuration",
        "unknown attribute": "unknown fitted attributes",
        "unknown parameter": "do not match this version",
        "non-finite": "non-finite values",
    }
    for name, change in cases.items():
        target = tmp_path / f"{name}.safetensors"
        _rewrite(saved, target, **change)
        with pytest.raises(ValueError, match=matches[name]):
            AutoencoderTransformer.load(target)


def test_load_warns_on_version_mismatch(tmp_path, saved, X):
    older = tmp_path / "older.safetensors"
    _rewrite(saved, older, metadata={"skae_version": "0.0.1"})
    with pytest.warns(UserWarning, match="saved by skae 0.0.1"):
        model = AutoencoderTransformer.load(older)
    assert model.transform(X).shape == (40, 2)


def test_pipelines_round_trip_through_pickle_and_joblib(tmp_path, X):
    pipe = make_pipeline(StandardScaler(), AutoencoderTransformer(**FAST)).fit(X)
    restored = pickle.loads(pickle.dumps(pipe))
    joblib.dump(pipe, tmp_path / "pipe.joblib")
    for other in (restored, joblib.load(tmp_path / "pipe.joblib")):
        np.testing.assert_array_equal(other.transform(X), pipe.transform(X))


def test_non_finite_results_raise_instead_of_returning_nan(fitted, X):
    broken = pickle.loads(pickle.dumps(fitted))
    with torch.no_grad():
        broken.network_.encoder[0].weight[0, 0] = float("nan")
    for method in (broken.transform, broken.score_samples):
        with pytest.raises(ValueError, match="produced non-finite values for rows 0-39"):
            method(X)
