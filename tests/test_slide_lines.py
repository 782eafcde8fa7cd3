"""The lecture files keep the slides' code: most slide lines stand unchanged in them, and
train(), predict() and sample() add only a few lines of their own.

The slides' code is read from the book's code (../shared/slides/book_ch16.py, whose lines
are the slides' code lines): every non-blank line of those functions, comment lines
included. A slide line counts as unchanged when it stands in the project's version of
the same function, white space aside (and a comment after code). Added lines are code
lines of the project's function that are not on the slide (comments not counted).
`python tests/test_slide_lines.py` prints the figures.
"""
import collections
import os
import re


from conftest import ROOT, slides_file
from file_helpers import functions_in

# The slides' code in each lecture file, by its name in the book (which defines create_batch_generator
# twice, once for each model: #1 and #2).
SLIDE_CODE = {
    'sentiment_rnn.py': ['create_batch_generator#1', 'SentimentRNN.__init__', 'SentimentRNN.build',
                         'SentimentRNN.train', 'SentimentRNN.predict'],
    'data_utils.py': ['reshape_data'],
    'char_rnn.py': ['create_batch_generator#2', 'CharRNN.__init__', 'CharRNN.build', 'CharRNN.train',
                    'CharRNN.sample', 'get_top_char'],
}
# (name in the book, file in this project, name there)
UNITS = [(book_name, filename, book_name.split('#')[0]) for filename, names in SLIDE_CODE.items()
         for book_name in names]
# The methods where the project may add lines of its own, and how many in all.
RUN_METHODS = ('SentimentRNN.train', 'SentimentRNN.predict', 'CharRNN.train', 'CharRNN.sample')
MOST_ADDED = 15
LEAST_UNCHANGED = 0.93


def code(line):
    """The line without white space, and without a trailing comment after code."""
    if line.strip().startswith('#'):
        return re.sub(r'\s+', '', line)
    quotes = 0
    for i, ch in enumerate(line):
        if ch in '\'"':
            quotes += 1
        elif ch == '#' and quotes % 2 == 0:
            line = line[:i]
            break
    return re.sub(r'\s+', '', line)


def code_lines(lines, comments=True):
    return [c for c in map(code, lines) if c and (comments or not c.startswith('#'))]


def units():
    """(book name, the slide's lines, our function's lines) of each unit."""
    book = functions_in(slides_file('book_ch16.py'))
    ours = {filename: functions_in(os.path.join(ROOT, filename)) for filename in {f for _, f, _ in UNITS}}
    return [(book_name, book[book_name], ours[filename][name]) for book_name, filename, name in UNITS]


def count():
    """{book name: (slide code lines, of them unchanged here, lines added here)}."""
    figures = {}
    for book_name, slide_lines, our_lines in units():
        slide = collections.Counter(code_lines(slide_lines))
        here = collections.Counter(code_lines(our_lines))
        unchanged = sum((slide & here).values())
        added = sum((collections.Counter(code_lines(our_lines, comments=False)) - slide).values())
        figures[book_name] = (sum(slide.values()), unchanged, added)
    return figures


def test_the_slides_lines_stand_unchanged_in_the_lecture_files():
    figures = count()
    total = sum(n for n, _, _ in figures.values())
    unchanged = sum(u for _, u, _ in figures.values())
    assert len(figures) == 12 and total > 300  # every function found
    assert unchanged / total >= LEAST_UNCHANGED, figures


def test_train_predict_and_sample_add_few_lines():
    figures = count()
    added = sum(figures[name][2] for name in RUN_METHODS)
    assert added <= MOST_ADDED, {name: figures[name] for name in RUN_METHODS}


def test_the_slides_key_lines_stay_as_written():
    ours = {name: '\n'.join(lines) for name, lines in functions_in(os.path.join(ROOT, 'sentiment_rnn.py')).items()}
    train, predict = ours['SentimentRNN.train'], ours['SentimentRNN.predict']
    assert re.search(r'\n\s+iteration = 1\n', train)
    assert re.search(r'for batch_x, batch_y in create_batch_generator\(\s+X_train, y_train, self.batch_size\):',
                     train)
    assert re.search(r'self\.saver\.restore\(\s+sess, tf\.train\.latest_checkpoint\(self\.model_dir\)\)', predict)
    for filename in ('sentiment_rnn.py', 'char_rnn.py'):
        with open(os.path.join(ROOT, filename), encoding='utf-8') as f:
            assert re.search(r'\nnp\.random\.seed\(123\).*\n(## .*\n)?def create_batch_generator\(', f.read())


# ---------------------------------------------------------------------------
# Every line that is not the slides' says so
# ---------------------------------------------------------------------------

MARKERS = ('# not on the slides', '# changed:')


def unmarked_lines(lines, slide_lines):
    """The code lines of a function (its source lines) that are not slide lines and not marked:
    a marker comment on the line, on another line of the same statement, or in a comment block
    above it whose lines run down to it (same or deeper indentation, no blank line between)."""
    import ast
    import textwrap
    tree = ast.parse(textwrap.dedent('\n'.join(lines)))
    statements = [node for node in ast.walk(tree) if isinstance(node, ast.stmt)]
    marked = lambda line: any(m in line for m in MARKERS)  # noqa: E731
    indent = lambda line: len(line) - len(line.lstrip())  # noqa: E731
    unmatched = collections.Counter(code_lines(lines, comments=False)) - collections.Counter(slide_lines)
    covered = set()
    for i, line in enumerate(lines):  # blocks under a marker comment
        if line.strip().startswith('#') and marked(line):
            j = i + 1
            while j < len(lines) and lines[j].strip().startswith('#'):
                j += 1
            while j < len(lines) and lines[j].strip() and not lines[j].strip().startswith('#') \
                    and indent(lines[j]) >= indent(line):
                covered.add(j)
                j += 1
    for node in statements:  # a marker on one line of a statement covers its other lines
        last = node.body[0].lineno - 1 if hasattr(node, 'body') and node.body else node.end_lineno
        head = range(node.lineno - 1, last)
        if any(marked(lines[k]) for k in head if not lines[k].strip().startswith('#')):
            covered.update(head)
    found = []
    for i, line in enumerate(lines):
        c = code(line)
        if c and not c.startswith('#') and not marked(line) and i not in covered and unmatched[c] > 0:
            unmatched[c] -= 1
            found.append(line.strip())
    return found


def test_every_line_that_is_not_the_slides_is_marked_with_its_reason():
    missing = {name: found for name, found in ((name, unmarked_lines(ours, code_lines(slide)))
                                               for name, slide, ours in units()) if found}
    assert missing == {}


if __name__ == '__main__':
    figures = count()
    print('%-26s %6s %10s %6s' % ('slide code', 'lines', 'unchanged', 'added'))
    for name, (n, u, a) in figures.items():
        print('%-26s %6d %10d %6d' % (name, n, u, a))
    total = sum(n for n, _, _ in figures.values())
    unchanged = sum(u for _, u, _ in figures.values())
    print('unchanged: %d of %d slide code lines (%.1f%%); added by train, predict and sample: %d'
          % (unchanged, total, 100.0 * unchanged / total, sum(figures[m][2] for m in RUN_METHODS)))
