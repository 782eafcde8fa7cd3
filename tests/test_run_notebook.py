"""notebooks/run_notebook.py as a command, on a tiny notebook of the test's own: it saves nothing
unless asked (the committed notebook stays as git has it), --out PATH and --in-place save the
run with its outputs, and a run that fails writes no file. A saved notebook holds nothing that
varies between machines or runs (stored()), the committed ones included."""
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import types

import pytest

from beyond_slides.settings import LECTURE_NOTEBOOK, SOLUTIONS_NOTEBOOK
from conftest import ROOT

pytest.importorskip('nbclient')
sys.path.insert(0, os.path.join(ROOT, 'notebooks'))
import run_notebook as runner  # noqa: E402


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


def clock_report(folder):
    """What the real section clock (lecture_notebook.SectionClock.report) prints for a notebook of two
    sections that took 1.2 s and 66.3 s, built without IPython."""
    import nbformat
    from beyond_slides.lecture_notebook import SectionClock
    new, path = nbformat.v4, str(folder / 'clocked.ipynb')
    nbformat.write(new.new_notebook(cells=[new.new_markdown_cell('# Unrolled RNNs'), new.new_code_cell('a()'),
                                           new.new_markdown_cell('## Training'), new.new_code_cell('b()')]), path)
    clock = SectionClock(types.SimpleNamespace(events=types.SimpleNamespace(register=lambda event, hook: None)))
    clock.times = [('a()', 1.2), ('b()', 66.3)]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        clock.report(path)
    os.remove(path)
    return printed.getvalue()


def test_without_out_or_in_place_it_runs_the_notebook_prints_the_clock_and_saves_nothing(tmp_path):
    report, folder = clock_report(tmp_path), tmp_path / 'run'
    folder.mkdir()
    path = folder / 'nb.ipynb'
    before = notebook(path, 'print(%r, end="")' % report)
    r = run_notebook(path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(report) and 'saved nothing' in r.stdout
    assert path.read_bytes() == before and os.listdir(str(folder)) == ['nb.ipynb']


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


def test_a_cell_added_by_hand_without_an_id_gets_one_when_saved(tmp_path):
    """A maintainer may add a cell by editing the file (no id, as nbformat 4.5 wants one): the
    saved run gives it one, and the saved notebook validates."""
    import nbformat
    path = tmp_path / 'nb.ipynb'
    notebook(path, 'print(6 * 7)')
    raw = json.loads(path.read_text(encoding='utf-8'))
    raw['cells'].append({'cell_type': 'code', 'metadata': {}, 'execution_count': None, 'outputs': [],
                         'source': 'print(7 * 8)'})   # no 'id'
    path.write_text(json.dumps(raw), encoding='utf-8')
    r = run_notebook(path, '--in-place')
    assert r.returncode == 0, r.stderr
    saved = json.loads(path.read_text(encoding='utf-8'))
    assert [bool(c.get('id')) for c in saved['cells']] == [True, True]
    nbformat.validate(nbformat.reads(path.read_text(encoding='utf-8'), as_version=4))
    assert outputs(path) == ['42\n', '56\n']


def test_a_failed_run_writes_no_file(tmp_path):
    path = tmp_path / 'nb.ipynb'
    before = notebook(path, 'raise ValueError("a cell fails")')
    for where in (['--in-place'], ['--out', tmp_path / 'run.ipynb']):
        r = run_notebook(path, *where)
        assert r.returncode != 0 and 'a cell fails' in r.stderr
        assert path.read_bytes() == before and sorted(os.listdir(str(tmp_path))) == ['nb.ipynb']


def test_a_stored_notebook_keeps_nothing_that_varies_between_runs(tmp_path):
    import nbformat
    runs, folder, report = str(tmp_path / 'runs'), os.path.join(ROOT, 'notebooks'), clock_report(tmp_path)
    relative = os.path.relpath(runs, folder)  # as the lecture's tensorboard line prints it: ../../../tmp/...
    new = nbformat.v4
    nb = new.new_notebook(cells=[
        new.new_markdown_cell('# A heading, untouched: %s' % ROOT),
        new.new_code_cell('train()', metadata={'tags': ['figures'], 'execution': {'iopub.status.idle': '2026'}},
                          outputs=[new.new_output('stream', name='stderr', text='Reading data 0% ETA: 1 s\n'),
                                   new.new_output('stream', name='stdout', text='Epoch 1\n'),
                                   new.new_output('stream', name='stdout', text='logs in %s/tb\n' % relative),
                                   new.new_output('display_data', data={'text/plain': '%s/models/x' % ROOT}),
                                   new.new_output('stream', name='stdout', text='model in %s/m\n' % runs)]),
        new.new_code_cell('clock.report(NOTEBOOK)', outputs=[  # a cell's prints arrive in pieces
            new.new_output('stream', name='stdout', text=line) for line in report.splitlines(True)])])
    assert runner.stored(nb, runs, folder) == report
    heading, train, clock = nb.cells
    assert heading.source == '# A heading, untouched: %s' % ROOT
    assert train.metadata == {'tags': ['figures']}
    assert [(o.output_type, o.get('text') or o.data['text/plain']) for o in train.outputs] == [
        ('stream', 'Epoch 1\nlogs in $RNN_RUNS_DIR/tb\n'), ('display_data', '../models/x'),
        ('stream', 'model in $RNN_RUNS_DIR/m\n')]
    assert [o.text for o in clock.outputs] == [runner.CLOCK_NOTE]
    assert runner.stored(nb, runs, folder) == ''  # a stored notebook stays as it is


@pytest.mark.parametrize('path, command', [(LECTURE_NOTEBOOK, 'python notebooks/run_notebook.py --in-place'),
                                           (SOLUTIONS_NOTEBOOK, 'python notebooks/make_exercises.py --run')])
def test_the_committed_runs_are_stored_so(path, command):
    """Nothing of a machine or a run in the committed outputs; a temporary folder of any run
    (tempfile's own) counts as its runs folder."""
    import nbformat
    with open(path, encoding='utf-8') as f:
        text = f.read()
    nb = nbformat.reads(text, as_version=4)
    runner.stored(nb, tempfile.gettempdir(), os.path.dirname(path))
    assert json.loads(nbformat.writes(nb)) == json.loads(text), 'outputs that vary between runs: %s' % command
