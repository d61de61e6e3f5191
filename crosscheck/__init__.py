"""Cross-check: align a plan's tasks with the requirements of the template it implements.

Pure Python, no Dagster: ``similarity`` compares Chinese texts, ``align`` pairs requirements and
tasks many-to-many and gives each a status, ``linking`` finds which template a plan implements,
``domains`` compares attachment tables, ``compliance`` checks units, deadlines and overdue tasks,
``report`` renders the HTML reports.
"""
