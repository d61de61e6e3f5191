"""Whole-pipeline benchmark on a generated corpus: ``python -m scripts.benchmark`` (``make bench``).

``corpus``  N distinct notices derived from the five seeds by the sample-corpus renderer
            (deterministic variations; cached per (N, seed)).
``floor``   the least any pipeline must do: every file read by bare pdfplumber / python-docx / lxml.
``run``     the measurement: floor and ``gongwen run`` each in a fresh process, results → docs.
"""
