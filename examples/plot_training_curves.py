"""
Loss and validation curves
==========================

With ``early_stopping=True`` skae holds out ``validation_fraction`` of the
data, records the validation score after each epoch in
``validation_scores_`` and keeps the best epoch's weights.
:class:`skae.LossCurveDisplay` draws ``loss_curve_`` and
``validation_scores_``.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits

from skae import AutoencoderTransformer, LossCurveDisplay

X = (load_digits().data / 16 >= 0.5).astype(float)
model = AutoencoderTransformer(
    8,
    likelihood="bernoulli",
    alpha=0.0,
    early_stopping=True,
    n_iter_no_change=20,
    max_iter=300,
    random_state=0,
).fit(X)
display = LossCurveDisplay.from_estimator(model)
display.ax_.set_title(
    f"stopped after {model.n_iter_} epochs; best validation score "
    f"{model.best_validation_score_:.2f} nats"
)
plt.show()
