"""Training curves as a scikit-learn style Display (matplotlib is optional)."""

__all__ = ["LossCurveDisplay"]


class LossCurveDisplay:
    """Training loss and validation score per epoch of a fitted autoencoder.

    Follows scikit-learn's Display conventions: build it with
    :meth:`from_estimator`, or from the arrays, then :meth:`plot`. Needs
    matplotlib.

    Parameters
    ----------
    loss_curve : list of float
        Training loss after each epoch (``loss_curve_``).
    validation_scores : list of float or None, default=None
        Validation score after each epoch (``validation_scores_``), drawn on
        a second y-axis.
    estimator_name : str or None, default=None
        Title of the plot.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes of the training loss.
    validation_ax_ : matplotlib Axes or None
        The twin axes of the validation score, if any.
    figure_ : matplotlib Figure
        The figure holding the axes.
    lines_ : list of matplotlib Line2D
        The plotted curves.

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skae import AutoencoderTransformer, LossCurveDisplay
    >>> X = np.random.RandomState(0).rand(60, 5)
    >>> ae = AutoencoderTransformer(hidden_layer_sizes=(8,), max_iter=5, early_stopping=True,
    ...                             random_state=0).fit(X)
    >>> display = LossCurveDisplay.from_estimator(ae)
    >>> len(display.lines_)
    2
    """

    def __init__(self, loss_curve, validation_scores=None, estimator_name=None):
        self.loss_curve = loss_curve
        self.validation_scores = validation_scores
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None):
        """Plot the curves of a fitted :class:`~skae.AutoencoderTransformer`.

        Parameters
        ----------
        estimator : AutoencoderTransformer
            A fitted model.
        ax : matplotlib Axes or None, default=None
            Where to draw; a new figure if None.

        Returns
        -------
        display : LossCurveDisplay
            The display, drawn.
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(estimator, "loss_curve_")
        display = cls(
            estimator.loss_curve_,
            getattr(estimator, "validation_scores_", None),
            type(estimator).__name__,
        )
        return display.plot(ax=ax)

    def plot(self, ax=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes or None, default=None
            Where to draw; a new figure if None.

        Returns
        -------
        self : LossCurveDisplay
            The display, with ``ax_``, ``figure_`` and ``lines_`` set.
        """
        from sklearn.utils._optional_dependencies import check_matplotlib_support

        check_matplotlib_support("LossCurveDisplay.plot")
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        epochs = range(1, len(self.loss_curve) + 1)
        self.lines_ = ax.plot(epochs, self.loss_curve, color="C0", label="training loss")
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss (nats per sample)")
        self.validation_ax_ = None
        if self.validation_scores:
            self.validation_ax_ = ax.twinx()
            self.lines_ += self.validation_ax_.plot(
                range(1, len(self.validation_scores) + 1),
                self.validation_scores,
                color="C1",
                label="validation score",
            )
            self.validation_ax_.set_ylabel("validation score (nats per sample)")
        ax.legend(self.lines_, [line.get_label() for line in self.lines_], loc="best")
        if self.estimator_name:
            ax.set_title(self.estimator_name)
        self.ax_, self.figure_ = ax, ax.figure
        return self
