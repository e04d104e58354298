"""skae: autoencoders as scikit-learn estimators."""

from ._display import LossCurveDisplay
from ._estimator import AutoencoderTransformer

__all__ = ["AutoencoderTransformer", "LossCurveDisplay", "__version__"]
__version__ = "0.1.0"
