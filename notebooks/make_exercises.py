"""The homework notebook, blank, made from its worked solutions; and a headless run of either.

    python notebooks/make_exercises.py           # exercises_solutions.ipynb -> exercises.ipynb
    python notebooks/make_exercises.py --run     # first run the solutions (saved with their outputs)
    python notebooks/make_exercises.py --run --imdb ../aclImdb_v1.tar.gz

exercises_solutions.ipynb is the one to edit. In each answer cell (tagged `answer`) the lines from
`# BEGIN SOLUTION` to `# END SOLUTION` become the gap `answer = ...`; cells tagged
`solutions-only` (the worked explanations) are left out; the blank notebook has no outputs (nor
the run's times), so a student starts clean. tests/test_exercise_notebooks.py checks that
exercises.ipynb is up to date.
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
        cell.metadata.pop('execution', None)   # the solutions' run times
    return blank


def blank_text(solutions_path=SOLUTIONS):
    """The text exercises.ipynb should hold, made from the solutions notebook at solutions_path."""
    import nbformat
    return nbformat.writes(blank_notebook(nbformat.read(solutions_path, as_version=4))) + '\n'


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--run', action='store_true',
                   help='first execute the solutions notebook headless and save it with its outputs')
    p.add_argument('--imdb', help='the IMDb data for --run (default: $RNN_IMDB_DATA, else downloaded once)')
    args = p.parse_args(argv)
    if args.run:
        import nbformat
        from run_notebook import execute
        nbformat.write(execute(SOLUTIONS, args.imdb), SOLUTIONS)
        print('saved %s with its outputs' % SOLUTIONS)
    with open(BLANK, 'w', encoding='utf-8') as f:
        f.write(blank_text())
    print('wrote %s' % BLANK)
    return 0


if __name__ == '__main__':
    sys.exit(main())
