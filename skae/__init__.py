"""skae: autoencoders as scikit-learn estimators."""

from ._estimator import AutoencoderTransformer

__all__ = ["AutoencoderTransformer", "__version__"]
__version__ = "0.1.0"
