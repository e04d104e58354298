"""Safe persistence: weights in safetensors, everything else as JSON in its header.

One ``.safetensors`` file holds the network's weights and the arrays of the
fitted state as tensors, and the parameters and scalar fitted state as JSON in
the file's metadata. Loading never unpickles anything: it parses the header,
checks every name, shape and value against what the stored configuration
implies, and only then builds the estimator.
"""

import json
import warnings

import numpy as np
import torch

__all__ = ["load_model", "save_model"]

FORMAT = "skae.AutoencoderTransformer"
FORMAT_VERSION = 1

# Fitted attributes stored in JSON, and those stored as float64 tensors.
_SCALARS = {
    "n_features_in_",
    "n_components_",
    "n_iter_",
    "t_",
    "loss_curve_",
    "best_loss_",
    "validation_scores_",
    "best_validation_score_",
    "device_",
    "interrupted_",
    "feature_names_in_",
    "noise_variance_",
    "_noise_floor",
    "_score_seed",
    "_rng_position",
}
_ARRAYS = {"code_mean_", "code_covariance_", "noise_variance_", "_rng_keys"}


def save_model(estimator, path):
    """Write a fitted estimator to ``path`` (see ``AutoencoderTransformer.save``)."""
    import safetensors.torch

    from . import __version__

    params = estimator.get_params()
    if not (params["random_state"] is None or isinstance(params["random_state"], int)):
        params["random_state"] = None  # a RandomState object has no JSON form
    params["hidden_layer_sizes"] = [int(h) for h in np.atleast_1d(params["hidden_layer_sizes"])]
    fitted, tensors = {}, {}
    for name, value in vars(estimator).items():
        if name in _ARRAYS and isinstance(value, np.ndarray):
            tensors[f"state.{name}"] = torch.from_numpy(np.ascontiguousarray(value, np.float64))
        elif name in _SCALARS:
            fitted[name] = value.tolist() if isinstance(value, np.ndarray) else value
    _, keys, position, *_ = estimator._rng.get_state()
    tensors["state._rng_keys"] = torch.from_numpy(keys.astype(np.int64))
    fitted["_rng_position"] = int(position)
    for name, value in estimator.network_.state_dict().items():
        tensors[f"network.{name}"] = value.detach().cpu().contiguous()
    metadata = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "skae_version": __version__,
        "torch_version": torch.__version__,
        "params": json.dumps(params),
        "fitted": json.dumps(fitted),
    }
    safetensors.torch.save_file(tensors, str(path), metadata=metadata)


def _fail(path, problem):
    raise ValueError(f"{path} is not a loadable skae model: {problem}.")


def _read_header(path):
    """Metadata and tensor shapes, without reading any tensor."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as f:
            metadata = f.metadata() or {}
            shapes = {name: tuple(f.get_slice(name).get_shape()) for name in f.keys()}
    except FileNotFoundError:
        raise
    except Exception as exc:  # safetensors raises its own error types for bad files
        _fail(path, f"it is not a valid safetensors file ({exc})")
    if metadata.get("format") != FORMAT:
        _fail(path, f"its header does not declare the format {FORMAT!r}")
    if metadata.get("format_version") != str(FORMAT_VERSION):
        _fail(path, f"format version {metadata.get('format_version')!r} is not supported")
    try:
        params, fitted = json.loads(metadata["params"]), json.loads(metadata["fitted"])
    except (KeyError, json.JSONDecodeError) as exc:
        _fail(path, f"its configuration is missing or not JSON ({exc})")
    return metadata, params, fitted, shapes


def _expected_shapes(params, fitted):
    """Tensor names and shapes that a model with this configuration must have."""
    d, k = fitted["n_features_in_"], fitted["n_components_"]
    hidden = list(params["hidden_layer_sizes"])
    shapes = {}
    for part, sizes in (
        ("encoder", [d, *hidden, 2 * k if params["variational"] else k]),
        ("decoder", [k, *hidden[::-1], d]),
    ):
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            shapes[f"network.{part}.{2 * i}.weight"] = (n_out, n_in)
            shapes[f"network.{part}.{2 * i}.bias"] = (n_out,)
    if params["variational"] and params["likelihood"] == "gaussian":
        shapes["network.raw_noise_variance"] = (d,) if params["covariance_type"] == "diag" else ()
        shapes["network.noise_floor"] = ()
    if not params["variational"]:
        shapes["state.code_mean_"] = (k,)
        shapes["state.code_covariance_"] = (k, k)
    if params["likelihood"] == "gaussian" and params["covariance_type"] == "diag":
        shapes["state.noise_variance_"] = (d,)
    shapes["state._rng_keys"] = (624,)
    return shapes


def load_model(cls, path):
    """Read a model written by :func:`save_model`; see ``AutoencoderTransformer.load``."""
    from safetensors.torch import load_file

    from . import __version__
    from ._network import Autoencoder

    metadata, params, fitted, shapes = _read_header(path)
    known = set(cls._parameter_constraints)
    if set(params) != known:
        _fail(path, f"its parameters {sorted(set(params) ^ known)} do not match this version")
    unknown = set(fitted) - _SCALARS
    if unknown:
        _fail(path, f"it has unknown fitted attributes {sorted(unknown)}")
    try:
        expected = _expected_shapes(params, fitted)
    except (KeyError, TypeError, ValueError) as exc:
        _fail(path, f"its configuration is incomplete ({exc!r})")
    if shapes != expected:
        wrong = sorted(set(shapes) ^ set(expected)) or sorted(
            name for name in shapes if shapes[name] != expected[name]
        )
        _fail(path, f"its tensors disagree with its configuration (at {wrong[:5]})")
    if metadata.get("skae_version") != __version__:
        warnings.warn(
            f"{path} was saved by skae {metadata.get('skae_version')} and is loaded by skae "
            f"{__version__}; check its results.",
            UserWarning,
            stacklevel=3,
        )

    tensors = load_file(str(path))
    for name, value in tensors.items():
        if value.is_floating_point() and not torch.isfinite(value).all():
            _fail(path, f"tensor {name!r} holds non-finite values")
    params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
    estimator = cls(**params)
    shape = shapes.get("network.raw_noise_variance")
    network = Autoencoder(
        fitted["n_features_in_"],
        params["hidden_layer_sizes"],
        fitted["n_components_"],
        params["activation"],
        torch.Generator(),
        variational=params["variational"],
        noise_variance=None if shape is None else np.ones(shape),
    )
    network.load_state_dict(
        {k[len("network.") :]: v for k, v in tensors.items() if k.startswith("network.")}
    )
    estimator.network_ = network.eval()
    for name, value in fitted.items():
        if name == "feature_names_in_":
            value = np.asarray(value, dtype=object)
        setattr(estimator, name, value)
    for name, value in tensors.items():
        if name.startswith("state.") and name != "state._rng_keys":
            setattr(estimator, name[len("state.") :], value.numpy())
    estimator._rng = np.random.RandomState()
    estimator._rng.set_state(
        ("MT19937", tensors["state._rng_keys"].numpy().astype(np.uint32), estimator._rng_position)
    )
    del estimator._rng_position
    estimator._n_features_out = fitted["n_components_"]
    estimator._optimizer_state = None
    return estimator
