"""
A generative model: decoding a grid of codes, and sampling
==========================================================

Left: a variational autoencoder with a 2-D code, fitted to digits; the
decoder turns each point of a grid over the prior's bulk into an image.
Right: new binary digits drawn with ``sample`` from a Bernoulli model
fitted to binarized digits.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import norm
from sklearn.datasets import load_digits

from skae import AutoencoderTransformer

digits = load_digits()
X = digits.data / 16

vae = AutoencoderTransformer(2, variational=True, max_iter=80, random_state=0).fit(X)
grid = norm.ppf(np.linspace(0.05, 0.95, 10))  # evenly spaced quantiles of the prior
codes = np.array([[a, b] for b in grid[::-1] for a in grid])
images = vae.inverse_transform(codes).reshape(10, 10, 8, 8)
mosaic = images.transpose(0, 2, 1, 3).reshape(80, 80)

binary = (X >= 0.5).astype(float)
bernoulli = AutoencoderTransformer(
    8, likelihood="bernoulli", variational=True, max_iter=80, random_state=0
).fit(binary)
samples = bernoulli.sample(25, random_state=0).reshape(5, 5, 8, 8)
sampled = samples.transpose(0, 2, 1, 3).reshape(40, 40)

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 5))
left.imshow(mosaic, cmap="gray_r")
left.set_title("decoded grid of 2-D codes")
right.imshow(sampled, cmap="gray_r")
right.set_title("samples from a Bernoulli model")
for ax in (left, right):
    ax.axis("off")
plt.show()
