"""Threads per worker and wall time of GridSearchCV(n_jobs=2) under joblib's backends.

Reports, for each backend, the torch threads a worker sees while fitting and the search's
wall time, next to a serial search. Loky limits each worker to cpu_count // n_jobs threads
and torch obeys; the threading backend shares one process, whose torch thread pool is not
limited, so two fits share the same cores.

    python benchmarks/threads.py [--quick]
"""

import argparse
import time
import warnings

import joblib
import torch
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from skae import AutoencoderTransformer


class ThreadReporting(AutoencoderTransformer):
    """Records how many torch threads the process grants during fit."""

    def fit(self, X, y=None):
        super().fit(X)
        self.torch_threads_ = torch.get_num_threads()
        return self

    def score(self, X, y=None):
        return float(self.torch_threads_)  # the search's "score" is the thread count


def search(n_jobs, backend, X, epochs):
    grid = GridSearchCV(
        ThreadReporting(max_iter=epochs, random_state=0),
        {"n_components": [2, 4]},
        cv=2,
        n_jobs=n_jobs,
    )
    tic = time.perf_counter()
    with warnings.catch_warnings(), joblib.parallel_backend(backend):
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X)
    return grid.cv_results_["mean_test_score"].max(), time.perf_counter() - tic


def main(quick=False):
    X = load_digits().data / 16
    epochs = 2 if quick else 30
    print(f"cores: {joblib.cpu_count()}")
    print(f"{'backend':<12}{'n_jobs':>7}{'threads per worker':>20}{'wall (s)':>10}")
    for backend, n_jobs in (("loky", 1), ("loky", 2), ("threading", 2)):
        threads, seconds = search(n_jobs, backend, X, epochs)
        print(f"{backend:<12}{n_jobs:>7}{threads:>20.0f}{seconds:>10.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    main(parser.parse_args().quick)
