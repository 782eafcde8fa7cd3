"""Drawings for the lecture's theory slides and pitfalls (not on the slides): each function returns a
matplotlib figure of numbers from theory.py or pitfalls.py. Every chart has labelled axes and a legend
(a heatmap's legend is its labelled colour bar); every diagram a title and a legend of its colours.
"""
import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

# The colours of the diagrams: one per kind of box, and what the legend calls it.
COLOURS = {'input': '#9ecae1', 'hidden': '#a1d99b', 'output': '#fdae6b', 'encoding': '#d9d9d9'}
NAMES = {'input': 'input x(t)', 'hidden': 'hidden state h(t)', 'output': 'output y(t)',
         'encoding': 'encoding of the ids'}
BOX = 0.7  # the side of a box, in the diagrams' data units (one step = 1)


# --- Drawing helpers ----------------------------------------------------------------------------

def box(ax, x, y, text, kind, width=BOX, height=BOX, fontsize=9, colours=COLOURS):
    """A rounded box centred at (x, y), coloured by its kind, with text inside."""
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle='round,pad=0.02,rounding_size=0.08',
                                facecolor=colours[kind], edgecolor='0.3'))
    ax.text(x, y, text, ha='center', va='center', fontsize=fontsize)


def arrow(ax, start, end, colour='0.2', style='-|>', connection='arc3', linestyle='-'):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=12, color=colour,
                                 connectionstyle=connection, linestyle=linestyle, shrinkA=2, shrinkB=2))


def up_arrow(ax, x, y_from, y_to, half=BOX / 2):
    """From the top of the box at (x, y_from) to the bottom of the one at (x, y_to)."""
    arrow(ax, (x, y_from + half), (x, y_to - half))


def right_arrow(ax, x_from, x_to, y, half=BOX / 2, **style):
    """From the right side of the box at (x_from, y) to the left side of the one at (x_to, y)."""
    arrow(ax, (x_from + half, y), (x_to - half, y), **style)


def diagram_axes(ax, xlim, ylim):
    """Axes for a diagram: no data axes, equal scale."""
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect('equal')
    ax.axis('off')


def box_legend(fig, kinds, extra=(), names=None, ncol=None, colours=COLOURS, default_names=NAMES):
    """A diagram's legend: the colour of each kind of box (names, else default_names), then extra."""
    names = dict(default_names, **(names or {}))
    handles = [Patch(facecolor=colours[k], edgecolor='0.3', label=names[k]) for k in kinds] + list(extra)
    fig.legend(handles=handles, loc='lower center', ncol=ncol or len(handles), frameon=False, fontsize=9)


def arrow_handle(label, colour='C3'):
    """A legend entry for arrows (an artist belongs to one figure: a new one each time)."""
    return Line2D([], [], color=colour, marker='>', label=label)


RECURRENT = 'recurrent connection: h(t-1) to h(t)'


def labelled(ax, xlabel, ylabel, title, legend=(), **title_style):
    """A chart's axis labels, title and legend (font size 8 unless legend, its options, says)."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, **title_style)
    ax.legend(**dict({'fontsize': 8}, **dict(legend)))


# --- Slide "Different Categories of Sequence Modeling" ------------------------------------------

# (title, example, steps that take an input, steps that give an output) over 4 or 6 steps
CATEGORIES = [
    ('Many-to-one', 'sentiment analysis: a review -> its label', range(4), [3]),
    ('One-to-many', 'image captioning: an image -> a phrase', [0], range(4)),
    ('Synchronized many-to-many', 'video classification: a label per frame', range(4), range(4)),
    ('Delayed many-to-many', 'language translation: a sentence -> a sentence', range(3), range(3, 6)),
]


def sequence_categories(categories=CATEGORIES):
    """The four categories of sequence modeling, each as an RNN unrolled in time (input boxes below
    the steps that take one, output boxes above those that give one), with the lecture's examples."""
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.6), gridspec_kw={'width_ratios': [4, 4, 4, 6]})
    for ax, (title, example, inputs, outputs) in zip(axes, categories):
        n_steps = 6 if len(inputs) + len(outputs) == 6 else 4
        for t in range(n_steps):
            box(ax, t, 1, 'h', 'hidden')
            if t:
                right_arrow(ax, t - 1, t, 1, colour='C3')
            if t in inputs:
                box(ax, t, 0, 'x', 'input')
                up_arrow(ax, t, 0, 1)
            if t in outputs:
                box(ax, t, 2, 'y', 'output')
                up_arrow(ax, t, 1, 2)
        diagram_axes(ax, (-0.6, n_steps - 0.4), (-0.6, 2.6))
        ax.set_title('%s\n%s' % (title, textwrap.fill(example, 30)), fontsize=9)
    fig.suptitle('Different categories of sequence modeling (time runs left to right)')
    box_legend(fig, ['input', 'hidden', 'output'], [arrow_handle(RECURRENT)])
    fig.subplots_adjust(bottom=0.15, top=0.78, wspace=0.15)
    return fig


# --- Slide "Comparison between Standard Feedforward NN and RNN" --------------------------------

def feedforward_vs_rnn():
    """A feedforward network beside an RNN: the same three layers, and the RNN's hidden layer
    also receives its own previous value through W_hh."""
    fig, axes = plt.subplots(1, 2, figsize=(8, 4.2))
    for ax, title, t in zip(axes, ('Standard feedforward network', 'Recurrent neural network'), ('', '(t)')):
        for y, name, kind in ((0, 'x', 'input'), (1.4, 'h', 'hidden'), (2.8, 'y', 'output')):
            box(ax, 0, y, name + t, kind, width=1.0)
        up_arrow(ax, 0, 0, 1.4)
        up_arrow(ax, 0, 1.4, 2.8)
        ax.text(0.1, 0.7, 'W_xh', fontsize=9)
        ax.text(0.1, 2.1, 'W_hy', fontsize=9)
        if t:  # a loop from h back into h: h(t-1) enters the next step
            arrow(ax, (0.5, 1.55), (0.5, 1.25), colour='C3', connection='arc3,rad=-2.2')
            ax.text(1.25, 1.4, 'W_hh', fontsize=9, va='center')
        diagram_axes(ax, (-1.5, 1.8), (-0.6, 3.4))
        ax.set_title(title, fontsize=10)
    fig.suptitle('Feedforward network and RNN: the RNN\'s hidden layer also reads its own last value')
    box_legend(fig, ['input', 'hidden', 'output'],
               [arrow_handle('feedforward connection', '0.2'), arrow_handle(RECURRENT)], ncol=3)
    fig.subplots_adjust(bottom=0.16)
    return fig


# --- Slide "Unrolled RNNs": the lecture's two models, with the shapes of their built graphs ------

def shape_text(shape):
    return '(%s)' % ', '.join(str(s) for s in shape)


def unrolled_model(ax, shapes, title, n_steps=3):
    """One model unrolled over n_steps shown steps (and '...' for the rest), its rows labelled with
    the shapes read from its graph (theory.sentiment_shapes / char_shapes). Many-to-one when the
    shapes have a 'last step': only the last step's output reaches the dense layer."""
    rows = dict((what, shape) for what, _, shape in shapes)
    many_to_one = 'last step' in rows
    steps = list(range(n_steps - 1)) + [n_steps]          # the shown steps; a gap before the last
    labels = ['t=1', 't=2', 't=3', 't=4'][:n_steps - 1] + ['t=T']
    ids_name, code_name, top, top_name = (('word ids', 'embeddings', 'last step', 'last step') if many_to_one
                                          else ('character ids', 'one-hot', 'outputs reshaped', 'reshaped'))
    for k, (x, label) in enumerate(zip(steps, labels)):
        box(ax, x, 0, label, 'input', fontsize=8)
        box(ax, x, 1, 'embed' if many_to_one else 'one-hot', 'encoding', fontsize=7)
        box(ax, x, 2, 'LSTM', 'hidden', fontsize=8)
        up_arrow(ax, x, 0, 1)
        up_arrow(ax, x, 1, 2)
        if k:
            previous = steps[k - 1]
            right_arrow(ax, previous, x, 2, colour='C3', linestyle='--' if x - previous > 1 else '-')
        if not many_to_one or x == steps[-1]:
            box(ax, x, 3, 'logits', 'output', fontsize=8)
            up_arrow(ax, x, 2, 3)
    ax.text(steps[-2] + (steps[-1] - steps[-2]) / 2, 2.25, '...', ha='center', fontsize=12)
    right = steps[-1] + 0.6
    texts = ['%s %s' % (ids_name, shape_text(rows[ids_name])), '%s %s' % (code_name, shape_text(rows[code_name])),
             'LSTM outputs %s' % shape_text(rows['LSTM outputs']),
             '%s %s\nlogits %s' % (top_name, shape_text(rows[top]), shape_text(rows['logits']))]
    for y, text in enumerate(texts):
        ax.text(right, y, text, va='center', fontsize=8)
    diagram_axes(ax, (-0.6, right + 3.2), (-0.6, 3.6))
    ax.set_title(title, fontsize=10)


def unrolled_models(sentiment_shapes, char_shapes, n_steps=3):
    """The SentimentRNN (many-to-one) and the CharRNN (synchronized many-to-many) unrolled in time,
    labelled with the tensor shapes of their built graphs (theory.sentiment_shapes, char_shapes)."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7.5))
    unrolled_model(top, sentiment_shapes, 'SentimentRNN: many-to-one (the label after the last word)', n_steps)
    unrolled_model(bottom, char_shapes, 'CharRNN: synchronized many-to-many (the next character after '
                   'every character)', n_steps)
    fig.suptitle('The lecture\'s two models unrolled in time, with the shapes of their graphs\' tensors\n'
                 '(batch rows, steps, features), read from the built graphs')
    box_legend(fig, ['input', 'encoding', 'hidden', 'output'], [arrow_handle('LSTM state (c, h) to the next step')],
               names={'input': 'ids of step t', 'encoding': 'embedding / one-hot',
                      'hidden': 'LSTM cell', 'output': 'dense layer (logits)'}, ncol=3)
    fig.subplots_adjust(bottom=0.08, top=0.86, hspace=0.25)
    return fig


# --- Slide "Gradient Problems", measured --------------------------------------------------------

DISTANCE_TO_T = 'distance T - k (steps between h(k) and the last step T)'


def draw_norms_by_distance(ax, lines, ylabel, title, one=False):
    """On ax, a log-scale chart of norms against the distance T - k: lines [(label, colour, distance,
    values)]. Zeros (every entry below float32's range) are not drawn; where a line reaches 0, a
    dotted line says so. one: a dotted line at norm 1."""
    for label, colour, distance, values in lines:
        values = np.asarray(values, dtype=float)
        shown = values > 0
        ax.semilogy(distance[shown], values[shown], color=colour, label=label)
        if not shown.all():
            first_zero = int(distance[~shown][0])
            ax.axvline(first_zero, color=colour, ls=':', lw=1,
                       label='every entry 0 in float32 from distance %d on' % first_zero)
    if one:
        ax.axhline(1.0, color='0.5', ls=':', lw=1, label='norm 1')
    labelled(ax, DISTANCE_TO_T, ylabel, title, fontsize=10)


def gradient_vs_distance(result):
    """The mean norm of dL(T)/dh(k) against the distance T - k, log scale (theory.gradient_vs_distance's
    result): both models on one axis (the tanh RNN's fall spans dozens of decades), and the trained
    LSTM alone on an axis of its own, where its decay (a few decades) is visible."""
    fig, (both, alone) = plt.subplots(1, 2, figsize=(12, 4.2))
    lstm = ('trained SentimentRNN (LSTM)', 'C0', result['distance'], result['lstm'])
    tanh = ('plain tanh RNN (BasicRNNCell), trained briefly', 'C3', result['distance'], result['tanh'])
    ylabel = 'mean ||dL(T)/dh(k)|| over the reviews'
    draw_norms_by_distance(both, [lstm, tanh], ylabel, 'Both models')
    draw_norms_by_distance(alone, [lstm], ylabel, 'The trained LSTM alone (its own scale)')
    fig.suptitle('How much the last step\'s loss still reaches back to h(k)')
    fig.tight_layout()
    return fig


def jacobian_norms(result):
    """The norm of dh(T)/dh(k) against the distance T - k, log scale, one line per scale of W_hh
    (theory.jacobian_norms_by_distance's result)."""
    fig, ax = plt.subplots(figsize=(8, 3.9))
    draw_norms_by_distance(ax, [('W_hh with every singular value %g' % scale, 'C%d' % k, result['distance'], norms)
                                for k, (scale, norms) in enumerate(sorted(result['norms'].items()))],
                           'spectral norm of dh(T)/dh(k)',
                           'A product of step Jacobians: it vanishes or explodes with the distance', one=True)
    return fig


# --- Gradient clipping: the CharRNN's global gradient norms ------------------------------------

def clipping_norms(result):
    """The global gradient norm of every CharRNN mini-batch (theory.clipping_norms's result),
    with the clipping threshold and the epochs' boundaries."""
    fig, ax = plt.subplots(figsize=(8, 3.8))
    norms, limit, per_epoch = result['norms'], result['grad_clip'], result['batches_per_epoch']
    ax.plot(np.arange(1, len(norms) + 1), norms, color='C0', marker='.', lw=1, label='global norm of the gradients')
    ax.axhline(limit, color='C3', ls='--', label='grad_clip = %g (above it, scaled down to it)' % limit)
    for k, edge in enumerate(range(per_epoch, len(norms), per_epoch)):
        ax.axvline(edge + 0.5, color='0.8', lw=0.8, label='epoch boundary' if k == 0 else None)
    ax.set_ylim(0, max(norms.max(), limit) * 1.1)
    labelled(ax, 'iteration (mini-batch)', 'global gradient norm', 'CharRNN: %.0f%% of %d mini-batches above the '
             'threshold' % (100 * result['share_above'], len(norms)))
    return fig


def clipping_in_action(result):
    """The global gradient norm of every CharRNN mini-batch before and after clipping, log scale
    (theory.clipping_in_action's result); the mini-batches where clipping acted are marked."""
    fig, ax = plt.subplots(figsize=(8, 3.8))
    before, after, limit = result['norms'], result['norms_after'], result['grad_clip']
    iteration = np.arange(1, len(before) + 1)
    ax.semilogy(iteration, before, color='C0', marker='.', lw=1, label='global norm before clipping')
    ax.semilogy(iteration, after, color='C2', marker='.', ls='--', lw=1,
                label='global norm applied, after clipping: min(norm, grad_clip)')
    acted = before > limit
    ax.scatter(iteration[acted], before[acted], s=80, facecolors='none', edgecolors='C3',
               label='clipping acted (norm above grad_clip)')
    ax.axhline(limit, color='C3', ls=':', label='grad_clip = %g' % limit)
    labelled(ax, 'iteration (mini-batch)', 'global gradient norm',
             'CharRNN at learning rate %g: clipping acted on %d of %d mini-batches (%.0f%%)'
             % (result['hparams']['learning_rate'], acted.sum(), len(before), 100 * result['share_above']),
             fontsize=10)
    return fig


# --- Slide "LSTM Units": the cell's diagram, with the sizes of the CharRNN's built graph -------

LSTM_COLOURS = {'input': '#9ecae1', 'hidden': '#a1d99b', 'gate': '#fdd0a2', 'candidate': '#fc9272',
                'kernel': '#d9d9d9', 'op': '#ffffff', 'cell': '#bcbddc'}
LSTM_NAMES = {'input': 'input x(t) (one-hot)', 'hidden': 'hidden state h', 'gate': 'gate: \u03c3, in (0, 1)',
              'candidate': 'candidate j (the slides\' g): tanh, in (\u22121, 1)', 'kernel': 'one kernel over [x, h]',
              'op': 'elementwise: \u2299 product, + sum, tanh', 'cell': 'cell state c'}


def lstm_cell_diagram(sizes):
    """BasicLSTMCell as the CharRNN builds it, labelled with the sizes read from its graph
    (theory.lstm_cell_sizes): one kernel over [x(t), h(t-1)], its columns four blocks of H in
    TensorFlow's order i, j, f, o; the cell state path along the top."""
    d, h = sizes['n_inputs'], sizes['n_hidden']
    top, path = 6.0, '#54278f'   # the height and colour of the cell state path
    gates = {'i': (4.6, 'i = \u03c3(z_i)\ninput gate'), 'j': (6.3, 'j = tanh(z_j)\ncandidate (g)'),
             'f': (8.0, 'f = \u03c3(z_f + %g)\nforget gate\n(+ forget_bias)' % sizes['forget_bias']),
             'o': (9.7, 'o = \u03c3(z_o)\noutput gate')}
    boxes = [(0.4, 0.0, 'x(t)\n%d' % d, 'input', 1.2, 0.8), (2.0, 0.0, 'h(t\u22121)\n%d' % h, 'hidden', 1.2, 0.8),
             (1.2, 1.4, '[x(t), h(t\u22121)]\n%d + %d = %d' % (d, h, d + h), 'kernel', 2.4, 0.8),
             (1.2, 2.9, 'z = [x, h] @ kernel + bias\nkernel %d \u00d7 %d = %d \u00d7 (4 \u00d7 %d)\nbias %d'
              % (sizes['kernel_shape'] + (d + h, h, sizes['bias_shape'][0])), 'kernel', 3.2, 1.1)]
    boxes += [(x, 2.9, '%s\ncolumns %d\u2013%d' % (text, sizes['blocks'][name][0], sizes['blocks'][name][1] - 1),
               'candidate' if name == 'j' else 'gate', 1.6, 1.4) for name, (x, text) in gates.items()]
    boxes += [(1.2, top, 'c(t\u22121)\n%d' % h, 'cell', 1.2, 0.8), (8.0, top, '\u2299', 'op', 0.5, 0.5),
              (9.4, top, '+', 'op', 0.5, 0.5), (5.45, 4.5, 'i \u2299 j', 'op', 0.8, 0.5),
              (11.0, top, 'c(t)\n%d' % h, 'cell', 1.2, 0.8), (12.4, 4.9, 'tanh', 'op', 0.8, 0.5),
              (12.4, 3.8, '\u2299', 'op', 0.5, 0.5), (12.4, 2.4, 'h(t)\n%d' % h, 'hidden', 1.2, 0.8)]
    fig, ax = plt.subplots(figsize=(12, 6.6))
    for x, y, text, kind, width, height in boxes:
        box(ax, x, y, text, kind, width=width, height=height, fontsize=8, colours=LSTM_COLOURS)
    for start, end in [((0.4, 0.4), (0.9, 1.0)), ((2.0, 0.4), (1.5, 1.0)),   # x and h into [x, h]
                       ((1.2, 1.8), (1.2, 2.5)), ((2.8, 2.9), (3.8, 2.9)),   # into z, z into the blocks
                       ((8.0, 3.6), (8.0, top - 0.25)),                      # f into f (.) c(t-1)
                       ((4.6, 3.6), (5.2, 4.25)), ((6.3, 3.6), (5.7, 4.25)),  # i and j into i (.) j
                       ((12.4, 4.65), (12.4, 4.05)), ((10.5, 3.1), (12.15, 3.75)),  # tanh(c) and o into o (.)
                       ((12.4, 3.55), (12.4, 2.8))]:                         # h(t)
        arrow(ax, start, end)
    for start, end in [((1.8, top), (7.75, top)), ((8.25, top), (9.15, top)), ((9.65, top), (10.4, top)),
                       ((11.6, top - 0.2), (12.3, 5.15))]:                   # the cell state, c(t) into tanh
        arrow(ax, start, end, colour=path)
    arrow(ax, (5.85, 4.6), (9.2, top - 0.2), connection='arc3,rad=-0.15')  # i (.) j into +
    ax.text(5.0, top + 0.3, 'c(t) = f \u2299 c(t\u22121) + i \u2299 j', ha='center', fontsize=10, color=path)
    ax.text(12.4, 1.65, 'h(t) = o \u2299 tanh(c(t))', ha='center', fontsize=10)
    diagram_axes(ax, (-0.6, 13.4), (-0.6, 6.8))
    fig.suptitle('LSTM cell (BasicLSTMCell) with the sizes of the CharRNN\'s built graph: %d inputs, %d units'
                 % (d, h))
    box_legend(fig, ['input', 'hidden', 'kernel', 'gate', 'candidate', 'cell', 'op'],
               [arrow_handle('cell state path', path)], colours=LSTM_COLOURS, default_names=LSTM_NAMES, ncol=4)
    fig.subplots_adjust(bottom=0.14, top=0.92, left=0.01, right=0.99)
    return fig


# --- Slide "LSTM Units": the gates over a line of Hamlet ----------------------------------------

GATE_ROWS = [('f', 'forget gate f', 'viridis', (0, 1)), ('i', 'input gate i', 'viridis', (0, 1)),
             ('g', 'candidate g (TF: j)', 'RdBu_r', (-1, 1)), ('c', 'cell state c', 'RdBu_r', None),
             ('o', 'output gate o', 'viridis', (0, 1)), ('h', 'hidden state h', 'RdBu_r', (-1, 1))]


def lstm_heatmap(result, n_units=12, rows=GATE_ROWS):
    """The gates, the cell state and the hidden state at every character of the line
    (theory.lstm_gates_on_line's result), for the n_units units whose cell state varies most."""
    units = np.sort(np.argsort(result['c'].std(axis=0))[::-1][:n_units])   # the ones worth a look
    chars = [{'\n': '\\n', ' ': '\u2423'}.get(ch, ch) for ch in result['chars']]  # a space as a visible box
    # Two columns of panels: wide like a slide, so that a projector shows the characters legibly.
    n_rows = (len(rows) + 1) // 2
    fig, grid = plt.subplots(n_rows, 2, figsize=(max(14, 0.3 * len(chars) + 2), 2.6 * n_rows + 1.2),
                             sharex=True, squeeze=False)
    axes = list(grid.T.ravel())  # down the first column, then the second
    for ax in axes[len(rows):]:
        ax.set_visible(False)
    for ax, (key, label, cmap, limits) in zip(axes, rows):
        values = result[key][:, units].T                                  # (units, T)
        bound = np.abs(values).max()
        limits = limits or (-bound, bound)
        image = ax.imshow(values, aspect='auto', cmap=cmap, vmin=limits[0], vmax=limits[1],
                          interpolation='nearest')
        ax.set_yticks(range(len(units)))
        ax.set_yticklabels(units, fontsize=7)
        ax.set_ylabel('unit')
        ax.set_title(label, fontsize=11, loc='left')
        fig.colorbar(image, ax=ax, pad=0.01).set_label(key, rotation=0)
    for ax in grid[-1]:  # the characters under each column (the axes share them)
        ax.set_xticks(range(len(chars)))
        ax.set_xticklabels(chars, fontsize=10)
        ax.tick_params(axis='x', labelbottom=True)
        ax.set_xlabel('character of the line (fed one at a time, the state carried)')
    fig.suptitle('Shipped CharRNN: gates and states of the %d units whose cell state varies most\n'
                 '(colour bars: the value of each gate or state)' % len(units))
    fig.tight_layout()
    return fig


# --- Slide "Sigmoid": the gates' sigmoid and the candidate's tanh -------------------------------

def activation_curves(curves):
    """sigma(z) and tanh(z) against z (theory.activation_curves's result), their ranges marked as
    bars at the right, their bounds dotted."""
    fig, ax = plt.subplots(figsize=(8, 3.8))
    z = curves['z']
    right = z.max()
    ax.plot(z, curves['sigmoid'], color='C0', label='\u03c3(z) = 1 / (1 + e^\u2212z): the gates i, f, o')
    ax.plot(z, curves['tanh'], color='C1', label='tanh(z): the candidate j (g), and tanh(c) in h')
    for x, low, colour, name in ((right + 0.5, 0, 'C0', '\u03c3: (0, 1)'),
                                 (right + 1.0, -1, 'C1', 'tanh: (\u22121, 1)')):
        ax.plot([x] * 2, [low, 1], color=colour, lw=6, alpha=0.5, solid_capstyle='butt', label='range of ' + name)
    for level in (-1, 0, 1):
        ax.axhline(level, color='0.6', lw=0.6, ls=':')
    ax.set_xlim(z.min() - 0.3, right + 1.4)
    ax.set_ylim(-1.25, 1.25)
    labelled(ax, 'z (pre-activation)', 'activation', 'The gates\' \u03c3 lies in (0, 1), the candidate\'s tanh in '
             '(\u22121, 1); \u03c3(0) = 0.5, tanh(0) = 0', fontsize=10,
             legend={'loc': 'lower left', 'bbox_to_anchor': (0.4, 0.03)})  # the empty lower right
    return fig


# --- Pitfall: gradient clipping under Adam ------------------------------------------------------

def clipping_under_adam(result):
    """The step sizes of SGD and Adam around one huge gradient, clipped and not, log scale
    (pitfalls.clipping_under_adam's result: synthetic gradients of result['dim'] parameters)."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharex=True)
    for ax, optimizer in zip(axes, ('sgd', 'adam')):
        for suffix, label, style in (('', 'not clipped', '-'), ('_clipped', 'clipped by the global norm', '--')):
            norms = result['step_norms'][optimizer + suffix]
            ax.semilogy(np.arange(1, len(norms) + 1), norms, ls=style, label=label)
        labelled(ax, 'step', 'step size ||change of the parameters||',
                 '%s: step %d\'s gradient is %g times too large\n(clipping divides it by %.0f)'
                 % ('SGD' if optimizer == 'sgd' else 'Adam', result['spike_at'] + 1, result['spike_scale'],
                    result['clip_factor']), fontsize=9)
    fig.suptitle('Synthetic gradients, not a model\'s: %d parameters, %d steps of Gaussian noise with one spike'
                 % (result['dim'], result['n_steps']), fontsize=10)
    fig.tight_layout()
    return fig
