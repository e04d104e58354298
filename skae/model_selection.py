"""Choosing the size of the code on a plateau of the variational score."""

import numpy as np

__all__ = ["one_standard_error_rule"]


def one_standard_error_rule(param="n_components"):
    """A ``refit`` callable for ``GridSearchCV`` that prefers the smallest adequate model.

    The variational score rises while the code is too small and then stays
    flat: beyond the data's latent dimension, extra code dimensions are
    switched off by the prior and neither help nor hurt, so among them the
    best mean score is decided by noise. The one-standard-error rule (Hastie,
    Tibshirani & Friedman, *The Elements of Statistical Learning*, 7.10)
    picks the smallest ``param`` whose mean cross-validated score is within
    one standard error of the best one.

    Parameters
    ----------
    param : str, default="n_components"
        The searched parameter to keep small, as named in the grid (for a
        pipeline step, ``"step__n_components"``).

    Returns
    -------
    refit : callable
        ``refit(cv_results) -> int``, the index of the chosen candidate.

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skae import AutoencoderTransformer
    >>> from skae.model_selection import one_standard_error_rule
    >>> search = GridSearchCV(
    ...     AutoencoderTransformer(variational=True),
    ...     {"n_components": [2, 3, 8]},
    ...     refit=one_standard_error_rule("n_components"),
    ... )
    >>> rule = one_standard_error_rule()
    >>> rule({"mean_test_score": [-9.0, -5.0, -4.9], "std_test_score": [1.0, 0.3, 0.3],
    ...       "param_n_components": [2, 3, 8], "split0_test_score": [0, 0, 0],
    ...       "split1_test_score": [0, 0, 0], "split2_test_score": [0, 0, 0]})
    1
    """

    def refit(cv_results):
        mean = np.asarray(cv_results["mean_test_score"], dtype=float)
        n_splits = sum(
            1 for key in cv_results if key.startswith("split") and key.endswith("_test_score")
        )
        standard_error = np.asarray(cv_results["std_test_score"], dtype=float) / np.sqrt(
            max(n_splits, 1)
        )
        best = int(np.nanargmax(mean))
        adequate = np.flatnonzero(mean >= mean[best] - standard_error[best])
        sizes = np.asarray(cv_results[f"param_{param}"], dtype=float)
        return int(adequate[np.argmin(sizes[adequate])])

    return refit
