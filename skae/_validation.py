"""Checks on input data that scikit-learn's ``check_array`` does not make."""

import numpy as np
import scipy.sparse as sp

__all__ = ["check_float32_range", "check_unit_interval", "is_binary"]

_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _extremes(X):
    """Minimum and maximum of ``X`` (dense or sparse) without a full-size temporary."""
    values = X.data if sp.issparse(X) else X
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    if sp.issparse(X) and X.nnz < X.shape[0] * X.shape[1]:  # implicit zeros count too
        low, high = min(low, 0.0), max(high, 0.0)
    return low, high


def check_float32_range(X):
    """Reject finite float64 values that float32 arithmetic would turn into inf.

    Training runs in float32; ``check_array`` lets 1e300 through, and the
    cast would silently make it infinite.
    """
    if X.dtype != np.float64:
        return
    low, high = _extremes(X)
    if max(high, -low) > _FLOAT32_MAX:
        raise ValueError(
            f"Input X contains values up to {max(high, -low):.3g} in magnitude, beyond "
            f"float32's range (+/-{_FLOAT32_MAX:.3g}) in which the network computes. "
            "Scale the data first, for example with sklearn.preprocessing.StandardScaler."
        )


def check_unit_interval(X, likelihood):
    """Reject data outside [0, 1] for the Bernoulli family of likelihoods."""
    low, high = _extremes(X)
    if low < 0.0 or high > 1.0:
        # "Negative values in data" is the phrase scikit-learn's checks expect.
        raise ValueError(
            ("Negative values in data: " if low < 0.0 else "")
            + f"likelihood={likelihood!r} models values in [0, 1], but X has values in "
            f"[{low:.4g}, {high:.4g}]. Scale X into [0, 1] (for example with "
            "sklearn.preprocessing.MinMaxScaler) or use likelihood='gaussian'."
        )


def is_binary(X):
    """Whether every value of X (dense or sparse) is 0 or 1, checked chunk by chunk."""
    values = X.data if sp.issparse(X) else X
    flat = values.reshape(-1) if values.flags.c_contiguous or values.flags.f_contiguous else None
    if flat is None:
        return all(is_binary(row) for row in values)
    chunk = 1 << 20
    return all(
        np.all((flat[i : i + chunk] == 0) | (flat[i : i + chunk] == 1))
        for i in range(0, flat.size, chunk)
    )
