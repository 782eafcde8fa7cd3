"""The homework notebook, blank, made from its worked solutions; and a headless run of either.

    python notebooks/make_exercises.py           # exercises_solutions.ipynb -> exercises.ipynb
    python notebooks/make_exercises.py --run     # first run the solutions (saved with their outputs)
    python notebooks/make_exercises.py --run --imdb ../aclImdb_v1.tar.gz

exercises_solutions.ipynb is the one to edit. In each answer cell (tagged `answer`) the lines from
`# BEGIN SOLUTION` to `# END SOLUTION` become the gap `answer = ...`; cells tagged
`solutions-only` (the worked explanations) are left out; the blank notebook has no outputs, so a
student starts clean. tests/test_exercises.py checks that exercises.ipynb is up to date.
"""
import argparse
import copy
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOLUTIONS = os.path.join(HERE, 'exercises_solutions.ipynb')
BLANK = os.path.join(HERE, 'exercises.ipynb')
BEGIN, END, GAP = '# BEGIN SOLUTION', '# END SOLUTION', 'answer = ...'


def tags(cell):
    return cell.get('metadata', {}).get('tags', [])


def gap_for_solution(source):
    """An answer cell's source with its solution block replaced by the gap."""
    lines = source.split('\n')
    starts = [i for i, line in enumerate(lines) if line.strip() == BEGIN]
    ends = [i for i, line in enumerate(lines) if line.strip() == END]
    if len(starts) != 1 or len(ends) != 1 or starts[0] > ends[0]:
        raise ValueError('an answer cell needs one %r line and, after it, one %r line:\n%s' % (BEGIN, END, source))
    return '\n'.join(lines[:starts[0]] + [GAP] + lines[ends[0] + 1:])


def blank_notebook(solutions):
    """The blank notebook of a solutions notebook (nbformat 4): gaps for solutions, no outputs."""
    blank = copy.deepcopy(solutions)
    blank.cells = [cell for cell in blank.cells if 'solutions-only' not in tags(cell)]
    for cell in blank.cells:
        if cell.cell_type != 'code':
            continue
        if 'answer' in tags(cell):
            cell.source = gap_for_solution(cell.source)
        cell.outputs, cell.execution_count = [], None
    return blank


def blank_text(solutions_path=SOLUTIONS):
    """The text exercises.ipynb should hold, made from the solutions notebook at solutions_path."""
    import nbformat
    return nbformat.writes(blank_notebook(nbformat.read(solutions_path, as_version=4))) + '\n'


def execute(path, imdb=None, runs=None, timeout=600):
    """The notebook at path executed headless in its own folder (nbclient); returns it.

    imdb: the IMDb data for this run (the kernel's RNN_IMDB_DATA); runs: the folder of its models
    for this run, instead of the settings cell's RUNS (put back in the notebook returned)."""
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.read(path, as_version=4)
    settings = settings_cell(nb)
    original = settings.source
    if runs is not None:
        settings.source = replace_line(original, 'RUNS = ', 'RUNS = %r' % os.path.abspath(runs))
    before = os.environ.get('RNN_IMDB_DATA')
    if imdb is not None:
        os.environ['RNN_IMDB_DATA'] = os.path.abspath(imdb)  # the kernel inherits this process's variables
    try:
        NotebookClient(nb, timeout=timeout, kernel_name='python3',
                       resources={'metadata': {'path': os.path.dirname(os.path.abspath(path))}}).execute()
    finally:
        if before is None:
            os.environ.pop('RNN_IMDB_DATA', None)
        else:
            os.environ['RNN_IMDB_DATA'] = before
    settings.source = original
    return nb


def settings_cell(nb):
    return next(c for c in nb.cells if c.cell_type == 'code' and c.source.count('\nQUICK = ') == 1)


def replace_line(source, start, new):
    """source with its one line starting with `start` replaced by new."""
    lines = source.split('\n')
    hits = [i for i, line in enumerate(lines) if line.startswith(start)]
    if len(hits) != 1:
        raise ValueError('the settings cell has no single line starting with %r' % start)
    lines[hits[0]] = new
    return '\n'.join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--run', action='store_true',
                   help='first execute the solutions notebook headless and save it with its outputs')
    p.add_argument('--imdb', help='the IMDb data for --run (default: $RNN_IMDB_DATA, else downloaded once)')
    args = p.parse_args(argv)
    if args.run:
        import nbformat
        nbformat.write(execute(SOLUTIONS, args.imdb), SOLUTIONS)
        print('saved %s with its outputs' % SOLUTIONS)
    with open(BLANK, 'w', encoding='utf-8') as f:
        f.write(blank_text())
    print('wrote %s' % BLANK)
    return 0


if __name__ == '__main__':
    sys.exit(main())
