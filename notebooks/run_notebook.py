"""Run a notebook of this folder from top to bottom, headless; save it with its outputs if asked.

    python notebooks/run_notebook.py                                   # rnn_lecture.ipynb: runs, saves nothing
    python notebooks/run_notebook.py --out lecture_run.ipynb           # ... and saves the run there
    python notebooks/run_notebook.py --in-place                        # ... into the notebook itself
    python notebooks/run_notebook.py exercises_solutions.ipynb --imdb aclImdb_v1.tar.gz

The committed notebook is left as it is unless --in-place says otherwise (git would show it
modified); a file is written only once the run has finished, whole (never half a notebook).
Each notebook runs as saved, in its quick setting. --imdb: a copy of the IMDb data for this run
(the kernel's RNN_IMDB_DATA; without it, $RNN_IMDB_DATA or the download). Its models go to a
temporary folder (the kernel's RNN_RUNS_DIR), so a run never touches runs/. The tests run the
notebooks the same way (tests/test_notebook.py, tests/test_exercise_notebooks.py).
"""
import argparse
import contextlib
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from beyond_slides.files import atomic_write_text  # noqa: E402

LECTURE = os.path.join(HERE, 'rnn_lecture.ipynb')


@contextlib.contextmanager
def environment(**variables):
    """os.environ with variables set (None: left as it is) while the block runs: a kernel started
    in it inherits them."""
    before = {k: os.environ.get(k) for k in variables}
    os.environ.update({k: v for k, v in variables.items() if v is not None})
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def execute(path, imdb=None, runs=None, timeout=1200, nb=None):
    """The notebook at path, executed headless in its own folder (nbclient); returns it.
    imdb: the IMDb data for this run; runs: the folder of its models (default: a temporary one);
    nb: the notebook to run in path's folder instead of the file itself (a test's altered copy)."""
    import nbformat
    from nbclient import NotebookClient
    if nb is None:
        nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp, \
            environment(RNN_IMDB_DATA=imdb and os.path.abspath(imdb), RNN_RUNS_DIR=runs or tmp,
                        MPLBACKEND='module://matplotlib_inline.backend_inline'):
        NotebookClient(nb, timeout=timeout, kernel_name='python3',
                       resources={'metadata': {'path': os.path.dirname(os.path.abspath(path))}}).execute()
    return nb


def save(nb, path):
    """The notebook nb written at path as nbformat writes it, only once its text is whole."""
    import nbformat
    text = nbformat.writes(nb)
    atomic_write_text(path, text if text.endswith('\n') else text + '\n')  # as nbformat.write() ends it


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebook', nargs='?', default=LECTURE, help='the notebook (default: rnn_lecture.ipynb)')
    p.add_argument('--imdb', help='aclImdb_v1.tar.gz, an extracted aclImdb/ folder or movie_data.csv')
    where = p.add_mutually_exclusive_group()
    where.add_argument('--out', metavar='PATH', help='save the notebook with its outputs at PATH')
    where.add_argument('--in-place', dest='in_place', action='store_true',
                       help='save the notebook with its outputs over the notebook itself')
    args = p.parse_args(argv)
    path = args.notebook if os.path.isabs(args.notebook) or os.path.exists(args.notebook) \
        else os.path.join(HERE, args.notebook)
    nb = execute(path, args.imdb)
    out = path if args.in_place else args.out
    if out is None:
        print('ran %s without an error; saved nothing (--out PATH or --in-place keeps its outputs)' % path)
        return 0
    save(nb, out)
    print('saved %s with its outputs' % out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
