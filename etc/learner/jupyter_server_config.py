"""The learner's JupyterLab extension (labextension/, built into the course package): Run
waits for the kernel and Run All keeps the learner's place. Loaded from the installed
package, so it is the one that matches the course; labconfig/page_config.json switches off
JupyterLab's own cell executor, which the extension's replaces."""
import importlib.util
import os

_package = importlib.util.find_spec("peercourse").submodule_search_locations[0]
c.LabApp.extra_labextensions_path = [os.path.join(_package, "labextensions")]  # noqa: F821
