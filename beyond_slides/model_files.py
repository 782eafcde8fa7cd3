"""What a model folder holds beside the checkpoints (not on the slides): model_config.json, with
the model's name, its hyperparameters and its vocabulary.

A checkpoint holds only numbers; which word or character each id stands for is in this
file, so that a model trained in one Python process samples and predicts correctly in
another (the slides' `set(text)` orders the characters differently in each process).
"""
import json
import os

from beyond_slides.datasets import atomic_write_text, read_json
from beyond_slides.errors import DataError

CONFIG_NAME = 'model_config.json'
# The constructor arguments of CharRNN that its configuration records.
CHAR_HPARAM_NAMES = ('batch_size', 'num_steps', 'lstm_size', 'num_layers', 'learning_rate',
                     'keep_prob', 'grad_clip')


def save_model_config(model_dir, model, hparams, vocab):
    """Write model_dir/model_config.json atomically: which model, its hyperparameters, its vocabulary."""
    os.makedirs(model_dir, exist_ok=True)
    atomic_write_text(os.path.join(model_dir, CONFIG_NAME),
                      json.dumps({'model': model, 'hparams': hparams, 'vocab': vocab}, ensure_ascii=False))


def load_model_config(model_dir, model):
    """(hparams, vocab) saved by save_model_config; DataError if missing, corrupt or another model's."""
    path = os.path.join(model_dir, CONFIG_NAME)
    if not os.path.isfile(path):
        raise DataError('%s has no saved model (%s missing): train one first or give --model-dir'
                        % (model_dir, CONFIG_NAME))
    config = read_json(path)
    if not isinstance(config, dict) or not {'model', 'hparams', 'vocab'} <= set(config):
        raise DataError('%s is corrupt: delete the folder and train again' % path)
    if config['model'] != model:
        raise DataError('%s holds a %s model, not a %s model: give the right --model-dir'
                        % (model_dir, config['model'], model))
    return config['hparams'], config['vocab']


def saved_chars(model_dir):
    """The characters saved with the CharRNN in model_dir, in id order; None if it saved none."""
    if not os.path.exists(os.path.join(model_dir, CONFIG_NAME)):
        return None
    return load_model_config(model_dir, 'CharRNN')[1]


def record_chars(model, ckpt_dir):
    """Before a CharRNN checkpoint is written to ckpt_dir: save the characters handed to the
    model (model.chars) beside it, or check that they are the ones already saved there."""
    if model.chars is None:
        return
    chars = list(model.chars)
    saved = saved_chars(ckpt_dir)
    if saved is None:
        hparams = {k: getattr(model, k) for k in CHAR_HPARAM_NAMES}
        save_model_config(ckpt_dir, 'CharRNN', hparams, chars)
    elif saved != chars:
        raise DataError('%s holds a CharRNN of other characters (or of the same in another order): '
                        'give train() another ckpt_dir' % ckpt_dir)


def chars_for_sampling(model, ckpt_dir):
    """(chars, char2int, int2char) with which CharRNN.sample() reads the model in ckpt_dir:
    the characters handed to the model (model.chars, in their own order) or those saved with the
    checkpoint; never another vocabulary than the model was trained with."""
    given = None if model.chars is None else list(model.chars)
    saved = saved_chars(ckpt_dir)
    if given is not None and saved is not None and given != saved:
        raise DataError('the characters handed to the CharRNN (CharRNN.chars) are not those saved with '
                        'the model in %s (set(text) orders them differently in each Python process): '
                        'set CharRNN.chars = None to sample with the saved ones' % ckpt_dir)
    chars = given if given is not None else saved
    if chars is None:
        raise DataError('CharRNN.sample() does not know which character each id of the model in %s '
                        'stands for (no %s there): add the line `CharRNN.chars = chars` before '
                        'creating the CharRNN that trains it' % (ckpt_dir, CONFIG_NAME))
    if len(chars) != model.num_classes:
        raise DataError('the CharRNN has num_classes=%d but its vocabulary has %d characters: create it '
                        'with CharRNN(len(chars), ...)' % (model.num_classes, len(chars)))
    char2int = {ch: i for i, ch in enumerate(chars)}
    int2char = dict(enumerate(chars))
    return chars, char2int, int2char
