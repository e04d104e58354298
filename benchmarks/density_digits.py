"""Held-out density on dequantized digits: skae's variational bound against PCA, FA and a GMM.

X = (pixels + u) / 17 with u ~ U[0, 1) from RandomState(0), split 75/25 stratified
(random_state=0). Prints held-out mean log-likelihood (nats per image; for skae a lower
bound with K importance samples) and fit times.

    python benchmarks/density_digits.py [--quick]
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA, FactorAnalysis
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer


def dequantized_digits():
    digits = load_digits()
    X = (digits.data + np.random.RandomState(0).uniform(size=digits.data.shape)) / 17
    return train_test_split(X, test_size=0.25, stratify=digits.target, random_state=0)


def main(quick=False):
    X_train, X_test = dequantized_digits()
    if quick:
        X_train, X_test = X_train[:200], X_test[:100]
    epochs = 3 if quick else 200
    k = 10
    models = [
        ("PCA(10)", PCA(k), None),
        ("FactorAnalysis(10)", FactorAnalysis(k), None),
        ("GaussianMixture(10, full)", GaussianMixture(k, random_state=0), None),
        (
            "skae VAE linear (= PPCA)",
            AutoencoderTransformer(
                k,
                variational=True,
                hidden_layer_sizes=(),
                activation="identity",
                alpha=0.0,
                learning_rate_init=3e-3,
                batch_size=256,
                max_iter=2 * epochs,
                n_iter_no_change=30,
                random_state=0,
            ),
            (1, 10, 100),
        ),
        (
            "skae VAE spherical",
            AutoencoderTransformer(k, variational=True, max_iter=epochs, random_state=0),
            (1, 10, 100),
        ),
        (
            "skae VAE diag",
            AutoencoderTransformer(
                k, variational=True, covariance_type="diag", max_iter=epochs, random_state=0
            ),
            (1, 10, 100),
        ),
        (
            "skae VAE diag (256, 128)",
            AutoencoderTransformer(
                k,
                variational=True,
                covariance_type="diag",
                hidden_layer_sizes=(256, 128),
                max_iter=epochs,
                random_state=0,
            ),
            (1, 10, 100),
        ),
    ]
    print(f"{'model':<28}{'K=1':>9}{'K=10':>9}{'K=100':>9}{'fit (s)':>9}")
    for name, model, draws in models:
        tic = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train)
        fit_time = time.perf_counter() - tic
        if draws is None:
            scores = ["", f"{model.score(X_test):9.2f}", ""]
        else:
            scores = [
                f"{model.set_params(n_importance_samples=K).score(X_test):9.2f}" for K in draws
            ]
        print(f"{name:<28}{scores[0]:>9}{scores[1]:>9}{scores[2]:>9}{fit_time:>9.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    main(parser.parse_args().quick)
