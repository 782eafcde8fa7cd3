"""Grade a class's exercise notebooks, each run as the untrusted program it is (not on the slides).

    python -m beyond_slides.grader SUBMISSIONS --out RESULTS [--imdb aclImdb_v1.tar.gz]

What it writes, how it grades and how it contains a notebook, and what it cannot stop: docs/exercises.md,
"Grading a class". Each notebook runs in a child process of its own (child_main), in a folder of its own
(make_box), as root on Linux in new namespaces (SANDBOX), and is graded on the lines its checks print.
"""
import argparse
import csv
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from beyond_slides.deck import source, tags
from beyond_slides.files import atomic_write_bytes, atomic_write_text
from beyond_slides.settings import BLANK_NOTEBOOK, REPO as ROOT, SHIPPED_CHAR_RNN, SHIPPED_HAMLET, START

# What a notebook's kernel imports and reads: the lecture files, beyond_slides, the shipped model.
PROJECT_FILES = ('data_utils.py', 'char_rnn.py', 'sentiment_rnn.py', os.path.relpath(SHIPPED_HAMLET, ROOT),
                 'beyond_slides', os.path.relpath(SHIPPED_CHAR_RNN, ROOT))
LIMITS = {'cell_timeout': 600, 'notebook_timeout': 1800, 'memory_mb': 8000, 'output_kb': 2000}
CHECK = re.compile(r'\bcheck_(\w+)\(')
# Run as root in new mount, network and PID namespaces (unshare): every mount read-only but the
# notebook's work folder, the submissions and the teacher's notebooks hidden under an empty tmpfs,
# then every capability dropped (setpriv), so that not even root in there can remount or override a
# file's permissions. Why not a user such as nobody: the interpreter may live where only root reads.
SANDBOX = r'''set -e
work=$1; shift
mount --make-rprivate /
mount --bind "$work" "$work"
for m in $(awk '{print $2}' /proc/self/mounts); do
  case "$m" in "$work"|/proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue;; esac
  mount -o remount,bind,ro "$m" 2>/dev/null || true
done
IFS=:
for hidden in $GRADER_HIDE; do if [ -d "$hidden" ]; then mount -t tmpfs -o ro,size=4k none "$hidden"; fi; done
unset IFS
if touch /.grader-probe 2>/dev/null; then rm -f /.grader-probe; echo "/ is still writable" >&2; exit 97; fi
exec setpriv --bounding-set=-all --inh-caps=-all --no-new-privs -- "$@"
'''
UNSHARE = ['unshare', '--mount', '--net', '--pid', '--fork', '--kill-child', '--mount-proc']
RESULTS = ('✓', '✗', 'not yet', 'did not run')


class GradingError(Exception):
    """Bad input to the grader: one line, exit status 2."""


# The notebook to run: the teacher's cells, the student's answers.

def answer_id(text):
    """The ID of the exercise an answer cell answers (its `exercises.start(ID)`), or None."""
    found = START.search(text)
    return found.group(1) if found else None


def exercise_ids(skeleton):
    return [check_id(c) for c in skeleton.cells if check_id(c)]


def check_id(cell):
    """The ID of the exercise a check cell (tagged check, calling check_ID) checks, or None."""
    found = CHECK.search(cell.source) if cell.cell_type == 'code' and 'check' in tags(cell) else None
    return found.group(1) if found else None


def graded_notebook(skeleton, answers):
    """The notebook to run: the skeleton's code cells without outputs, each answer cell's source
    answers[its ID] (student_answers; the skeleton's own if none), each check cell marked with
    metadata 'grader': its exercise ID."""
    import nbformat
    cells = []
    for cell in (c for c in skeleton.cells if c.cell_type == 'code'):
        if check_id(cell):
            cells.append(nbformat.v4.new_code_cell(cell.source, metadata={'grader': check_id(cell)}))
        else:
            cells.append(nbformat.v4.new_code_cell(answers.get(answer_id(cell.source), cell.source)))
    return nbformat.v4.new_notebook(cells=cells, metadata={'kernelspec': {'name': 'python3', 'language': 'python',
                                                                         'display_name': 'Python 3'}})


def student_answers(path):
    """{ID: source} of the answer cells of the student's notebook at path (the last of an ID, if several);
    GradingError (its reason) if it is not a notebook. The file is the student's: all of it is read in here."""
    import nbformat
    try:
        with open(path, encoding='utf-8') as f:
            nb = nbformat.read(f, as_version=4)
        if not isinstance(nb.get('cells'), list):
            raise ValueError('it has no list of cells')
        code = [source(cell) for cell in nb.cells if cell.get('cell_type') == 'code']
        return {answer_id(text): text for text in code if answer_id(text)}
    except Exception as e:  # any damage: not JSON, not UTF-8, not a notebook, a cell not a dict
        raise GradingError('not a notebook (%s: %s)' % (type(e).__name__, (str(e).splitlines() or [''])[0][:200]))


# One notebook in its own process and folder.

def isolation():
    """('namespaces', '') when notebooks can run contained (root on Linux with unshare, mount and
    setpriv: SANDBOX), else ('none', why not, which the grader prints and notes in the summary)."""
    if not hasattr(os, 'geteuid') or os.geteuid() != 0:
        return 'none', ('not run as root: the notebooks run as this user, with network, and could write '
                        'what this user can')
    missing = [tool for tool in ('unshare', 'mount', 'setpriv') if shutil.which(tool) is None]
    if missing:
        return 'none', 'no %s command: the notebooks run uncontained' % ', '.join(missing)
    with tempfile.TemporaryDirectory() as work:
        probe = subprocess.run(UNSHARE + ['sh', '-c', SANDBOX, 'sandbox', work, 'true'],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if probe.returncode != 0:
        return 'none', 'the namespaces could not be made here: the notebooks run uncontained'
    return 'namespaces', ''


def make_box(parent, nb):
    """A folder for one notebook: project/ (a read-only copy of PROJECT_FILES, and notebooks/ with
    the notebook to run) and work/ (writable by the notebook: HOME, runs, caches)."""
    import nbformat
    box = tempfile.mkdtemp(dir=parent)
    os.chmod(box, 0o755)
    project = os.path.join(box, 'project')
    for name in PROJECT_FILES:
        original, target = os.path.join(ROOT, name), os.path.join(project, name)
        if os.path.isdir(original):
            shutil.copytree(original, target, ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
        elif os.path.exists(original):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy(original, target)
    os.makedirs(os.path.join(project, 'notebooks'))
    nbformat.write(nb, os.path.join(project, 'notebooks', 'graded.ipynb'))
    set_modes(project, 0o555, 0o444)   # read-only
    work = os.path.join(box, 'work')
    for sub in ('tmp', 'runtime', 'runs', 'data', 'ipython', 'mpl'):
        os.makedirs(os.path.join(work, sub))
    return box


def set_modes(folder, folder_mode, file_mode):
    for path, dirs, files in os.walk(folder):
        for name in files:
            os.chmod(os.path.join(path, name), file_mode)
        os.chmod(path, folder_mode)


def child_environment(box, imdb, hidden):
    """The child's whole environment (of the grader's own, PATH only); hidden: the folders SANDBOX hides."""
    work = os.path.join(box, 'work')
    env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'LANG': 'C.UTF-8', 'HOME': work,
           'TMPDIR': os.path.join(work, 'tmp'), 'JUPYTER_RUNTIME_DIR': os.path.join(work, 'runtime'),
           'IPYTHONDIR': os.path.join(work, 'ipython'), 'MPLCONFIGDIR': os.path.join(work, 'mpl'),
           'MPLBACKEND': 'module://matplotlib_inline.backend_inline', 'PYTHONDONTWRITEBYTECODE': '1',
           'PYTHONPATH': os.path.join(box, 'project'), 'RNN_RUNS_DIR': os.path.join(work, 'runs'),
           'RNN_DATA_DIR': os.path.join(work, 'data'), 'TF_CPP_MIN_LOG_LEVEL': '2', 'GRADER_HIDE': ':'.join(hidden)}
    if imdb:
        env['RNN_IMDB_DATA'] = imdb
    return env


def run_in_box(box, limits, isolated, imdb, hidden):
    """Run box's notebook in a child process (see child_main); returns its report, a dict, or
    {'stopped': why} when the child broke the notebook's time limit or died."""
    read_end, write_end = os.pipe()
    command = [sys.executable, '-m', 'beyond_slides.grader', '--child', box, '--result-fd', str(write_end),
               '--limits', json.dumps(limits)]
    if isolated:
        command = UNSHARE + ['sh', '-c', SANDBOX, 'sandbox', os.path.join(box, 'work')] + command
    # The child imports this module from the box's copy too (PYTHONPATH), so that nothing the kernel
    # inherits points into the teacher's project.
    child = subprocess.Popen(command, cwd=os.path.join(box, 'work'), env=child_environment(box, imdb, hidden),
                             pass_fds=(write_end,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    os.close(write_end)
    chunks, deadline = [], time.monotonic() + limits['notebook_timeout']
    with os.fdopen(read_end, 'rb') as pipe:
        os.set_blocking(pipe.fileno(), False)
        while child.poll() is None and time.monotonic() < deadline:
            chunks.append(pipe.read() or b'')
            time.sleep(0.05)
        if child.poll() is None:
            kill(child)
            return {'stopped': 'the notebook ran over its time limit of %g s' % limits['notebook_timeout']}
        chunks.append(pipe.read() or b'')
    kill(child)   # whatever it left in its process group
    try:
        return json.loads(b''.join(chunks).decode('utf-8'))
    except ValueError:
        return {'stopped': 'its process ended without a report (exit status %s)' % child.returncode}


def kill(child):
    """SIGKILL the child's process group; with namespaces, unshare's death kills all the notebook's
    processes (--kill-child, then the PID namespace ends)."""
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    child.wait()


# The child: limits, privileges dropped, the notebook run with nbclient.

def child_main(box, result_fd, limits):
    """Run in the child process (in SANDBOX when isolated): set the limits, run the notebook, and
    write the report (JSON) to result_fd, which the kernel does not inherit."""
    import resource
    memory = limits['memory_mb'] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (512 * 1024 * 1024,) * 2)   # a file it writes: at most 512 MB
    not_dumpable()
    try:
        report = run_notebook(os.path.join(box, 'project', 'notebooks', 'graded.ipynb'), limits)
    except Exception as e:  # the grader's own failure in this notebook: reported on its rows
        report = {'stopped': 'the grader could not run it (%s: %s)' % (type(e).__name__, str(e)[:200])}
    with os.fdopen(result_fd, 'w', encoding='utf-8') as f:
        json.dump(report, f)


def not_dumpable():
    """PR_SET_DUMPABLE 0: the kernel, although the same user, cannot open this process's files
    (its result pipe) through /proc nor trace it."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def run_notebook(path, limits):
    """{'lines': {ID: the check's line}, 'stopped': why the run stopped early or None}."""
    import nbformat
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    class LimitedClient(NotebookClient):
        output_bytes, over = 0, False

        def output(self, outs, msg, display_id, cell_index):
            self.output_bytes += len(json.dumps(msg.get('content', {})))
            if self.output_bytes > limits['output_kb'] * 1024:
                if not self.over:   # stop the flood: the kernel is killed, nbclient sees it die
                    self.over = True
                    os.kill(self.km.provisioner.process.pid, signal.SIGKILL)
                return None
            return super().output(outs, msg, display_id, cell_index)

    nb = nbformat.read(path, as_version=4)
    runtime = tempfile.mkdtemp(dir=os.environ['JUPYTER_RUNTIME_DIR'])
    km = AsyncKernelManager(transport='ipc', ip=os.path.join(runtime, 'kernel'))
    client = LimitedClient(nb, km=km, timeout=limits['cell_timeout'], kernel_name='python3', allow_errors=True,
                           resources={'metadata': {'path': os.path.dirname(path)}})
    stopped = None
    try:
        client.execute()
    except CellTimeoutError:
        stopped = 'a cell ran over the time limit of %g s' % limits['cell_timeout']
    except DeadKernelError:
        stopped = 'its kernel died (os._exit, a crash or the memory limit of %d MB)' % limits['memory_mb']
    except CellExecutionError as e:
        stopped = 'a cell raised %s' % str(e).splitlines()[-1][:200]
    if client.over:
        stopped = 'its output went over the limit of %d KB' % limits['output_kb']
    if any(o.get('ename') == 'MemoryError' for c in nb.cells for o in c.get('outputs', [])):
        stopped = 'it went over the memory limit of %d MB' % limits['memory_mb']
    lines = {c.metadata['grader']: printed(c) for c in nb.cells if 'grader' in c.metadata and c.get('outputs')}
    return {'lines': lines, 'stopped': stopped}


def printed(cell):
    """What a check cell showed in this run: its printed text (stdout: stderr holds warnings) or the error it raised."""
    text = ''.join(o.get('text', '') for o in cell.outputs
                   if o.get('output_type') == 'stream' and o.get('name') == 'stdout').strip()
    errors = [o for o in cell.outputs if o.get('output_type') == 'error']
    if errors:
        text = (text + '\n' if text else '') + 'the check cell raised %s: %s' % (errors[0].get('ename'),
                                                                                 errors[0].get('evalue', '')[:200])
    return text


# Rows, the CSV and the summary.

def result_of(line):
    """✓, ✗ or not yet, from a check's line."""
    first = (line.splitlines() or [''])[0]
    if first.startswith('✓'):
        return '✓'
    if re.match(r'✗ [^:]*: not yet:', first):
        return 'not yet'
    return '✗'


def rows_of(student, ids, report):
    """[(student, exercise, result, line)] of one notebook's report."""
    rows = []
    for exercise in ids:
        line = report.get('lines', {}).get(exercise)
        if report.get('stopped'):   # a limit broken, a kernel dead: no verdict of this run stands
            rows.append((student, exercise, 'did not run', 'did not run: %s' % report['stopped']))
        elif line is not None and line.strip():
            rows.append((student, exercise, result_of(line), line.splitlines()[0]))
        else:
            rows.append((student, exercise, 'did not run', 'did not run: its check printed nothing'))
    return rows


def summary(rows, ids):
    """[(exercise, {result: count}, share of ✓)] in the order of ids."""
    table = []
    for exercise in ids:
        results = [r[2] for r in rows if r[1] == exercise]
        counts = {name: results.count(name) for name in RESULTS}
        table.append((exercise, counts, counts['✓'] / len(results) if results else 0.0))
    return table


def csv_text(header, rows):
    out = io.StringIO()
    csv.writer(out, lineterminator='\n').writerows([header] + list(rows))
    return out.getvalue()


def markdown_table(table, n_students, note):
    lines = ['# Grades of %d notebook%s' % (n_students, '' if n_students == 1 else 's'), '',
             '| exercise | ' + ' | '.join(RESULTS) + ' | share of ✓ |',
             '| --- |' + ' ---: |' * (len(RESULTS) + 1)]
    for exercise, counts, share in table:
        lines.append('| %s | %s | %.2f |' % (exercise, ' | '.join(str(counts[r]) for r in RESULTS), share))
    return '\n'.join(lines + ([''] + [note] if note else [])) + '\n'


def chart(table, path):
    """A bar chart of the share of ✓ per exercise, saved as a PNG at path."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=(max(4.0, 0.5 * len(table) + 1), 3.5))
    ax = fig.add_subplot()
    ax.bar(range(len(table)), [share for _, _, share in table], color='tab:green')
    ax.set_xticks(range(len(table)))
    ax.set_xticklabels([exercise for exercise, _, _ in table], rotation=60, ha='right')
    ax.set(ylim=(0, 1), xlabel='exercise', ylabel='share of students with ✓')
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format='png')
    atomic_write_bytes(path, buffer.getvalue())


def write_results(out, rows, ids, n_students, note):
    table = summary(rows, ids)
    atomic_write_text(os.path.join(out, 'grades.csv'), csv_text(('student', 'exercise', 'result', 'line'), rows))
    atomic_write_text(os.path.join(out, 'summary.csv'), csv_text(
        ('exercise',) + RESULTS + ('share of ✓',),
        [(e,) + tuple(c[r] for r in RESULTS) + ('%.4f' % s,) for e, c, s in table]))
    atomic_write_text(os.path.join(out, 'summary.md'), markdown_table(table, n_students, note))
    chart(table, os.path.join(out, 'summary.png'))


# The whole class.

def students_in(submissions, out):
    """The relative paths (with /) of the notebooks under submissions, sorted, checkpoints left out;
    GradingError if there are none, or if out is not a new or empty folder outside submissions."""
    if not os.path.isdir(submissions):
        raise GradingError('%s is not a folder: give the folder of the students\' notebooks' % submissions)
    found = []
    for path, dirs, files in os.walk(submissions):
        dirs[:] = [d for d in dirs if d != '.ipynb_checkpoints']
        found += [os.path.relpath(os.path.join(path, f), submissions).replace(os.sep, '/')
                  for f in files if f.endswith('.ipynb')]
    if not found:
        raise GradingError('no notebook (*.ipynb) under %s: give the folder of the students\' notebooks' % submissions)
    if os.path.isdir(out) and os.listdir(out):
        raise GradingError('%s is not empty: give a new folder for the results, so that none is overwritten' % out)
    if os.path.abspath(out).startswith(os.path.abspath(submissions) + os.sep):
        raise GradingError('%s is inside %s: give a results folder outside the submissions' % (out, submissions))
    return sorted(found)


def fingerprint(*paths):
    """{path: sha256} of the files at paths and under them (folders): to see that a run changed none of them."""
    files = [p for p in paths if not os.path.isdir(p)]
    for folder in filter(os.path.isdir, paths):
        for path, dirs, names in os.walk(folder):
            dirs[:] = [d for d in dirs if d != '__pycache__']
            files += [os.path.join(path, name) for name in names]
    prints = {}
    for full in filter(os.path.isfile, files):   # regular files: a FIFO would block, a dangling link raise
        with open(full, 'rb') as f:
            prints[full] = hashlib.sha256(f.read()).hexdigest()
    return prints


def teachers_files(hidden):
    """The fingerprint of what no run may change: the project's top-level files, PROJECT_FILES, hidden."""
    top = [os.path.join(ROOT, name) for name in os.listdir(ROOT) if os.path.isfile(os.path.join(ROOT, name))]
    return fingerprint(*top, *(os.path.join(ROOT, name) for name in PROJECT_FILES), *hidden)


def report_of(path, skeleton, scratch, limits, isolated, imdb, hidden):
    """The report of the student's notebook at path (run_in_box's), run in a box of its own under scratch."""
    try:
        nb = graded_notebook(skeleton, student_answers(path))
    except GradingError as e:
        return {'stopped': str(e)}
    box = make_box(scratch, nb)
    report = run_in_box(box, limits, isolated, imdb, hidden)
    shutil.rmtree(box, ignore_errors=True)
    return report


def grade(submissions, out, skeleton_path=BLANK_NOTEBOOK, limits=None, imdb=None, log=print, jobs=1, changed=None):
    """Grade every notebook under submissions into out (docs/exercises.md, "Grading a class"), jobs
    notebooks at a time; returns the rows. Raises GradingError for bad input before anything is written.
    changed: a list that receives the teacher's files that changed during the grading (by a notebook
    that escaped, or by anyone else: the grader cannot tell), which it also logs and notes."""
    import nbformat
    from concurrent.futures import ThreadPoolExecutor   # each notebook is a process: threads only wait
    limits = dict(LIMITS, **(limits or {}))
    students = students_in(submissions, out)
    skeleton = nbformat.read(skeleton_path, as_version=4)
    ids, hidden = exercise_ids(skeleton), (submissions, os.path.dirname(skeleton_path))
    mode, why_not = isolation()
    if why_not:
        log('note: %s' % why_not)
    imdb, data_cache = shared_movie_data(imdb) if imdb else (None, None)
    before = teachers_files(hidden)
    scratch = tempfile.mkdtemp(prefix='grader-')
    os.chmod(scratch, 0o711)

    def one(student):
        started = time.monotonic()
        report = report_of(os.path.join(submissions, student), skeleton, scratch, limits, mode == 'namespaces',
                           imdb, hidden)
        student_rows = rows_of(student, ids, report)
        log('%s: %d of %d ✓ (%.0f s)%s' % (student, sum(r[2] == '✓' for r in student_rows), len(ids),
                                          time.monotonic() - started,
                                          '; did not run: %s' % report['stopped'] if report.get('stopped') else ''))
        return student_rows
    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            rows = [row for student_rows in pool.map(one, students) for row in student_rows]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if data_cache:
            shutil.rmtree(data_cache, ignore_errors=True)
    after = teachers_files(hidden)
    touched = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    note = 'isolation: %s' % ('mount (read-only), network and PID namespaces, no capabilities' if mode == 'namespaces'
                               else why_not)
    if touched:
        warning = 'warning: the teacher\'s files changed during the grading: %s' % ', '.join(touched)
        note += '\n\n' + warning
        log(warning)
        if changed is not None:
            changed.extend(touched)
    write_results(out, rows, ids, len(students), note)
    log('wrote %s (grades.csv, summary.csv, summary.md, summary.png); %s' % (out, note))
    return rows


def shared_movie_data(imdb):
    """The movie_data.csv of imdb (the tarball, aclImdb/ or the CSV itself), built once the book's
    way (beyond_slides/datasets.py) in a cache every notebook can read: the path the notebooks get
    as RNN_IMDB_DATA, so that none builds it again; and the cache, which the caller removes."""
    from unittest import mock
    from beyond_slides import datasets
    from beyond_slides.errors import DataError
    if not os.path.exists(imdb):
        raise GradingError('%s does not exist: give the IMDb data with --imdb (the tarball, aclImdb/ or '
                           'movie_data.csv)' % imdb)
    cache = tempfile.mkdtemp(prefix='grader-data-')
    try:
        with mock.patch.dict(os.environ, RNN_DATA_DIR=cache):   # where movie_data_csv builds it
            path = datasets.movie_data_csv(os.path.abspath(imdb))
        datasets.read_movie_csv(path)   # a damaged movie_data.csv stops here, not in every notebook
    except DataError as e:
        shutil.rmtree(cache, ignore_errors=True)
        raise GradingError('--imdb %s' % e.args[0]) from None
    set_modes(cache, 0o755, 0o644)
    return path, cache


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('submissions', nargs='?', help='the folder of the students\' notebooks (searched recursively)')
    p.add_argument('--out', help='a new (or empty) folder for grades.csv and the summary')
    p.add_argument('--notebook', default=BLANK_NOTEBOOK, help='the teacher\'s blank notebook (default: %(default)s)')
    p.add_argument('--imdb', help='the IMDb data the notebooks read (the tarball, aclImdb/ or movie_data.csv)')
    p.add_argument('--cell-timeout', type=float, default=LIMITS['cell_timeout'], help='seconds per cell')
    p.add_argument('--notebook-timeout', type=float, default=LIMITS['notebook_timeout'], help='seconds per notebook')
    p.add_argument('--memory-mb', type=int, default=LIMITS['memory_mb'], help='address space per process, MB')
    p.add_argument('--output-kb', type=int, default=LIMITS['output_kb'], help='output per notebook, KB')
    p.add_argument('--jobs', type=int, default=1, help='notebooks graded at a time (default: %(default)s)')
    p.add_argument('--child', help=argparse.SUPPRESS)
    p.add_argument('--result-fd', type=int, help=argparse.SUPPRESS)
    p.add_argument('--limits', help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child_main(args.child, args.result_fd, json.loads(args.limits))
        return 0
    if not args.submissions or not args.out:
        p.print_usage(sys.stderr)
        print('error: give the submissions folder and --out RESULTS', file=sys.stderr)
        return 2
    limits = {'cell_timeout': args.cell_timeout, 'notebook_timeout': args.notebook_timeout,
              'memory_mb': args.memory_mb, 'output_kb': args.output_kb}
    if min(limits.values()) <= 0 or args.jobs < 1:
        print('error: every limit must be above 0, and --jobs at least 1', file=sys.stderr)
        return 2
    changed = []
    try:
        grade(args.submissions, args.out, args.notebook, limits, args.imdb, jobs=args.jobs, changed=changed)
    except GradingError as e:
        print('error: %s' % e, file=sys.stderr)
        return 2
    return 3 if changed else 0


if __name__ == '__main__':
    sys.exit(main())
