"""Sample corpus: render the five seed dumps as PDF, DOCX and HTML files in ``raw/``.

Pipeline: ``seeds`` (dump → ``model.SourceDoc``) → ``render_pdf`` / ``render_docx`` /
``render_html`` → bytes. Every renderer is deterministic, so rerunning gives identical files.
Run with ``python -m scripts.corpus`` from the project root.
"""
