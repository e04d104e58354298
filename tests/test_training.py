"""The training loop: solvers, sparse and strided input, devices, the stopping rule."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.decomposition import PCA

from skae import AutoencoderTransformer
from skae._estimator import resolve_batch_size
from skae._training import Plateau, row_loader

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

LINEAR = dict(hidden_layer_sizes=(), activation="identity", alpha=0.0, random_state=0)


@pytest.fixture(scope="module")
def low_rank():
    rng = np.random.RandomState(0)
    return rng.randn(500, 5) @ rng.randn(5, 30)


def relative_error(model, X):
    return np.linalg.norm(X - model.inverse_transform(model.transform(X))) / np.linalg.norm(X)


def test_lbfgs_reaches_pca_precision_where_adam_stalls(low_rank):
    assert relative_error(PCA(5).fit(low_rank), low_rank) < 1e-12
    budget = dict(max_iter=300, tol=1e-10)
    lbfgs = AutoencoderTransformer(5, solver="lbfgs", **budget, **LINEAR).fit(low_rank)
    adam = AutoencoderTransformer(5, solver="adam", **budget, **LINEAR).fit(low_rank)
    assert relative_error(lbfgs, low_rank) < 1e-4
    assert relative_error(adam, low_rank) > 1e-4
    assert lbfgs.n_iter_ == len(lbfgs.loss_curve_) < 300


def test_lbfgs_rejects_what_it_cannot_do(low_rank):
    with pytest.raises(ValueError, match="partial_fit is only available for stochastic"):
        AutoencoderTransformer(solver="lbfgs").partial_fit(low_rank)
    with pytest.raises(ValueError, match="solver='lbfgs' needs a deterministic objective"):
        AutoencoderTransformer(solver="lbfgs", variational=True, max_iter=2).fit(low_rank)


def test_lbfgs_with_weight_decay_and_early_stopping(low_rank):
    ae = AutoencoderTransformer(
        2,
        solver="lbfgs",
        alpha=1.0,
        early_stopping=True,
        max_iter=20,
        hidden_layer_sizes=(8,),
        random_state=0,
    ).fit(low_rank)
    assert len(ae.validation_scores_) == ae.n_iter_
    assert all(p.dtype == torch.float32 for p in ae.network_.parameters())


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_input_gives_the_dense_results(fmt):
    rng = np.random.RandomState(0)
    dense = rng.rand(120, 12) * (rng.rand(120, 12) < 0.3)
    sparse = sp.csr_matrix(dense).asformat(fmt)
    params = dict(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    a = AutoencoderTransformer(**params).fit(dense)
    b = AutoencoderTransformer(**params).fit(sparse)
    np.testing.assert_allclose(b.transform(sparse), a.transform(dense), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(b.score_samples(sparse), a.score_samples(dense), rtol=1e-6)
    b.partial_fit(sparse)
    assert b.n_iter_ == 4


@pytest.mark.parametrize(
    "layout",
    ["C", "F", "strided", "readonly", "float32-readonly"],
)
def test_memory_layouts_give_identical_results(layout):
    rng = np.random.RandomState(0)
    base = rng.rand(80, 10)
    X = {
        "C": base,
        "F": np.asfortranarray(base),
        "strided": np.repeat(base, 2, axis=1)[:, ::2],
        "readonly": base.copy(),
        "float32-readonly": base.astype(np.float32),
    }[layout]
    if "readonly" in layout:
        X.flags.writeable = False
    params = dict(hidden_layer_sizes=(6,), max_iter=3, random_state=0)
    reference = AutoencoderTransformer(**params).fit(base.astype(X.dtype))
    model = AutoencoderTransformer(**params).fit(X)
    np.testing.assert_array_equal(model.transform(X), reference.transform(base.astype(X.dtype)))


def test_row_loader_copies_nothing_for_writable_float32():
    X = np.arange(12, dtype=np.float32).reshape(4, 3)
    take = row_loader(X, torch.device("cpu"))
    np.testing.assert_array_equal(take(torch.tensor([2, 0])).numpy(), X[[2, 0]])
    X64 = X.astype(np.float64)
    batch = row_loader(X64, torch.device("cpu"))(torch.tensor([1]))
    assert batch.dtype == torch.float32 and batch.shape == (1, 3)


def test_auto_batch_size_rule():
    assert resolve_batch_size("auto", 30) == 30
    assert resolve_batch_size("auto", 1_000) == 64
    assert resolve_batch_size("auto", 20_000) == 200
    assert resolve_batch_size("auto", 10_000_000) == 1024
    assert resolve_batch_size(500, 100) == 100


def test_plateau_follows_mlp_rule():
    plateau = Plateau(tol=0.5, n_iter_no_change=2, maximize=False)
    assert plateau.update(10.0) and not plateau.reached
    assert plateau.update(9.8)  # best so far, but not by tol: counts as no improvement
    assert not plateau.update(9.9) and not plateau.reached
    assert not plateau.update(9.9) and plateau.reached
    assert plateau.best_value == 9.8


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_fit_matches_cpu_and_unpickles_on_cpu(low_rank):
    import pickle

    params = dict(hidden_layer_sizes=(16,), max_iter=5, random_state=0)
    gpu = AutoencoderTransformer(device="cuda", **params).fit(low_rank)
    cpu = AutoencoderTransformer(device="cpu", **params).fit(low_rank)
    assert gpu.device_.startswith("cuda")
    assert all(p.device.type == "cpu" for p in gpu.network_.parameters())
    np.testing.assert_allclose(gpu.score(low_rank), cpu.score(low_rank), rtol=1e-2)
    restored = pickle.loads(pickle.dumps(gpu))
    np.testing.assert_array_equal(restored.transform(low_rank), gpu.transform(low_rank))
