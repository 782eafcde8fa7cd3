"""What the lecture notebook (notebooks/rnn_lecture.ipynb) uses besides the slides' code (not on
the slides): the one line that puts a method cell into its class, the time of each section, the
model its test slides show, and its charts. Every chart has labelled axes and a legend.
"""
import collections
import json
import os
import time

import matplotlib.pyplot as plt
from matplotlib.transforms import Bbox
import numpy as np
import pandas as pd

from beyond_slides.deck import heading, source
from beyond_slides.model_folder import HISTORY_NAME, ModelFolder
from beyond_slides.predicting import load_sentiment_rnn
from beyond_slides.settings import REPO, SENTIMENT
from beyond_slides.theory_figures import labelled


def add_to_class(cls):
    """A decorator: the function it decorates becomes a method of cls. The notebook gives each of
    the slides' methods a cell of its own; re-running one cell changes that method of the class."""
    def add(method):
        setattr(cls, method.__name__, method)
        return method
    return add


# --- The time of each section -------------------------------------------------------------------

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
            self._start = None  # pragma: no mutate: "" and None are both false for `if self._start`

    def by_section(self, notebook_path):
        """[(section heading, seconds)] for every heading in the notebook's order (0 for a section
        without code); code run above the first heading counts first, under BEFORE_HEADINGS, and
        cells edited since the notebook was saved last, under EDITED_CELLS."""
        with open(notebook_path, encoding='utf-8') as f:  # pragma: no mutate: codec names are case-insensitive
            cells = json.load(f)['cells']
        section_of, order, section = {}, [], BEFORE_HEADINGS
        for cell in cells:
            title = heading(cell)
            if title is not None:
                section = title
                order.append(title)
            elif cell['cell_type'] == 'code':
                section_of.setdefault(source(cell).strip(), section)
        seconds = collections.Counter()
        for ran, t in self.times:
            seconds[section_of.get(ran.strip(), EDITED_CELLS)] += t
        first = [BEFORE_HEADINGS] if BEFORE_HEADINGS in seconds else []
        last = [EDITED_CELLS] if EDITED_CELLS in seconds else []
        return [(h, seconds.get(h, 0.0)) for h in first + order + last]

    def report(self, notebook_path):
        """Print the seconds each section took in this run, and the total."""
        rows = self.by_section(notebook_path)
        width = max(len(h) for h, _ in rows)
        for section, seconds in rows + [('total', sum(t for _, t in rows))]:
            print('%-*s %6.1f s' % (width, section, seconds))


# --- The model the test slides show -------------------------------------------------------------

Shown = collections.namedtuple('Shown', 'rnn model_dir title every_test_review note')


def model_to_show(trained_dir, sentiment_rnn_class, word_to_int, quick):
    """What the slides "Training the SentimentRNN Model" and "Test and Optimizing the Model" show: the
    SentimentRNN trained beforehand in trained_dir (`python sentiment_rnn.py`), built from the
    notebook's class and rated on every test review as on the slides, where that folder holds a
    model of this vocabulary; else quick, the notebook's own run. The note says which, and why."""
    folder = ModelFolder(trained_dir)
    # the folder as the repository names it (models/sentiment), the same on every machine
    inside = os.path.abspath(trained_dir).startswith(REPO + os.sep)
    where = os.path.relpath(trained_dir, REPO) if inside else trained_dir
    if folder.saved_vocab(SENTIMENT.name) is None or folder.latest_checkpoint() is None:
        why = 'no model trained beforehand in %s (python sentiment_rnn.py trains one)' % where
    else:
        hparams, vocab = folder.load_config(SENTIMENT.name)
        if vocab != word_to_int:  # its word ids would mean other words
            why = 'the model in %s was trained on other reviews (another vocabulary)' % where
        else:
            epochs = '%d epoch%s' % (hparams['epochs'], '' if hparams['epochs'] == 1 else 's')
            return Shown(load_sentiment_rnn(folder.path, sentiment_rnn_class), trained_dir,
                         'SentimentRNN trained beforehand: %s' % epochs, True,
                         'These slides show the SentimentRNN trained beforehand in %s (%s), rated on '
                         'every test review' % (where, epochs))
    return quick._replace(every_test_review=False, note='These slides show this notebook\'s quick run: %s' % why)


# --- Charts -------------------------------------------------------------------------------------

def plot_loss(model_dir, title, window=20, baseline=None):
    """The training loss of each iteration (the model folder's loss history) and its moving average
    over `window` iterations, drawn only where the window is whole (a shorter window at the edges
    would not average the same thing). baseline: (value, label) drawn dotted, such as ln(65), the
    loss of a uniform guess for the CharRNN."""
    history = pd.read_csv(ModelFolder(model_dir).file(HISTORY_NAME))
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.plot(history['iteration'], history['loss'], color='0.7', lw=0.8, label='loss of each mini-batch')
    average = history['loss'].rolling(window, center=True).mean()  # NaN where the window is not whole
    ax.plot(history['iteration'], average, color='C0', label='moving average of %d mini-batches' % window)
    if baseline:
        ax.axhline(baseline[0], color='C3', ls=':', label=baseline[1])
    labelled(ax, 'iteration (mini-batch)', 'training loss', title, legend={'fontsize': None})  # legend: default size
    return fig


def next_char_chart(chars, proba, picks, top_n, context, shown=12):
    """The model's probabilities of the next character after `context` (the shown likeliest ones)
    beside how often get_top_char picked each in the draws of `picks` ({temperature: [picked ids]})."""
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
    labelled(ax, 'next character (the likeliest first)', 'probability, or share of draws',
             'The next character after %r' % context)
    return fig


def embedding_pca(words, vectors, positive, negative):
    """The first two principal components (numpy's SVD of the centred rows) of the embedding rows
    (`vectors`, one per word of words) of the words of positive and negative: (the figure, the
    share of those rows' variance the two components hold)."""
    index = {w: i for i, w in enumerate(words)}
    shown = [(w, 'C2') for w in positive if w in index] + [(w, 'C3') for w in negative if w in index]
    rows = np.array([vectors[index[w]] for w, _ in shown])
    centred = rows - rows.mean(axis=0)
    _, singular, components = np.linalg.svd(centred, full_matrices=False)  # pragma: no mutate: full_matrices changes only rows of components past the first two, which are not used
    xy = centred @ components[:2].T                                   # (words, 2)
    share = float((singular[:2] ** 2).sum() / (singular ** 2).sum())
    fig, ax = plt.subplots(figsize=(7, 5))
    for colour, label in (('C2', 'positive words'), ('C3', 'negative words')):
        points = np.array([p for p, (_, c) in zip(xy, shown) if c == colour])
        ax.scatter(points[:, 0], points[:, 1], color=colour, label=label)
    labels = [ax.annotate(w, (x, y), xytext=(5, 2), textcoords='offset points', fontsize=8, color=colour)
              for (x, y), (w, colour) in zip(xy, shown)]
    labelled(ax, 'first principal component', 'second principal component', 'The learned embedding rows of %d '
             'sentiment words (the two components: %.0f %% of their variance)' % (len(shown), 100 * share), fontsize=9)
    ax.margins(0.12)       # room for the labels at the edges
    separate_labels(fig, ax, labels)
    leader_lines(fig, ax, labels)
    return fig, share


def leader_lines(fig, ax, labels, far=8.0):
    """A thin line from each point to its label where separate_labels placed the label more than
    `far` points away from the point, so that it still shows whose label it is."""
    renderer = fig.canvas.get_renderer()
    for label in labels:
        box = label.get_window_extent(renderer)
        point = ax.transData.transform(label.xy)
        nearest = (np.clip(point[0], box.x0, box.x1), np.clip(point[1], box.y0, box.y1))  # pixels
        if np.hypot(*(np.subtract(nearest, point))) * 72.0 / fig.dpi > far:
            end = ax.transData.inverted().transform(nearest)
            ax.plot([label.xy[0], end[0]], [label.xy[1], end[1]], color=label.get_color(), lw=0.5, alpha=0.7)


def candidate_corners(width, height, gap=4.0, steps=range(0, 60, 5)):
    """Where a label's box (width x height, in points) may stand around its point, nearest first:
    its lower-left corner relative to the point, in points: right of it, left, above, below, then
    the diagonals, each a further `steps` points away."""
    for d in steps:
        right, left, up, down = gap + d, -width - gap - d, gap + d, -height - gap - d
        yield from ((right, -height / 2), (left, -height / 2), (-width / 2, up), (-width / 2, down),
                    (right, up), (left, up), (right, down), (left, down))


def separate_labels(fig, ax, labels, marker=3.0):
    """Place the labels (annotations offset in points from their points) one after the other, each
    at the first of its candidate_corners where its rendered box (grown by a pixel) overlaps no label
    placed before it and no point (a box of `marker` points around each); a label with no free place
    stays where it is. The axes' limits are fixed first, so that nothing moves with them."""
    ax.set_xlim(ax.get_xlim())
    ax.set_ylim(ax.get_ylim())
    renderer = fig.canvas.get_renderer()
    pixels = fig.dpi / 72.0                                                  # pixels per point
    points = ax.transData.transform([t.xy for t in labels])                  # display pixels
    taken = [Bbox.from_extents(x - marker * pixels, y - marker * pixels, x + marker * pixels, y + marker * pixels)
             for x, y in points]
    for label, (px, py) in zip(labels, points):
        box = label.get_window_extent(renderer)
        for cx, cy in candidate_corners(box.width / pixels, box.height / pixels):   # points
            moved = Bbox.from_bounds(px + cx * pixels, py + cy * pixels, box.width, box.height)
            if not any(moved.padded(1).overlaps(other) for other in taken):
                break
        else:
            moved = box   # no free place (a crowded word list): the label stays where it is
        # xyann is the text's anchor offset; move it by as much as the box's corner moves
        label.xyann = (label.xyann[0] + (moved.x0 - box.x0) / pixels, label.xyann[1] + (moved.y0 - box.y0) / pixels)
        taken.append(moved)


def graph_op_counts(graph):
    """The numbers of operations of the graph in tf.nn.dynamic_rnn's loop ('rnn/while/'), in fast_lstm's
    groups of batch rows ('group_'), and in all: what TensorBoard's graph shows."""
    names = [op.name for op in graph.get_operations()]
    return {'ops in rnn/while': sum(n.startswith('rnn/while/') for n in names),
            'ops in group_': sum('/group_' in n for n in names), 'all ops': len(names)}
