"""What the lecture notebook (notebooks/rnn_lecture.ipynb) uses besides the slides' code (not on the
slides): the decorator of its method cells, the time of each section, the model its test slides show,
and its charts (each with labelled axes and a legend)."""
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
        """[(section heading, seconds)] in the notebook's order, led by BEFORE_HEADINGS (code run above
        the first heading) and ended by EDITED_CELLS (cells edited since it was saved) if they took time."""
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
        return [(h, seconds.get(h, 0.0)) for h in [BEFORE_HEADINGS] + order + [EDITED_CELLS]
                if h in order or h in seconds]

    def report(self, notebook_path):
        rows = self.by_section(notebook_path)
        width = max(len(h) for h, _ in rows)
        for section, seconds in rows + [('total', sum(t for _, t in rows))]:
            print('%-*s %6.1f s' % (width, section, seconds))


# --- The model the test slides show -------------------------------------------------------------
Shown = collections.namedtuple('Shown', 'rnn model_dir title every_test_review note')


def model_to_show(trained_dir, sentiment_rnn_class, word_to_int, quick):
    """What the slides "Training the SentimentRNN Model" and "Test and Optimizing the Model" show: the
    SentimentRNN trained beforehand in trained_dir (`python sentiment_rnn.py`) with the notebook's class,
    rated on every test review, if it has this vocabulary; else quick, the notebook's own run (the note: why)."""
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
    """The loss of each iteration (the folder's history) and its moving average, only where the window is whole
    (a shorter one averages something else); baseline: (value, label) dotted, such as the CharRNN's ln(65)."""
    history = pd.read_csv(ModelFolder(model_dir).file(HISTORY_NAME))
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.plot(history['iteration'], history['loss'], color='0.7', lw=0.8, label='loss of each mini-batch')
    average = history['loss'].rolling(window, center=True).mean()  # NaN where the window is not whole
    ax.plot(history['iteration'], average, color='C0', label='moving average of %d mini-batches' % window)
    if baseline:
        ax.axhline(baseline[0], color='C3', ls=':', label=baseline[1])
    return labelled(ax, 'iteration (mini-batch)', 'training loss', title, legend={'fontsize': None})  # default size


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
    ax.set(xticks=range(shown), xticklabels=[repr(chars[i]) for i in order])
    return labelled(ax, 'next character (the likeliest first)', 'probability, or share of draws',
                    'The next character after %r' % context)


def embedding_pca(words, vectors, positive, negative):
    """(the figure, the share of variance they hold) of the first two principal components (SVD of the centred
    rows) of the embedding rows (`vectors`, one per word of words) of the words of positive and negative."""
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
    return fig, share


def separate_labels(fig, ax, labels, marker=3.0, far=8.0):
    """Move each label (an annotation offset in points from its point) in turn to the first place around
    its point, nearest first, where its box (grown by a pixel) overlaps no label placed before and no point
    (a box of `marker` points), else it stays; one placed over `far` points away gets a line to its point."""
    ax.set(xlim=ax.get_xlim(), ylim=ax.get_ylim())   # the limits fixed, so that nothing moves with them
    renderer = fig.canvas.get_renderer()
    pixels = fig.dpi / 72.0                                                  # pixels per point
    points = ax.transData.transform([t.xy for t in labels])                  # display pixels
    taken = [Bbox.from_extents(x - marker * pixels, y - marker * pixels, x + marker * pixels, y + marker * pixels)
             for x, y in points]
    for label, point in zip(labels, points):
        box = label.get_window_extent(renderer)
        w, h = box.width / pixels, box.height / pixels                       # points
        corners = []  # the box's lower-left corner from the point, in points: right, left, above, below, diagonals
        for d in range(4, 64, 5):  # 4 points away, then 5 points further each round
            right, left, up, down = d, -w - d, d, -h - d
            corners += [(right, -h / 2), (left, -h / 2), (-w / 2, up), (-w / 2, down),
                        (right, up), (left, up), (right, down), (left, down)]
        places = (Bbox.from_bounds(point[0] + x * pixels, point[1] + y * pixels, box.width, box.height)
                  for x, y in corners)
        moved = next((b for b in places if not any(b.padded(1).overlaps(other) for other in taken)), box)
        # xyann is the text's anchor offset; move it by as much as the box's corner moves
        label.xyann = (label.xyann[0] + (moved.x0 - box.x0) / pixels, label.xyann[1] + (moved.y0 - box.y0) / pixels)
        taken.append(moved)
        nearest = np.clip(point, moved.min, moved.max)                       # pixels
        if np.hypot(*(nearest - point)) / pixels > far:
            end = ax.transData.inverted().transform(nearest)
            ax.plot([label.xy[0], end[0]], [label.xy[1], end[1]], color=label.get_color(), lw=0.5, alpha=0.7)


def graph_op_counts(graph):
    """The graph's operations in dynamic_rnn's loop ('rnn/while/'), in fast_lstm's groups ('group_') and in all."""
    names = [op.name for op in graph.get_operations()]
    return {'ops in rnn/while': sum(n.startswith('rnn/while/') for n in names),
            'ops in group_': sum('/group_' in n for n in names), 'all ops': len(names)}
