"""skae against PCA on scikit-learn's digits: the README's demo.

Prints, for codes of 2 and 10 numbers, the held-out reconstruction error,
the trustworthiness of the code (5 neighbours), the held-out ``score``
(mean log-likelihood in nats per sample) and the fit time.
"""

import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.manifold import trustworthiness
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer


def evaluate(model, X_train, X_test):
    tic = time.perf_counter()
    model.fit(X_train)
    fit_time = time.perf_counter() - tic
    code = model.transform(X_test)
    error = np.mean(np.sum((X_test - model.inverse_transform(code)) ** 2, axis=1))
    trust = trustworthiness(X_test, code, n_neighbors=5)
    return error, trust, model.score(X_test), fit_time


def main():
    digits = load_digits()
    X_train, X_test = train_test_split(
        digits.data / 16, test_size=0.25, stratify=digits.target, random_state=0
    )
    print(
        f"digits: {X_train.shape[0]} training and {X_test.shape[0]} held-out images, "
        "pixels scaled to [0, 1]\n"
    )
    header = f"{'model':<12}{'k':>4}{'recon error':>14}{'trust':>9}{'score':>11}{'fit (s)':>10}"
    print(header)
    print("-" * len(header))
    for k in (2, 10):
        for name, model in [
            ("PCA", PCA(n_components=k)),
            ("skae", AutoencoderTransformer(n_components=k, random_state=0)),
        ]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                error, trust, score, fit_time = evaluate(model, X_train, X_test)
            print(f"{name:<12}{k:>4}{error:>14.3f}{trust:>9.4f}{score:>11.2f}{fit_time:>10.2f}")
    print("\nrecon error: mean squared error per held-out image (sum over 64 pixels);")
    print("trust: sklearn.manifold.trustworthiness of the code, 5 neighbours;")
    print("score: held-out mean log-likelihood, nats per image (higher is better).")


if __name__ == "__main__":
    main()
