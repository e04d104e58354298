"""What training minimises and what scoring reports, built from the likelihoods.

The training losses and the scores below call the same functions of
:mod:`skae._likelihoods`; a deterministic model's loss is its reconstruction
log-likelihood at unit noise variance, a variational model's loss is the
negative ELBO, and its score the importance-weighted bound that reduces to
the ELBO with one importance sample.
"""

import torch

from ._likelihoods import (
    gaussian_kl_to_standard_normal,
    importance_weighted_bound,
    log_likelihood,
    standard_normal_log_density,
)

__all__ = [
    "draw_observations",
    "elbo_loss",
    "log_density_bound",
    "observation_mean",
    "reconstruction_loss",
    "split_code",
]


def split_code(encoded, n_components):
    """Split an encoder's output into the code mean and its log-variance (or None)."""
    if encoded.shape[-1] == n_components:
        return encoded, None
    return encoded[..., :n_components], encoded[..., n_components:]


def reconstruction_loss(network, likelihood):
    """Per-sample loss of a deterministic autoencoder.

    The negative log-likelihood of ``x`` given its reconstruction; for the
    Gaussian at unit noise variance, which is half the squared error plus a
    constant: training by squared error.
    """
    return lambda x: -log_likelihood(likelihood, x, network(x))


def elbo_loss(network, likelihood, generator):
    """Per-sample negative ELBO, one reparameterised sample of the code per row.

    ``-(log p(x | z) - KL(q(z | x) || N(0, I)))`` with
    ``z = mean + exp(log_var / 2) * eps`` and ``eps`` drawn from ``generator``.
    """

    def loss(x):
        mean, log_var = split_code(network.encoder(x), network.n_components)
        eps = torch.randn(mean.shape, generator=generator, device=x.device, dtype=x.dtype)
        z = mean + torch.exp(0.5 * log_var) * eps
        noise_variance = _noise_variance(network, likelihood)
        fit = log_likelihood(likelihood, x, network.decoder(z), noise_variance)
        return gaussian_kl_to_standard_normal(mean, log_var) - fit

    return loss


def _noise_variance(network, likelihood):
    if likelihood == "gaussian" and hasattr(network, "raw_noise_variance"):
        return network.noise_variance()
    return 1.0


def log_density_bound(encode, decode, x, likelihood, noise_variance, eps):
    """Lower bound on ``log p(x)`` of a variational autoencoder, per row.

    Parameters
    ----------
    encode, decode : callable
        The encoder (returning code means and log-variances side by side)
        and the decoder.
    x : torch.Tensor of shape (n_samples, n_features)
        Data.
    likelihood : str
        Observation model.
    noise_variance : float or torch.Tensor
        Gaussian noise variance.
    eps : torch.Tensor of shape (K, n_samples, n_components)
        Standard normal draws for each row (see :mod:`skae._draws`).
        ``K = 1`` gives the ELBO with its KL term in closed form; ``K > 1``
        gives the importance-weighted bound.

    Returns
    -------
    torch.Tensor of shape (n_samples,)
        The bound for each row, in nats.
    """
    mean, log_var = split_code(encode(x), eps.shape[-1])
    std = torch.exp(0.5 * log_var)
    if eps.shape[0] == 1:
        fit = log_likelihood(likelihood, x, decode(mean + std * eps[0]), noise_variance)
        return fit - gaussian_kl_to_standard_normal(mean, log_var)
    z = mean + std * eps  # (K, n, n_components)
    log_px_z = log_likelihood(likelihood, x.expand(len(eps), -1, -1), decode(z), noise_variance)
    log_qz = standard_normal_log_density(eps) - 0.5 * log_var.sum(dim=-1)  # (K, n)
    return importance_weighted_bound(log_px_z + standard_normal_log_density(z) - log_qz)


def observation_mean(likelihood, output):
    """Mean of the observation model given the decoder's output."""
    if likelihood == "gaussian":
        return output
    if likelihood == "bernoulli":
        return torch.sigmoid(output)
    return torch.distributions.ContinuousBernoulli(logits=output, validate_args=False).mean


def draw_observations(likelihood, output, noise_variance, generator):
    """Draw one observation per row from the model given the decoder's output."""
    uniform = torch.rand(output.shape, generator=generator, dtype=output.dtype)
    if likelihood == "gaussian":
        noise = torch.randn(output.shape, generator=generator, dtype=output.dtype)
        return output + torch.sqrt(torch.as_tensor(noise_variance, dtype=output.dtype)) * noise
    if likelihood == "bernoulli":
        return (uniform < torch.sigmoid(output)).to(output.dtype)
    dist = torch.distributions.ContinuousBernoulli(logits=output, validate_args=False)
    return dist.icdf(uniform).clamp(0.0, 1.0)
