"""Training speed: the slides' graph (fast=False) against the project's (fast=True), side by side.

    python bench/bench_train.py                      # both models, the slides' settings
    python bench/bench_train.py --model sentiment --steps 30 --seq-lens 100 200 400
    python bench/bench_train.py --whole-runs         # whole train() runs (minutes)
    python bench/bench_train.py --batch-groups 1     # the project's graph with one loop per layer

Whole runs time what a student waits for: the model's constructor (building the graph), then
its train() (initialization, the epochs, the checkpoints), for CharRNN 1 and 10 epochs of
Hamlet and SentimentRNN 1 and 3 epochs of the first --reviews training reviews, each graph
twice, alternated, the faster run reported. Hamlet comes from --hamlet or the project's
pg2265.txt; the reviews as for the steps; the header says which.

Both graphs are built in this process with the same settings and the same initial
weights; their training steps are interleaved (one of each, in turn) and timed
after warm-up. Sentiment steps train on real reviews (the first batches of the
slides' training set, cycled) when the IMDb data is at hand (--data, or the data
cache's movie_data.csv), else on uniform random word ids, which have far fewer
repeated words than real text (--random-ids forces them). Peak memory (maximum
resident set size) is measured for each graph in a child process of its own,
running the same steps. The allocator is the project's (beyond_slides/tf_setup.py);
TF_CPU_ALLOCATOR_USE_BFC=false gives TensorFlow's stock one.
"""
import argparse
import contextlib
import io
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from beyond_slides.tf_setup import tf  # noqa: E402
from beyond_slides import fast_lstm  # noqa: E402
from beyond_slides.predicting import build_quietly  # noqa: E402
from beyond_slides.settings import CHAR_HPARAMS, SENTIMENT_HPARAMS  # noqa: E402

N_WORDS = 102967  # the slides' vocabulary (IMDb, data_utils.preprocess_reviews)
N_CHARS = 65      # the slides' characters (Hamlet)


def build(model, fast, seq_len=SENTIMENT_HPARAMS['seq_len']):
    """The model with the slides' settings (seq_len: the SentimentRNN's review length)."""
    if model == 'sentiment':
        from sentiment_rnn import SentimentRNN
        return build_quietly(SentimentRNN, n_words=N_WORDS, fast=fast, **dict(SENTIMENT_HPARAMS, seq_len=seq_len))
    from char_rnn import CharRNN
    return build_quietly(CharRNN, N_CHARS, fast=fast, **CHAR_HPARAMS)


def batches(rnn, model, reviews=None, n=10):
    """n feed dicts of the slides' shapes: the first n mini-batches of reviews (B, T) when
    given, else random ids (the same for both graphs: the generator is seeded)."""
    rng = np.random.RandomState(0)
    feeds = []
    for i in range(n):
        if model == 'sentiment':
            if reviews is not None:
                x = reviews[i * rnn.batch_size:(i + 1) * rnn.batch_size, -rnn.seq_len:]
            else:
                x = rng.randint(0, N_WORDS, (rnn.batch_size, rnn.seq_len))
            feeds.append({'tf_x:0': x, 'tf_y:0': rng.randint(0, 2, rnn.batch_size),
                          'tf_keepprob:0': 0.5})
        else:
            x = rng.randint(0, N_CHARS, (rnn.batch_size, rnn.num_steps))
            feeds.append({'tf_x:0': x, 'tf_y:0': rng.randint(0, N_CHARS, x.shape),
                          'tf_keepprob:0': rnn.keep_prob})
    return feeds


def review_sequences(source, max_len):
    """The slides' training sequences (25000, max_len) from the IMDb data, or None without data."""
    training_set = review_training_set(source, max_len)
    return None if training_set is None else training_set[0]


def review_training_set(source, max_len):
    """(X_train, y_train) of the slides from the IMDb data, or None without data."""
    import data_utils
    from beyond_slides import datasets
    if source is None:
        source = datasets.cached_movie_data_path()
        if not os.path.exists(source):
            return None
    df = data_utils.load_movie_data(source)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        word_to_int, mapped = data_utils.preprocess_reviews(df['review'].values)
    if len(word_to_int) + 1 != N_WORDS:
        raise SystemExit('expected the slides\' %d words, found %d' % (N_WORDS, len(word_to_int) + 1))
    sequences = data_utils.make_sequences(mapped, max_len)
    return data_utils.split_train_test(sequences, df['sentiment'])[:2]


def hamlet_training_set(source):
    """(train_x, train_y) of the slides (their batch and steps), and where the text came from."""
    import data_utils
    text = data_utils.load_hamlet(source)
    ints = data_utils.encode_text(text, data_utils.char_vocab(text)[1])
    return data_utils.reshape_data(ints, CHAR_HPARAMS['batch_size'], CHAR_HPARAMS['num_steps']), 'Hamlet'


def whole_run(model, fast, epochs, data):
    """Seconds for the model's constructor and train() (initialization, epochs, checkpoints)."""
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        rnn = build(model, fast)
        with contextlib.redirect_stdout(io.StringIO()):  # the loss lines
            if model == 'sentiment':
                rnn.model_dir = folder
                rnn.train(data[0], data[1], num_epochs=epochs)
            else:
                rnn.train(data[0], data[1], num_epochs=epochs, ckpt_dir=folder)
        return time.perf_counter() - start


def compare_whole_runs(data_source, hamlet_source, n_reviews, repeats=2, random_ids=False, models='both'):
    seq_len = SENTIMENT_HPARAMS['seq_len']
    reviews = None if random_ids else review_training_set(data_source, seq_len)
    real = reviews is not None
    if reviews is None:
        rng = np.random.RandomState(0)
        reviews = (rng.randint(0, N_WORDS, (n_reviews, seq_len)), rng.randint(0, 2, n_reviews))
    reviews = (reviews[0][:n_reviews], np.asarray(reviews[1])[:n_reviews])
    hamlet, what = hamlet_training_set(hamlet_source)
    about = {'char': 'CharRNN on %s' % what,
             'sentiment': 'SentimentRNN on %s' % ('%d real training reviews' % n_reviews if real
                                                   else '%d reviews of random word ids' % n_reviews)}
    print('Whole runs (constructor + train()), TensorFlow %s, %d CPU cores, batch groups: %d; %s; the faster '
          'of %d runs of each graph, alternated' % (tf.__version__, os.cpu_count(), fast_lstm.BATCH_GROUPS,
                                         ', '.join(v for k, v in about.items() if models in ('both', k)), repeats))
    print('%-28s %13s %13s %9s' % ('run', 'slides s', 'project s', 'ratio'))
    for model, epochs, data in (('char', 1, hamlet), ('char', 10, hamlet),
                                ('sentiment', 1, reviews), ('sentiment', 3, reviews)):
        if models not in ('both', model):
            continue
        seconds = {False: [], True: []}
        for _ in range(repeats):
            for fast in (False, True):
                seconds[fast].append(whole_run(model, fast, epochs, data))
        ref, ours = min(seconds[False]), min(seconds[True])
        print('%-28s %13.1f %13.1f %9.2f' % ('%s, %d epoch%s' % (model, epochs, 's' if epochs > 1 else ''),
                                             ref, ours, ours / ref), flush=True)


class Runner:
    """One graph in its own session, ready to time training steps."""

    def __init__(self, model, fast, seq_len, weights=None, reviews=None):
        self.rnn = build(model, fast, seq_len)
        self.sess = tf.Session(graph=self.rnn.g)
        self.sess.run(self.rnn.init_op)
        if weights is not None:  # the same initial weights as the other graph
            with self.rnn.g.as_default():
                for v in tf.trainable_variables():
                    v.load(weights[v.op.name], self.sess)
        self.feeds = batches(self.rnn, model, reviews)
        zero_state = self.sess.run(self.rnn.initial_state)
        for feed in self.feeds:
            feed[self.rnn.initial_state] = zero_state
        self.steps = 0

    def weights(self):
        with self.rnn.g.as_default():
            return {v.op.name: self.sess.run(v) for v in tf.trainable_variables()}

    def step(self):
        feed = self.feeds[self.steps % len(self.feeds)]
        self.steps += 1
        start = time.perf_counter()
        self.sess.run(['cost:0', 'train_op'], feed_dict=feed)
        return time.perf_counter() - start


def compare(model, steps, warmup, seq_len=SENTIMENT_HPARAMS['seq_len'], reviews=None):
    ref = Runner(model, False, seq_len, reviews=reviews)
    fast = Runner(model, True, seq_len, ref.weights(), reviews)
    times = {'reference': [], 'project': []}
    for i in range(warmup + steps):
        for name, runner in (('reference', ref), ('project', fast)):
            t = runner.step()
            if i >= warmup:
                times[name].append(t)
    return {k: 1000 * float(np.median(v)) for k, v in times.items()}


def peak_memory_mb(model, fast, steps, seq_len):
    """Maximum resident set size of a child process that builds one graph and trains `steps` steps."""
    out = subprocess.run([sys.executable, os.path.abspath(__file__), '--memory-of', model,
                          '--fast' if fast else '--reference', '--steps', str(steps),
                          '--batch-groups', str(fast_lstm.BATCH_GROUPS),
                          '--seq-lens', str(seq_len)], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def peak_rss_mb():
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited across fork)."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', choices=['sentiment', 'char', 'both'], default='both')
    p.add_argument('--steps', type=int, default=20, help='timed steps of each graph (median reported)')
    p.add_argument('--warmup', type=int, default=3, help='untimed steps first')
    p.add_argument('--seq-lens', type=int, nargs='+', default=[200, 100, 400],
                   help='sentiment sequence lengths; the first is the main comparison')
    p.add_argument('--data', metavar='PATH',
                   help='IMDb data for the sentiment batches (aclImdb tarball, folder or movie_data.csv; '
                        "default: the data cache's movie_data.csv if there is one)")
    for switch, text in (('--random-ids', 'sentiment batches of uniform random word ids instead of reviews'),
                         ('--no-memory', 'skip the peak-memory child processes (which train on random ids)'),
                         ('--whole-runs', 'time whole runs (constructor and train()) instead of steps'),
                         ('--fast', argparse.SUPPRESS), ('--reference', argparse.SUPPRESS)):  # the child's graph
        p.add_argument(switch, action='store_true', help=text)
    p.add_argument('--reviews', type=int, default=6000, help='training reviews of the sentiment whole runs')
    p.add_argument('--hamlet', metavar='PATH', help="pg2265.txt for the CharRNN whole runs (default: the "
                                                    "project's)")
    p.add_argument('--repeats', type=int, default=2, help='whole runs of each graph (the faster is reported)')
    p.add_argument('--batch-groups', type=int, metavar='N',
                   help='loops side by side in the project\'s graph (default: fast_lstm.BATCH_GROUPS, %d)'
                        % fast_lstm.BATCH_GROUPS)
    p.add_argument('--memory-of', choices=['sentiment', 'char'], help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.batch_groups is not None:
        fast_lstm.BATCH_GROUPS = args.batch_groups

    if args.memory_of:  # child process: one graph, then print the peak RSS in MB
        runner = Runner(args.memory_of, args.fast, args.seq_lens[0])
        for _ in range(min(args.steps, 5)):
            runner.step()
        print(peak_rss_mb())
        return 0

    if args.whole_runs:
        compare_whole_runs(args.data, args.hamlet, args.reviews, args.repeats, args.random_ids, args.model)
        return 0

    reviews = None
    if args.model != 'char' and not args.random_ids:
        reviews = review_sequences(args.data, max(args.seq_lens))
    print('TensorFlow %s, %d CPU cores, batch groups: %d, allocator: %s; sentiment batches: %s' % (
        tf.__version__, os.cpu_count(), fast_lstm.BATCH_GROUPS,
        'BFC (project)' if os.environ.get('TF_CPU_ALLOCATOR_USE_BFC') == 'true' else 'stock',
        'random word ids' if reviews is None else "the first 10 of the slides' training set"))
    print('%-28s %13s %13s %9s %10s %13s %13s' % ('model', 'ref ms/step', 'ours ms/step', 'ratio',
                                                 'ours st/s', 'ref peak MB', 'ours peak MB'))
    jobs = []
    if args.model in ('sentiment', 'both'):
        jobs += [('sentiment', n) for n in args.seq_lens]
    if args.model in ('char', 'both'):
        jobs.append(('char', 100))
    for i, (model, seq_len) in enumerate(jobs):
        ms = compare(model, args.steps, args.warmup, seq_len, reviews)
        main_row = model == 'char' or seq_len == args.seq_lens[0]
        mem = ('', '')
        if main_row and not args.no_memory:
            mem = tuple('%.0f' % peak_memory_mb(model, f, args.steps, seq_len) for f in (False, True))
        label = ('sentiment, %d steps' % seq_len if model == 'sentiment'
                 else 'char, 100 steps, batch 64')
        print('%-28s %13.0f %13.0f %9.2f %10.2f %13s %13s' % (
            label, ms['reference'], ms['project'], ms['project'] / ms['reference'],
            1000 / ms['project'], mem[0], mem[1]), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
