"""Sphinx configuration for skae's documentation."""

import warnings

from sklearn.exceptions import ConvergenceWarning

import skae

# The gallery's short fits stop at max_iter on purpose; keep their pages clean.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

project = "skae"
author = "the skae developers"
copyright = "2026, the skae developers"
release = version = skae.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "ignore_pattern": "demo_digits",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "reference_url": {"skae": None},
}
autosummary_generate = True
templates_path = ["_templates"]
numpydoc_show_class_members = False
# Validate every public docstring during the build (-W turns findings into errors),
# except checks for sections that are optional here.
numpydoc_validation_checks = {"all", "ES01", "EX01", "SA01", "SS05", "RT02", "GL08", "YD01"}
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
html_theme = "alabaster"
