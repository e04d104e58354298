"""GPU against CPU: epoch time and results of the same fit on both devices.

100,000 x 784 random float32 (data resident on the GPU), encoder 1024-512, code 32,
batch 1024, 3 epochs; then a float64 transform on each fitted model. Prints seconds per
epoch, the speed-up, and how far the two models' losses and codes agree. Without CUDA it
says so and exits 0.

    python benchmarks/gpu.py [--quick]
"""

import argparse
import time
import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning

from skae import AutoencoderTransformer


def timed_fit(X, device, epochs):
    model = AutoencoderTransformer(
        32,
        hidden_layer_sizes=(1024, 512),
        batch_size=1024,
        max_iter=epochs,
        random_state=0,
        device=device,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X[:2048])  # warm up: kernels, allocator, cuBLAS handles
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        tic = time.perf_counter()
        model.fit(X)
        if device.startswith("cuda"):
            torch.cuda.synchronize()
    return model, (time.perf_counter() - tic) / epochs


def main(quick=False):
    if not torch.cuda.is_available():
        print("CUDA is not available on this machine: nothing to compare.")
        return
    n, epochs = (5_000, 1) if quick else (100_000, 3)
    X = np.random.default_rng(0).random((n, 784), dtype=np.float32)
    gpu, gpu_epoch = timed_fit(X, "cuda", epochs)
    cpu, cpu_epoch = timed_fit(X, "cpu", epochs)
    print(f"device: {torch.cuda.get_device_name()}")
    print(f"{'':<8}{'s / epoch':>11}{'final loss':>13}{'held-in score':>15}")
    for name, model, seconds in (("cuda", gpu, gpu_epoch), ("cpu", cpu, cpu_epoch)):
        print(f"{name:<8}{seconds:>11.3f}{model.loss_curve_[-1]:>13.4f}{model.score(X):>15.3f}")
    print(f"speed-up: {cpu_epoch / gpu_epoch:.1f}x")
    codes = gpu.transform(X[:1000].astype(np.float64)), cpu.transform(X[:1000].astype(np.float64))
    print(f"max |code difference| cuda vs cpu: {np.abs(codes[0] - codes[1]).max():.2e}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    main(parser.parse_args().quick)
