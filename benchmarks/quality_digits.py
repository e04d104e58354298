"""Quality on digits: the figures the test suite checks, printed in full.

Held-out 25 % of digits (stratified, random_state=0): reconstruction against PCA, the
Bernoulli models on binarized digits against independent pixels, and the variational
bounds on dequantized digits against probabilistic PCA.

    python benchmarks/quality_digits.py [--quick]
"""

import argparse
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.manifold import trustworthiness
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer


def split(X, target):
    return train_test_split(X, test_size=0.25, stratify=target, random_state=0)


def main(quick=False):
    warnings.simplefilter("ignore", ConvergenceWarning)
    digits = load_digits()
    epochs = {"max_iter": 2} if quick else {}
    X_train, X_test = split(digits.data / 16, digits.target)

    def error(model):
        return np.mean(np.sum((X_test - model.inverse_transform(model.transform(X_test))) ** 2, 1))

    pca10, pca2 = PCA(10).fit(X_train), PCA(2).fit(X_train)
    linear = AutoencoderTransformer(
        10,
        hidden_layer_sizes=(),
        activation="identity",
        alpha=0.0,
        learning_rate_init=0.01,
        batch_size=200,
        random_state=0,
        **epochs,
    ).fit(X_train)
    print(
        f"linear AE, k=10: error {error(linear):.4f}, PCA {error(pca10):.4f}, "
        f"ratio {error(linear) / error(pca10):.4f}"
    )
    ae = AutoencoderTransformer(2, random_state=0, **epochs).fit(X_train)
    trust = [trustworthiness(X_test, m.transform(X_test), n_neighbors=5) for m in (ae, pca2)]
    print(
        f"default AE, k=2: error {error(ae):.3f}, PCA {error(pca2):.3f} "
        f"({1 - error(ae) / error(pca2):.1%} lower); trustworthiness {trust[0]:.3f}, "
        f"PCA {trust[1]:.3f}"
    )

    B_train, B_test = split((digits.data / 16 >= 0.5).astype(float), digits.target)
    p = B_train.mean(axis=0).clip(1e-3, 1 - 1e-3)
    baseline = np.mean(B_test @ np.log(p) + (1 - B_test) @ np.log(1 - p))
    bernoulli = AutoencoderTransformer(8, likelihood="bernoulli", random_state=0, **epochs)
    vae = AutoencoderTransformer(
        8, likelihood="bernoulli", variational=True, random_state=0, **epochs
    ).fit(B_train)
    print(
        f"binarized, k=8: independent pixels {baseline:.2f}; deterministic Bernoulli "
        f"{bernoulli.fit(B_train).score(B_test):.2f}; variational ELBO "
        f"{vae.set_params(n_importance_samples=1).score(B_test):.2f}, IWAE(100) "
        f"{vae.set_params(n_importance_samples=100).score(B_test):.2f}"
    )

    u = np.random.RandomState(0).uniform(size=digits.data.shape)
    D_train, D_test = split((digits.data + u) / 17, digits.target)
    for k in (2, 10):
        linear_vae = AutoencoderTransformer(
            k,
            variational=True,
            hidden_layer_sizes=(),
            activation="identity",
            alpha=0.0,
            learning_rate_init=3e-3,
            batch_size=256,
            max_iter=2 if quick else 400,
            n_iter_no_change=30,
            n_importance_samples=100,
            random_state=0,
        ).fit(D_train)
        print(
            f"dequantized, linear VAE k={k}: {linear_vae.score(D_test):.2f}, "
            f"PCA {PCA(k).fit(D_train).score(D_test):.2f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    main(parser.parse_args().quick)
