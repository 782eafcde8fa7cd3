"""Run a notebook of this folder from top to bottom, headless; save it with its outputs if asked.

    python notebooks/run_notebook.py                                   # rnn_lecture.ipynb: runs, saves nothing
    python notebooks/run_notebook.py --out lecture_run.ipynb           # ... and saves the run there
    python notebooks/run_notebook.py --in-place                        # ... into the notebook itself
    python notebooks/run_notebook.py exercises_solutions.ipynb --imdb aclImdb_v1.tar.gz

The committed notebook is left as it is unless --in-place says otherwise (git would show it
modified); a file is written only once the run has finished, whole (never half a notebook), and
holds nothing that varies between machines or runs (stored()): the section clock's times are
printed on the terminal instead. Each notebook runs as saved, in its quick setting. --imdb: a
copy of the IMDb data for this run (the kernel's RNN_IMDB_DATA; without it, $RNN_IMDB_DATA or the
download). Its models go to a temporary folder (the kernel's RNN_RUNS_DIR), so a run never touches
runs/. The tests run the notebooks the same way (tests/test_notebook.py, tests/test_exercise_notebooks.py).
"""
import argparse
import contextlib
import os
import re
import sys
import tempfile
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
from beyond_slides.files import atomic_write_text  # noqa: E402
from beyond_slides.settings import LECTURE_NOTEBOOK  # noqa: E402


def execute(path, imdb=None, runs=None, timeout=1200, nb=None):
    """The notebook at path, executed headless in its own folder (nbclient); returns it.
    imdb: the IMDb data for this run; runs: the folder of its models (default: a temporary one);
    nb: the notebook to run in path's folder instead of the file itself (a test's altered copy)."""
    import nbformat
    from nbclient import NotebookClient
    if nb is None:
        nb = nbformat.read(path, as_version=4)
    with (contextlib.nullcontext(runs) if runs else tempfile.TemporaryDirectory()) as runs, \
            mock.patch.dict(os.environ, {  # the kernel inherits them
            'RNN_RUNS_DIR': runs, 'MPLBACKEND': 'module://matplotlib_inline.backend_inline',
            **({'RNN_IMDB_DATA': os.path.abspath(imdb)} if imdb else {})}):
        NotebookClient(nb, timeout=timeout, kernel_name='python3',
                       resources={'metadata': {'path': os.path.dirname(os.path.abspath(path))}}).execute()
    return nb


# The section clock's report (lecture_notebook.SectionClock.report): `TITLE  N.N s` lines, `total` last.
CLOCK_REPORT = re.compile(r'(?:.* +\d+\.\d s\n)*total +\d+\.\d s\n?')
CLOCK_NOTE = ("(each section's time is printed here when the notebook runs; run_notebook.py prints it on the "
              "terminal; docs/results.md keeps measured ones)\n")


def stored(nb, runs, folder):
    """nb (run in folder, its models in runs) as a saved notebook keeps it: nothing that varies between
    machines or runs. Each cell's run times and stderr (TensorFlow's device, progress bars) are dropped,
    a cell's stdout pieces joined, the section clock's report replaced by CLOCK_NOTE, the runs folder
    written $RNN_RUNS_DIR and the checkout's path relative to folder. Returns the report it replaced."""
    paths = [(os.path.relpath(runs, folder), '$RNN_RUNS_DIR'), (os.path.abspath(runs), '$RNN_RUNS_DIR'),
             (ROOT, os.path.relpath(ROOT, folder))]  # the relative runs path holds the absolute one
    report = ''
    for cell in (c for c in nb['cells'] if c['cell_type'] == 'code'):
        cell['metadata'].pop('execution', None)
        outputs = []
        for out in cell['outputs']:
            if out['output_type'] == 'stream' and out['name'] == 'stderr':
                continue
            if out['output_type'] == 'stream' and outputs and outputs[-1]['output_type'] == 'stream':
                outputs[-1]['text'] = ''.join(outputs[-1]['text']) + ''.join(out['text'])
            else:
                outputs.append(out)
        for out in outputs:
            key, data = ('text', out) if out['output_type'] == 'stream' else ('text/plain', out.get('data', {}))
            if key in data:
                data[key] = ''.join(data[key])
                for path, written in paths:
                    data[key] = data[key].replace(path, written)
                if key == 'text' and CLOCK_REPORT.fullmatch(data[key]):
                    report, data[key] = data[key], CLOCK_NOTE
        cell['outputs'] = outputs
    return report


def notebook_text(nb):
    """The text of nb (a notebook or its JSON) as nbformat.write() saves it: writes() leaves out the last newline."""
    import nbformat
    return nbformat.writes(nbformat.from_dict(nb)) + '\n'


def save(nb, path):
    """The notebook nb written at path, only once its text is whole."""
    atomic_write_text(path, notebook_text(nb))


def run_and_save(path, imdb, out=None):
    """Run the notebook at path (execute()), print the section clock's report stored() took out,
    and save the run at out as stored() leaves it (out None: save nothing)."""
    with tempfile.TemporaryDirectory() as runs:
        nb = execute(path, imdb, runs)
        report = stored(nb, runs, os.path.dirname(os.path.abspath(path)))
    if out is None:
        print('%sran %s without an error; saved nothing (--out PATH or --in-place keeps its outputs)' % (report, path))
        return
    save(nb, out)
    print('%ssaved %s with its outputs' % (report, out))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebook', nargs='?', default=LECTURE_NOTEBOOK, help='the notebook (default: rnn_lecture.ipynb)')
    p.add_argument('--imdb', help='aclImdb_v1.tar.gz, an extracted aclImdb/ folder or movie_data.csv')
    where = p.add_mutually_exclusive_group()
    where.add_argument('--out', metavar='PATH', help='save the notebook with its outputs at PATH')
    where.add_argument('--in-place', dest='in_place', action='store_true',
                       help='save the notebook with its outputs over the notebook itself')
    args = p.parse_args(argv)
    path = args.notebook if os.path.isabs(args.notebook) or os.path.exists(args.notebook) \
        else os.path.join(HERE, args.notebook)
    run_and_save(path, args.imdb, path if args.in_place else args.out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
