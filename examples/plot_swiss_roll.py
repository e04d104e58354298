"""
Unrolling a Swiss roll
======================

A Swiss roll is a flat sheet rolled up in 3-D; colour is the position along
the sheet. PCA can only project it onto a plane, which folds the layers of
the roll onto each other: points far apart on the sheet land side by side,
and the trustworthiness of the code (10 neighbours) drops. The
autoencoder's curved 2-D map keeps neighbours on the sheet together in the
code, which PCA cannot. It unrolls the sheet locally rather than into one
straight strip, as Isomap, which is built on geodesic distances, does; but
unlike Isomap it also learns a decoder back to 3-D and a ``transform`` for
new points.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import make_swiss_roll
from sklearn.decomposition import PCA
from sklearn.manifold import Isomap, trustworthiness
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderTransformer

X, position = make_swiss_roll(1500, noise=0.05, random_state=0)
X = StandardScaler().fit_transform(X)

fig = plt.figure(figsize=(16, 4))
ax = fig.add_subplot(1, 4, 1, projection="3d")
ax.scatter(X[:, 0], X[:, 1], X[:, 2], c=position, cmap="viridis", s=4)
ax.set_title("Swiss roll")
models = {
    "PCA": PCA(2),
    "skae": AutoencoderTransformer(
        2, hidden_layer_sizes=(128, 128), alpha=0.0, max_iter=300, random_state=0
    ),
    "Isomap": Isomap(n_neighbors=10, n_components=2),
}
for i, (name, model) in enumerate(models.items(), start=2):
    code = model.fit_transform(X)
    ax = fig.add_subplot(1, 4, i)
    ax.scatter(code[:, 0], code[:, 1], c=position, cmap="viridis", s=4)
    ax.set_title(f"{name}: trustworthiness {trustworthiness(X, code, n_neighbors=10):.3f}")
fig.tight_layout()
plt.show()
