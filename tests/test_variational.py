"""Variational mode: a lower bound on log p(x), sampling, and choosing n_components."""

import pickle

import numpy as np
import pytest
import torch
from scipy import integrate
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA, FactorAnalysis
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderTransformer
from skae._likelihoods import (
    continuous_bernoulli_log_likelihood,
    continuous_bernoulli_log_normalizer,
)
from skae.model_selection import one_standard_error_rule

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def dequantized():
    """Digits made continuous: (pixels + u) / 17, u ~ U[0, 1), split 75/25 stratified."""
    digits = load_digits()
    u = np.random.RandomState(0).uniform(size=digits.data.shape)
    X = (digits.data + u) / 17
    return train_test_split(X, test_size=0.25, stratify=digits.target, random_state=0)


@pytest.fixture(scope="module")
def binarized():
    digits = load_digits()
    X = (digits.data / 16 >= 0.5).astype(float)
    return train_test_split(X, test_size=0.25, stratify=digits.target, random_state=0)


@pytest.fixture(scope="module")
def small_vae(dequantized):
    X_train, _ = dequantized
    return AutoencoderTransformer(
        4, variational=True, hidden_layer_sizes=(32,), max_iter=20, random_state=0
    ).fit(X_train)


def test_published_baselines(dequantized):
    X_train, X_test = dequantized
    assert PCA(10).fit(X_train).score(X_test) == pytest.approx(20.1, abs=0.05)
    assert FactorAnalysis(10).fit(X_train).score(X_test) == pytest.approx(44.2, abs=0.05)


@pytest.mark.parametrize("k", [2, 10])
def test_linear_vae_is_probabilistic_pca(dequantized, k):
    X_train, X_test = dequantized
    vae = AutoencoderTransformer(
        k,
        variational=True,
        hidden_layer_sizes=(),
        activation="identity",
        alpha=0.0,
        learning_rate_init=3e-3,
        batch_size=256,
        max_iter=400,
        n_iter_no_change=30,
        n_importance_samples=100,
        random_state=0,
    ).fit(X_train)
    assert vae.score(X_test) == pytest.approx(PCA(k).fit(X_train).score(X_test), abs=1.0)


def test_nonlinear_vae_beats_pca_and_factor_analysis(dequantized):
    X_train, X_test = dequantized
    spherical = AutoencoderTransformer(10, variational=True, random_state=0).fit(X_train)
    assert spherical.score(X_test) > PCA(10).fit(X_train).score(X_test) + 10
    diag = AutoencoderTransformer(10, variational=True, covariance_type="diag", random_state=0).fit(
        X_train
    )
    assert diag.noise_variance_.shape == (64,)
    assert diag.score(X_test) > FactorAnalysis(10).fit(X_train).score(X_test) + 5


def test_bound_tightens_with_importance_samples_and_converges(small_vae, dequantized):
    X_test = dequantized[1]
    bounds = [
        small_vae.set_params(n_importance_samples=K).score(X_test) for K in (1, 10, 100, 1000)
    ]
    assert bounds == sorted(bounds)  # more samples, tighter bound
    assert bounds[1] > bounds[0] + 0.1
    assert bounds[3] - bounds[2] < bounds[2] - bounds[1] < bounds[1] - bounds[0]
    assert bounds[3] - bounds[2] < 0.2


def test_score_is_deterministic_and_batch_invariant(small_vae, dequantized):
    X_test = dequantized[1][:50]
    small_vae.set_params(n_importance_samples=10)
    first = small_vae.score_samples(X_test)
    np.testing.assert_array_equal(small_vae.score_samples(X_test), first)
    alone = np.array([small_vae.score_samples(X_test[i : i + 1])[0] for i in range(5)])
    np.testing.assert_allclose(alone, first[:5], rtol=1e-12)
    reversed_order = small_vae.score_samples(X_test[::-1])[::-1]
    np.testing.assert_allclose(reversed_order, first, rtol=1e-12)


def test_pickle_keeps_scores_identical(small_vae, dequantized):
    X_test = dequantized[1]
    restored = pickle.loads(pickle.dumps(small_vae))
    np.testing.assert_array_equal(restored.score_samples(X_test), small_vae.score_samples(X_test))
    np.testing.assert_array_equal(restored.transform(X_test), small_vae.transform(X_test))


def test_transform_is_posterior_mean(small_vae, dequantized):
    X_test = torch.tensor(dequantized[1][:5])
    with torch.no_grad():
        encoded = small_vae.network_.double().encoder(X_test).numpy()
    small_vae.network_.float()
    np.testing.assert_allclose(small_vae.transform(dequantized[1][:5]), encoded[:, :4])


def make_latent_3d(n, seed):
    """A 3-dimensional latent space mapped nonlinearly into 20 dimensions, plus noise."""
    rng = np.random.RandomState(seed)
    z = rng.randn(n, 3)
    hidden = np.tanh(z @ rng.randn(3, 32))
    X = hidden @ (rng.randn(32, 20) / np.sqrt(32)) + 0.1 * rng.randn(n, 20)
    return StandardScaler().fit_transform(X)


def test_variational_score_chooses_n_components():
    X = make_latent_3d(1500, seed=0)
    search = GridSearchCV(
        AutoencoderTransformer(
            variational=True,
            hidden_layer_sizes=(64, 32),
            early_stopping=True,
            max_iter=300,
            n_iter_no_change=20,
            random_state=0,
        ),
        {"n_components": [2, 3, 8]},
        cv=3,
        n_jobs=2,
        refit=one_standard_error_rule("n_components"),
    ).fit(X)
    score_2, score_3, score_8 = search.cv_results_["mean_test_score"]
    assert score_3 > score_2 + 3.0  # the third latent dimension matters...
    assert abs(score_8 - score_3) < 0.5  # ...more do not: the score plateaus
    assert search.best_params_["n_components"] == 3
    assert search.best_estimator_.n_components_ == 3


def test_one_standard_error_rule_picks_smallest_adequate_size():
    rule = one_standard_error_rule("ae__n_components")
    results = {
        "mean_test_score": [-9.0, -5.0, -4.9, -4.95],
        "std_test_score": [1.0, 0.2, 0.4, 0.2],
        "param_ae__n_components": [2, 4, 8, 3],
        "split0_test_score": [0] * 4,
        "split1_test_score": [0] * 4,
        "split2_test_score": [0] * 4,
        "split3_test_score": [0] * 4,
    }
    assert rule(results) == 3  # n_components=3 is within one SE (0.2) of the best, -4.9
    results["std_test_score"] = [1.0, 0.2, 0.0, 0.2]
    assert rule(results) == 2  # no tolerance: the best itself


def test_variational_bernoulli_on_binarized_digits(binarized):
    X_train, X_test = binarized
    p = X_train.mean(axis=0).clip(1e-3, 1 - 1e-3)
    baseline = np.mean(X_test @ np.log(p) + (1 - X_test) @ np.log(1 - p))
    vae = AutoencoderTransformer(8, likelihood="bernoulli", variational=True, random_state=0).fit(
        X_train
    )
    elbo = vae.set_params(n_importance_samples=1).score(X_test)
    iwae = vae.set_params(n_importance_samples=100).score(X_test)
    assert elbo > baseline + 5.0
    assert iwae > elbo
    samples = vae.sample(20, random_state=0)
    assert samples.shape == (20, 64)
    assert set(np.unique(samples)) <= {0.0, 1.0}


@pytest.mark.parametrize("variational", [False, True])
def test_sample_shapes_and_reproducibility(dequantized, variational):
    X_train = dequantized[0]
    ae = AutoencoderTransformer(
        3, variational=variational, hidden_layer_sizes=(16,), max_iter=3, random_state=0
    ).fit(X_train)
    draws = ae.sample(7, random_state=1)
    assert draws.shape == (7, 64) and np.all(np.isfinite(draws))
    np.testing.assert_array_equal(draws, ae.sample(7, random_state=1))
    if not variational:
        assert ae.code_mean_.shape == (3,) and ae.code_covariance_.shape == (3, 3)
    with pytest.raises(ValueError, match="n_samples must be a positive integer"):
        ae.sample(0)


def test_continuous_bernoulli_matches_torch_and_integrates_to_one():
    logits = torch.linspace(-8, 8, 161, dtype=torch.float64)
    x = torch.rand(161, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    ours = continuous_bernoulli_log_likelihood(x[:, None], logits[:, None])
    reference = torch.distributions.ContinuousBernoulli(logits=logits).log_prob(x)
    np.testing.assert_allclose(ours.numpy(), reference.numpy(), rtol=1e-6, atol=1e-6)
    for logit in (-5.0, -0.3, 0.0, 1e-4, 0.05, 2.0):
        density = lambda v, ell=logit: float(  # noqa: E731
            continuous_bernoulli_log_likelihood(
                torch.tensor([[v]], dtype=torch.float64), torch.tensor([[ell]], dtype=torch.float64)
            ).exp()
        )
        assert integrate.quad(density, 0, 1)[0] == pytest.approx(1.0, abs=1e-8)


def test_continuous_bernoulli_normaliser_is_stable_near_one_half():
    # Against a float64 evaluation of log(l / tanh(l / 2)) where it is accurate.
    logits = torch.tensor([1e-8, 1e-4, 0.05, 0.0999, 0.1001, 0.5], dtype=torch.float64)
    expected = [np.log(2.0)] + [np.log(v / np.tanh(v / 2)) for v in logits.numpy()[1:]]
    expected[1] = np.log(2.0) + 1e-8 / 12  # series: log 2 + l^2 / 12
    got = continuous_bernoulli_log_normalizer(logits).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    got32 = continuous_bernoulli_log_normalizer(logits.float()).numpy()
    np.testing.assert_allclose(got32, expected, rtol=1e-6)


def test_continuous_bernoulli_on_digits(dequantized):
    X_train, X_test = (X.clip(0, 1) for X in dequantized)
    ae = AutoencoderTransformer(
        8,
        likelihood="continuous_bernoulli",
        hidden_layer_sizes=(32,),
        max_iter=20,
        random_state=0,
    ).fit(X_train)
    assert np.isfinite(ae.score(X_test))
    decoded = ae.inverse_transform(ae.transform(X_test))
    assert decoded.min() >= 0 and decoded.max() <= 1
    vae = AutoencoderTransformer(
        8,
        likelihood="continuous_bernoulli",
        variational=True,
        hidden_layer_sizes=(32,),
        max_iter=20,
        random_state=0,
    ).fit(X_train)
    bounds = [vae.set_params(n_importance_samples=K).score(X_test) for K in (1, 10, 100)]
    assert np.all(np.isfinite(bounds)) and bounds == sorted(bounds)
    samples = vae.sample(10, random_state=0)
    assert samples.min() >= 0 and samples.max() <= 1


def test_bernoulli_warns_on_non_binary_data(dequantized):
    X = dequantized[0].clip(0, 1)
    with pytest.warns(UserWarning, match="continuous_bernoulli"):
        AutoencoderTransformer(likelihood="bernoulli", max_iter=1, random_state=0).fit(X)


def test_diag_variance_floor_keeps_constant_feature_finite():
    rng = np.random.RandomState(0)
    X_train = rng.rand(200, 5)
    X_train[:, 2] = 0.5  # constant in training
    X_test = rng.rand(50, 5)
    for variational in (False, True):
        ae = AutoencoderTransformer(
            2,
            covariance_type="diag",
            variational=variational,
            hidden_layer_sizes=(8,),
            max_iter=30,
            random_state=0,
        ).fit(X_train)
        assert ae.noise_variance_.min() > 0
        assert np.all(np.isfinite(ae.score_samples(X_test)))
