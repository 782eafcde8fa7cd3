"""The lecture notebook's slide-code cells, written from the lecture files: one source of truth;
and its slide tags, written from docs/slides.md's list of the lecture's slides.

    python notebooks/lecture_cells.py            # rnn_lecture.ipynb's slide-code cells and slide tags
    python notebooks/lecture_cells.py --check    # exit status 1 if a cell differs from its file or rule

A code cell whose metadata has `"lecture": "FILE:NAME"` holds that part of the lecture file FILE
(sentiment_rnn.py, char_rnn.py, data_utils.py):
- a function: its source, with the lines right above its `def` (the slides' `np.random.seed(123)`);
- a class (`SentimentRNN`): the class statement, its class attributes and its constructor;
- a method (`SentimentRNN.build`): the method, dedented, under `@add_to_class(SentimentRNN)`, which
  puts it into the class the constructor's cell made.
Edit the lecture files, then run this; tests/test_notebook.py checks that the notebook is current.
A teacher may edit a cell in class: the notebook runs the cell as edited.

Every cell's slideshow metadata (what Jupyter's slideshow tools and `python -m beyond_slides.deck`
read) follows beyond_slides/deck.py's slide_tags(): add or move a cell, then run this.
"""
import argparse
import ast
import json
import os
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from beyond_slides import deck  # noqa: E402
from beyond_slides.files import atomic_write_text  # noqa: E402
from beyond_slides.settings import LECTURE_NOTEBOOK as NOTEBOOK  # noqa: E402
from run_notebook import notebook_text  # noqa: E402


def read(filename):
    with open(os.path.join(ROOT, filename), encoding='utf-8') as f:
        return f.read()


def top_level(tree, name):
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
            return node
    raise KeyError(name)


def cell_source(spec):
    """The source of the cell of spec 'FILE:NAME' (see the module's docstring)."""
    filename, name = spec.split(':')
    source = read(filename)
    lines, tree = source.splitlines(), ast.parse(source)
    if '.' in name:  # a method
        class_name, method_name = name.split('.')
        node = next(n for n in top_level(tree, class_name).body
                    if isinstance(n, ast.FunctionDef) and n.name == method_name)
        body = textwrap.dedent('\n'.join(lines[node.lineno - 1:node.end_lineno]))
        return '@add_to_class(%s)\n%s' % (class_name, body)
    node = top_level(tree, name)
    if isinstance(node, ast.ClassDef):  # up to the end of its constructor
        init = next(n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == '__init__')
        return '\n'.join(lines[node.lineno - 1:init.end_lineno])
    start = node.lineno - 1
    while start > 0 and lines[start - 1].strip():  # the lines right above the def
        start -= 1
    return '\n'.join(lines[start:node.end_lineno])


def lecture_cells(nb):
    """[(cell, spec)] of the notebook's slide-code cells (nb: the notebook's JSON)."""
    return [(cell, cell['metadata']['lecture']) for cell in nb['cells']
            if cell['cell_type'] == 'code' and 'lecture' in cell.get('metadata', {})]


def stale(nb):
    """The specs of the cells that differ from their files, and the cells whose slide tags differ
    from the deck's rules."""
    return [spec for cell, spec in lecture_cells(nb) if deck.source(cell) != cell_source(spec)] + \
        ['slide tags of %r' % line for line in deck.stale_slide_tags(nb, deck.slide_titles())]


def write_cells(nb):
    for cell, spec in lecture_cells(nb):
        cell['source'] = cell_source(spec).splitlines(True)
    deck.apply_slide_tags(nb, deck.slide_titles())


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--check', action='store_true', help='only say which cells differ from their files')
    args = p.parse_args(argv)
    with open(NOTEBOOK, encoding='utf-8') as f:
        nb = json.load(f)
    if args.check:
        differ = stale(nb)
        for spec in differ:
            print('differs from its file or rule: %s' % spec)
        return 1 if differ else 0
    write_cells(nb)
    atomic_write_text(NOTEBOOK, notebook_text(nb))
    print('wrote %d cells of %s from the lecture files, and its slide tags' % (len(lecture_cells(nb)), NOTEBOOK))
    return 0


if __name__ == '__main__':
    sys.exit(main())
