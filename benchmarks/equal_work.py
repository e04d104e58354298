"""Equal work on digits: skae against MLPRegressor (X -> X) and skorch, same network.

Encoder 256-128, code 2, mirrored decoder; Adam at 1e-3, batch 64, 30 epochs, no early
stopping, no weight decay. Each contender runs 3 times in this process; the table shows
median fit times and their ratios to skae's.

    python benchmarks/equal_work.py [--quick]
"""

import argparse
import time
import warnings

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

from skae import AutoencoderTransformer
from skae._network import Autoencoder

HIDDEN, CODE, BATCH, LR = (256, 128), 2, 64, 1e-3


def fit_skae(X, epochs):
    AutoencoderTransformer(
        CODE,
        hidden_layer_sizes=HIDDEN,
        alpha=0.0,
        batch_size=BATCH,
        learning_rate_init=LR,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs,
        random_state=0,
    ).fit(X)


def fit_mlp(X, epochs):
    MLPRegressor(
        hidden_layer_sizes=(*HIDDEN, CODE, *HIDDEN[::-1]),
        activation="relu",
        alpha=0.0,
        batch_size=BATCH,
        learning_rate_init=LR,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs,
        random_state=0,
    ).fit(X, X)


def fit_skorch(X, epochs):
    from skorch import NeuralNetRegressor

    class Module(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = Autoencoder(
                X.shape[1], HIDDEN, CODE, "relu", torch.Generator().manual_seed(0)
            )

        def forward(self, x):
            return self.net(x)

    NeuralNetRegressor(
        Module,
        max_epochs=epochs,
        lr=LR,
        optimizer=torch.optim.Adam,
        batch_size=BATCH,
        train_split=None,
        iterator_train__shuffle=True,
        verbose=0,
    ).fit(X, X)


def median_time(fit, X, epochs, repeats):
    times = []
    for _ in range(repeats):
        tic = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fit(X, epochs)
        times.append(time.perf_counter() - tic)
    return float(np.median(times))


def main(quick=False):
    X = (load_digits().data / 16).astype(np.float32)
    epochs, repeats = (2, 1) if quick else (30, 3)
    contenders = [("skae", fit_skae), ("MLPRegressor", fit_mlp)]
    try:
        import skorch  # noqa: F401

        contenders.append(("skorch", fit_skorch))
    except ImportError:
        print("(skorch not installed: pip install skorch to include it)")
    for _, fit in contenders:  # warm up: first calls import modules and allocate pools
        median_time(fit, X[:200], 1, 1)
    times = {name: median_time(fit, X, epochs, repeats) for name, fit in contenders}
    print(f"{'contender':<14}{'median fit (s)':>16}{'skae / contender':>18}")
    for name, seconds in times.items():
        print(f"{name:<14}{seconds:>16.3f}{times['skae'] / seconds:>18.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    main(parser.parse_args().quick)
