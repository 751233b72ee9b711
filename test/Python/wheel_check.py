"""Run by wheel.test with the virtual environment's python: the module comes
from the installed wheel (not the build tree), and the README's Python
example (its file given) runs with it."""
import os
import runpy
import sys

import qopt

venv = sys.argv[1]
where = os.path.realpath(qopt.__file__)
print("module from the venv: %s" % where.startswith(os.path.realpath(venv)))
runpy.run_path(sys.argv[2], run_name="__main__")
