"""Run the lecture notebook from top to bottom, headless, and save it with its outputs.

    python notebooks/run_notebook.py                          # downloads the data once
    python notebooks/run_notebook.py --imdb aclImdb_v1.tar.gz --hamlet pg2265.txt

It runs the quick setting (the notebook's FULL = False). The data paths are given to that run
only: the saved notebook keeps `IMDB_DATA = None` and `HAMLET_DATA = None`. The tests run the
notebook the same way (tests/test_notebook.py) and check that its saved figures are current.
"""
import argparse
import copy
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NOTEBOOK = os.path.join(HERE, 'rnn_lecture.ipynb')


def settings_cell(nb):
    return next(c for c in nb.cells if c.cell_type == 'code' and c.source.count('\nFULL = ') == 1)


def execute(imdb=None, hamlet=None, runs=None, timeout=1200):
    """The notebook, executed in the quick setting; imdb, hamlet: data paths; runs: the folder
    for its models (default: the notebook's own, runs/notebook-quick)."""
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.read(NOTEBOOK, as_version=4)
    original = copy.deepcopy(nb)
    cell = settings_cell(nb)
    for name, value in (('IMDB_DATA', imdb), ('HAMLET_DATA', hamlet)):
        if value is not None:
            cell.source = replace_line(cell.source, '%s = None' % name, '%s = %r' % (name, os.path.abspath(value)))
    if runs is not None:
        cell.source += '\nRUNS = %r\nshutil.rmtree(RUNS, ignore_errors=True)' % os.path.abspath(runs)
    env_before = os.environ.get('MPLBACKEND')
    os.environ['MPLBACKEND'] = 'module://matplotlib_inline.backend_inline'
    try:
        NotebookClient(nb, timeout=timeout, kernel_name='python3',
                       resources={'metadata': {'path': HERE}}).execute()
    finally:
        if env_before is None:
            os.environ.pop('MPLBACKEND', None)
        else:
            os.environ['MPLBACKEND'] = env_before
    settings_cell(nb).source = settings_cell(original).source  # the paths were for this run only
    return nb


def replace_line(source, old, new):
    lines = source.split('\n')
    hits = [i for i, line in enumerate(lines) if line.startswith(old)]
    if len(hits) != 1:
        raise ValueError('the settings cell has no single line starting with %r' % old)
    lines[hits[0]] = new + lines[hits[0]][len(old):]
    return '\n'.join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--imdb', help='aclImdb_v1.tar.gz (default: the data cache, downloading it once)')
    p.add_argument('--hamlet', help='pg2265.txt (default: the data cache, downloading it once)')
    args = p.parse_args(argv)
    import nbformat
    nb = execute(args.imdb, args.hamlet)
    nbformat.write(nb, NOTEBOOK)
    print('saved %s with its outputs' % NOTEBOOK)
    return 0


if __name__ == '__main__':
    sys.exit(main())
