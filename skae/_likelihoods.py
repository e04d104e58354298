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
    "bernoulli_log_likelihood",
    "gaussian_log_likelihood",
    "log_likelihood",
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
    var = torch.as_tensor(var, dtype=x.dtype, device=x.device)
    n_features = x.shape[-1]
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


def log_likelihood(likelihood, x, output, noise_variance=1.0):
    """Dispatch to the log-likelihood named ``likelihood``.

    Parameters
    ----------
    likelihood : {"gaussian", "bernoulli"}
        Observation model.
    x : torch.Tensor of shape (n_samples, n_features)
        Observations.
    output : torch.Tensor of shape (n_samples, n_features)
        Decoder output: the mean (Gaussian) or the logits (Bernoulli).
    noise_variance : float or torch.Tensor, default=1.0
        Gaussian variance; ignored for Bernoulli.

    Returns
    -------
    torch.Tensor of shape (n_samples,)
        Log-likelihood of each row, in nats.
    """
    if likelihood == "gaussian":
        return gaussian_log_likelihood(x, output, noise_variance)
    return bernoulli_log_likelihood(x, output)
