"""The options of `python sentiment_rnn.py` (not on the slides), read before TensorFlow is imported:
train and test the SentimentRNN, rate reviews (--predict), print the slides' output (--walkthrough)
or export the model to Keras 3 (--export-keras). beyond_slides/sentiment_command.py does each job,
with the slides' steps of data_utils.py and sentiment_rnn.py."""
from beyond_slides import cli
from beyond_slides.paths import default_model_dir
from beyond_slides.settings import SENTIMENT_EPOCHS as EPOCHS, SENTIMENT_HPARAMS as HPARAMS

MODEL = 'SentimentRNN'


def build_parser():
    p = cli.parser('python sentiment_rnn.py', "Train the slides' SentimentRNN on IMDb reviews and report "
                                              "test accuracy, or (--predict) rate reviews with a saved model.")
    cli.add_hparam_options(p, HPARAMS, batch_unit='reviews', smallest_batch=2)
    p.add_argument('--data', metavar='PATH',
                   help='aclImdb_v1.tar.gz, an extracted aclImdb/ folder or movie_data.csv (default: '
                        '$RNN_IMDB_DATA if set, else the official tarball, downloaded once into '
                        '$RNN_DATA_DIR)')
    p.add_argument('--model-dir', dest='model_dir', default=default_model_dir('sentiment'),
                   help='folder for checkpoints and the saved vocabulary')
    p.add_argument('--limit', type=cli.count(10 ** 9), metavar='N',
                   help='use only the first N reviews, half to train and half to test (quick run)')
    p.add_argument('--predict', nargs='+', metavar='TEXT',
                   help='no training: print the probability that each TEXT is a positive review')
    cli.add_export_option(p)
    cli.add_run_options(p, EPOCHS)
    return p


def run(options):
    """What the options ask for, --export-keras aside (cli.main takes that)."""
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


def main(argv=None):
    return cli.main(build_parser, MODEL, HPARAMS, EPOCHS, run, argv)
