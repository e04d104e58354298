"""Compute efficiency: achieved training GFLOP/s as a fraction of this machine's matmul rate.

40,000 x 784 random float32, encoder 1024-512, code 32, mirrored decoder, batch 1024,
2 epochs. Achieved rate = 6 x parameters x samples x epochs / fit time (forward 2, backward
4 FLOPs per parameter and sample); the reference is a float32 (1024 x 784) @ (784 x 1024)
matrix product timed in the same run.

    python benchmarks/compute_efficiency.py [--quick]
"""

import argparse
import time
import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning

from skae import AutoencoderTransformer


def matmul_gflops(n_rows, n_inner, n_cols, repeats=20):
    a = torch.randn(n_rows, n_inner)
    b = torch.randn(n_inner, n_cols)
    a @ b  # warm up
    tic = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * n_rows * n_inner * n_cols * repeats / (time.perf_counter() - tic) / 1e9


def main(quick=False):
    n_samples, epochs = (2_000, 1) if quick else (40_000, 2)
    X = np.random.RandomState(0).rand(n_samples, 784).astype(np.float32)
    ae = AutoencoderTransformer(
        32,
        hidden_layer_sizes=(1024, 512),
        batch_size=1024,
        max_iter=epochs,
        alpha=0.0,
        random_state=0,
    )
    with warnings.catch_warnings():  # first use of torch's optimiser imports modules
        warnings.simplefilter("ignore", ConvergenceWarning)
        AutoencoderTransformer(hidden_layer_sizes=(8,), max_iter=1).fit(X[:100])
    peak = matmul_gflops(1024, 784, 1024)
    tic = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ae.fit(X)
    seconds = time.perf_counter() - tic
    n_params = sum(p.numel() for p in ae.network_.parameters())
    achieved = 6 * n_params * n_samples * epochs / seconds / 1e9
    peak = max(peak, matmul_gflops(1024, 784, 1024))
    print(f"parameters            {n_params:>12,}")
    print(f"fit time (s)          {seconds:>12.2f}")
    print(f"achieved GFLOP/s      {achieved:>12.1f}")
    print(f"matmul GFLOP/s        {peak:>12.1f}")
    print(f"efficiency            {achieved / peak:>12.2f}   (target >= 0.5)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    main(parser.parse_args().quick)
