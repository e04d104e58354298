"""The likelihoods against independent references (scipy.stats)."""

import numpy as np
import pytest
import torch
from scipy import stats
from sklearn.datasets import load_digits

from skae import AutoencoderTransformer
from skae._likelihoods import bernoulli_log_likelihood, gaussian_log_likelihood


@pytest.fixture(scope="module")
def digits():
    return load_digits().data[:300] / 16


def test_gaussian_matches_scipy_spherical_and_diagonal():
    rng = np.random.RandomState(0)
    x, mean = rng.randn(2, 5, 4)
    for var in (0.3, rng.uniform(0.1, 2.0, size=4)):
        ours = gaussian_log_likelihood(
            torch.tensor(x), torch.tensor(mean), torch.tensor(var, dtype=torch.float64)
        ).numpy()
        expected = stats.norm.logpdf(x, loc=mean, scale=np.sqrt(var)).sum(axis=1)
        np.testing.assert_allclose(ours, expected, rtol=1e-12)


def test_bernoulli_matches_scipy_and_is_exact_for_extreme_logits():
    rng = np.random.RandomState(0)
    x = (rng.rand(6, 3) > 0.5).astype(float)
    logits = rng.randn(6, 3) * 3
    ours = bernoulli_log_likelihood(torch.tensor(x), torch.tensor(logits)).numpy()
    expected = stats.bernoulli.logpmf(x, 1 / (1 + np.exp(-logits))).sum(axis=1)
    np.testing.assert_allclose(ours, expected, rtol=1e-12)
    # At logit 40, sigmoid rounds to 1 and log(1 - p) would be -inf; the exact
    # value is -40 - log1p(exp(-40)).
    far = bernoulli_log_likelihood(
        torch.tensor([[0.0]]), torch.tensor([[40.0]], dtype=torch.float64)
    )
    np.testing.assert_allclose(far.numpy(), [-40.0 - np.log1p(np.exp(-40.0))], rtol=1e-15)


def test_gaussian_score_samples_is_scipy_logpdf_of_reconstruction(digits):
    ae = AutoencoderTransformer(hidden_layer_sizes=(16,), max_iter=3, random_state=0)
    ae.fit(digits)
    x_hat = ae.inverse_transform(ae.transform(digits))
    expected = stats.norm.logpdf(digits, loc=x_hat, scale=np.sqrt(ae.noise_variance_)).sum(1)
    np.testing.assert_allclose(ae.score_samples(digits), expected, rtol=1e-10)
    assert ae.score(digits) == pytest.approx(expected.mean(), rel=1e-10)


def test_noise_variance_is_mean_squared_residual(digits):
    ae = AutoencoderTransformer(hidden_layer_sizes=(16,), max_iter=3, random_state=0)
    ae.fit(digits)
    x_hat = ae.inverse_transform(ae.transform(digits))
    assert ae.noise_variance_ == pytest.approx(np.mean((digits - x_hat) ** 2), rel=1e-5)


def test_noise_variance_floor_keeps_scores_finite():
    X = np.tile([[0.5, 1.0, 0.0]], (20, 1))  # constant: a perfect fit is possible
    ae = AutoencoderTransformer(hidden_layer_sizes=(), activation="identity", max_iter=2)
    ae.fit(X)
    assert ae.noise_variance_ >= 1e-12
    assert np.isfinite(ae.score(X))


def test_bernoulli_score_samples_is_scipy_logpmf_of_reconstruction(digits):
    X = (digits >= 0.5).astype(float)
    ae = AutoencoderTransformer(
        likelihood="bernoulli", hidden_layer_sizes=(16,), max_iter=3, random_state=0
    ).fit(X)
    p = ae.inverse_transform(ae.transform(X))
    assert p.min() >= 0 and p.max() <= 1
    expected = stats.bernoulli.logpmf(X, p).sum(1)
    np.testing.assert_allclose(ae.score_samples(X), expected, rtol=1e-8)
