"""The lecture notebook runs from top to bottom on the real data, prints the slides' figures,
draws its plots, and its committed outputs are those of the current code."""
import base64
import os
import re
import sys

import pytest

from conftest import ROOT, functions_in, slides_file

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
def executed(reference_data, built_movie_data, tmp_path_factory):
    import shutil
    cache = str(tmp_path_factory.mktemp('notebook-cache'))
    shutil.copytree(built_movie_data, cache, dirs_exist_ok=True)  # movie_data.csv, built once
    with pytest.MonkeyPatch.context() as mp:  # the kernel's data cache: a folder of this test's own
        mp.setenv('RNN_DATA_DIR', cache)
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


# Each slide whose code a cell shows: the book's function and the part of it on the slide, from
# the line holding the first text to the next line holding the second (None: its start, its end).
# The book's code is fixed text, so its comments can mark the slide's part.
SLIDE_PARTS = {
    'Prepare Fixed-Length Sequences': ('create_batch_generator#1', None, None),
    'Create an Embedded Layer': ('SentimentRNN.build', '## Create the embedding layer', "name='embeded_x')"),
    'SentimentRNN: the constructor': ('SentimentRNN.__init__', None, None),
    'SentimentRNN: build() (1/4)': ('SentimentRNN.build', None, "name='embeded_x')"),
    'SentimentRNN: build() (2/4)': ('SentimentRNN.build', '## Define LSTM cell', '<< final state'),
    'SentimentRNN: build() (3/4)': ('SentimentRNN.build', '## Apply a FC layer', '<< predictions'),
    'SentimentRNN: build() (4/4)': ('SentimentRNN.build', '## Define the cost function', None),
    'SentimentRNN: train()': ('SentimentRNN.train', None, None),
    'SentimentRNN: predict()': ('SentimentRNN.predict', None, None),
    'Reshape the Data into Batches of Sequences (2/3)': ('reshape_data', None, None),
    'Split x and y into Mini-Batches (1/2)': ('create_batch_generator#2', None, None),
    'CharRNN: The constructor': ('CharRNN.__init__', None, None),
    'CharRNN: build() (1/4)': ('CharRNN.build', None, 'y_onehot = '),
    'CharRNN: build() (2/4)': ('CharRNN.build', '### Build the multi-layer', "name='seq_output_reshaped')"),
    'CharRNN: build() (3/4)': ('CharRNN.build', 'logits = tf.layers.dense', "name='cost')"),
    'CharRNN: build() (4/4)': ('CharRNN.build', '# Gradient clipping', None),
    'CharRNN: train() (1/3)': ('CharRNN.train', None, 'loss = 0'),
    'CharRNN: train() (2/3)': ('CharRNN.train', '## Minibatch generator', 'iteration, batch_cost))'),
    'CharRNN: train() (3/3)': ('CharRNN.train', '## Save the trained model', None),
    'CharRNN: sample() (1/2)': ('CharRNN.sample', None, 'observed_seq.append(int2char[ch_id])'),
    'CharRNN: sample() (2/2)': ('CharRNN.sample', '## 2: run the model', None),
    'get_top_char()': ('get_top_char', None, None),
}


def book_part(lines, start, stop):
    first = next(i for i, line in enumerate(lines) if start in line) if start else 0
    last = next(i for i, line in enumerate(lines) if i >= first and stop in line) if stop else len(lines) - 1
    return lines[first:last + 1]


def shown_by_slide():
    """{slide title: (the lines its cells show, all lines of the functions they show from)}, from
    every show.show_source(...) in the notebook's code cells, under the slide heading above them."""
    import ast
    import inspect
    import nbformat
    import char_rnn
    import data_utils
    import sentiment_rnn
    from beyond_slides import keras_export, walkthrough
    namespace = {'SentimentRNN': sentiment_rnn.SentimentRNN, 'CharRNN': char_rnn.CharRNN,
                 'get_top_char': char_rnn.get_top_char, 'char_rnn': char_rnn, 'data_utils': data_utils,
                 'keras_export': keras_export}
    shown, title = {}, None
    for cell in nbformat.read(run_notebook.NOTEBOOK, as_version=4).cells:
        if cell.cell_type == 'markdown' and cell.source.startswith('#'):  # a slide's heading, or a part's
            title = cell.source.splitlines()[0].lstrip('#').strip()
        if cell.cell_type != 'code':
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == 'show.show_source':
                obj = eval(ast.unparse(node.args[0]), namespace)
                args = [ast.literal_eval(a) for a in node.args[1:]]
                kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
                lines, whole = shown.setdefault(title, ([], []))
                lines.extend(walkthrough.select_lines(inspect.getsource(obj), *args, **kwargs))
                whole.extend(inspect.getsource(obj).splitlines())
    return shown


def test_each_cell_shows_at_least_the_lines_of_its_slide():
    book = functions_in(slides_file('book_ch16.py'))
    shown = shown_by_slide()
    count = lambda lines: sum(1 for line in lines if line.strip())  # noqa: E731
    bare = lambda lines: {re.sub(r'\s+', '', line) for line in lines if line.strip()}  # noqa: E731
    for title, (name, start, stop) in SLIDE_PARTS.items():
        slide = book_part(book[name], start, stop)
        lines, whole = shown.get(title, ([], []))
        assert count(lines) >= count(slide) > 0, (title, count(lines), count(slide))
        # every line of the slide that stands unchanged in the function is in what the cell shows
        assert bare(slide) & bare(whole) <= bare(lines), (title, sorted(bare(slide) & bare(whole) - bare(lines)))
