"""`python char_rnn.py`'s options (not on the slides), read before TensorFlow is imported. By default
the command samples the shipped CharRNN; --train trains one, --walkthrough prints the slides'
output, --export-keras writes a Keras 3 file: beyond_slides/char_command.py does each."""
from beyond_slides import cli
from beyond_slides.paths import SHIPPED_CHAR_RNN, TRAINED_CHAR_RNN
from beyond_slides.settings import CHAR_EPOCHS as EPOCHS, CHAR_HPARAMS as HPARAMS

MODEL = 'CharRNN'


def build_parser():
    p = cli.parser('python char_rnn.py', "Print text sampled from the slides' CharRNN (the model shipped "
                                         "in models/char_rnn/), or (--train) train it on Hamlet.")
    p.add_argument('--sample', type=cli.count(10 ** 6), default=500, metavar='N',
                   help='characters to sample after the prime')
    p.add_argument('--prime', default='The ', help='starter sequence the sample continues')
    p.add_argument('--top-n', dest='top_n', type=cli.count(10000), default=5,
                   help='sample among the N most likely characters')
    p.add_argument('--temperature', type=cli.positive_number(100), default=1.0,
                   help='divides the logits before the top-n cut: below 1 is safer, above 1 wilder')
    p.add_argument('--seed', type=cli.seed, default=None, help='random seed: the same seed gives the same text')
    cli.add_model_dir_option(p, default_model_dir,
                             'folder of the checkpoint and its vocabulary (default: the shipped models/char_rnn '
                             'to sample and export; models/my_char_rnn to train into)')
    p.add_argument('--train', action='store_true', help='train a model instead of sampling')
    p.add_argument('--data', metavar='PATH',
                   help="text to train on (default: the book's pg2265.txt, shipped with the project)")
    cli.add_hparam_options(p, HPARAMS, batch_unit='sequences')
    cli.add_export_option(p)
    cli.add_run_options(p, EPOCHS)
    return p


def default_model_dir(options):
    """The folder without --model-dir: the shipped model to sample or export; a training run
    (--train, or --walkthrough with --epochs) never trains into it (git tracks it)."""
    trains = options['train'] or (options['walkthrough'] and options['epochs'] is not None)
    return TRAINED_CHAR_RNN if trains else SHIPPED_CHAR_RNN


def run(options):
    """What the options ask for, --export-keras aside (cli.main takes that)."""
    # Here, not at the top: TensorFlow takes seconds to import, and only once the options are read.
    from beyond_slides import char_command as command
    if options.walkthrough:
        command.walkthrough(options.data)
        if options.epochs is None:
            print('\n(walkthrough only: add --epochs N to train)')
            return 0
    if options.train or options.walkthrough:
        return command.train(options.model_dir, options.hparams, options.epochs, data=options.data,
                             resume=options.resume, given=options.given, logdir=options.logdir)
    return command.sample(options.model_dir, options.sample, options.prime, options.top_n,
                          options.temperature, options.seed, options.given)


def main(argv=None):
    return cli.main(build_parser, MODEL, HPARAMS, EPOCHS, run, argv)
