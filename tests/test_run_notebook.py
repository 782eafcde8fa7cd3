"""notebooks/run_notebook.py as a command, on a tiny notebook of the test's own: it saves nothing
unless asked (the committed notebook stays as git has it), --out PATH and --in-place save the
run with its outputs, and a run that fails writes no file."""
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

pytest.importorskip('nbclient')


def notebook(path, code):
    """A notebook of one code cell."""
    import nbformat
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nb.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}
    nbformat.write(nb, str(path))
    return path.read_bytes()


def run_notebook(*args):
    return subprocess.run([sys.executable, os.path.join(ROOT, 'notebooks', 'run_notebook.py')] + [str(a) for a in args],
                          capture_output=True, text=True, timeout=600)


def outputs(path):
    with open(str(path), encoding='utf-8') as f:
        return [''.join(o.get('text', '')) for c in json.load(f)['cells'] for o in c.get('outputs', [])]


def test_without_out_or_in_place_it_runs_the_notebook_and_saves_nothing(tmp_path):
    path = tmp_path / 'nb.ipynb'
    before = notebook(path, 'print(6 * 7)')
    r = run_notebook(path)
    assert r.returncode == 0, r.stderr
    assert 'saved nothing' in r.stdout
    assert path.read_bytes() == before and os.listdir(str(tmp_path)) == ['nb.ipynb']


def test_out_saves_the_run_there_and_in_place_over_the_notebook(tmp_path):
    path, out = tmp_path / 'nb.ipynb', tmp_path / 'run.ipynb'
    before = notebook(path, 'print(6 * 7)')
    r = run_notebook(path, '--out', out)
    assert r.returncode == 0, r.stderr
    assert outputs(out) == ['42\n'] and path.read_bytes() == before
    r = run_notebook(path, '--in-place')
    assert r.returncode == 0, r.stderr
    assert outputs(path) == ['42\n']
    assert path.read_bytes().endswith(b'}\n')  # as nbformat.write() ends a notebook


def test_a_failed_run_writes_no_file(tmp_path):
    path = tmp_path / 'nb.ipynb'
    before = notebook(path, 'raise ValueError("a cell fails")')
    for where in (['--in-place'], ['--out', tmp_path / 'run.ipynb']):
        r = run_notebook(path, *where)
        assert r.returncode != 0 and 'a cell fails' in r.stderr
        assert path.read_bytes() == before and sorted(os.listdir(str(tmp_path))) == ['nb.ipynb']
