"""
Unrolling a Swiss roll
======================

A Swiss roll is a flat sheet rolled up in 3-D. PCA can only project it onto
a plane, which folds the roll onto itself; an autoencoder with a 2-D code
learns a curved map, and its code keeps the position along the roll
(colour) in order.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import make_swiss_roll
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderTransformer

X, position = make_swiss_roll(1500, noise=0.05, random_state=0)
X = StandardScaler().fit_transform(X)

fig = plt.figure(figsize=(13, 4))
ax = fig.add_subplot(1, 3, 1, projection="3d")
ax.scatter(X[:, 0], X[:, 1], X[:, 2], c=position, cmap="viridis", s=4)
ax.set_title("Swiss roll")
models = {
    "PCA": PCA(2),
    "skae": AutoencoderTransformer(
        2,
        hidden_layer_sizes=(64, 64),
        activation="tanh",
        alpha=0.0,
        max_iter=300,
        random_state=0,
    ),
}
for i, (name, model) in enumerate(models.items(), start=2):
    code = model.fit_transform(X)
    ax = fig.add_subplot(1, 3, i)
    ax.scatter(code[:, 0], code[:, 1], c=position, cmap="viridis", s=4)
    ax.set_title(f"{name}: trustworthiness {trustworthiness(X, code, n_neighbors=10):.3f}")
fig.tight_layout()
plt.show()
