"""The torch modules: an encoder, a mirrored decoder, and how they are initialised."""

import math

import torch
from torch import nn

__all__ = ["ACTIVATIONS", "Autoencoder", "cast_module"]

ACTIVATIONS = {
    "identity": nn.Identity,
    "logistic": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
}

# Glorot & Bengio (2010); the factor 2 for the logistic function follows
# scikit-learn's MLP, whose sigmoid has a quarter of tanh's slope at 0.
_GLOROT_FACTOR = {"identity": 6.0, "logistic": 12.0, "tanh": 6.0, "relu": 6.0}


def _linear(n_in, n_out, activation, generator):
    """A Linear layer initialised from ``generator`` (never the global RNG)."""
    layer = nn.utils.skip_init(nn.Linear, n_in, n_out)
    bound = math.sqrt(_GLOROT_FACTOR[activation] / (n_in + n_out))
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound, generator=generator)
        layer.bias.zero_()
    return layer


def _mlp(sizes, activation, generator):
    """Linear layers of the given widths, with ``activation`` between them.

    The last layer is linear: it produces a code, a mean or logits.
    """
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        if i > 0:
            layers.append(ACTIVATIONS[activation]())
        layers.append(_linear(n_in, n_out, activation, generator))
    return nn.Sequential(*layers)


class Autoencoder(nn.Module):
    """An MLP encoder ``x -> z`` and a mirrored MLP decoder ``z -> output``.

    Parameters
    ----------
    n_features : int
        Width of the data.
    hidden_layer_sizes : tuple of int
        Widths of the encoder's hidden layers; the decoder uses them reversed.
    n_components : int
        Width of the code.
    activation : str
        Key of :data:`ACTIVATIONS`.
    generator : torch.Generator
        Source of the initial weights.
    variational : bool, default=False
        If True the encoder outputs ``2 * n_components`` numbers: the mean
        and the log-variance of a Gaussian over the code.
    noise_variance : float or ndarray of shape (n_features,), default=None
        If given, the Gaussian noise variance becomes a learned parameter,
        ``floor + exp(raw)``, starting at this value.
    noise_floor : float, default=0.0
        The smallest noise variance the model can learn.
    """

    def __init__(
        self,
        n_features,
        hidden_layer_sizes,
        n_components,
        activation,
        generator,
        variational=False,
        noise_variance=None,
        noise_floor=0.0,
    ):
        super().__init__()
        hidden = list(hidden_layer_sizes)
        n_code_outputs = 2 * n_components if variational else n_components
        self.encoder = _mlp([n_features, *hidden, n_code_outputs], activation, generator)
        self.decoder = _mlp([n_components, *hidden[::-1], n_features], activation, generator)
        self.n_components = n_components
        self.variational = variational
        if noise_variance is not None:
            start = torch.as_tensor(noise_variance, dtype=torch.float32) - noise_floor
            self.raw_noise_variance = nn.Parameter(torch.log(start.clamp_min(1e-30)))
            self.register_buffer("noise_floor", torch.tensor(noise_floor, dtype=torch.float32))

    def forward(self, x):
        return self.decoder(self.encoder(x)[..., : self.n_components])  # mean or logits

    def noise_variance(self):
        """The learned Gaussian noise variance (shape () or (n_features,))."""
        return self.noise_floor + self.raw_noise_variance.exp()


def cast_module(module, dtype):
    """Return a callable that runs ``module`` with its parameters cast to ``dtype``.

    The module itself is left untouched, so a float32 model can serve float64
    input at float64 precision without keeping a second copy of itself.
    """
    params = dict(module.named_parameters())
    if all(p.dtype == dtype for p in params.values()):
        return module
    params = {name: p.to(dtype) for name, p in params.items()}
    return lambda x: torch.func.functional_call(module, params, (x,))
