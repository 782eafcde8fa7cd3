"""What the lecture notebook uses besides the slides' code (beyond_slides/lecture_notebook.py): the
method cells' decorator, the time of each section, and charts with labelled axes and a legend,
checked against values worked by hand."""
import json
import types

import matplotlib

matplotlib.use('Agg')
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from beyond_slides import lecture_notebook, settings  # noqa: E402
from beyond_slides.model_folder import ModelFolder  # noqa: E402
from conftest import assert_labelled, run_python_in_ascii_locale  # noqa: E402


def test_add_to_class_makes_the_function_a_method_and_a_new_cell_replaces_it():
    class Model(object):
        def __init__(self):
            self.n = 2

    @lecture_notebook.add_to_class(Model)
    def double(self):
        return 2 * self.n
    assert Model().double() == 4

    @lecture_notebook.add_to_class(Model)  # the cell edited and run again
    def double(self):  # noqa: F811
        return 20 * self.n
    assert Model().double() == 40


class FakeIPython(object):
    def __init__(self):
        self.handlers = {}
        self.events = types.SimpleNamespace(register=lambda name, f: self.handlers.setdefault(name, f))

    def run(self, source, seconds, clock):
        self.handlers['pre_run_cell'](types.SimpleNamespace(raw_cell=source))
        clock._start = (clock._start[0], clock._start[1] - seconds)  # as if it had run that long
        self.handlers['post_run_cell'](None)


def test_each_section_gets_the_time_of_its_cells(tmp_path, capsys):
    cells = [('markdown', '# Part'), ('code', 'a = 1'), ('markdown', '## First'), ('code', 'b = 2'),
             ('code', '# a comment, not a heading\nc = 3'), ('markdown', 'text, not a heading'),
             ('markdown', '## The second part\ntext'), ('code', 'd = 4'), ('markdown', '## Third')]
    path = tmp_path / 'nb.ipynb'
    # each cell's source as a list of lines, as .ipynb files store it
    path.write_text(json.dumps({'cells': [{'cell_type': t, 'source': s.splitlines(True)} for t, s in cells]}))
    ipython = FakeIPython()
    clock = lecture_notebook.SectionClock(ipython)
    assert [h for h, _ in clock.by_section(str(path))] == ['Part', 'First', 'The second part', 'Third']  # none edited
    for source, seconds in (('a = 1', 1.0), ('b = 2', 2.0), ('# a comment, not a heading\nc = 3', 3.0),
                            ('d = 4', 4.0), ('e = 5', 0.5)):
        ipython.run(source, seconds, clock)
    got = dict(clock.by_section(str(path)))
    assert list(got) == ['Part', 'First', 'The second part', 'Third', 'edited cells']
    assert got == pytest.approx({'Part': 1.0, 'First': 5.0, 'The second part': 4.0, 'Third': 0.0,
                                 'edited cells': 0.5}, abs=0.01)
    clock.report(str(path))
    assert capsys.readouterr().out.splitlines() == [  # headings padded to the longest
        'Part               1.0 s', 'First              5.0 s', 'The second part    4.0 s',
        'Third              0.0 s', 'edited cells       0.5 s', 'total             10.5 s']



def test_cells_before_the_first_heading_are_counted_first_and_in_the_total(tmp_path, capsys):
    cells = [('code', 'import os'), ('markdown', '# Part'), ('code', 'a = 1')]
    path = tmp_path / 'nb.ipynb'
    path.write_text(json.dumps({'cells': [{'cell_type': t, 'source': s.splitlines(True)} for t, s in cells]}))
    ipython = FakeIPython()
    clock = lecture_notebook.SectionClock(ipython)
    assert [h for h, _ in clock.by_section(str(path))] == ['Part']  # nothing run before the heading yet
    ipython.run('import os', 2.0, clock)
    ipython.run('a = 1', 1.0, clock)
    clock.report(str(path))
    assert capsys.readouterr().out.splitlines() == [
        '(before the first heading)    2.0 s', 'Part                          1.0 s',
        'total                         3.0 s']


def test_the_section_clock_reads_the_notebook_as_utf_8_whatever_the_locale(tmp_path):
    """A student whose locale is not UTF-8 (Windows' cp1252; here the C locale, ASCII) still gets
    the headings of a notebook that has other characters than ASCII: .ipynb files are UTF-8."""
    path = tmp_path / 'nb.ipynb'
    cells = [{'cell_type': 'markdown', 'source': ['# Gates \u2014 f, i, o \u2713']}]
    path.write_bytes(json.dumps({'cells': cells}, ensure_ascii=False).encode('utf-8'))
    want = ['Gates \u2014 f, i, o \u2713']
    assert [h for h, _ in lecture_notebook.SectionClock(FakeIPython()).by_section(str(path))] == want
    child = run_python_in_ascii_locale(
        'import sys, types; from beyond_slides import lecture_notebook; '
        'clock = lecture_notebook.SectionClock(types.SimpleNamespace(events=types.SimpleNamespace('
        'register=lambda name, f: None))); '
        'print(ascii([h for h, _ in clock.by_section(sys.argv[1])]))', path)
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.strip() == ascii(want)


def test_the_loss_chart_averages_only_whole_windows_and_draws_the_baseline(tmp_path):
    folder = ModelFolder(str(tmp_path))
    folder.append_history([(1, i, float(i)) for i in range(1, 11)])  # losses 1, 2, ..., 10
    fig = lecture_notebook.plot_loss(str(tmp_path), 'a title', window=3, baseline=(4.17, 'ln 65'))
    ax = fig.axes[0]
    raw, average, baseline = ax.get_lines()
    assert list(raw.get_ydata()) == list(range(1, 11))
    # a centred window of 3: no value where it would stick out at either end; the mean of i-1, i, i+1 is i
    assert np.isnan(average.get_ydata()[[0, -1]]).all() and list(average.get_ydata()[1:-1]) == list(range(2, 10))
    assert list(baseline.get_ydata()) == [4.17, 4.17]
    assert_labelled(fig)
    assert 'ln 65' in [t.get_text() for t in ax.get_legend().get_texts()]


def test_the_next_character_chart_says_its_bars_are_shares_of_draws():
    chars = ['a', 'b', 'c', 'd', 'e']
    fig = lecture_notebook.next_char_chart(chars, np.array([0.1, 0.4, 0.2, 0.3, 0.0]),
                                           {1.0: [1, 1, 3, 2], 0.5: [1, 1, 1, 3, 4]}, top_n=2, context='ab',
                                           shown=4)
    ax = fig.axes[0]
    assert_labelled(fig)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["'b'", "'d'", "'c'", "'a'"]  # the likeliest first
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert 'model probability' in legend and any('share of 4 draws' in text for text in legend)
    # three sets of bars side by side, each 0.8 / 3 wide: the model's, then the draws at T=1.0 and at T=0.5
    width = 0.8 / 3
    heights = [[p.get_height() for p in ax.patches[k * 4:k * 4 + 4]] for k in range(3)]
    assert heights == [[0.4, 0.3, 0.2, 0.1], [0.5, 0.25, 0.25, 0.0], [0.6, 0.2, 0.0, 0.0]]
    centres = [[p.get_x() + p.get_width() / 2 for p in ax.patches[k * 4:k * 4 + 4]] for k in range(3)]
    assert np.allclose(centres, [np.arange(4) - width, np.arange(4), np.arange(4) + width])
    assert np.allclose([p.get_width() for p in ax.patches], width)


@pytest.mark.parametrize('context', ['The ', 'Ham.\nTo be'])
def test_the_next_character_chart_names_its_context_in_its_title(context):
    fig = lecture_notebook.next_char_chart(['a', 'b', 'c'], np.array([0.5, 0.3, 0.2]), {1.0: [0, 1]}, top_n=2,
                                           context=context, shown=3)
    title = fig.axes[0].get_title()
    assert title and repr(context) in title


# The notebook's words (notebooks/rnn_lecture.ipynb, "Embedding (Input Feature Encoding)"); with
# the shipped rows, the pairs excellent/fun, masterpiece/beautiful, amazing/love and lame/annoying
# lie so close that labels put beside their points overlap.
POSITIVE = ['great', 'excellent', 'wonderful', 'best', 'perfect', 'love', 'beautiful', 'brilliant',
            'enjoyed', 'fun', 'amazing', 'superb', 'favorite', 'masterpiece', 'recommend']
NEGATIVE = ['bad', 'worst', 'awful', 'boring', 'terrible', 'waste', 'poor', 'stupid', 'dull',
            'horrible', 'worse', 'disappointing', 'mess', 'annoying', 'lame']


def test_no_two_labels_of_the_embedding_chart_overlap_as_rendered():
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    shipped = np.load(settings.SHIPPED_EMBEDDING)
    fig, _ = lecture_notebook.embedding_pca(list(shipped['words']), shipped['rows'], POSITIVE, NEGATIVE)
    assert isinstance(fig.canvas, FigureCanvasAgg)
    fig.canvas.draw()  # as the notebook renders it
    renderer = fig.canvas.get_renderer()
    texts = fig.axes[0].texts
    assert sorted(t.get_text() for t in texts) == sorted(POSITIVE + NEGATIVE)
    boxes = [t.get_window_extent(renderer) for t in texts]
    overlaps = [(texts[a].get_text(), texts[b].get_text()) for a in range(len(boxes)) for b in range(a + 1, len(boxes))
                if boxes[a].overlaps(boxes[b])]
    assert overlaps == []
    for t, box in zip(texts, boxes):  # and each label stays within a few lines' height of its point
        x, y = fig.axes[0].transData.transform(t.xy)
        assert box.x0 - 80 < x < box.x1 + 80 and box.y0 - 80 < y < box.y1 + 80, t.get_text()
    plt.close(fig)


def test_the_embedding_chart_is_the_first_two_principal_components_of_the_sentiment_words():
    words = ['good', 'bad', 'film', 'great', 'awful']
    vectors = np.array([[2.0, 1.0, 9.0], [-2.0, 1.0, 9.0], [50.0, 50.0, 50.0], [2.0, -1.0, 9.0],
                        [-2.0, -1.0, 9.0]])
    fig, share = lecture_notebook.embedding_pca(words, vectors, positive=['good', 'great', 'brilliant'],
                                                negative=['bad', 'awful'])
    # 'film' is neither (left out); 'brilliant' has no row. The four rows vary along x (sum of
    # squares 16) and y (4), independently, not along z: the two components hold all of it, x first.
    assert share == pytest.approx(1.0)
    assert_labelled(fig)
    positive, negative = (c.get_offsets() for c in fig.axes[0].collections)
    assert np.allclose(np.abs(positive), [[2, 1], [2, 1]]) and np.allclose(np.abs(negative), [[2, 1], [2, 1]])
    assert np.sign(positive[0, 0]) == -np.sign(negative[0, 0])  # the two groups on either side
    assert [t.get_text() for t in fig.axes[0].texts] == ['good', 'great', 'bad', 'awful']
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ['positive words', 'negative words']


def test_the_embedding_charts_share_is_that_of_the_first_two_components():
    # Centred rows along x (sums of squares 18), y (8) and z (2): the first two hold 26 of 28.
    words = ['a', 'b', 'c', 'd', 'e', 'f']
    vectors = np.array([[3.0, 0, 0], [0, 2.0, 0], [0, 0, 1.0], [-3.0, 0, 0], [0, -2.0, 0], [0, 0, -1.0]])
    fig, share = lecture_notebook.embedding_pca(words, vectors, positive=['a', 'b', 'c'], negative=['d', 'e', 'f'])
    assert share == pytest.approx(26 / 28)
    positive, negative = (c.get_offsets() for c in fig.axes[0].collections)
    assert np.allclose(np.abs(positive), [[3, 0], [0, 2], [0, 0]]) and np.allclose(positive, -negative)
    at = {t.get_text(): t.xy for t in fig.axes[0].texts}  # each word's label stands at its point
    assert np.allclose(positive, [at[w] for w in 'abc']) and np.allclose(negative, [at[w] for w in 'def'])


def test_the_graph_counts_tell_the_slides_loop_from_the_fast_groups():
    graph = types.SimpleNamespace(get_operations=lambda: [types.SimpleNamespace(name=n) for n in (
        'rnn/while/Enter', 'rnn/while/Exit_3', 'rnn/multi_rnn_cell/group_0/while/x', 'logits/MatMul')])
    assert lecture_notebook.graph_op_counts(graph) == {'ops in rnn/while': 2, 'ops in group_': 1, 'all ops': 4}


def test_the_charts_defaults_are_a_window_of_20_and_the_12_likeliest_characters(tmp_path):
    folder = ModelFolder(str(tmp_path))
    folder.append_history([(1, i, float(i)) for i in range(1, 31)])
    average = lecture_notebook.plot_loss(str(tmp_path), 'a title').axes[0].get_lines()[1].get_ydata()
    # a centred window of 20 over 30 losses: whole for 11 of them, from the 11th (the mean of 1..20, 10.5)
    assert np.isnan(average).sum() == 19 and average[10] == 10.5
    chars = list('abcdefghijklmn')  # 14 characters; the likeliest, 'n', never drawn
    proba = np.arange(1.0, 15.0) / np.arange(1.0, 15.0).sum()
    fig = lecture_notebook.next_char_chart(chars, proba, {1.0: [0, 1, 1]}, top_n=3, context='ab')
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == [repr(c) for c in 'nmlkjihgfedc']
    assert [p.get_height() for p in fig.axes[0].patches[12:]] == [0.0] * 12  # 'a' and 'b' are not shown


def test_the_test_slides_show_a_model_trained_beforehand_of_this_vocabulary_else_the_quick_run(tmp_path):
    from model_helpers import prepared, train_sentiment
    from sentiment_rnn import SentimentRNN
    quick = lecture_notebook.Shown('the quick model', 'runs/sentiment', 'SentimentRNN: 2000 reviews, 2 epochs', None, '')
    trained_dir = str(tmp_path / 'sentiment')
    nothing = lecture_notebook.model_to_show(trained_dir, SentimentRNN, {}, quick)
    assert nothing[:4] == ('the quick model', 'runs/sentiment', 'SentimentRNN: 2000 reviews, 2 epochs', False)
    assert nothing.note == "These slides show this notebook's quick run: no model trained beforehand in %s " \
                           "(python sentiment_rnn.py trains one)" % trained_dir
    rnn, data, _ = train_sentiment(trained_dir, epochs=2)
    word_to_int = prepared(200)[0]  # the vocabulary train_sentiment trained on
    (tmp_path / 'sentiment' / 'checkpoint').rename(tmp_path / 'checkpoint')  # a run stopped before its first checkpoint
    assert lecture_notebook.model_to_show(trained_dir, SentimentRNN, word_to_int, quick).rnn == 'the quick model'
    (tmp_path / 'checkpoint').rename(tmp_path / 'sentiment' / 'checkpoint')
    other = dict(word_to_int, great=len(word_to_int) + 1)
    refused = lecture_notebook.model_to_show(trained_dir, SentimentRNN, other, quick)
    assert refused.rnn == 'the quick model' and 'trained on other reviews' in refused.note
    shown = lecture_notebook.model_to_show(trained_dir, SentimentRNN, word_to_int, quick)
    assert isinstance(shown.rnn, SentimentRNN) and shown.model_dir == trained_dir and shown.every_test_review
    assert shown.title == 'SentimentRNN trained beforehand: 2 epochs'
    X_test = data[2][:rnn.batch_size]
    assert (shown.rnn.predict(X_test, return_proba=True) == rnn.predict(X_test, return_proba=True)).all()


def test_labels_with_no_free_place_stay_where_they_are_instead_of_failing():
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    ax.scatter([0, 1], [0, 1])
    labels = [ax.annotate('word %d' % k, (0.5, 0.5), xytext=(5, 2), textcoords='offset points') for k in range(150)]
    lecture_notebook.separate_labels(fig, ax, labels)   # 150 labels on one point: the candidates run out
    assert labels[-1].xyann == (5, 2)
    moved = [t for t in labels if t.xyann != (5, 2)]     # those that found a free place
    assert labels[0] in moved and len(moved) > 1
    fig.canvas.draw()
    boxes = [t.get_window_extent(fig.canvas.get_renderer()) for t in moved]
    assert not [(a, b) for a in range(len(boxes)) for b in range(a + 1, len(boxes)) if boxes[a].overlaps(boxes[b])]
    plt.close(fig)
