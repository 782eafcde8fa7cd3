"""`python char_rnn.py`: sample Hamlet-like text from the shipped model, or (--train) train one.

Not on the slides; the slides' steps it runs are in data_utils.py and char_rnn.py.
"""
import contextlib
import sys
import time

import numpy as np

import data_utils
from beyond_slides import cli, model_files
from beyond_slides import walkthrough as show
from beyond_slides.errors import DataError
from beyond_slides.training import HISTORY_NAME, TrainingLog, load_stop_point

MODEL = 'CharRNN'
# The slides' "Creating and Training the CharRNN Model": batch 64, 100 steps, LSTM 128.
EPOCHS = 100
HPARAMS = show.CHAR_HPARAMS


def build_parser():
    p = cli.ArgumentParser(
        prog='python char_rnn.py',
        description="Print text sampled from the slides' CharRNN (the model shipped in "
                    "models/char_rnn/), or (--train) train it on Hamlet.",
        formatter_class=cli.HelpFormatter)
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
    p.add_argument('--epochs', type=cli.count(10000),
                   help='epochs to train (default: %d; with --walkthrough: none)' % EPOCHS)
    p.add_argument('--batch-size', dest='batch_size', type=cli.count(100000),
                   help='sequences per mini-batch (default: %d)' % HPARAMS['batch_size'])
    p.add_argument('--num-steps', dest='num_steps', type=cli.count(100000),
                   help='characters per sequence (default: %d)' % HPARAMS['num_steps'])
    p.add_argument('--lstm-size', dest='lstm_size', type=cli.count(4096),
                   help='hidden units per LSTM layer (default: %d)' % HPARAMS['lstm_size'])
    p.add_argument('--num-layers', dest='num_layers', type=cli.count(16),
                   help='stacked LSTM layers (default: %d)' % HPARAMS['num_layers'])
    p.add_argument('--learning-rate', dest='learning_rate', type=cli.positive_number(1),
                   help="Adam's learning rate (default: %g)" % HPARAMS['learning_rate'])
    p.add_argument('--keep-prob', dest='keep_prob', type=cli.probability,
                   help='dropout keep probability in training (default: %g)' % HPARAMS['keep_prob'])
    p.add_argument('--grad-clip', dest='grad_clip', type=cli.positive_number(1e6),
                   help='clip gradients to this global norm (default: %g)' % HPARAMS['grad_clip'])
    p.add_argument('--resume', action='store_true',
                   help='continue training the model in --model-dir from its checkpoint')
    cli.add_run_options(p)
    return p


def main(argv=None):
    return cli.run_main(_main, argv, prog='python char_rnn.py')


def _main(argv):
    args, given = cli.parse_args(build_parser(), argv, HPARAMS)
    if args.walkthrough:
        walkthrough(args)
        if args.epochs is None:
            print('\n(walkthrough only: add --epochs N to train)')
            return 0
        args.train = True
    args.epochs = args.epochs or EPOCHS
    if args.train:
        with cli.model_dir_lock(args.model_dir):
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
    cli.say_device()
    np.random.seed(args.seed)  # after the import, which seeds 123 as the slides do; None: a new text each time
    rnn = cli.quietly(lambda: CharRNN(len(chars), sampling=True, **model_hparams))
    with cli.checkpoint_errors(args.model_dir):
        # The slides' sample() returns output_length + 1 characters after the prime.
        text = rnn.sample(args.sample - 1, args.model_dir, starter_seq=args.prime,
                          top_n=args.top_n, temperature=args.temperature)
    print(text)
    return 0


def train(args, given):
    hparams = {k: getattr(args, k) for k in HPARAMS}
    resume = 0
    if args.resume:
        saved, saved_chars = model_files.load_model_config(args.model_dir, MODEL)
        cli.check_same_hparams(args.model_dir, saved, given)
        hparams.update({k: v for k, v in saved.items() if k in HPARAMS})
        # a run stopped by Ctrl-C goes on mid-epoch, a finished one after its epochs
        resume = load_stop_point(args.model_dir) or saved.get('epochs', 0)
        done = getattr(resume, 'epoch', resume)
        if done >= args.epochs:
            raise DataError('the model in %s has already trained %d epochs: give --epochs above that'
                            % (args.model_dir, done))
    else:
        cli.refuse_to_overwrite(args.model_dir)

    text = data_utils.load_hamlet(args.data)
    chars, char2int, int2char = data_utils.char_vocab(text)
    if args.resume and chars != saved_chars:
        raise DataError('the model in %s was trained on another text: give the same --data to resume'
                        % args.model_dir)
    text_ints = data_utils.encode_text(text, char2int)
    train_x, train_y = data_utils.reshape_data(text_ints, hparams['batch_size'], hparams['num_steps'])
    if train_x.shape[1] < hparams['num_steps']:
        raise DataError('the text has %d characters, too short for one batch of %d x %d (+1): '
                        'lower --batch-size or --num-steps'
                        % (len(text), hparams['batch_size'], hparams['num_steps']))
    print(train_x.shape)

    def record_epochs(epochs):
        model_files.save_model_config(args.model_dir, MODEL, dict(hparams, epochs=epochs), chars)

    if not args.resume:
        record_epochs(0)  # the vocabulary is saved before training: a run stopped early can resume
    from char_rnn import CharRNN  # here: TensorFlow takes seconds to import
    cli.say_device()
    rnn = CharRNN(num_classes=len(chars), **hparams)
    rnn.chars = chars
    n_batches = train_x.shape[1] // rnn.num_steps
    log = TrainingLog(rnn, args.model_dir, 'language_modeling', n_batches, args.epochs, args.logdir,
                      resume, on_checkpoint=record_epochs)
    start = time.time()
    try:
        with cli.checkpoint_errors(args.model_dir) if args.resume else contextlib.nullcontext():
            rnn.train(train_x, train_y, num_epochs=args.epochs, ckpt_dir=args.model_dir, log=log)
    finally:
        log.close()
    print('Trained epochs %d-%d in %.0f s; mean loss of the last epoch: %.4f'
          % (getattr(resume, 'epoch', resume) + 1, args.epochs, time.time() - start,
             log.epoch_loss(args.epochs)))
    print('Checkpoint, vocabulary and the loss history (%s) are in %s' % (HISTORY_NAME, args.model_dir))
    return 0


if __name__ == '__main__':
    sys.exit(main())
