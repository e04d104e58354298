"""Scaling: fit time per epoch at 10k, 100k and 1M rows of 784 float32 columns.

Default network, batch 1024 for every size so that each epoch does the same work per row.
Time per epoch = (fit with 3 epochs - fit with 1 epoch) / 2, which cancels the fixed costs
(validation, the post-fit pass). Linear scaling means a constant time per 1,000 rows.

    python benchmarks/scaling.py [--quick]
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skae import AutoencoderTransformer


def fit_seconds(X, epochs):
    model = AutoencoderTransformer(batch_size=1024, max_iter=epochs, random_state=0)
    tic = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    return time.perf_counter() - tic


def main(quick=False):
    sizes = (1_000, 4_000) if quick else (10_000, 100_000, 1_000_000)
    rng = np.random.default_rng(0)
    fit_seconds(rng.random((2_000, 784), dtype=np.float32), 1)  # warm up
    print(f"{'rows':>10}{'s / epoch':>12}{'ms / 1k rows':>14}")
    for n in sizes:
        X = rng.random((n, 784), dtype=np.float32)
        per_epoch = (fit_seconds(X, 3) - fit_seconds(X, 1)) / 2
        print(f"{n:>10,}{per_epoch:>12.3f}{1e6 * per_epoch / n:>14.2f}")
        del X


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    main(parser.parse_args().quick)
