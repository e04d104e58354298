"""
Choosing n_components with GridSearchCV, as for PCA
===================================================

Data with a 3-dimensional latent space, mapped nonlinearly into 20
dimensions plus noise. ``GridSearchCV`` scores each candidate by
``score``, the held-out mean log-likelihood. For PCA and FactorAnalysis it
is a proper density; for skae with ``variational=True`` it is a lower bound
on one. The variational score rises up to the true dimension and then stays
flat; :func:`skae.model_selection.one_standard_error_rule` picks the
smallest size on the plateau. (A deterministic autoencoder's reconstruction
score would keep rising with the code and cannot choose.)
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA, FactorAnalysis
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderTransformer
from skae.model_selection import one_standard_error_rule

rng = np.random.RandomState(0)
latent = rng.randn(600, 3)
X = np.tanh(latent @ rng.randn(3, 32)) @ (rng.randn(32, 20) / np.sqrt(32))
X = StandardScaler().fit_transform(X + 0.1 * rng.randn(*X.shape))

sizes = [1, 2, 3, 5, 8]
models = {
    "skae (variational)": AutoencoderTransformer(
        variational=True,
        hidden_layer_sizes=(64, 32),
        early_stopping=True,
        max_iter=300,
        n_iter_no_change=20,
        random_state=0,
    ),
    "PCA": PCA(),
    "FactorAnalysis": FactorAnalysis(),
}
fig, ax = plt.subplots(figsize=(6, 4))
for name, model in models.items():
    search = GridSearchCV(
        model,
        {"n_components": sizes},
        cv=3,
        n_jobs=2,
        refit=one_standard_error_rule("n_components"),
    ).fit(X)
    mean = search.cv_results_["mean_test_score"]
    ax.plot(sizes, mean, "o-", label=f"{name}: picks {search.best_params_['n_components']}")
ax.axvline(3, color="grey", linestyle=":", label="true dimension")
ax.set_xlabel("n_components")
ax.set_ylabel("held-out log-likelihood (nats per sample)")
ax.legend()
plt.show()
