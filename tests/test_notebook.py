"""The lecture notebook: its slide-code cells are the lecture files' code, it has a section for every
theory slide, and (marked `notebooks`, on the reference data) it runs from top to bottom headless,
prints the slides' figures and each pitfall's number, draws its charts, gives the time of each
section, and its committed outputs are those of the current code."""
import base64
import copy
import json
import os
import re
import sys

import pytest

from conftest import ROOT, shared

from beyond_slides import deck

sys.path.insert(0, os.path.join(ROOT, 'notebooks'))
import lecture_cells  # noqa: E402
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
# The theory slides, each a section (docs/slides.md lists them).
THEORY_SLIDES = ['Modeling Sequential Data', 'Different Categories of Sequence Modeling',
                 'Comparison between Standard Feedforward NN and RNN', 'Unrolled RNNs',
                 'Computing Activations in RNNs', 'Training RNNs Using BPTT', 'Gradient Problems',
                 'Long Short-Term Memory (LSTM)', 'LSTM Units', 'Sigmoid', 'Forget Gate', 'Cell State',
                 'Output Gate']
# Each pitfall's number, printed by the run.
PITFALLS = [r'\d+ word ids occur only in the test half',
            r'\d+ of \d+ labels change when each batch starts from the zero state',
            r'\d+ padding steps; probability of a positive review 0\.\d{3} padded, 0\.\d{3} without the padding',
            r'the first step of SGD [\d.]+ times as large, of Adam [\d.]+ times',
            r'largest norm [\d.]+ over \d+ mini-batches; \d+% above grad_clip = 5']
# The slides' code the lecture files hold (tests/test_slide_lines.py's units): each has its cell.
SLIDE_CODE = {'sentiment_rnn.py:create_batch_generator', 'sentiment_rnn.py:SentimentRNN',
              'sentiment_rnn.py:SentimentRNN.build', 'sentiment_rnn.py:SentimentRNN.train',
              'sentiment_rnn.py:SentimentRNN.predict', 'data_utils.py:reshape_data',
              'char_rnn.py:create_batch_generator', 'char_rnn.py:CharRNN', 'char_rnn.py:CharRNN.build',
              'char_rnn.py:CharRNN.train', 'char_rnn.py:CharRNN.sample', 'char_rnn.py:get_top_char'}


def committed():
    with open(lecture_cells.NOTEBOOK, encoding='utf-8') as f:
        return json.load(f)


def headings(nb):
    return [title for title in map(deck.heading, nb['cells']) if title is not None]


def test_the_slide_code_cells_are_the_lecture_files_code():
    nb = committed()
    assert lecture_cells.stale(nb) == [], 'run python notebooks/lecture_cells.py'
    assert SLIDE_CODE <= {spec for _, spec in lecture_cells.lecture_cells(nb)}


def test_a_method_cell_is_the_method_under_add_to_class():
    source = lecture_cells.cell_source('char_rnn.py:CharRNN.sample')
    assert source.startswith('@add_to_class(CharRNN)\ndef sample(self, output_length,')
    assert source.endswith("\n    return ''.join(observed_seq)")  # dedented, as a function of its own
    constructor = lecture_cells.cell_source('char_rnn.py:CharRNN')
    assert constructor.startswith('class CharRNN(object):') and 'def build' not in constructor
    generator = lecture_cells.cell_source('sentiment_rnn.py:create_batch_generator')
    assert generator.startswith('np.random.seed(123) # for reproducibility\n## Function to generate minibatches:')


def test_every_theory_slide_has_its_section_in_the_slides_order():
    found = headings(committed())
    positions = [found.index(title) for title in THEORY_SLIDES]
    assert positions == sorted(positions)
    assert found.index('Output Gate') < found.index('Read in the IMDb Data')


def text_of(cell):
    out = []
    for o in cell.get('outputs', []):
        if o['output_type'] == 'stream':
            out.append(''.join(o['text']))
        elif o['output_type'] in ('execute_result', 'display_data') and 'text/plain' in o['data']:
            out.append(''.join(o['data']['text/plain']))
    return ''.join(out)


def tagged(nb, tag):
    return [c for c in nb['cells'] if tag in deck.tags(c)]


@pytest.fixture(scope=shared)
def notebook_runs(tmp_path_factory):
    """The folder of the notebook's models in its run (the kernel's RNN_RUNS_DIR)."""
    return str(tmp_path_factory.mktemp('notebook-runs'))


@pytest.fixture(scope=shared)
def executed(reference_data, built_movie_data, notebook_runs, tmp_path_factory):
    """The notebook run headless in its quick setting on the reference data (as JSON), with a data
    cache that holds movie_data.csv already and its models in notebook_runs."""
    import shutil
    import nbformat
    cache = str(tmp_path_factory.mktemp('notebook-cache'))
    shutil.copytree(built_movie_data, cache, dirs_exist_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv('RNN_DATA_DIR', cache)  # the kernel's data cache
        nb = run_notebook.execute(lecture_cells.NOTEBOOK, os.path.join(reference_data, 'aclImdb_v1_labeled.tar.gz'),
                                  notebook_runs)
    return json.loads(nbformat.writes(nb))


@pytest.mark.notebooks
def test_notebook_runs_and_prints_the_slides_figures_and_the_pitfalls(executed):
    everything = ''.join(text_of(c) for c in executed['cells'] if c['cell_type'] == 'code')
    assert not [o for c in executed['cells'] for o in c.get('outputs', []) if o['output_type'] == 'error']
    for figure in SLIDE_FIGURES:
        assert figure in everything, figure
    for pattern in PITFALLS:
        assert re.search(pattern, everything), pattern


@pytest.mark.notebooks
def test_every_plot_cell_draws_one_picture(executed, tmp_path):
    plots = tagged(executed, 'plot')
    assert len(plots) >= 8
    for i, cell in enumerate(plots):
        images = [o['data']['image/png'] for o in cell['outputs'] if 'image/png' in o.get('data', {})]
        assert len(images) == 1, ''.join(cell['source'])[:60]
        data = base64.b64decode(images[0])
        assert data.startswith(b'\x89PNG') and len(data) > 10000


@pytest.mark.notebooks
def test_the_last_cell_gives_each_sections_time(executed):
    report = text_of(executed['cells'][-1])
    times = dict(re.findall(r'^(.+?)\s+([\d.]+) s$', report, re.M))
    for title in THEORY_SLIDES + ['Training the SentimentRNN Model', 'Creating and Training the CharRNN Model']:
        assert title in times, title
    assert 'edited cells' not in times  # every cell run is the notebook's own
    assert float(times['total']) > 0  # its speed is a measurement (docs/results.md), not a test


@pytest.mark.notebooks
def test_committed_outputs_are_those_of_the_current_code(executed, notebook_runs):
    """The committed figures are those this run stores, whatever the data cache held before either
    (a first build of the IMDb table prints its progress on stderr, which neither stores)."""
    nb, run = committed(), copy.deepcopy(executed)
    run_notebook.stored(run, notebook_runs, os.path.dirname(lecture_cells.NOTEBOOK))
    assert [c['source'] for c in nb['cells']] == [c['source'] for c in run['cells']]
    fresh, saved = tagged(run, 'figures'), tagged(nb, 'figures')
    assert len(saved) == len(fresh) >= 8
    for new, old in zip(fresh, saved):
        assert text_of(old) == text_of(new), 'stale outputs: run python notebooks/run_notebook.py --in-place'
    for cell in nb['cells']:  # every code cell was run, in order
        if cell['cell_type'] == 'code':
            assert cell['execution_count'] is not None, ''.join(cell['source'])[:60]
