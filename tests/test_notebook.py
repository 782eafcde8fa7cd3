"""The lecture notebook runs from top to bottom on the real data, prints the slides' figures,
draws its plots, and its committed outputs are those of the current code."""
import base64
import os
import re
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, os.path.join(ROOT, 'notebooks'))
import run_notebook  # noqa: E402

# What the slides print (the same facts tests/test_walkthrough.py checks on the commands).
SLIDE_FIGURES = [
    '0  In 1974, the teenager Martha Moxley (Maggie Gr...          1',
    '1  OK... so... I really like Kris Kristofferson a...          0',
    '2  ***SPOILER*** Do not read this, if you think a...          0',
    "['the', '.', ',', 'and', 'a']", 'n_words = 102967',
    "'probabilities:0' shape=(100,)", 'shape=(100, 200, 128)',
    '(64, 2540)', 'The Tragedie of Hamlet\n\nActus Primus. Scoena Prima\n',
    '(64, 15) (64, 15)  The Tragedie of      he Tragedie of ',
    '(64, 15) (64, 15)  ncisco two Cent      cisco two Centi',
    'Tensor("probabilities:0", shape=(6400, 65), dtype=float32)',
    'Epoch: 1/2 Iteration: 20 | Train loss: ', 'Epoch 1/5 Iteration 10| Training loss: ', 'Test Acc.: ',
]


def text_of(cell):
    out = []
    for o in cell.get('outputs', []):
        if o.output_type == 'stream':
            out.append(o.text)
        elif o.output_type in ('execute_result', 'display_data') and 'text/plain' in o.data:
            out.append(o.data['text/plain'])
    return ''.join(out)


def figures_of(cell):
    """A figure cell's printed lines, without blank lines and the progress bars (whose timings
    vary, and whose pieces the notebook stores as they happened to arrive)."""
    lines = re.split(r'[\r\n]+', text_of(cell))
    return [line for line in lines if line.strip() and 'ETA:' not in line and 'time elapsed' not in line]


def tagged(nb, tag):
    return [c for c in nb.cells if tag in c.get('metadata', {}).get('tags', [])]


@pytest.fixture(scope='module')
def executed(reference_data, tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:  # the kernel's data cache: a folder of this test's own
        mp.setenv('RNN_DATA_DIR', str(tmp_path_factory.mktemp('notebook-cache')))
        return run_notebook.execute(imdb=os.path.join(reference_data, 'aclImdb_v1_labeled.tar.gz'),
                                    hamlet=os.path.join(reference_data, 'pg2265.txt'),
                                    runs=str(tmp_path_factory.mktemp('notebook-runs')))


def test_notebook_runs_and_prints_the_slides_figures(executed):
    everything = ''.join(text_of(c) for c in executed.cells if c.cell_type == 'code')
    assert not [o for c in executed.cells for o in c.get('outputs', []) if o.output_type == 'error']
    for figure in SLIDE_FIGURES:
        assert figure in everything, figure
    assert 'IMDB_DATA = None' in run_notebook.settings_cell(executed).source  # the paths were not saved


def test_every_plot_cell_draws_a_picture(executed, tmp_path):
    plots = tagged(executed, 'plot')
    assert len(plots) == 3
    for i, cell in enumerate(plots):
        images = [o.data['image/png'] for o in cell.outputs if 'image/png' in o.get('data', {})]
        assert len(images) == 1, cell.source[:60]
        path = tmp_path / ('plot%d.png' % i)
        path.write_bytes(base64.b64decode(images[0]))
        data = path.read_bytes()
        assert data.startswith(b'\x89PNG') and len(data) > 10000


def test_committed_outputs_are_those_of_the_current_code(executed):
    import nbformat
    committed = nbformat.read(run_notebook.NOTEBOOK, as_version=4)
    assert [c.source for c in committed.cells] == [c.source for c in executed.cells]
    fresh, saved = tagged(executed, 'figures'), tagged(committed, 'figures')
    assert len(saved) == len(fresh) >= 8
    for new, old in zip(fresh, saved):
        assert figures_of(old) == figures_of(new), 'stale outputs: run python notebooks/run_notebook.py'
    for cell in committed.cells:  # every code cell was run, in order
        if cell.cell_type == 'code':
            assert cell.execution_count is not None, cell.source[:60]
    assert re.search(r'Test Acc\.: 0\.\d{3}', ''.join(text_of(c) for c in committed.cells if c.cell_type == 'code'))
