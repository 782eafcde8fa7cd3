"""Grade a class's exercise notebooks, each run as the untrusted program it is (not on the slides).

    python -m beyond_slides.grader SUBMISSIONS --out RESULTS [--imdb aclImdb_v1.tar.gz]

SUBMISSIONS: a folder of the students' notebooks (*.ipynb, searched recursively); a student is
named by the notebook's path relative to it, so two `exercises.ipynb` in two folders are two
students. RESULTS (new, or empty) receives grades.csv (student, exercise, result: ✓, ✗, not yet or
did not run, and the line the check printed or why it did not run), summary.csv and summary.md (per
exercise: how many of each result, the share of ✓) and summary.png (that share as a bar chart).

How a notebook is graded: the teacher's blank notebook (--notebook, default
notebooks/exercises.ipynb) is run with each answer cell (the one whose first line is
`answer = exercises.start(ID)`) replaced by the student's answer cell of the same ID, so that the
given cells and the check cells are the teacher's; outputs stored in the file handed in are never
read. The verdicts are the lines the check cells print in this run.

Each notebook runs in a process of its own, in a temporary folder that holds a copy of the project
files it imports (read-only), with a time limit per cell and per notebook, a memory limit
(RLIMIT_AS), a limit on its output, and, when the grader runs as root on Linux, in new mount,
network and PID namespaces (`unshare`): no network, every file system read-only but its own work
folder, the submissions and the teacher's notebooks out of sight, no capabilities (SANDBOX below).
Elsewhere it says so, in its output and in summary.md, and runs without those. A notebook that
breaks a limit, or whose kernel dies, gets "did not run: why" on all its rows, and the grading goes
on. After the run the grader checks that the project's files and the submissions are unchanged;
if not, it says which in its output and in summary.md, and exits with status 3.

What it cannot stop: code in an answer cell runs in the same kernel as the checks, so a student who
writes code to alter the checks (rather than answer) can fool them; read the answer cells of
surprising grades.
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

from beyond_slides.paths import REPO as ROOT  # the repository

BLANK = os.path.join(ROOT, 'notebooks', 'exercises.ipynb')
# What a notebook's kernel imports and reads: the lecture files, beyond_slides, the shipped model.
PROJECT_FILES = ('data_utils.py', 'char_rnn.py', 'sentiment_rnn.py', 'pg2265.txt', 'beyond_slides',
                 os.path.join('models', 'char_rnn'))
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


# ---------------------------------------------------------------------------
# The notebook to run: the teacher's cells, the student's answers
# ---------------------------------------------------------------------------

def answer_id(source):
    """The ID of the exercise an answer cell answers (its `exercises.start(ID)`), or None."""
    from beyond_slides.exercises import START   # the marker's one definition
    found = START.search(source)
    return found.group(1) if found else None


def exercise_ids(skeleton):
    """The IDs of the skeleton's check cells, in order."""
    return [CHECK.search(c.source).group(1) for c in skeleton.cells if is_check(c)]


def is_check(cell):
    return cell.cell_type == 'code' and 'check' in cell.get('metadata', {}).get('tags', []) \
        and CHECK.search(cell.source) is not None


def graded_notebook(skeleton, student):
    """The notebook to run: the skeleton's code cells without outputs, each answer cell's source
    the student's answer cell of the same ID (the last one, if several; the skeleton's own if none),
    each check cell marked with metadata 'grader': its exercise ID."""
    import nbformat
    answers = {}
    for cell in student.cells:
        if cell.get('cell_type') == 'code':
            found = answer_id(source_of(cell))
            if found:
                answers[found] = source_of(cell)
    cells = []
    for cell in skeleton.cells:
        if cell.cell_type != 'code':
            continue
        source, metadata = cell.source, {}
        if is_check(cell):
            metadata['grader'] = CHECK.search(cell.source).group(1)
        elif answer_id(cell.source) in answers:
            source = answers[answer_id(cell.source)]
        cells.append(nbformat.v4.new_code_cell(source, metadata=metadata))
    return nbformat.v4.new_notebook(cells=cells, metadata={'kernelspec': {'name': 'python3', 'language': 'python',
                                                                         'display_name': 'Python 3'}})


def source_of(cell):
    source = cell.get('source', '')
    return ''.join(source) if isinstance(source, list) else str(source)


def read_submission(path):
    """The student's notebook as nbformat reads it; GradingError (its reason) if it is not one."""
    import nbformat
    try:
        with open(path, encoding='utf-8') as f:
            nb = nbformat.read(f, as_version=4)
        if not isinstance(nb.get('cells'), list):
            raise ValueError('it has no list of cells')
        return nb
    except Exception as e:  # any damage: not JSON, not UTF-8, not a notebook
        raise GradingError('not a notebook (%s: %s)' % (type(e).__name__, (str(e).splitlines() or [''])[0][:200]))


# ---------------------------------------------------------------------------
# One notebook in its own process and folder
# ---------------------------------------------------------------------------

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


def make_box(parent, nb, isolated):
    """A folder for one notebook: project/ (a read-only copy of PROJECT_FILES, and notebooks/ with
    the notebook to run) and work/ (writable by the notebook: HOME, runs, caches)."""
    import nbformat
    box = tempfile.mkdtemp(dir=parent)
    os.chmod(box, 0o755)
    project = os.path.join(box, 'project')
    for name in PROJECT_FILES:
        source, target = os.path.join(ROOT, name), os.path.join(project, name)
        if os.path.isdir(source):
            shutil.copytree(source, target, ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
        elif os.path.exists(source):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy(source, target)
    os.makedirs(os.path.join(project, 'notebooks'))
    nbformat.write(nb, os.path.join(project, 'notebooks', 'graded.ipynb'))
    read_only(project)
    work = os.path.join(box, 'work')
    for sub in ('tmp', 'runtime', 'runs', 'data', 'ipython', 'mpl'):
        os.makedirs(os.path.join(work, sub))
    return box


def read_only(folder):
    for path, dirs, files in os.walk(folder):
        for name in files:
            os.chmod(os.path.join(path, name), 0o444)
        os.chmod(path, 0o555)


def child_environment(box, imdb):
    work = os.path.join(box, 'work')
    env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'LANG': 'C.UTF-8', 'HOME': work,
           'TMPDIR': os.path.join(work, 'tmp'), 'JUPYTER_RUNTIME_DIR': os.path.join(work, 'runtime'),
           'IPYTHONDIR': os.path.join(work, 'ipython'), 'MPLCONFIGDIR': os.path.join(work, 'mpl'),
           'MPLBACKEND': 'module://matplotlib_inline.backend_inline', 'PYTHONDONTWRITEBYTECODE': '1',
           'PYTHONPATH': os.path.join(box, 'project'), 'RNN_RUNS_DIR': os.path.join(work, 'runs'),
           'RNN_DATA_DIR': os.path.join(work, 'data'), 'TF_CPP_MIN_LOG_LEVEL': '2'}
    if imdb:
        env['RNN_IMDB_DATA'] = imdb
    return env


def run_in_box(box, limits, isolated, imdb, hidden=()):
    """Run box's notebook in a child process (see child_main); returns its report, a dict, or
    {'stopped': why} when the child broke the notebook's time limit or died."""
    read_end, write_end = os.pipe()
    command = [sys.executable, '-m', 'beyond_slides.grader', '--child', box, '--result-fd', str(write_end),
               '--limits', json.dumps(limits), '--isolated', '1' if isolated else '0']
    if isolated:
        command = UNSHARE + ['sh', '-c', SANDBOX, 'sandbox', os.path.join(box, 'work')] + command
    # The child imports this module from the box's copy too (PYTHONPATH), so that nothing the kernel
    # inherits points into the teacher's project.
    child = subprocess.Popen(command, cwd=os.path.join(box, 'work'), env=dict(
        child_environment(box, imdb), GRADER_HIDE=':'.join(hidden)), pass_fds=(write_end,), stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
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


# ---------------------------------------------------------------------------
# The child: limits, privileges dropped, the notebook run with nbclient
# ---------------------------------------------------------------------------

def child_main(box, result_fd, limits, isolated):
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
    errors = [o for c in nb.cells for o in c.get('outputs', []) if o.get('output_type') == 'error']
    if any(o.get('ename') == 'MemoryError' for o in errors):
        stopped = 'it went over the memory limit of %d MB' % limits['memory_mb']
    lines = {}
    for cell in nb.cells:
        if 'grader' in cell.metadata and cell.get('outputs'):
            lines[cell.metadata['grader']] = printed(cell)
    return {'lines': lines, 'stopped': stopped}


def printed(cell):
    """What a check cell showed in this run: its printed text, or the error it raised."""
    text = ''.join(o.get('text', '') for o in cell.outputs if o.get('output_type') == 'stream').strip()
    errors = [o for o in cell.outputs if o.get('output_type') == 'error']
    if errors:
        text = (text + '\n' if text else '') + 'the check cell raised %s: %s' % (errors[0].get('ename'),
                                                                                 errors[0].get('evalue', '')[:200])
    return text


# ---------------------------------------------------------------------------
# Rows, the CSV and the summary
# ---------------------------------------------------------------------------

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
    writer = csv.writer(out, lineterminator='\n')
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def markdown_table(table, n_students, note):
    lines = ['# Grades of %d notebook%s' % (n_students, '' if n_students == 1 else 's'), '',
             '| exercise | ' + ' | '.join(RESULTS) + ' | share of ✓ |',
             '| --- |' + ' ---: |' * (len(RESULTS) + 1)]
    for exercise, counts, share in table:
        lines.append('| %s | %s | %.2f |' % (exercise, ' | '.join(str(counts[r]) for r in RESULTS), share))
    return '\n'.join(lines + ([''] + [note] if note else [])) + '\n'


def chart(table, path):
    """A bar chart of the share of ✓ per exercise, saved as a PNG at path (written whole)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(max(4.0, 0.5 * len(table) + 1), 3.5))
    ax.bar(range(len(table)), [share for _, _, share in table], color='tab:green')
    ax.set_xticks(range(len(table)))
    ax.set_xticklabels([exercise for exercise, _, _ in table], rotation=60, ha='right')
    ax.set_ylim(0, 1)
    ax.set_xlabel('exercise')
    ax.set_ylabel('share of students with ✓')
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format='png')
    plt.close(fig)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(buffer.getvalue())
    os.replace(tmp, path)


# ---------------------------------------------------------------------------
# The whole class
# ---------------------------------------------------------------------------

def notebooks_in(folder):
    """The relative paths (with /) of the notebooks under folder, sorted; checkpoints left out."""
    found = []
    for path, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != '.ipynb_checkpoints')
        found += [os.path.relpath(os.path.join(path, f), folder).replace(os.sep, '/')
                  for f in files if f.endswith('.ipynb')]
    return sorted(found)


def fingerprint(*folders):
    """{path: sha256} of every file under folders: to see that a run changed none of them."""
    prints = {}
    for folder in folders:
        for path, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if d != '__pycache__']
            for name in files:
                full = os.path.join(path, name)
                with open(full, 'rb') as f:
                    prints[full] = hashlib.sha256(f.read()).hexdigest()
    return prints


def grade(submissions, out, skeleton_path=BLANK, limits=None, imdb=None, log=print, jobs=1, changed=None):
    """Grade every notebook under submissions into out (see the module's docstring), jobs notebooks
    at a time; returns the rows. Raises GradingError for bad input before anything is written.
    changed: a list that receives the teacher's files that changed during the grading (by a notebook
    that escaped, or by anyone else: the grader cannot tell), which it also logs and notes."""
    import nbformat
    from beyond_slides.files import atomic_write_text
    limits = dict(LIMITS, **(limits or {}))
    if not os.path.isdir(submissions):
        raise GradingError('%s is not a folder: give the folder of the students\' notebooks' % submissions)
    students = notebooks_in(submissions)
    if not students:
        raise GradingError('no notebook (*.ipynb) under %s: give the folder of the students\' notebooks' % submissions)
    if os.path.isdir(out) and os.listdir(out):
        raise GradingError('%s is not empty: give a new folder for the results, so that none is overwritten' % out)
    if os.path.abspath(out).startswith(os.path.abspath(submissions) + os.sep):
        raise GradingError('%s is inside %s: give a results folder outside the submissions' % (out, submissions))
    skeleton = nbformat.read(skeleton_path, as_version=4)
    ids = exercise_ids(skeleton)
    mode, why_not = isolation()
    if why_not:
        log('note: %s' % why_not)
    data_cache = None
    if imdb:
        imdb, data_cache = shared_movie_data(imdb)
    teacher = [os.path.join(ROOT, name) for name in PROJECT_FILES] + [os.path.dirname(skeleton_path), submissions]
    before = fingerprint(*[p for p in teacher if os.path.isdir(p)])
    scratch = tempfile.mkdtemp(prefix='grader-')
    os.chmod(scratch, 0o711)

    def one(student):
        started = time.monotonic()
        try:
            nb = graded_notebook(skeleton, read_submission(os.path.join(submissions, student)))
            box = make_box(scratch, nb, mode == 'namespaces')
            report = run_in_box(box, limits, mode == 'namespaces', imdb,
                                hidden=(submissions, os.path.dirname(skeleton_path)))
            shutil.rmtree(box, ignore_errors=True)
        except GradingError as e:
            report = {'stopped': str(e)}
        student_rows = rows_of(student, ids, report)
        log('%s: %d of %d ✓ (%.0f s)%s' % (student, sum(r[2] == '✓' for r in student_rows), len(ids),
                                          time.monotonic() - started,
                                          '; did not run: %s' % report['stopped'] if report.get('stopped') else ''))
        return student_rows
    from concurrent.futures import ThreadPoolExecutor   # each notebook is a process: threads only wait
    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            rows = [row for student_rows in pool.map(one, students) for row in student_rows]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if data_cache:
            shutil.rmtree(data_cache, ignore_errors=True)
    after = fingerprint(*[p for p in teacher if os.path.isdir(p)])
    touched = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    note = 'isolation: %s' % ('mount (read-only), network and PID namespaces, no capabilities' if mode == 'namespaces'
                               else why_not)
    if touched:
        note += '\n\nwarning: the teacher\'s files changed during the grading: %s' % ', '.join(touched)
        log('warning: the teacher\'s files changed during the grading: %s' % ', '.join(touched))
        if changed is not None:
            changed.extend(touched)
    table = summary(rows, ids)
    os.makedirs(out, exist_ok=True)
    atomic_write_text(os.path.join(out, 'grades.csv'), csv_text(('student', 'exercise', 'result', 'line'), rows))
    atomic_write_text(os.path.join(out, 'summary.csv'), csv_text(
        ('exercise',) + RESULTS + ('share of ✓',),
        [(e,) + tuple(c[r] for r in RESULTS) + ('%.4f' % s,) for e, c, s in table]))
    atomic_write_text(os.path.join(out, 'summary.md'), markdown_table(table, len(students), note))
    chart(table, os.path.join(out, 'summary.png'))
    log('wrote %s (grades.csv, summary.csv, summary.md, summary.png); %s' % (out, note))
    return rows


def shared_movie_data(imdb):
    """The movie_data.csv of imdb (the tarball, aclImdb/ or the CSV itself), built once the book's
    way (beyond_slides/datasets.py) in a cache every notebook can read: the path the notebooks get
    as RNN_IMDB_DATA, so that none builds it again; and the cache, which the caller removes."""
    from beyond_slides import datasets
    if not os.path.exists(imdb):
        raise GradingError('%s does not exist: give the IMDb data with --imdb (the tarball, aclImdb/ or '
                           'movie_data.csv)' % imdb)
    cache = tempfile.mkdtemp(prefix='grader-data-')
    os.chmod(cache, 0o755)
    before = os.environ.get('RNN_DATA_DIR')
    os.environ['RNN_DATA_DIR'] = cache
    try:
        path = datasets.movie_data_csv(os.path.abspath(imdb))
    finally:
        if before is None:
            os.environ.pop('RNN_DATA_DIR', None)
        else:
            os.environ['RNN_DATA_DIR'] = before
    for folder, dirs, files in os.walk(cache):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
    return path, cache


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('submissions', nargs='?', help='the folder of the students\' notebooks (searched recursively)')
    p.add_argument('--out', help='a new (or empty) folder for grades.csv and the summary')
    p.add_argument('--notebook', default=BLANK, help='the teacher\'s blank notebook (default: %(default)s)')
    p.add_argument('--imdb', help='the IMDb data the notebooks read (the tarball, aclImdb/ or movie_data.csv)')
    p.add_argument('--cell-timeout', type=float, default=LIMITS['cell_timeout'], help='seconds per cell')
    p.add_argument('--notebook-timeout', type=float, default=LIMITS['notebook_timeout'], help='seconds per notebook')
    p.add_argument('--memory-mb', type=int, default=LIMITS['memory_mb'], help='address space per process, MB')
    p.add_argument('--output-kb', type=int, default=LIMITS['output_kb'], help='output per notebook, KB')
    p.add_argument('--jobs', type=int, default=1, help='notebooks graded at a time (default: %(default)s)')
    p.add_argument('--child', help=argparse.SUPPRESS)
    p.add_argument('--result-fd', type=int, help=argparse.SUPPRESS)
    p.add_argument('--limits', help=argparse.SUPPRESS)
    p.add_argument('--isolated', help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child_main(args.child, args.result_fd, json.loads(args.limits), args.isolated == '1')
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
