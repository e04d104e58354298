"""
Digits in two dimensions: skae next to PCA, Isomap and t-SNE
============================================================

Each method maps the 64-pixel digits to 2-D codes; the title gives the
trustworthiness of each embedding (5 neighbours; 1 means every neighbour in
the code is a neighbour in the data). Unlike Isomap and t-SNE, skae and PCA
learn a map that ``transform`` applies to new images, and a decoder back.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE, Isomap, trustworthiness

from skae import AutoencoderTransformer

digits = load_digits()
X, y = digits.data[:800] / 16, digits.target[:800]  # a subset keeps t-SNE quick

methods = {
    "skae": AutoencoderTransformer(2, max_iter=100, random_state=0),
    "PCA": PCA(2),
    "Isomap": Isomap(n_components=2),
    "t-SNE": TSNE(2, random_state=0),
}
fig, axes = plt.subplots(1, 4, figsize=(16, 4))
for ax, (name, method) in zip(axes, methods.items(), strict=True):
    code = method.fit_transform(X)
    trust = trustworthiness(X, code, n_neighbors=5)
    ax.scatter(code[:, 0], code[:, 1], c=y, cmap="tab10", s=4)
    ax.set_title(f"{name}: trustworthiness {trust:.3f}")
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
plt.show()
