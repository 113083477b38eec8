"""Many sites at once: the worker pool (pool.py) and what it reports (report.py, junit.py).

Sits beside the single-site seam, app.provision(): every site's run is one provision() call."""
