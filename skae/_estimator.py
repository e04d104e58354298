"""``AutoencoderTransformer``: an autoencoder with the interface of ``PCA``."""

import copy
import functools
import os
import time
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from numpy.typing import ArrayLike
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._callbacks import CallbackSupportMixin, EpochCallbacks
from ._draws import row_normal_draws
from ._likelihoods import LIKELIHOODS, log_likelihood
from ._network import ACTIVATIONS, Autoencoder, cast_module
from ._objectives import (
    draw_observations,
    elbo_loss,
    log_density_bound,
    observation_mean,
    reconstruction_loss,
    split_code,
)
from ._persistence import load_model, save_model
from ._training import (
    Plateau,
    add_l2_gradient,
    flush_denormals,
    lbfgs_stepper,
    make_optimizer,
    row_loader,
    run_epoch,
)
from ._validation import check_float32_range, check_unit_interval, is_binary

__all__ = ["AutoencoderTransformer"]

# Inference runs in float64 whatever the input's dtype, and results are cast back to
# it: a sample then gets the same numbers alone or in any batch (float32 matrix
# products differ by ~1e-7 with the batch's size), and float64 data keep their
# precision. Training runs in float32 (or float64 with L-BFGS).
_INFERENCE_DTYPE = torch.float64

# Rows per batch at inference: enough to keep the matrix units busy, few enough
# that a float64 batch stays small (8 MB at 1,000 features). With 4096 rows the
# allocator kept freed batches around: fitting 200,000 x 784 float32 then added
# 0.33x the data's size to peak memory, against 0.04x with 1024.
_INFERENCE_BATCH_SIZE = 1024


def resolve_batch_size(batch_size, n_samples):
    """Rows per step; ``"auto"`` aims at 100 steps per epoch, in batches of 64 to 1024.

    Small data sets get small batches, hence enough steps per epoch to learn
    in a few hundred epochs; large ones get batches big enough to keep the
    matrix units busy.
    """
    if batch_size == "auto":
        batch_size = int(np.clip(n_samples // 100, 64, 1024))
    return min(batch_size, n_samples)


def resolve_device(device):
    """Turn the ``device`` parameter into a ``torch.device`` that exists here.

    ``"auto"`` picks CUDA, then Apple's MPS, then the CPU.
    """
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        resolved = torch.device(device)
    except RuntimeError:
        resolved = None
    if resolved is None or resolved.type not in ("cpu", "cuda", "mps"):
        raise ValueError(
            f"device={device!r} is not understood; use 'cpu', 'cuda', 'cuda:N', 'mps' or 'auto'."
        )
    available = {
        "cpu": True,
        "cuda": torch.cuda.is_available()
        and (resolved.index is None or resolved.index < torch.cuda.device_count()),
        "mps": torch.backends.mps.is_available(),
    }[resolved.type]
    if not available:
        raise ValueError(
            f"device={device!r} was requested but is not available on this machine; "
            "use device='cpu', or device='auto' to take an accelerator when there is one."
        )
    return resolved


def dense_chunks(X, batch_size=_INFERENCE_BATCH_SIZE):
    """Yield ``(start, chunk)``: X's rows batch by batch as C-ordered dense arrays.

    Only one batch is ever copied (densified, made contiguous), whatever X's
    format, strides or flags.
    """
    for start in range(0, X.shape[0], batch_size):
        chunk = X[start : start + batch_size]
        yield start, chunk.toarray() if sp.issparse(chunk) else np.ascontiguousarray(chunk)


def feature_variances(X):
    """Variance of each column of X (dense or sparse), computed chunk by chunk in float64."""
    n = X.shape[0]
    mean = np.zeros(X.shape[1])
    sq_mean = np.zeros(X.shape[1])
    for _, chunk in dense_chunks(X):
        mean += chunk.sum(axis=0, dtype=np.float64) / n
        sq_mean += np.square(chunk, dtype=np.float64).sum(axis=0) / n
    return np.maximum(sq_mean - mean**2, 0.0)


def noise_variance_floor(variances):
    """Smallest noise variance allowed: 1e-6 times the mean variance of the features.

    Without it, a perfect reconstruction, or a feature that is constant in
    the training data, would give a zero variance and an infinite (or, on
    new data, minus infinite) log-likelihood. The absolute floor of 1e-12
    covers constant data.
    """
    return max(1e-6 * float(np.mean(variances)), 1e-12)


class AutoencoderTransformer(
    CallbackSupportMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
    """Autoencoder for dimensionality reduction, used like :class:`~sklearn.decomposition.PCA`.

    An encoder network maps each sample to a code of ``n_components``
    numbers (:meth:`transform`); a mirrored decoder maps codes back to the
    data space (:meth:`inverse_transform`). Both are trained together to
    maximise the likelihood of the data under an observation model centred
    on the reconstruction: a Gaussian (training by squared error) or
    independent Bernoulli variables (training by cross-entropy).
    :meth:`score_samples` gives that log-likelihood, in nats, per sample.

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    n_components : int, default=2
        Size of the code. It may exceed the number of features (an
        overcomplete code), though that rarely helps.

    hidden_layer_sizes : tuple of int, default=(128, 64)
        Widths of the encoder's hidden layers; the decoder uses them in
        reverse order. ``()`` gives a linear encoder and decoder, which with
        ``activation="identity"`` learns PCA's subspace. The default is wide
        enough for image data such as sklearn's digits yet trains in seconds
        on a laptop CPU.

    activation : {"identity", "logistic", "tanh", "relu"}, default="relu"
        Non-linearity between hidden layers. The code layer and the output
        layer are linear.

    likelihood : {"gaussian", "bernoulli", "continuous_bernoulli"}, default="gaussian"
        Observation model, which fixes the training loss and the meaning of
        :meth:`score_samples`:

        - ``"gaussian"``: ``x ~ N(x_hat, noise_variance_)``. Training
          minimises the squared error, its maximum-likelihood objective.
        - ``"bernoulli"``: each feature ``x_j ~ Bernoulli(p_j)`` with ``p``
          the sigmoid of the decoder's output. Training minimises the
          cross-entropy computed from logits. X must lie in [0, 1]; for
          data that are not binary the score is a cross-entropy, not a
          log-likelihood, and a warning says so.
        - ``"continuous_bernoulli"``: the continuous Bernoulli distribution
          (Loaiza-Ganem & Cunningham, 2019), a true density on [0, 1] for
          data such as pixel intensities: the cross-entropy plus the
          log-normaliser it lacks. X must lie in [0, 1].

    variational : bool, default=False
        If True, a variational autoencoder: the encoder gives the mean and
        variance of a Gaussian ``q(z | x)``, the code has the prior
        ``N(0, I)``, training maximises the evidence lower bound (ELBO) with
        the reparameterisation trick, and :meth:`score_samples` is a lower
        bound on ``log p(x)``, a proper density of x that penalises a code
        larger than the data need. Use this mode to choose ``n_components``
        by :meth:`score`. :meth:`transform` returns the posterior mean.

    n_importance_samples : int, default=10
        With ``variational=True``, the number ``K`` of importance samples
        in the bound that :meth:`score_samples` returns: ``K = 1`` gives the
        ELBO, larger ``K`` the tighter importance-weighted bound (Burda et
        al., 2016). The draws derive from ``random_state``, so repeated calls
        give identical numbers. Ignored when ``variational=False``.

    covariance_type : {"spherical", "diag"}, default="spherical"
        Gaussian only: one noise variance shared by all features
        (``"spherical"``), or one per feature (``"diag"``, like
        :class:`~sklearn.decomposition.FactorAnalysis`). Variances are fitted
        by maximum likelihood, jointly with the network in variational mode,
        and never fall below ``1e-6`` times the mean variance of the
        features, so that no score is infinite or NaN, even for a feature
        constant in the training data. Ignored for the other likelihoods.

    solver : {"adam", "lbfgs"}, default="adam"
        The optimiser.

        - ``"adam"``: minibatch Adam (Kingma & Ba, 2015). Scales to data of
          any size, trains every mode, and supports ``early_stopping`` and
          :meth:`partial_fit`.
        - ``"lbfgs"``: full-batch L-BFGS with a strong-Wolfe line search, in
          float64; each iteration is one pass over all the data, and
          ``max_iter`` counts iterations. On small data it converges far more
          tightly: a linear autoencoder on noiseless low-rank data reaches
          PCA's exact reconstruction, where Adam stalls around 1e-2 relative
          error. Deterministic models only, and no :meth:`partial_fit`;
          ``batch_size``, ``learning_rate_init`` and ``shuffle`` do not apply.

    alpha : float, default=1.0
        Strength of the L2 penalty on the weight matrices (not the biases).
        The training objective is the mean negative log-likelihood per sample
        plus ``alpha * ||W||^2 / (2 * n_samples)``: maximum a posteriori
        estimation under a ``N(0, 1 / alpha)`` prior on each weight. The
        default was chosen on held-out digits, where a weaker penalty lets a
        Bernoulli model overfit (see the user guide).

    batch_size : int or "auto", default="auto"
        Samples per minibatch. ``"auto"`` means ``n_samples // 100`` clipped
        to [64, 1024] (and to ``n_samples``): about 100 steps per epoch on
        mid-sized data, small batches (many steps) on small data, and
        batches that keep the hardware busy on large data.

    learning_rate_init : float, default=0.001
        Adam's step size.

    max_iter : int, default=200
        Maximum number of epochs (passes over the data).

    tol : float, default=1e-4
        Smallest improvement of the loss (or of the validation score with
        ``early_stopping=True``), in nats per sample, that counts.

    n_iter_no_change : int, default=10
        Training stops after this many epochs in a row without an
        improvement of at least ``tol``.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, stop when the
        validation score stops improving, and keep the weights of the best
        epoch.

    validation_fraction : float, default=0.1
        Share of the training data held out with ``early_stopping=True``.

    shuffle : bool, default=True
        Visit the samples in a new random order in each epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the shuffling and the validation split.
        An int makes fits reproducible: on the CPU the same seed gives
        bit-identical results. Global random states (numpy's and torch's)
        are never used nor changed.

    warm_start : bool, default=False
        Whether :meth:`fit` continues from the current weights instead of
        starting afresh.

    device : str, default="cpu"
        Where training runs: ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"mps"``
        or ``"auto"`` (the first available of CUDA, MPS and CPU). The fitted
        network is kept on the CPU, so the model unpickles anywhere.

    verbose : int, default=0
        Print the loss after each epoch when positive.

    Attributes
    ----------
    network_ : torch.nn.Module
        The trained autoencoder (on the CPU, in evaluation mode), with
        submodules ``encoder`` and ``decoder``.

    noise_variance_ : float or ndarray of shape (n_features,)
        Gaussian only: the noise variance (an array with
        ``covariance_type="diag"``). Deterministic models take the
        maximum-likelihood estimate after training, the mean squared
        reconstruction error per feature on the training data; variational
        models learn it with the network. Never less than 1e-6 times the
        mean variance of the features.

    code_mean_ : ndarray of shape (n_components,)
        Deterministic models: mean of the training codes; :meth:`sample`
        draws codes from a Gaussian with this mean.

    code_covariance_ : ndarray of shape (n_components, n_components)
        Deterministic models: covariance of the training codes.

    n_iter_ : int
        Number of epochs run.

    loss_curve_ : list of float of shape (``n_iter_``,)
        Training loss after each epoch: the mean negative log-likelihood per
        sample, in nats, of the training objective (for the Gaussian, at unit
        noise variance: half the squared error plus ``n_features / 2 *
        log(2 pi)``), without the L2 penalty.

    best_loss_ : float or None
        Lowest value of ``loss_curve_``; None with ``early_stopping=True``.

    validation_scores_ : list of float of shape (``n_iter_``,) or None
        With ``early_stopping=True``, the score (mean log-likelihood per
        sample) on the held-out data after each epoch; otherwise None.

    best_validation_score_ : float or None
        Best value of ``validation_scores_``, or None.

    device_ : str
        The device on which the model was trained.

    t_ : int
        Number of training samples seen by the optimiser, over all epochs.

    interrupted_ : bool
        True if the last fit was stopped by Ctrl-C (KeyboardInterrupt); the
        model then holds the last completed epoch's weights (the best
        epoch's with early stopping).

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during ``fit``. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    sklearn.decomposition.PCA : The linear, closed-form counterpart.
    sklearn.neural_network.MLPRegressor : The MLP whose conventions this follows.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import AutoencoderTransformer
    >>> X = load_digits().data / 16
    >>> ae = AutoencoderTransformer(n_components=2, max_iter=5, random_state=0)
    >>> Z = ae.fit_transform(X)
    >>> Z.shape
    (1797, 2)
    >>> ae.inverse_transform(Z).shape
    (1797, 64)
    >>> ae.score_samples(X[:3]).shape
    (3,)
    """

    # The "?" link of the HTML representation opens the API page.
    _doc_link_module = "skae"
    _doc_link_template = (
        "https://skae.readthedocs.io/en/latest/generated/skae.{estimator_name}.html"
    )

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "likelihood": [StrOptions(set(LIKELIHOODS))],
        "variational": ["boolean"],
        "n_importance_samples": [Interval(Integral, 1, None, closed="left")],
        "covariance_type": [StrOptions({"spherical", "diag"})],
        "solver": [StrOptions({"adam", "lbfgs"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "device": [str],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_components=2,
        *,
        hidden_layer_sizes=(128, 64),
        activation="relu",
        likelihood="gaussian",
        variational=False,
        n_importance_samples=10,
        covariance_type="spherical",
        solver="adam",
        alpha=1.0,
        batch_size="auto",
        learning_rate_init=0.001,
        max_iter=200,
        tol=1e-4,
        n_iter_no_change=10,
        early_stopping=False,
        validation_fraction=0.1,
        shuffle=True,
        random_state=None,
        warm_start=False,
        device="cpu",
        verbose=0,
    ):
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.likelihood = likelihood
        self.variational = variational
        self.n_importance_samples = n_importance_samples
        self.covariance_type = covariance_type
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.shuffle = shuffle
        self.random_state = random_state
        self.warm_start = warm_start
        self.device = device
        self.verbose = verbose

    # ------------------------------------------------------------------ fit

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: None = None) -> "AutoencoderTransformer":
        """Train the autoencoder on X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. Sparse data are densified one batch at a time.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        continuing = self.warm_start and hasattr(self, "network_")
        with self._rollback_on_error():
            X = self._validate_X(X, reset=not continuing, ensure_min_samples=2)
            self._warn_if_not_binary(X)
            if not continuing:
                self._initialize(X)
            with flush_denormals():
                self._train(X, y, self.max_iter, early_stopping=self.early_stopping)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X: ArrayLike, y: None = None) -> "AutoencoderTransformer":
        """Train for one epoch on X, building the network on the first call.

        Adam's state carries over from call to call, so repeated calls on
        chunks of a large data set train like :meth:`fit` on the whole.
        ``early_stopping`` does not apply; ``noise_variance_`` is estimated
        on the X of the latest call.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : object
            The updated estimator.
        """
        if self.solver == "lbfgs":
            raise ValueError(
                "partial_fit is only available for stochastic optimizers; "
                "solver='lbfgs' is not stochastic. Use solver='adam'."
            )
        first_call = not hasattr(self, "network_")
        with self._rollback_on_error():
            X = self._validate_X(X, reset=first_call, ensure_min_samples=1)
            self._warn_if_not_binary(X)
            if first_call:
                self._initialize(X)
            with flush_denormals():
                self._train(X, y, 1, early_stopping=False, incremental=True)
        return self

    def fit_transform(self, X: ArrayLike, y: None = None) -> np.ndarray:
        """Fit to X and return its code.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            The code of each sample, in X's floating dtype.
        """
        # ``fit`` validates X; the code is then computed on the validated
        # array without validating twice.
        self.fit(X)
        X = self._validate_X(X, reset=False)
        return self._encode(X)

    # ------------------------------------------------------- inference API

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Encode X into the code space.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to encode.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            The code of each sample, in X's floating dtype.
        """
        check_is_fitted(self)
        return self._encode(self._validate_X(X, reset=False))

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        """Decode codes back into the data space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, for example from :meth:`transform`.

        Returns
        -------
        X_original : ndarray of shape (n_samples, ``n_features_in_``)
            The mean of the observation model given the code: the
            reconstruction itself for the Gaussian, probabilities in [0, 1]
            for the Bernoulli, the mean in [0, 1] for the continuous
            Bernoulli.
        """
        check_is_fitted(self)
        Z = check_array(X, dtype=[np.float64, np.float32], input_name="X")
        if Z.shape[1] != self.n_components_:
            raise ValueError(
                f"X has {Z.shape[1]} features, but {type(self).__name__}.inverse_transform "
                f"is expecting codes of n_components={self.n_components_} features."
            )
        decoder = cast_module(self.network_.decoder, _INFERENCE_DTYPE)
        return self._batched(
            Z, lambda z: observation_mean(self.likelihood, decoder(z)), self.n_features_in_
        )

    def score_samples(self, X: ArrayLike) -> np.ndarray:
        """Log-likelihood of each sample under the model, in nats.

        Deterministic models (``variational=False``) give the reconstruction
        log-likelihood ``log p(x | x_hat)``: for the Gaussian,
        ``log N(x | x_hat, noise_variance_)``; for the Bernoulli,
        ``sum_j x_j log p_j + (1 - x_j) log(1 - p_j)``; where ``x_hat`` (or
        ``p``) is the reconstruction of ``x`` itself. A larger code always
        fits better, so this score does not choose ``n_components``.

        Variational models give a lower bound on ``log p(x)`` itself, with
        ``n_importance_samples`` importance samples: a proper density of x,
        which penalises a code larger than the data need and can choose
        ``n_components`` as ``PCA.score`` does. Its randomness derives from
        ``random_state``: repeated calls give identical numbers.

        Every normalising constant is included, as in ``PCA.score_samples``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
            Log-likelihood of each sample, in X's floating dtype.
        """
        check_is_fitted(self)
        return self._score_samples(self._validate_X(X, reset=False))

    def score(self, X: ArrayLike, y: None = None) -> float:
        """Average log-likelihood of the samples, in nats per sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        ll : float
            Mean of :meth:`score_samples`.
        """
        check_is_fitted(self)
        return float(
            np.mean(self._score_samples(self._validate_X(X, reset=False)), dtype=np.float64)
        )

    def sample(self, n_samples: int = 1, random_state=None) -> np.ndarray:
        """Draw samples from the fitted generative model.

        Codes are drawn from the prior ``N(0, I)`` (variational) or from a
        Gaussian fitted to the training codes (``code_mean_``,
        ``code_covariance_``), decoded, and then observed through the noise
        model: Gaussian noise of variance ``noise_variance_``, Bernoulli
        draws (0 or 1), or continuous Bernoulli draws in [0, 1].

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples.
        random_state : int, RandomState instance or None, default=None
            Seeds the draws; None uses fresh entropy (never numpy's global
            random state).

        Returns
        -------
        X : ndarray of shape (n_samples, n_features_in_)
            The samples, as float64.
        """
        check_is_fitted(self)
        if not isinstance(n_samples, Integral) or n_samples < 1:
            raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")
        rng = np.random.RandomState() if random_state is None else check_random_state(random_state)
        generator = torch.Generator().manual_seed(_draw_seed(rng))
        decoder = cast_module(self.network_.decoder, torch.float64)
        noise_variance = getattr(self, "noise_variance_", 1.0)
        k = self.n_components_
        if self.variational:
            mean, root = np.zeros(k), np.eye(k)
        else:
            mean = self.code_mean_
            root = np.linalg.cholesky(self.code_covariance_ + 1e-12 * np.eye(k))
        mean, root = torch.from_numpy(mean), torch.from_numpy(root)
        out = np.empty((n_samples, self.n_features_in_))
        with torch.no_grad():
            for start in range(0, n_samples, _INFERENCE_BATCH_SIZE):
                n = min(_INFERENCE_BATCH_SIZE, n_samples - start)
                z = mean + torch.randn((n, k), generator=generator, dtype=torch.float64) @ root.T
                drawn = draw_observations(self.likelihood, decoder(z), noise_variance, generator)
                out[start : start + n] = drawn.numpy()
        return out

    def save(self, path: str | os.PathLike) -> None:
        """Save the fitted model to ``path`` without pickle.

        The weights and arrays go into a safetensors file; the parameters and
        the rest of the fitted state into its header, as JSON. Nothing in the
        file is executable, so a model file from an untrusted source can be
        loaded safely with :meth:`load`. Adam's moments are not saved: a
        :meth:`partial_fit` after loading restarts them. Needs the
        ``safetensors`` package (``pip install skae[persistence]``).

        Parameters
        ----------
        path : str or path-like
            Where to write, conventionally ending in ``.safetensors``.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> import numpy as np
        >>> from skae import AutoencoderTransformer
        >>> X = np.random.RandomState(0).rand(50, 4)
        >>> ae = AutoencoderTransformer(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
        >>> ae = ae.fit(X)
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "ae.safetensors"
        >>> ae.save(path)
        >>> bool(np.array_equal(AutoencoderTransformer.load(path).transform(X), ae.transform(X)))
        True
        """
        check_is_fitted(self)
        save_model(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "AutoencoderTransformer":
        """Load a model written by :meth:`save`, never unpickling anything.

        The file's header is checked before any object is built: its format,
        its configuration, and that every tensor has the name and shape the
        configuration implies. Tensors must be finite. A file saved by
        another version of skae loads with a warning.

        Parameters
        ----------
        path : str or path-like
            A file written by :meth:`save`.

        Returns
        -------
        estimator : AutoencoderTransformer
            The fitted model.

        Raises
        ------
        ValueError
            If the file is not a valid skae model file.
        """
        return load_model(cls, path)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.positive_only = self.likelihood != "gaussian"
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    # ---------------------------------------------------------- internals

    def _validate_X(self, X, *, reset, ensure_min_samples=1):
        if getattr(X, "dtype", None) is not None and X.dtype.kind in "US":
            raise ValueError(
                f"X holds strings (dtype {X.dtype}); AutoencoderTransformer needs numbers. "
                "Encode text or categories first (for example with OneHotEncoder)."
            )
        X = validate_data(
            self,
            X,
            reset=reset,
            accept_sparse=("csr", "csc"),
            dtype=[np.float64, np.float32],
            ensure_min_samples=ensure_min_samples,
        )
        check_float32_range(X)
        if self.likelihood != "gaussian":
            check_unit_interval(X, self.likelihood)
        return X

    def _warn_if_not_binary(self, X):
        if self.likelihood == "bernoulli" and not is_binary(X):
            warnings.warn(
                "likelihood='bernoulli' was fitted on data that are not binary: its score "
                "is then a cross-entropy, not a log-likelihood. For values in [0, 1] such "
                "as pixel intensities, likelihood='continuous_bernoulli' gives a true "
                "log-density.",
                UserWarning,
                stacklevel=4,
            )

    def _rollback_on_error(self):
        return _Rollback(self)

    def _initialize(self, X):
        """Build a fresh network and random state for X's shape."""
        hidden = tuple(int(h) for h in np.atleast_1d(self.hidden_layer_sizes))
        if any(h < 1 for h in hidden):
            raise ValueError(
                "hidden_layer_sizes must contain positive integers, "
                f"got {self.hidden_layer_sizes!r}."
            )
        self.device_ = str(resolve_device(self.device))
        # None draws fresh OS entropy rather than numpy's global RandomState,
        # so that fitting never moves the global random state.
        self._rng = (
            np.random.RandomState()
            if self.random_state is None
            else check_random_state(self.random_state)
        )
        generator = torch.Generator().manual_seed(_draw_seed(self._rng))
        self._score_seed = _draw_seed(self._rng)
        variances = feature_variances(X)
        self._noise_floor = noise_variance_floor(variances)
        initial_variance = None
        if self.variational and self.likelihood == "gaussian":
            # Start from a model that explains nothing: the data's own variance.
            initial_variance = np.maximum(variances, 2 * self._noise_floor)
            if self.covariance_type == "spherical":
                initial_variance = float(np.mean(initial_variance))
        self.network_ = Autoencoder(
            X.shape[1],
            hidden,
            self.n_components,
            self.activation,
            generator,
            variational=self.variational,
            noise_variance=initial_variance,
            noise_floor=self._noise_floor,
        ).eval()
        self.n_components_ = self.n_components
        self._n_features_out = self.n_components
        self._optimizer_state = None
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self.best_loss_ = None
        self.validation_scores_ = None
        self.best_validation_score_ = None

    def _train(self, X, y, n_epochs, *, early_stopping, incremental=False):
        """Run up to ``n_epochs`` epochs (or L-BFGS iterations) on X; store the results."""
        if self.solver == "lbfgs" and self.variational:
            raise ValueError(
                "solver='lbfgs' needs a deterministic objective, but the ELBO of "
                "variational=True is estimated by sampling; use solver='adam'."
            )
        device = torch.device(self.device_)
        network = copy.deepcopy(self.network_).to(device).train()
        self.loss_curve_ = list(self.loss_curve_)
        rows, val_rows = self._split_rows(X.shape[0], early_stopping)
        if self.solver == "lbfgs":
            step, optimizer_state = self._lbfgs_step(network, X, rows, device)
        else:
            step, optimizer_state = self._adam_step(network, X, rows, device, incremental)
        validate = None
        if early_stopping:
            validate = lambda loss: self._validation_score(network, X, val_rows, device, loss)  # noqa: E731
        plateau = Plateau(self.tol, self.n_iter_no_change, maximize=early_stopping)
        if not early_stopping:
            for loss in self.loss_curve_:
                plateau.update(loss)

        callbacks = EpochCallbacks(self, X, y, n_epochs)
        status, kept_state = self._iterate(
            network, step, validate, plateau, n_epochs, len(rows), not incremental, callbacks
        )
        if status == "max_iter" and not incremental:
            warnings.warn(
                f"{'L-BFGS' if self.solver == 'lbfgs' else 'Stochastic Optimizer'}: "
                f"Maximum iterations ({self.max_iter}) reached and the optimization "
                "hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=4,
            )
        self.interrupted_ = status == "interrupted"
        if self.interrupted_:
            warnings.warn(
                f"Training interrupted by user after {self.n_iter_} epochs; keeping the "
                + (
                    "best epoch's weights." if early_stopping else "last completed epoch's weights."
                ),
                UserWarning,
                stacklevel=4,
            )
        if kept_state is not None:
            network.load_state_dict(kept_state)
        if early_stopping:
            self.best_validation_score_, self.best_loss_ = plateau.best_value, None
        else:
            self.best_loss_ = plateau.best_value
        if incremental and not self.interrupted_:
            self._optimizer_state = optimizer_state()
        self.network_ = network.float().cpu().eval()
        self._store_noise_and_codes(X)
        callbacks.end_fit()

    def _iterate(
        self, network, step, validate, plateau, n_epochs, n_rows, stop_on_plateau, callbacks
    ):
        """The epoch loop: step, record, check, print, report to callbacks, stop.

        Returns how it ended ("converged", "max_iter" or "interrupted") and the
        weights to keep, or None to keep the network as it is: the best
        epoch's with early stopping, the last completed epoch's after Ctrl-C.
        """
        best_state, last_state = None, _clone_state(network)
        for _ in range(n_epochs):
            tic = time.perf_counter()
            callbacks.begin_epoch()
            try:
                loss = step()
            except KeyboardInterrupt:
                return "interrupted", best_state or last_state
            if not np.isfinite(loss):
                raise ValueError(
                    f"The training loss became {loss} in epoch {self.n_iter_ + 1}: the "
                    "optimisation diverged. Use a smaller learning_rate_init, or scale "
                    "the data (for example with sklearn.preprocessing.StandardScaler)."
                )
            self.n_iter_ += 1
            self.t_ += n_rows
            self.loss_curve_.append(loss)
            message = f"Iteration {self.n_iter_}, loss = {loss:.8f}"
            if validate is not None:
                score = validate(loss)
                self.validation_scores_.append(score)
                message += f", validation score = {score:.8f}"
                if plateau.update(score):
                    best_state = _clone_state(network)
            else:
                plateau.update(loss)
            last_state = _clone_state(network)
            if self.verbose:
                print(f"{message}, time = {time.perf_counter() - tic:.2f}s")
            if callbacks.end_epoch(functools.partial(self._attributes_now, network, loss)):
                return "converged", best_state
            if stop_on_plateau and plateau.reached:
                if self.verbose:
                    what = "Validation score" if validate else "Training loss"
                    print(
                        f"{what} did not improve more than tol={self.tol} for "
                        f"{self.n_iter_no_change} consecutive epochs. Stopping."
                    )
                return "converged", best_state
        return "max_iter", best_state

    def _attributes_now(self, network, loss):
        """Fitted attributes of the model as it stands mid-fit, for callbacks."""
        attributes = {"network_": copy.deepcopy(network).float().cpu().eval()}
        if self.likelihood == "gaussian" and not self.variational:
            attributes["noise_variance_"] = self._noise_variance_from_loss(loss)
        elif self.likelihood == "gaussian":
            attributes["noise_variance_"] = _learned_noise_variance(network)
        return attributes

    def _noise_variance_from_loss(self, loss):
        """The noise variance implied by an epoch's unit-variance Gaussian loss.

        That loss is half the squared error plus ``n_features / 2 * log(2 pi)``
        per sample, so the mean squared residual per feature comes for free.
        """
        squared_error = 2.0 * loss - self.n_features_in_ * np.log(2 * np.pi)
        return max(squared_error / self.n_features_in_, self._noise_floor)

    def _split_rows(self, n_samples, early_stopping):
        """Training rows and, with early stopping, validation rows (sorted index tensors)."""
        rows = torch.from_numpy(self._rng.permutation(n_samples))
        if not early_stopping:
            return rows.sort().values, None
        n_val = max(1, int(round(self.validation_fraction * n_samples)))
        if n_samples - n_val < 1:
            raise ValueError(f"early_stopping needs at least 2 samples, got {n_samples}.")
        self.validation_scores_ = list(self.validation_scores_ or [])
        return rows[n_val:].sort().values, rows[:n_val].sort().values

    def _adam_step(self, network, X, rows, device, incremental):
        """One epoch of minibatch Adam as a callable, and a getter of Adam's state."""
        optimizer = make_optimizer(network, self.learning_rate_init)
        if incremental and self._optimizer_state is not None:
            optimizer.load_state_dict(self._optimizer_state)
        weight_decay = self.alpha / X.shape[0]
        regularize = (lambda: add_l2_gradient(network, weight_decay)) if weight_decay else None
        generator = torch.Generator(device=device).manual_seed(_draw_seed(self._rng))
        if self.variational:
            loss_fn = elbo_loss(network, self.likelihood, generator)
        else:
            loss_fn = reconstruction_loss(network, self.likelihood)
        take = row_loader(X, device)
        batch_size = resolve_batch_size(self.batch_size, len(rows))

        def step():
            return run_epoch(
                loss_fn, optimizer, take, rows, batch_size, generator, self.shuffle, regularize
            )

        return step, optimizer.state_dict

    def _lbfgs_step(self, network, X, rows, device):
        """One full-batch L-BFGS iteration, in float64, as a callable."""
        network.double()
        loss_fn = reconstruction_loss(network, self.likelihood)
        take = row_loader(X, device, dtype=torch.float64)
        step = lbfgs_stepper(loss_fn, network, take, rows, self.alpha / X.shape[0])
        return step, lambda: None

    def _store_noise_and_codes(self, X):
        """Fitted noise variance (Gaussian) and code statistics (deterministic)."""
        if self.variational:
            if self.likelihood == "gaussian":
                self.noise_variance_ = _learned_noise_variance(self.network_)
            return
        # One pass over X gives the code statistics and the residuals.
        dtype, k = _INFERENCE_DTYPE, self.n_components_
        encoder = cast_module(self.network_.encoder, dtype)
        decoder = cast_module(self.network_.decoder, dtype)

        def statistics(x):
            z = split_code(encoder(x), k)[0]
            z64 = z.double()
            return z64.sum(dim=0), z64.T @ z64, (x - decoder(z)).square().sum(dim=0)

        code_sum, code_outer, squared = self._reduce(X, statistics)
        n = X.shape[0]
        self.code_mean_ = code_sum / n
        self.code_covariance_ = (code_outer - n * np.outer(self.code_mean_, self.code_mean_)) / max(
            n - 1, 1
        )
        if self.likelihood == "gaussian":
            per_feature = squared / n
            if self.covariance_type == "spherical":
                self.noise_variance_ = max(float(per_feature.mean()), self._noise_floor)
            else:
                self.noise_variance_ = np.maximum(per_feature, self._noise_floor)

    def _validation_score(self, network, X, val_rows, device, loss):
        """Mean score on the held-out rows, as ``score`` would give after this epoch."""
        network.eval()
        with torch.no_grad():
            dtype = next(network.parameters()).dtype
            x = row_loader(X, device, dtype)(val_rows)
            if self.variational:
                eps = row_normal_draws(x, self._score_seed, 1, self.n_components_, x.dtype)
                noise_variance = network.noise_variance() if self.likelihood == "gaussian" else 1.0
                score = log_density_bound(
                    network.encoder, network.decoder, x, self.likelihood, noise_variance, eps
                )
            else:
                noise_variance = self._noise_variance_from_loss(loss)
                score = log_likelihood(self.likelihood, x, network(x), noise_variance)
        network.train()
        return score.double().mean().item()

    def _encode(self, X):
        encoder = cast_module(self.network_.encoder, _INFERENCE_DTYPE)
        return self._batched(
            X, lambda x: split_code(encoder(x), self.n_components_)[0], self.n_components_
        )

    def _score_samples(self, X):
        dtype = _INFERENCE_DTYPE
        noise_variance = torch.as_tensor(getattr(self, "noise_variance_", 1.0), dtype=dtype)
        if not self.variational:
            network = cast_module(self.network_, dtype)
            score = lambda x: log_likelihood(self.likelihood, x, network(x), noise_variance)  # noqa: E731
            return self._batched(X, lambda x: score(x)[:, None], 1)[:, 0]
        encoder = cast_module(self.network_.encoder, dtype)
        decoder = cast_module(self.network_.decoder, dtype)
        k, n_draws = self.n_components_, self.n_importance_samples

        def bound(x):
            eps = row_normal_draws(x, self._score_seed, n_draws, k, dtype)
            return log_density_bound(encoder, decoder, x, self.likelihood, noise_variance, eps)

        # Each row is decoded K times: shrink the batch to keep memory flat.
        batch_size = max(1, _INFERENCE_BATCH_SIZE // self.n_importance_samples)
        return self._batched(X, lambda x: bound(x)[:, None], 1, batch_size)[:, 0]

    @staticmethod
    def _reduce(X, fn):
        """Sum, over X's batches (as float64 tensors), the tensors that ``fn`` returns."""
        totals = None
        with torch.no_grad():
            for _, chunk in dense_chunks(X):
                parts = fn(torch.tensor(chunk, dtype=_INFERENCE_DTYPE))
                parts = [part.double().numpy() for part in parts]
                totals = (
                    parts if totals is None else [t + p for t, p in zip(totals, parts, strict=True)]
                )
        return totals

    @staticmethod
    def _batched(X, fn, n_out, batch_size=_INFERENCE_BATCH_SIZE):
        """Apply ``fn`` to X's batches (as float64 tensors) into an array of X's dtype."""
        dtype = np.float32 if X.dtype == np.float32 else np.float64
        out = np.empty((X.shape[0], n_out), dtype=dtype)
        with torch.no_grad():
            for start, chunk in dense_chunks(X, batch_size):
                result = fn(torch.tensor(chunk, dtype=_INFERENCE_DTYPE)).numpy()
                if not np.isfinite(result).all():
                    raise ValueError(
                        "The model produced non-finite values for rows "
                        f"{start}-{start + len(chunk) - 1}: their values lie far outside what "
                        "it was trained on, or its weights are not finite. Scale the data "
                        "as for fit."
                    )
                out[start : start + len(chunk)] = result
        return out


class _Rollback:
    """Context manager restoring an estimator's attributes if the block raises.

    Training works on copies (of the network, the loss history and the random
    state), so a call that fails, on bad data or by diverging, leaves a
    fitted model exactly as it was.
    """

    def __init__(self, estimator):
        self.estimator = estimator

    def __enter__(self):
        self.saved = dict(self.estimator.__dict__)
        self.saved_rng = copy.deepcopy(self.saved.get("_rng"))

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            if self.saved_rng is not None:
                self.saved["_rng"] = self.saved_rng
            self.estimator.__dict__.clear()
            self.estimator.__dict__.update(self.saved)
        return False


def _clone_state(network):
    return {name: value.detach().clone() for name, value in network.state_dict().items()}


def _learned_noise_variance(network):
    """A variational network's noise variance: a float (spherical) or an array (diag)."""
    variance = network.noise_variance().detach().double().cpu().numpy()
    return float(variance) if variance.ndim == 0 else variance


def _draw_seed(rng):
    return int(rng.randint(np.iinfo(np.int32).max))
