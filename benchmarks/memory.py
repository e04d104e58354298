"""Peak memory of fit and transform, measured in fresh subprocesses.

Fits 200,000 x 784 float32 data (and float64 data, which must never be copied whole to
float32), then transforms them, and reports what each adds to peak resident memory as a
multiple of the data's size. Targets: fit <= 0.25x, transform <= 0.15x beyond its output.
Linux only (reads /proc/self/status, resets the peak through /proc/self/clear_refs).

    python benchmarks/memory.py [--quick]
"""

import argparse
import json
import subprocess
import sys

CHILD = r"""
import json, sys, warnings
import numpy as np
from skae import AutoencoderTransformer

def peak_and_current():
    status = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return int(status["VmHWM"].split()[0]) * 1024, int(status["VmRSS"].split()[0]) * 1024

def reset_peak():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")

n, dtype = int(sys.argv[1]), sys.argv[2]
warnings.simplefilter("ignore")
X = np.random.default_rng(0).random((n, 784), dtype=dtype)
model = AutoencoderTransformer(hidden_layer_sizes=(128, 64), n_components=8, max_iter=1,
                               random_state=0)
# Torch's first training steps allocate ~100 MB once per process (allocator pools, kernel
# workspaces) whatever the data's size; warm up on a slice so that only what grows with
# the data is measured.
reset_peak(); before = peak_and_current()[1]
model.fit(X[:5000]).transform(X[:5000])
warmup = peak_and_current()[0] - before
reset_peak(); before = peak_and_current()[1]
model.fit(X)
fit_peak = peak_and_current()[0] - before
reset_peak(); before = peak_and_current()[1]
Z = model.transform(X)
transform_peak = peak_and_current()[0] - before - Z.nbytes
print(json.dumps({"data": X.nbytes, "fit": fit_peak, "transform": transform_peak,
                  "warmup": warmup}))
"""


def measure(n, dtype):
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(n), dtype], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(quick=False):
    n = 20_000 if quick else 200_000
    print(
        f"{'input':<10}{'data (MB)':>11}{'fit adds':>11}{'transform adds':>16}"
        f"{'first fit, 5k rows (MB)':>26}"
    )
    for dtype in ("float32", "float64"):
        m = measure(n, dtype)
        print(
            f"{dtype:<10}{m['data'] / 1e6:>11.0f}{m['fit'] / m['data']:>10.3f}x"
            f"{m['transform'] / m['data']:>15.3f}x{m['warmup'] / 1e6:>26.0f}"
        )
    print("targets: fit <= 0.25x, transform <= 0.15x of the data's size")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    main(parser.parse_args().quick)
