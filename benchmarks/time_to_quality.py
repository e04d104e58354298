"""Time to quality on digits: seconds of training until the held-out reconstruction error at
2 components falls below 0.7x PCA's, with default parameters.

skae (solver "adam" and "lbfgs") against MLPRegressor fitted X -> X with the same layers
(128, 64, 2, 64, 128) and its own defaults. Adam models train epoch by epoch (partial_fit)
and are evaluated between epochs, off the clock. L-BFGS keeps its curvature history only
within one fit, so it is refitted from scratch with max_iter = 10, 20, 40, ... and the time
of the first fit that reaches the target is reported.

    python benchmarks/time_to_quality.py [--quick]
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor

from skae import AutoencoderTransformer


def reconstruction(model):
    return lambda X: model.inverse_transform(model.transform(X))


def error(reconstruct, X):
    return float(np.mean(np.sum((X - reconstruct(X)) ** 2, axis=1)))


def race(step, reconstruct, X_test, target, max_epochs):
    """Run ``step`` until the held-out error beats ``target``; return (seconds, epochs)."""
    spent = 0.0
    for epoch in range(1, max_epochs + 1):
        tic = time.perf_counter()
        step()
        spent += time.perf_counter() - tic
        if error(reconstruct, X_test) < target:
            return spent, epoch
    return float("nan"), max_epochs


def main(quick=False):
    digits = load_digits()
    X_train, X_test = train_test_split(
        digits.data / 16, test_size=0.25, stratify=digits.target, random_state=0
    )
    pca = PCA(2).fit(X_train)
    target = 0.7 * error(lambda X: pca.inverse_transform(pca.transform(X)), X_test)
    max_epochs = 3 if quick else 400
    warnings.simplefilter("ignore", ConvergenceWarning)

    adam = AutoencoderTransformer(2, random_state=0)
    mlp = MLPRegressor(hidden_layer_sizes=(128, 64, 2, 64, 128), random_state=0)
    contenders = [
        (
            "skae adam",
            lambda: adam.partial_fit(X_train),
            reconstruction(adam),
        ),
        ("MLPRegressor", lambda: mlp.partial_fit(X_train, X_train), mlp.predict),
    ]
    print(f"target: held-out error < {target:.3f} (0.7 x PCA's)")
    print(f"{'contender':<24}{'seconds':>9}{'epochs':>8}   (nan: not reached)")
    for name, step, reconstruct in contenders:
        seconds, epochs = race(step, reconstruct, X_test, target, max_epochs)
        print(f"{name:<24}{seconds:>9.2f}{epochs:>8}")
    for max_iter in (10, 20, 40, 80, 160, 320)[: 2 if quick else None]:
        lbfgs = AutoencoderTransformer(2, solver="lbfgs", max_iter=max_iter, random_state=0)
        tic = time.perf_counter()
        lbfgs.fit(X_train)
        seconds = time.perf_counter() - tic
        if error(reconstruction(lbfgs), X_test) < target:
            break
    else:
        seconds = float("nan")
    print(f"{'skae lbfgs':<24}{seconds:>9.2f}{lbfgs.n_iter_:>8}  (iterations)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    main(parser.parse_args().quick)
