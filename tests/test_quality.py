"""End to end on digits: skae against PCA, and inside scikit-learn's tools."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.manifold import trustworthiness
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderTransformer

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def split():
    digits = load_digits()
    return train_test_split(
        digits.data / 16, digits.target, test_size=0.25, stratify=digits.target, random_state=0
    )


def reconstruction_error(model, X):
    """Mean squared reconstruction error per sample (summed over pixels)."""
    return float(np.mean(np.sum((X - model.inverse_transform(model.transform(X))) ** 2, axis=1)))


def test_linear_autoencoder_reaches_pca_error(split):
    X_train, X_test, _, _ = split
    pca = PCA(n_components=10).fit(X_train)
    ae = AutoencoderTransformer(
        10,
        hidden_layer_sizes=(),
        activation="identity",
        alpha=0.0,
        learning_rate_init=0.01,
        batch_size=200,
        random_state=0,
    ).fit(X_train)
    assert reconstruction_error(ae, X_test) <= 1.02 * reconstruction_error(pca, X_test)


def test_nonlinear_beats_pca_at_two_components(split):
    X_train, X_test, _, _ = split
    pca = PCA(n_components=2).fit(X_train)
    ae = AutoencoderTransformer(2, random_state=0).fit(X_train)
    assert reconstruction_error(ae, X_test) <= 0.7 * reconstruction_error(pca, X_test)
    trust_ae = trustworthiness(X_test, ae.transform(X_test), n_neighbors=5)
    trust_pca = trustworthiness(X_test, pca.transform(X_test), n_neighbors=5)
    assert trust_ae > trust_pca


def test_default_bernoulli_generalises_on_binarized_digits(split):
    X_train, X_test = (split[0] >= 0.5).astype(float), (split[1] >= 0.5).astype(float)
    p = X_train.mean(axis=0).clip(1e-3, 1 - 1e-3)
    baseline = np.mean(X_test @ np.log(p) + (1 - X_test) @ np.log(1 - p))
    assert baseline == pytest.approx(-25.2, abs=0.05)
    ae = AutoencoderTransformer(8, likelihood="bernoulli", random_state=0).fit(X_train)
    assert ae.score(X_test) > baseline + 10.0


def test_grid_search_on_default_score(split):
    X_train = split[0][:400]
    search = GridSearchCV(
        AutoencoderTransformer(hidden_layer_sizes=(16,), max_iter=10, random_state=0),
        {"n_components": [1, 4]},
        cv=3,
    ).fit(X_train)
    assert search.best_params_["n_components"] in (1, 4)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


def test_pipeline_search_in_parallel_and_cross_val_score(split):
    X_train, _, y_train, _ = split
    X_train, y_train = X_train[:500], y_train[:500]
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("ae", AutoencoderTransformer(max_iter=10, random_state=0)),
            ("clf", LogisticRegression(max_iter=500)),
        ]
    )
    grid = {"ae__hidden_layer_sizes": [(16,), (32, 16)], "ae__n_components": [4, 8]}
    search = GridSearchCV(pipe, grid, cv=2, n_jobs=2).fit(X_train, y_train)
    assert search.best_score_ > 0.5  # chance is 0.1
    serial = GridSearchCV(pipe, grid, cv=2, n_jobs=1).fit(X_train, y_train)
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
    scores = cross_val_score(AutoencoderTransformer(max_iter=5, random_state=0), X_train, cv=3)
    assert scores.shape == (3,) and np.all(np.isfinite(scores))
