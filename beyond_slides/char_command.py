"""What `python char_rnn.py` does (not on the slides; its options: beyond_slides/cli.py): sampling
text from a saved CharRNN, the walkthrough of the slides' output, and training."""
import functools
import sys
import time

import numpy as np

import data_utils
from beyond_slides import walkthrough as show
from beyond_slides.errors import DataError
from beyond_slides.model_folder import ModelFolder
from beyond_slides.predicting import CharSampler
from beyond_slides.settings import CHAR
from beyond_slides.tf_setup import device_line
from beyond_slides.training import TrainingRun
from char_rnn import CharRNN, get_top_char


def walkthrough(data):
    text, chars, char2int, int2char, text_ints = show.read_hamlet(data)
    train_x, train_y = show.reshape_for_batches(text_ints, int2char)
    show.mini_batches(train_x, train_y, int2char)
    show.build_char_rnn(len(chars))


def sample(model_dir, length, prime, top_n, temperature, seed, given):
    """Print `length` characters after the prime, sampled from the model in model_dir."""
    folder = ModelFolder(model_dir)
    hparams, chars = folder.load_config(CHAR.name)
    folder.check_same_hparams(hparams, given)
    unknown = sorted(set(prime) - set(chars))
    if unknown:
        raise DataError('the prime has characters the model never saw: %s (use only characters of '
                        'the training text)' % ' '.join(repr(c) for c in unknown))
    if not prime:
        raise DataError('the prime is empty: give at least one character with --prime')
    if top_n > len(chars):
        raise DataError('--top-n %d is more than the %d characters the model knows' % (top_n, len(chars)))
    print(device_line(), file=sys.stderr)
    np.random.seed(seed)  # after char_rnn's import, which seeds 123 as the slides do; None: a new text each time
    pick = functools.partial(get_top_char, top_n=top_n, temperature=temperature)
    with CharSampler(folder.path, CharRNN) as sampler:
        # The slides' sample() returns output_length + 1 characters after the prime: ask for length - 1.
        print(sampler.sample(length - 1, prime, pick))
    return 0


def train(model_dir, hparams, epochs, data=None, resume=False, given=None, logdir=None):
    folder = ModelFolder(model_dir)
    run = TrainingRun(folder, CHAR.name, hparams, epochs, resume=resume, given=given, logdir=logdir)
    with run:
        hparams = run.hparams
        text = data_utils.load_hamlet(data)
        chars, char2int, int2char = data_utils.char_vocab(text)
        text_ints = data_utils.encode_text(text, char2int)
        train_x, train_y = data_utils.reshape_data(text_ints, hparams['batch_size'], hparams['num_steps'])
        if train_x.shape[1] < hparams['num_steps']:
            raise DataError('the text has %d characters, too short for one batch of %d x %d (+1): '
                            'lower --batch-size or --num-steps'
                            % (len(text), hparams['batch_size'], hparams['num_steps']))
        print(train_x.shape)
        n_batches = train_x.shape[1] // hparams['num_steps']  # pragma: no mutate: / gives 4.0 for 4: reshape_data makes the width a whole number of num_steps, and every use of n_batches (counts, %d, comparisons, the stop point) gives the same
        run.begin(chars, n_batches=n_batches)
        rnn = CharRNN(num_classes=len(chars), **hparams)
        start = time.time()
        with run.supervisor(rnn) as supervisor:
            rnn.train(train_x, train_y, num_epochs=epochs, ckpt_dir=model_dir, supervisor=supervisor)
    print('Trained epochs %d-%d in %.0f s; mean loss of the last epoch: %.4f'
          % (run.first_epoch, epochs, time.time() - start, supervisor.epoch_loss(epochs)))
    print('The checkpoint, the vocabulary and the loss history are in %s' % model_dir)
    return 0
