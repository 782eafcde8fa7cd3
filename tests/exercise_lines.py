"""The homework's checks (beyond_slides/exercises.py) print one line each: these read that line."""
import contextlib
import io

from beyond_slides.exercises import label


def check_line(check, answer, *context, **options):
    """The one line check(answer, ...) prints."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        check(answer, *context, **options)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def assert_passes(exercise, line):
    assert line.startswith('✓ %s: ' % label(str(exercise))), line


def assert_fails_with(exercise, line, *hints):
    assert line.startswith('✗ %s: ' % label(str(exercise))), line
    assert 'not yet' not in line, line
    for hint in hints:
        assert hint in line, (hint, line)


def assert_lines(exercise, check, context, cases):
    """cases: [(answer, the whole line after '✗ Exercise ID: ')]: the words a student reads, names
    and hints included."""
    for answer, expected in cases:
        line = check_line(check, answer, *context)
        assert line == '✗ %s: %s' % (label(str(exercise)), expected), line
