"""Log-likelihoods of the observation models, as small pure torch functions.

Each function returns one log-likelihood per sample, in nats, with every
normalising constant. The training losses (in :mod:`skae._training`) and the
estimator's ``score_samples`` both call these functions, so the number that
training minimises and the number that ``score`` reports cannot drift apart.
"""

import math

import torch
import torch.nn.functional as F

__all__ = [
    "LIKELIHOODS",
    "bernoulli_log_likelihood",
    "continuous_bernoulli_log_likelihood",
    "continuous_bernoulli_log_normalizer",
    "gaussian_kl_to_standard_normal",
    "gaussian_log_likelihood",
    "importance_weighted_bound",
    "log_likelihood",
    "standard_normal_log_density",
]

_LOG_2PI = math.log(2.0 * math.pi)


def gaussian_log_likelihood(x, mean, var):
    r"""Log-density of ``x`` under a Gaussian with diagonal covariance.

    .. math::
        \log \mathcal{N}(x \mid \mu, \operatorname{diag}(\sigma^2))
        = -\frac{1}{2} \sum_j \left[\frac{(x_j - \mu_j)^2}{\sigma_j^2}
          + \log(2 \pi \sigma_j^2)\right]

    Parameters
    ----------
    x : torch.Tensor of shape (n_samples, n_features)
        Observations.
    mean : torch.Tensor of shape (n_samples, n_features)
        Means, for example an autoencoder's reconstructions.
    var : float or torch.Tensor of shape () or (n_features,)
        Variances: one shared value (spherical) or one per feature (diagonal).
        Must be positive.

    Returns
    -------
    torch.Tensor of shape (n_samples,)
        Log-density of each row, in nats.
    """
    n_features = x.shape[-1]
    if isinstance(var, float):  # the training loss's case: no tensor arithmetic on var
        log_norm = n_features * (_LOG_2PI + math.log(var))
        return -0.5 * (x - mean).square().sum(dim=-1) / var - 0.5 * log_norm
    var = torch.as_tensor(var, dtype=x.dtype, device=x.device)
    log_norm = (_LOG_2PI + torch.log(var)).broadcast_to((n_features,)).sum()
    return -0.5 * ((x - mean).square() / var).sum(dim=-1) - 0.5 * log_norm


def bernoulli_log_likelihood(x, logits):
    r"""Log-probability of ``x`` under independent Bernoulli variables.

    .. math::
        \log p(x) = \sum_j x_j \log p_j + (1 - x_j) \log(1 - p_j),
        \qquad p_j = \operatorname{sigmoid}(\ell_j)

    Computed from the logits :math:`\ell`, as
    :math:`x_j \ell_j - \operatorname{softplus}(\ell_j)`, which stays exact
    where :math:`p_j` rounds to 0 or 1 (no clamping of the logarithm).

    Parameters
    ----------
    x : torch.Tensor of shape (n_samples, n_features)
        Observations in [0, 1]. For values strictly inside (0, 1) this is the
        (negative) binary cross-entropy, not a normalised log-likelihood.
    logits : torch.Tensor of shape (n_samples, n_features)
        Logits of the success probabilities.

    Returns
    -------
    torch.Tensor of shape (n_samples,)
        Log-probability of each row, in nats.
    """
    return -F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=-1)


def continuous_bernoulli_log_normalizer(logits):
    r"""Log-normaliser :math:`\log C(\lambda)` of the continuous Bernoulli, from logits.

    With :math:`\lambda = \operatorname{sigmoid}(\ell)`, the normaliser
    :math:`C = 2 \operatorname{atanh}(1 - 2\lambda) / (1 - 2\lambda)` of
    Loaiza-Ganem & Cunningham (NeurIPS 2019) simplifies to
    :math:`\ell / \tanh(\ell / 2)`. That ratio is 0/0 at :math:`\ell = 0`
    (:math:`\lambda = 0.5`), so near it the Taylor series
    :math:`\log 2 + \ell^2/12 - 7\ell^4/1440` is used, accurate to
    :math:`10^{-10}` for :math:`|\ell| < 0.1`.

    Parameters
    ----------
    logits : torch.Tensor
        Logits of the shape parameter.

    Returns
    -------
    torch.Tensor
        :math:`\log C`, elementwise, same shape as ``logits``.
    """
    small = logits.abs() < 0.1
    safe = torch.where(small, torch.ones_like(logits), logits.abs())
    exact = torch.log(safe) - torch.log(torch.tanh(safe / 2))
    sq = logits.square()
    series = math.log(2.0) + sq / 12 - 7 * sq.square() / 1440 + 62 * sq**3 / 181440
    return torch.where(small, series, exact)


def continuous_bernoulli_log_likelihood(x, logits):
    r"""Log-density of ``x`` in [0, 1]^d under independent continuous Bernoulli variables.

    .. math::
        \log p(x) = \sum_j x_j \log\lambda_j + (1 - x_j)\log(1 - \lambda_j)
                    + \log C(\lambda_j)

    The cross-entropy of :func:`bernoulli_log_likelihood` plus the
    log-normaliser that makes it a density on [0, 1].

    Parameters
    ----------
    x : torch.Tensor of shape (n_samples, n_features)
        Observations in [0, 1].
    logits : torch.Tensor of shape (n_samples, n_features)
        Logits of the shape parameters :math:`\lambda`.

    Returns
    -------
    torch.Tensor of shape (n_samples,)
        Log-density of each row, in nats.
    """
    return bernoulli_log_likelihood(x, logits) + continuous_bernoulli_log_normalizer(logits).sum(
        dim=-1
    )


def standard_normal_log_density(z):
    """Log-density of each row of ``z`` under :math:`N(0, I)`; shape ``z.shape[:-1]``."""
    return -0.5 * (z.square().sum(dim=-1) + z.shape[-1] * _LOG_2PI)


def gaussian_kl_to_standard_normal(mean, log_var):
    r"""KL divergence :math:`KL(N(\mu, \operatorname{diag}(e^{v})) \,\|\, N(0, I))` per row.

    .. math::
        \frac{1}{2} \sum_k \left(\mu_k^2 + e^{v_k} - 1 - v_k\right)

    Parameters
    ----------
    mean, log_var : torch.Tensor of shape (n_samples, n_components)
        Mean and log-variance of the approximate posterior.

    Returns
    -------
    torch.Tensor of shape (n_samples,)
        The divergence of each row, in nats.
    """
    return 0.5 * (mean.square() + log_var.exp() - 1.0 - log_var).sum(dim=-1)


def importance_weighted_bound(log_weights):
    r"""Importance-weighted lower bound on :math:`\log p(x)` (Burda et al., ICLR 2016).

    .. math::
        \log \frac{1}{K} \sum_{k=1}^{K} w_k,
        \qquad w_k = \frac{p(x \mid z_k)\, p(z_k)}{q(z_k \mid x)},
        \quad z_k \sim q(z \mid x)

    Its expectation is a lower bound on :math:`\log p(x)` that tightens
    as :math:`K` grows; :math:`K = 1` gives the ELBO.

    Parameters
    ----------
    log_weights : torch.Tensor of shape (K, n_samples)
        :math:`\log w_k` for each importance sample and row.

    Returns
    -------
    torch.Tensor of shape (n_samples,)
        The bound for each row, in nats.
    """
    return torch.logsumexp(log_weights, dim=0) - math.log(log_weights.shape[0])


LIKELIHOODS = {
    "gaussian": gaussian_log_likelihood,
    "bernoulli": bernoulli_log_likelihood,
    "continuous_bernoulli": continuous_bernoulli_log_likelihood,
}


def log_likelihood(likelihood, x, output, noise_variance=1.0):
    """Dispatch to the log-likelihood named ``likelihood`` in :data:`LIKELIHOODS`.

    Parameters
    ----------
    likelihood : {"gaussian", "bernoulli", "continuous_bernoulli"}
        Observation model.
    x : torch.Tensor of shape (..., n_features)
        Observations.
    output : torch.Tensor of shape (..., n_features)
        Decoder output: the mean (Gaussian) or the logits (the Bernoullis).
    noise_variance : float or torch.Tensor, default=1.0
        Gaussian variance, shared or per feature; ignored otherwise.

    Returns
    -------
    torch.Tensor of shape (...)
        Log-likelihood of each row, in nats.
    """
    if likelihood == "gaussian":
        return gaussian_log_likelihood(x, output, noise_variance)
    return LIKELIHOODS[likelihood](x, output)
