"""`python char_rnn.py`: sample Hamlet-like text from the shipped model, or (--train) train one.

Not on the slides; the slides' steps it runs are in data_utils.py and char_rnn.py.
"""
import contextlib
import io
import sys
import time

import numpy as np

import data_utils
from beyond_slides import cli, model_files
from beyond_slides import walkthrough as show
from beyond_slides.errors import DataError
from beyond_slides.settings import CHAR_EPOCHS as EPOCHS, CHAR_HPARAMS as HPARAMS
from beyond_slides.training_run import TrainingRun

MODEL = 'CharRNN'


def main(argv=None):
    return cli.main(build_parser(), HPARAMS, _main, MODEL, argv)


def _main(args, given):
    if args.walkthrough:
        walkthrough(args)
        args.train = True
    if cli.walkthrough_only(args, EPOCHS):
        return 0
    if args.train:
        return train(args, given)
    return sample(args, given)


def walkthrough(args):
    """The slides' printed output, slide by slide, on the real data."""
    text, chars, char2int, int2char, text_ints = show.read_hamlet(args.data)
    train_x, train_y = show.reshape_for_batches(text_ints, int2char)
    show.mini_batches(train_x, train_y, int2char)
    show.build_char_rnn(len(chars))


def sample(args, given):
    hparams, chars = model_files.load_model_config(args.model_dir, MODEL)
    cli.check_same_hparams(args.model_dir, hparams, given)
    unknown = sorted(set(args.prime) - set(chars))
    if unknown:
        raise DataError('the prime has characters the model never saw: %s (use only characters of '
                        'the training text)' % ' '.join(repr(c) for c in unknown))
    if not args.prime:
        raise DataError('the prime is empty: give at least one character with --prime')
    if args.top_n > len(chars):
        raise DataError('--top-n %d is more than the %d characters the model knows'
                        % (args.top_n, len(chars)))
    model_hparams = {k: hparams[k] for k in ('lstm_size', 'num_layers')}
    from char_rnn import CharRNN  # here: TensorFlow takes seconds to import
    from beyond_slides.model_folder import checkpoint_errors
    cli.say_device()
    np.random.seed(args.seed)  # after the import, which seeds 123 as the slides do; None: a new text each time
    with contextlib.redirect_stdout(io.StringIO()):  # build() prints the slides' tensors
        rnn = CharRNN(len(chars), sampling=True, **model_hparams)
    with checkpoint_errors(args.model_dir):
        # The slides' sample() returns output_length + 1 characters after the prime.
        text = rnn.sample(args.sample - 1, args.model_dir, starter_seq=args.prime,
                          top_n=args.top_n, temperature=args.temperature)
    print(text)
    return 0


def train(args, given):
    with TrainingRun(args, given, MODEL, HPARAMS) as run:
        hparams = run.hparams
        text = data_utils.load_hamlet(args.data)
        chars, char2int, int2char = data_utils.char_vocab(text)
        text_ints = data_utils.encode_text(text, char2int)
        train_x, train_y = data_utils.reshape_data(text_ints, hparams['batch_size'], hparams['num_steps'])
        if train_x.shape[1] < hparams['num_steps']:
            raise DataError('the text has %d characters, too short for one batch of %d x %d (+1): '
                            'lower --batch-size or --num-steps'
                            % (len(text), hparams['batch_size'], hparams['num_steps']))
        print(train_x.shape)
        run.begin(chars, n_batches=train_x.shape[1] // hparams['num_steps'])
        from char_rnn import CharRNN  # here: TensorFlow takes seconds to import
        rnn = CharRNN(num_classes=len(chars), **hparams)
        rnn.chars = chars
        start = time.time()
        log = run.train(rnn, 'language_modeling', lambda log: rnn.train(
            train_x, train_y, num_epochs=args.epochs, ckpt_dir=args.model_dir, log=log))
    print('Trained epochs %d-%d in %.0f s; mean loss of the last epoch: %.4f'
          % (run.first_epoch, args.epochs, time.time() - start, log.epoch_loss(args.epochs)))
    return run.say_where_it_is()


def build_parser():
    p = cli.parser('python char_rnn.py',
                   "Print text sampled from the slides' CharRNN (the model shipped in "
                   "models/char_rnn/), or (--train) train it on Hamlet.")
    p.add_argument('--sample', type=cli.count(10 ** 6), default=500, metavar='N',
                   help='characters to sample after the prime')
    p.add_argument('--prime', default='The ', help='starter sequence the sample continues')
    p.add_argument('--top-n', dest='top_n', type=cli.count(10000), default=5,
                   help='sample among the N most likely characters')
    p.add_argument('--temperature', type=cli.positive_number(100), default=1.0,
                   help='divides the logits before the top-n cut: below 1 is safer, above 1 wilder')
    p.add_argument('--seed', type=cli.seed, default=None, help='random seed: the same seed gives the same text')
    p.add_argument('--model-dir', dest='model_dir', default=cli.default_model_dir('char_rnn'),
                   help='folder of the checkpoint and its vocabulary')
    p.add_argument('--train', action='store_true', help='train a model instead of sampling')
    p.add_argument('--data', metavar='PATH',
                   help="text to train on (default: the book's pg2265.txt, shipped with the project)")
    cli.add_hparam_options(p, HPARAMS, batch_unit='sequences')
    cli.add_export_option(p)
    cli.add_run_options(p, EPOCHS)
    return p


if __name__ == '__main__':
    sys.exit(main())
