"""
Reconstruction error against the size of the code
=================================================

Held-out reconstruction error on digits for PCA and for skae, as the code
grows. A nonlinear autoencoder needs far fewer numbers than PCA for the same
error; with a linear encoder and decoder (not shown) it matches PCA.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer

digits = load_digits()
X_train, X_test = train_test_split(
    digits.data / 16, test_size=0.25, stratify=digits.target, random_state=0
)


def error(model):
    reconstruction = model.inverse_transform(model.transform(X_test))
    return np.mean(np.sum((X_test - reconstruction) ** 2, axis=1))


sizes = [1, 2, 4, 8, 16]
pca = [error(PCA(k).fit(X_train)) for k in sizes]
skae = [error(AutoencoderTransformer(k, max_iter=60, random_state=0).fit(X_train)) for k in sizes]
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(sizes, pca, "o-", label="PCA")
ax.plot(sizes, skae, "o-", label="skae")
ax.set_xscale("log", base=2)
ax.set_xlabel("n_components")
ax.set_ylabel("held-out squared error per image")
ax.legend()
plt.show()
