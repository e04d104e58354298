"""Sphinx configuration for skae's documentation."""

import skae

project = "skae"
author = "the skae developers"
copyright = "2026, the skae developers"
release = version = skae.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
]
autosummary_generate = True
templates_path = ["_templates"]
numpydoc_show_class_members = False
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
html_theme = "alabaster"
