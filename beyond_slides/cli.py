"""The options of `python sentiment_rnn.py` and `python char_rnn.py` (not on the slides), and
run_command: every error a user can fix is one line and an exit status. sentiment_command.py and
char_command.py do the jobs. No TensorFlow here: `--help` and a mistyped option answer at once."""
import argparse
import collections
import errno
import re
import shlex
import sys
import traceback

from beyond_slides.errors import TrainingStopped, UserError
from beyond_slides.settings import CHAR, SENTIMENT, SHIPPED_CHAR_RNN, TRAINED_CHAR_RNN, default_model_dir


class ArgumentParser(argparse.ArgumentParser):
    """An option error is one line, like every other error of the commands."""

    def error(self, message):
        self.exit(2, 'error: %s (%s --help lists the options)\n' % (message, self.prog))


def parser(prog, description):
    return ArgumentParser(prog=prog, description=description)


def add_run_options(p, epochs):
    p.add_argument('--export-keras', metavar='PATH.keras', help="no training: write the model in --model-dir as a "
                   "Keras 3 model file, with the same weights, and its vocabulary as PATH.keras.vocab.json")
    p.add_argument('--epochs', type=count(10000),
                   help='epochs to train (default: %d; with --walkthrough: none)' % epochs)
    p.add_argument('--resume', action='store_true',
                   help='continue training the model in --model-dir from its latest checkpoint')
    p.add_argument('--walkthrough', action='store_true', help="print what the slides print, slide by slide, on "
                   "the real data; train only if --epochs is given too")
    p.add_argument('--logdir', metavar='DIR',
                   help='write the graph and the training loss for TensorBoard (tensorboard --logdir DIR)')
    p.add_argument('--debug', action='store_true', help='show the Python traceback of an error')


def _number(kind, ok, what):
    """An option type: the text as a kind (int, float) for which ok() holds, else what it must be."""
    def parse(text):
        try:
            value = kind(text)
            if ok(value):
                return value
        except ValueError:
            pass
        raise argparse.ArgumentTypeError('%r is not %s' % (text, what))
    return parse


def count(high, low=1):
    """A whole number from low to high (more is a typo, or would never finish)."""
    return _number(int, lambda v: low <= v <= high, 'a whole number from %d to %d' % (low, high))


def positive_number(high):
    return _number(float, lambda v: 0 < v <= high, 'a number above 0 and at most %g' % high)


probability = _number(float, lambda v: 0 < v <= 1, 'a number in (0, 1]')
seed = _number(int, lambda v: 0 <= v < 2 ** 32, 'a whole number from 0 to %d' % (2 ** 32 - 1))


# The hyperparameter options: (type, help) of each; the defaults are the slides' (settings.py).
HPARAM_OPTIONS = {
    'batch_size': (count(100000), '%s per mini-batch'),
    'seq_len': (count(10000), 'words kept per review, the last ones'),
    'num_steps': (count(100000), 'characters per sequence'),
    'lstm_size': (count(4096), 'hidden units per LSTM layer'),
    'num_layers': (count(16), 'stacked LSTM layers'),
    'embed_size': (count(4096), 'embedding size'),
    'learning_rate': (positive_number(1), "Adam's learning rate"),
    'keep_prob': (probability, 'dropout keep probability in training'),
    'grad_clip': (positive_number(1e6), 'clip gradients to this global norm'),
}


def add_hparam_options(p, defaults, batch_unit, smallest_batch=1):
    """One option per hyperparameter, None when not given (parse() fills in the default).
    smallest_batch 2 (SentimentRNN): its build() squeezes a batch of 1 to a scalar its cost cannot take."""
    for name in defaults:
        kind, text = HPARAM_OPTIONS[name]
        if name == 'batch_size':
            kind, text = count(100000, low=smallest_batch), text % batch_unit
        default = defaults[name]
        p.add_argument('--' + name.replace('_', '-'), type=kind,
                       help='%s (default: %s)' % (text, '%g' % default if isinstance(default, float) else default))


class Command(object):
    """A kind of model (settings.py), its option parser, and run(options): all but --export-keras."""

    def __init__(self, kind, build_parser, run):
        self.kind, self.build_parser, self.run = kind, build_parser, run

    def main(self, argv=None):
        argv = sys.argv[1:] if argv is None else list(argv)
        parser = self.build_parser()
        options = parse(parser, argv, self.kind.hparams, self.kind.epochs)
        work = self.export_keras if options.export_keras else self.run
        return run_command(lambda: work(options), argv, parser.prog, debug=options.debug)

    def export_keras(self, options):
        # Imported here: Keras 3 needs eager execution, which the lecture's TensorFlow 1.x set-up turns
        # off; only this process, which never builds the lecture's graphs, may load it.
        from beyond_slides.keras_export import export
        export(self.kind.name, options.model_dir, options.export_keras)
        print('wrote %s (Keras 3) and %s.vocab.json' % (options.export_keras, options.export_keras))
        return 0


def parse(parser, argv, hparam_defaults, default_epochs):
    """The options of argv, frozen (a namedtuple); besides them `hparams` (the slides' where not
    given), `given` (those typed, which a saved model must match) and `epochs` (the slides' by
    default; None with --walkthrough alone: no training)."""
    args = vars(parser.parse_args(argv))
    typed = {k: args.pop(k) for k in hparam_defaults}  # None: not given (add_hparam_options)
    given = {k: v for k, v in typed.items() if v is not None}
    hparams = dict(hparam_defaults, **given)
    default_for = args.pop('model_dir_default', None)
    if args['epochs'] is None and not args['walkthrough']:
        args['epochs'] = default_epochs
    fields = dict(args, hparams=hparams, given=given)
    options = collections.namedtuple(
        'Options',  # pragma: no mutate: the name of the options' namedtuple type, which only its repr shows
        sorted(fields))(**fields)
    if default_for is not None and options.model_dir is None:
        options = options._replace(model_dir=default_for(options))
    return options


def run_command(main, argv, prog, debug=False):
    """Run a command's main(); an error prints one line (debug adds the traceback). Exit status: 2 for
    a user error, 1 for an unexpected one, 128 + the signal for a run stopped by Ctrl-C or SIGTERM."""
    try:
        return main()
    except TrainingStopped as e:
        again = [a for a in argv if a != '--resume'] + ['--resume']
        print('\n%s; continue with: %s' % (e, ' '.join(shlex.quote(a) for a in prog.split() + again)),
              file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print('\ninterrupted', file=sys.stderr)
        return 130
    except Exception as e:
        status, line = error_line(e)
        if debug:
            traceback.print_exc()
        print(line, file=sys.stderr)
        return status


def error_line(e):
    """(exit status, the one line) of an error that is not a stop."""
    if isinstance(e, UserError):
        return 2, 'error: %s' % e.command_line()
    if isinstance(e, OSError) and e.errno != errno.ENOSPC:
        return 2, 'error: %s%s' % (e.strerror or e, ': %s' % e.filename if e.filename else '')
    if isinstance(e, OSError) or 'No space left on device' in str(e):  # ENOSPC, or TensorFlow's own writes' error
        path = e.filename if isinstance(e, OSError) else str(e).split(';')[0].splitlines()[-1]
        return 2, ('error: no space left on the disk, writing %s: free some space and run the command again '
                   '(a training run: add --resume; its last complete checkpoint is kept)'
                   % (re.sub(r'\.tempstate\d+$', '', path or '') or 'a file'))
    if isinstance(e, MemoryError) or type(e).__name__ == 'ResourceExhaustedError':  # TensorFlow's out of memory
        return 2, 'error: out of memory: lower --batch-size, --lstm-size or --embed-size'
    return 1, ('error: unexpected %s: %s (run again with --debug for the traceback)'
               % (type(e).__name__, (str(e).splitlines() or [''])[0]))


# -- python sentiment_rnn.py ---------------------------------------------------------------------

def sentiment_parser():
    p = parser('python sentiment_rnn.py', "Train the slides' SentimentRNN on IMDb reviews and report "
                                          "test accuracy, or (--predict) rate reviews with a saved model.")
    add_hparam_options(p, SENTIMENT.hparams, batch_unit='reviews', smallest_batch=2)
    p.add_argument('--data', metavar='PATH', help='aclImdb_v1.tar.gz, an extracted aclImdb/ folder or movie_data.csv '
                   '(default: $RNN_IMDB_DATA if set, else the official tarball, downloaded once into $RNN_DATA_DIR)')
    p.add_argument('--model-dir', default=default_model_dir('sentiment'),
                   help='folder for checkpoints and the saved vocabulary (default: %(default)s)')
    p.add_argument('--limit', type=count(10 ** 9), metavar='N',
                   help='use only the first N reviews, half to train and half to test (quick run)')
    p.add_argument('--predict', nargs='+', metavar='TEXT',
                   help='no training: print the probability that each TEXT is a positive review')
    add_run_options(p, SENTIMENT.epochs)
    return p


def run_sentiment(options):
    # Here, not at the top: TensorFlow takes seconds to import, and only once the options are read.
    from beyond_slides import sentiment_command as command
    if options.predict:
        return command.predict_texts(options.predict, options.model_dir, options.given)
    prepared = command.walkthrough(options.data, options.model_dir) if options.walkthrough else None  # pragma: no mutate: the walkthrough's SentimentRNN is only built to show its tensors: model_dir is read by train() and predict() alone
    if options.epochs is None:
        print('\n(walkthrough only: add --epochs N to train)')
        return 0
    return command.train_and_test(options.model_dir, options.hparams, options.epochs, data=options.data,
                                  limit=options.limit, resume=options.resume, given=options.given,
                                  logdir=options.logdir, prepared=prepared)


SENTIMENT_COMMAND = Command(SENTIMENT, sentiment_parser, run_sentiment)


# -- python char_rnn.py --------------------------------------------------------------------------

def char_parser():
    p = parser('python char_rnn.py', "Print text sampled from the slides' CharRNN (the model shipped "
                                     "in models/char_rnn/), or (--train) train it on Hamlet.")
    p.add_argument('--sample', type=count(10 ** 6), default=500, metavar='N',
                   help='characters to sample after the prime (default: %(default)s)')
    p.add_argument('--prime', default='The ', help='starter sequence the sample continues (default: %(default)s)')
    p.add_argument('--top-n', type=count(10000), default=5,
                   help='sample among the N most likely characters (default: %(default)s)')
    p.add_argument('--temperature', type=positive_number(100), default=1.0, help='divides the logits before the '
                   'top-n cut: below 1 is safer, above 1 wilder (default: %(default)s)')
    p.add_argument('--seed', type=seed, help='random seed: the same seed gives the same text')
    p.add_argument('--model-dir', help='folder of the checkpoint and its vocabulary (default: the shipped '
                   'models/char_rnn to sample and export; models/my_char_rnn to train into)')
    # Without --model-dir (parse() asks): a run that trains never changes the shipped, git-tracked model.
    p.set_defaults(model_dir_default=lambda options: TRAINED_CHAR_RNN if char_trains(options) else SHIPPED_CHAR_RNN)
    p.add_argument('--train', action='store_true', help='train a model instead of sampling')
    p.add_argument('--data', metavar='PATH',
                   help="text to train on (default: the book's pg2265.txt, shipped with the project)")
    add_hparam_options(p, CHAR.hparams, batch_unit='sequences')
    add_run_options(p, CHAR.epochs)
    return p


def char_trains(options):
    """Whether the run trains: --train or --walkthrough, with epochs (None after --walkthrough without --epochs)."""
    return (options.train or options.walkthrough) and options.epochs is not None


def run_char(options):
    from beyond_slides import char_command as command  # here: see run_sentiment
    if options.walkthrough:
        command.walkthrough(options.data)
        if options.epochs is None:
            print('\n(walkthrough only: add --epochs N to train)')
            return 0
    if char_trains(options):
        return command.train(options.model_dir, options.hparams, options.epochs, data=options.data,
                             resume=options.resume, given=options.given, logdir=options.logdir)
    return command.sample(options.model_dir, options.sample, options.prime, options.top_n,
                          options.temperature, options.seed, options.given)


CHAR_COMMAND = Command(CHAR, char_parser, run_char)
