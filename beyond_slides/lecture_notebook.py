"""What the lecture notebook (notebooks/rnn_lecture.ipynb) uses besides the slides' code (not on
the slides): the one line that puts a method cell into its class, the time of each section, and
its charts. Every chart has labelled axes and a legend.
"""
import json
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from beyond_slides.model_folder import HISTORY_NAME, ModelFolder


def add_to_class(cls):
    """A decorator: the function it decorates becomes a method of cls. The notebook gives each of
    the slides' methods a cell of its own; re-running one cell changes that method of the class."""
    def add(method):
        setattr(cls, method.__name__, method)
        return method
    return add


# ---------------------------------------------------------------------------
# The time of each section
# ---------------------------------------------------------------------------

BEFORE_HEADINGS, EDITED_CELLS = '(before the first heading)', 'edited cells'


class SectionClock(object):
    """Times every cell the kernel runs (IPython's pre_run_cell and post_run_cell events); report()
    sums them by the notebook's sections (its '#' and '##' headings), read from the notebook file."""

    def __init__(self, ipython):
        self.times, self._start = [], None  # [(cell source, seconds)]
        ipython.events.register('pre_run_cell', self._before)
        ipython.events.register('post_run_cell', self._after)

    def _before(self, info):
        self._start = (info.raw_cell, time.perf_counter())

    def _after(self, result):
        if self._start:
            self.times.append((self._start[0], time.perf_counter() - self._start[1]))
            self._start = None

    def by_section(self, notebook_path):
        """[(section heading, seconds)] for every heading, in the notebook's order (0 for a section
        without code); code run above the first heading counts first, under BEFORE_HEADINGS, and
        cells edited since the notebook was saved last, under EDITED_CELLS."""
        with open(notebook_path, encoding='utf-8') as f:
            cells = json.load(f)['cells']
        section_of, order, heading = {}, [], BEFORE_HEADINGS
        for cell in cells:
            source = ''.join(cell['source'])
            if cell['cell_type'] == 'markdown' and source.startswith('#'):
                heading = source.splitlines()[0].lstrip('#').strip()
                order.append(heading)
            elif cell['cell_type'] == 'code':
                section_of.setdefault(source.strip(), heading)
        seconds = {}
        for source, t in self.times:
            section = section_of.get(source.strip(), EDITED_CELLS)
            seconds[section] = seconds.get(section, 0.0) + t
        first = [BEFORE_HEADINGS] if BEFORE_HEADINGS in seconds else []
        last = [EDITED_CELLS] if EDITED_CELLS in seconds else []
        return [(h, seconds.get(h, 0.0)) for h in first + order + last]

    def report(self, notebook_path):
        """Print the seconds each section took in this run, and the total."""
        rows = self.by_section(notebook_path)
        width = max(len(h) for h, _ in rows)
        for heading, seconds in rows:
            print('%-*s %6.1f s' % (width, heading, seconds))
        print('%-*s %6.1f s' % (width, 'total', sum(t for _, t in rows)))


# ---------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------

def plot_loss(model_dir, title, window=20, baseline=None):
    """The training loss of each iteration (the model folder's loss history) and its moving average
    over `window` iterations, drawn only where the window is whole (a shorter window at the edges
    would not average the same thing). baseline: (value, label) drawn as a dotted line, such as
    the loss of a uniform guess, ln(65) for the CharRNN."""
    history = pd.read_csv(ModelFolder(model_dir).file(HISTORY_NAME))
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.plot(history['iteration'], history['loss'], color='0.7', lw=0.8, label='loss of each mini-batch')
    average = history['loss'].rolling(window, center=True).mean()  # NaN where the window is not whole
    ax.plot(history['iteration'], average, color='C0', label='moving average of %d mini-batches' % window)
    if baseline:
        ax.axhline(baseline[0], color='C3', ls=':', label=baseline[1])
    ax.set_xlabel('iteration (mini-batch)')
    ax.set_ylabel('training loss')
    ax.set_title(title)
    ax.legend()
    return fig


def next_char_chart(chars, proba, picks, top_n, shown=12):
    """The model's probabilities of the next character (the shown likeliest ones) beside how often
    get_top_char picked each in the draws of `picks` ({temperature: [picked ids]})."""
    order = np.argsort(proba)[::-1][:shown]
    width = 0.8 / (1 + len(picks))
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.bar(np.arange(shown) - width, proba[order], width=width, color='0.7', label='model probability')
    for k, (temperature, ids) in enumerate(sorted(picks.items(), reverse=True)):
        freq = np.bincount(ids, minlength=len(chars)) / len(ids)
        ax.bar(np.arange(shown) + width * k, freq[order], width=width, color='C%d' % k,
               label='share of %d draws of get_top_char, top_n=%d, temperature %g' % (len(ids), top_n, temperature))
    ax.axvline(top_n - 0.5, color='k', ls=':', lw=1, label='the top-%d cut' % top_n)
    ax.set_xticks(range(shown))
    ax.set_xticklabels([repr(chars[i]) for i in order])
    ax.set_xlabel('next character (the likeliest first)')
    ax.set_ylabel('probability, or share of draws')
    ax.legend(fontsize=8)
    return fig


def embedding_pca(words, vectors, positive, negative):
    """The first two principal components of the embedding rows of the words of positive and
    negative (their rows of `vectors`, one per word of words), computed with numpy (SVD of the
    centred rows). Returns (the figure, the share of those rows' variance the two components hold)."""
    index = {w: i for i, w in enumerate(words)}
    shown = [(w, 'C2') for w in positive if w in index] + [(w, 'C3') for w in negative if w in index]
    rows = np.array([vectors[index[w]] for w, _ in shown])
    centred = rows - rows.mean(axis=0)
    _, singular, components = np.linalg.svd(centred, full_matrices=False)
    xy = centred @ components[:2].T                                   # (words, 2)
    share = float((singular[:2] ** 2).sum() / (singular ** 2).sum())
    fig, ax = plt.subplots(figsize=(7, 5))
    for colour, label in (('C2', 'positive words'), ('C3', 'negative words')):
        points = np.array([p for p, (_, c) in zip(xy, shown) if c == colour])
        ax.scatter(points[:, 0], points[:, 1], color=colour, label=label)
    for (x, y), (w, colour) in zip(xy, shown):
        ax.annotate(w, (x, y), fontsize=8, color=colour)
    ax.set_xlabel('first principal component')
    ax.set_ylabel('second principal component')
    ax.set_title('The learned embedding rows of %d sentiment words (the two components: %.0f %% of '
                 'their variance)' % (len(shown), 100 * share), fontsize=9)
    ax.legend(fontsize=8)
    return fig, share


def graph_op_counts(graph):
    """How many operations of the graph stand in tf.nn.dynamic_rnn's loop ('rnn/while/'), how many in
    fast_lstm's groups of batch rows ('group_'), and in all: what TensorBoard's graph shows."""
    names = [op.name for op in graph.get_operations()]
    return {'rnn/while': sum(n.startswith('rnn/while/') for n in names),
            'group_': sum('/group_' in n for n in names), 'all': len(names)}
