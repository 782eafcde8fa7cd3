"""The homework notebook, blank, made from its worked solutions (--run: the solutions run headless first).

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

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from beyond_slides.deck import tags  # noqa: E402
from beyond_slides.files import atomic_write_text  # noqa: E402
from beyond_slides.settings import BLANK_NOTEBOOK as BLANK, SOLUTIONS_NOTEBOOK as SOLUTIONS  # noqa: E402

BEGIN, END, GAP = '# BEGIN SOLUTION', '# END SOLUTION', 'answer = ...'


class MalformedCell(ValueError):
    """An answer cell whose solution markers are missing or out of order: one line that names it."""


def marker_problem(source):
    """Why the solution markers of an answer cell's source are not one BEGIN then one END, or ''."""
    lines = [line.strip() for line in source.split('\n')]
    starts = [i for i, line in enumerate(lines) if line == BEGIN]
    ends = [i for i, line in enumerate(lines) if line == END]
    if len(starts) > 1 or len(ends) > 1:
        return 'it has %d %r and %d %r lines; it needs exactly one of each' % (len(starts), BEGIN, len(ends), END)
    if not starts:
        return 'it has no %r line' % BEGIN
    if not ends:
        return 'its %r has no %r after it' % (BEGIN, END)
    if ends[0] < starts[0]:
        return 'its %r comes before its %r' % (END, BEGIN)
    return ''


def gap_for_solution(source):
    """An answer cell's source with its solution block replaced by the gap."""
    problem = marker_problem(source)
    if problem:
        raise MalformedCell(problem)
    lines = source.split('\n')
    stripped = [line.strip() for line in lines]
    start, end = stripped.index(BEGIN), stripped.index(END)
    return '\n'.join(lines[:start] + [GAP] + lines[end + 1:])


def blank_notebook(solutions):
    """The blank notebook of a solutions notebook (nbformat 4): gaps for solutions, no outputs.
    A malformed answer cell raises MalformedCell naming the cell (its index and first line)."""
    blank = copy.deepcopy(solutions)
    for index, cell in enumerate(blank.cells):
        if cell.cell_type == 'code' and 'answer' in tags(cell):
            try:
                cell.source = gap_for_solution(cell.source)
            except MalformedCell as e:
                first = (cell.source.strip().splitlines() or [''])[0]
                raise MalformedCell('cell %d (%s): %s' % (index, first, e)) from None
    blank.cells = [cell for cell in blank.cells if 'solutions-only' not in tags(cell)]
    for cell in blank.cells:
        if cell.cell_type == 'code':
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop('execution', None)   # the solutions' run times
    return blank


def blank_text(solutions_path=None):
    """The text exercises.ipynb should hold, made from the solutions notebook at solutions_path."""
    import nbformat
    from run_notebook import notebook_text
    return notebook_text(blank_notebook(nbformat.read(solutions_path or SOLUTIONS, as_version=4)))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--run', action='store_true',
                   help='first execute the solutions notebook headless and save it with its outputs')
    p.add_argument('--imdb', help='the IMDb data for --run (default: $RNN_IMDB_DATA, else downloaded once)')
    args = p.parse_args(argv)
    try:
        text = blank_text(SOLUTIONS)  # the markers checked before a run of minutes, and before anything is written
        if args.run:
            from run_notebook import run_and_save
            run_and_save(SOLUTIONS, args.imdb, SOLUTIONS)
            text = blank_text(SOLUTIONS)   # of the solutions as the run saved them
    except MalformedCell as e:
        print('error: %s: %s; fix its markers (one %r line, then one %r line) and run this again'
              % (os.path.basename(SOLUTIONS), e, BEGIN, END), file=sys.stderr)
        return 2
    atomic_write_text(BLANK, text)
    print('wrote %s' % BLANK)
    return 0


if __name__ == '__main__':
    sys.exit(main())
