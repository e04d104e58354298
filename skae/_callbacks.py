"""scikit-learn's callback API (1.9 and later) for skae's epoch loop.

With an older scikit-learn the mixin is an empty stand-in and every hook is a
no-op, so skae works the same without callbacks.
"""

import numpy as np

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9 has no callback API

    class CallbackSupportMixin:
        """Stand-in for scikit-learn < 1.9, which has no callback API."""


__all__ = ["CallbackSupportMixin", "EpochCallbacks"]


class EpochCallbacks:
    """One fit task with one subtask per epoch, reported to the estimator's callbacks.

    ``ProgressBar`` advances one step per epoch; ``ScoringMonitor`` scores
    the model as it stands after each epoch on the training data. skae is
    unsupervised, so when ``y`` is None the hooks receive a placeholder
    ``y`` of zeros, which ``score`` ignores: the monitor's scorer needs one.

    Parameters
    ----------
    estimator : AutoencoderTransformer
        The estimator being fitted.
    X : array-like of shape (n_samples, n_features)
        The training data.
    y : array-like or None
        The ``y`` given to fit, ignored by skae itself.
    max_epochs : int
        The most epochs this fit can run.
    """

    def __init__(self, estimator, X, y, max_epochs):
        self.estimator, self.X = estimator, X
        self.y = np.zeros(X.shape[0]) if y is None else y
        init = getattr(estimator, "_init_callback_context", None)
        self.root = init(max_subtasks=max_epochs) if init is not None else None
        self.epoch = None
        self._call(self.root, "call_on_fit_task_begin")

    def _call(self, context, hook, **kwargs):
        if context is None:
            return False
        return getattr(context, hook)(estimator=self.estimator, X=self.X, y=self.y, **kwargs)

    def begin_epoch(self):
        """Open the next epoch's subtask."""
        if self.root is not None:
            self.epoch = self.root.subcontext(task_name="epoch")
            self._call(self.epoch, "call_on_fit_task_begin")

    def end_epoch(self, fitted_attributes):
        """Close the epoch's subtask; True if a callback asks to stop.

        ``fitted_attributes`` is a callable returning the attributes that make
        a copy of the estimator usable as it stands; it runs only if a
        callback needs that copy.
        """
        stop = self._call(
            self.epoch, "call_on_fit_task_end", reconstruction_attributes=fitted_attributes
        )
        self.epoch = None
        return bool(stop)

    def end_fit(self):
        """Close a subtask left open by an interruption, then the fit task."""
        if self.epoch is not None:
            self.epoch.call_on_fit_task_end(estimator=self.estimator)
            self.epoch = None
        self._call(self.root, "call_on_fit_task_end", reconstruction_attributes={})
