"""Command-line options shared by `python sentiment_rnn.py` and `python char_rnn.py`."""
import argparse
import os
import sys

from beyond_slides.errors import DataError, run_command

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ArgumentParser(argparse.ArgumentParser):
    """An option error is one line, like every other error of the commands."""

    def error(self, message):
        self.exit(2, 'error: %s (%s --help lists the options)\n' % (message, self.prog))


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each option's default, except where there is none (None, or an off switch)."""

    def _get_help_string(self, action):
        if action.default in (None, False):
            return action.help
        return super()._get_help_string(action)


def parser(prog, description):
    """A command's option parser: one-line errors, every default shown."""
    return ArgumentParser(prog=prog, description=description, formatter_class=HelpFormatter)


def add_export_option(p):
    p.add_argument('--export-keras', dest='export_keras', metavar='PATH.keras',
                   help="no training: write the model in --model-dir as a Keras 3 model file, with the same "
                        "weights, and its vocabulary as PATH.keras.vocab.json")


def export_keras(model_name, args):
    """--export-keras: the model in args.model_dir as a Keras 3 file (beyond_slides/keras_export.py)."""
    from beyond_slides.keras_export import export
    export(model_name, args.model_dir, args.export_keras)
    print('wrote %s (Keras 3) and %s.vocab.json' % (args.export_keras, args.export_keras))
    return 0


def add_run_options(p, epochs):
    """--epochs, --resume, --walkthrough, --logdir and --debug, the same for both commands."""
    p.add_argument('--epochs', type=count(10000),
                   help='epochs to train (default: %d; with --walkthrough: none)' % epochs)
    p.add_argument('--resume', action='store_true',
                   help='continue training the model in --model-dir from its latest checkpoint')
    p.add_argument('--walkthrough', action='store_true',
                   help="print what the slides print, slide by slide, on the real data; train only "
                        "if --epochs is given too")
    p.add_argument('--logdir', metavar='DIR',
                   help='write the graph and the training loss for TensorBoard (tensorboard --logdir DIR)')
    p.add_argument('--debug', action='store_true', help='show the Python traceback of an error')


def walkthrough_only(args, epochs):
    """True (and says so) when --walkthrough came without --epochs; otherwise --epochs gets
    its default, the slides' epochs."""
    if args.walkthrough and args.epochs is None:
        print('\n(walkthrough only: add --epochs N to train)')
        return True
    args.epochs = args.epochs or epochs
    return False


def default_model_dir(name):
    """models/<name> in the repository, wherever the command is run from."""
    return os.path.join(REPO, 'models', name)


def count(high):
    """An option type: a whole number from 1 to high (more is a typo, or would never finish)."""
    def parse(text):
        return _number(text, int, lambda v: 1 <= v <= high, 'a whole number from 1 to %d' % high)
    return parse


def positive_number(high):
    """An option type: a number above 0 and at most high."""
    def parse(text):
        return _number(text, float, lambda v: 0 < v <= high, 'a number above 0 and at most %g' % high)
    return parse


def probability(text):
    return _number(text, float, lambda v: 0 < v <= 1, 'a number in (0, 1]')


def seed(text):
    return _number(text, int, lambda v: 0 <= v < 2 ** 32, 'a whole number from 0 to %d' % (2 ** 32 - 1))


def _number(text, kind, ok, what):
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError('%r is not %s' % (text, what))
    if not ok(value):
        raise argparse.ArgumentTypeError('%r is not %s' % (text, what))
    return value


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


def add_hparam_options(p, defaults, batch_unit):
    """--batch-size N, --lstm-size N, ...: one option for each of the model's hyperparameters
    (defaults), left None when not given (parse_args fills in the default)."""
    for name in defaults:
        kind, text = HPARAM_OPTIONS[name]
        if name == 'batch_size':
            text %= batch_unit
        p.add_argument('--' + name.replace('_', '-'), dest=name, type=kind,
                       help='%s (default: %g)' % (text, defaults[name]))


def main(parser, hparam_defaults, run, model_name, argv=None):
    """A command's main: parse argv, then run(args, given), or the export of --export-keras, with
    its errors as one line each."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args, given = parse_args(parser, argv, hparam_defaults)
    if args.export_keras:
        return run_command(lambda: export_keras(model_name, args), argv, parser.prog, debug=args.debug)
    return run_command(lambda: run(args, given), argv, parser.prog, debug=args.debug)


def parse_args(parser, argv, hparam_defaults):
    """Parse argv; the hyperparameter options the user did not give stay None in `given`.

    Returns (args, given): args with every default filled in, and given, the
    hyperparameters typed on the command line, so that a saved model can be
    checked against what the user asked for.
    """
    args = parser.parse_args(argv)  # add_hparam_options leaves the hyperparameters None
    given = {k: getattr(args, k) for k in hparam_defaults if getattr(args, k) is not None}
    for k, v in hparam_defaults.items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    return args, given


def check_same_hparams(model_dir, saved, given):
    """DataError if an option typed on the command line differs from the saved model's."""
    differ = ['--%s %s (saved: %s)' % (k.replace('_', '-'), v, saved[k])
              for k, v in given.items() if k in saved and saved[k] != v]
    if differ:
        raise DataError('the model in %s was trained with other settings: %s; drop those options '
                        'or give another --model-dir' % (model_dir, ', '.join(differ)))


def say_device():
    """One line on stderr: which TensorFlow runs the graphs, on what (CPU threads or the GPUs)."""
    from beyond_slides.tf_setup import device_line
    print(device_line(), file=sys.stderr)
