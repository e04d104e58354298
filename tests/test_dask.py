"""Scaling out with dask: hyperparameter search on a cluster, and data in chunks.

A distributed.LocalCluster with two worker processes stands in for a real cluster;
``Client("tcp://scheduler:8786")`` would point the same code at one.
"""

import numpy as np
import pytest

pytest.importorskip("dask_ml")
distributed = pytest.importorskip("distributed")

import dask.array as da  # noqa: E402
import joblib  # noqa: E402
from dask_ml.wrappers import Incremental  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from skae import AutoencoderTransformer  # noqa: E402

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning", "ignore::DeprecationWarning"
)


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_grid_search_on_the_cluster_matches_local(client):
    X = np.random.RandomState(0).rand(200, 8)

    def search():
        return GridSearchCV(
            AutoencoderTransformer(hidden_layer_sizes=(8,), max_iter=5, random_state=0),
            {"n_components": [1, 2, 3]},
            cv=2,
            n_jobs=-1,
        )

    local = search().fit(X)
    with joblib.parallel_backend("dask"):
        remote = search().fit(X)
    np.testing.assert_array_equal(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    assert client.scheduler_info()["workers"]  # the work went to the cluster's workers


def test_incremental_trains_on_chunks_and_transforms_blockwise(client):
    rng = np.random.RandomState(1)
    X = da.from_array(rng.rand(1000, 8), chunks=(250, 8))
    model = Incremental(
        AutoencoderTransformer(hidden_layer_sizes=(8,), random_state=0), shuffle_blocks=False
    ).fit(X)
    assert model.estimator_.n_iter_ == 4  # one epoch per chunk, through partial_fit
    Z = model.transform(X)  # lazily, one task per chunk
    assert isinstance(Z, da.Array) and Z.numblocks[0] == 4
    codes = Z.compute()
    assert codes.shape == (1000, 2)
    np.testing.assert_allclose(codes, model.estimator_.transform(X.compute()))
