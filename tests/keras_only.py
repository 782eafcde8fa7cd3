"""An exported Keras model used the way a student would use it today: in a new process that
imports keras and numpy, never this project (tests/test_keras_export.py runs it).

    python tests/keras_only.py JOBS.json

JOBS.json: a list of jobs, each one of
    ["sentiment", MODEL.keras, SEQUENCES.npy, OUT.npy]
    ["char-steps", MODEL.keras, TEXT, OUT.npy]
    ["char-sample", MODEL.keras, PRIME, N, SEED, TOP_N, TEMPERATURE]    (prints the text, then "\x00")

sentiment: the probabilities of the reviews (word ids, one row each). char-steps: the
probabilities of the next character after each character of TEXT, the LSTM state carried
from one step to the next. char-sample: N characters after PRIME, picked as the slides'
get_top_char picks them (top_n, temperature, numpy's random numbers from SEED).
"""
import json
import os
import sys

import numpy as np
import keras


class Stepper(object):
    """The CharRNN model one character at a time, its LSTM states carried."""

    def __init__(self, model):
        self.one_hot, self.logits = model.get_layer('one_hot'), model.get_layer('logits')
        self.lstms = [layer for layer in model.layers if layer.name.startswith('lstm_')]
        self.states = [None] * len(self.lstms)

    def __call__(self, char_id):
        x = self.one_hot(np.array([[char_id]], dtype='int32'))  # (1, 1, classes)
        for k, lstm in enumerate(self.lstms):
            x, h, c = lstm(x, initial_state=self.states[k])
            self.states[k] = [h, c]
        return np.asarray(self.logits(x))[0, 0]  # (classes,)


def pick(p, top_n, temperature):
    """The slides' get_top_char, with the project's temperature, written out here."""
    p = np.asarray(p, dtype=np.float64)
    if temperature != 1.0:
        log_p = np.log(np.maximum(p, 1e-300)) / temperature
        p = np.exp(log_p - log_p.max())
    p[np.argsort(p)[:-top_n]] = 0.0
    p = p / np.sum(p)
    return np.random.choice(len(p), 1, p=p)[0]


def main(mode, path, *args):
    model = keras.saving.load_model(path)
    if mode == 'sentiment':
        np.save(args[1], np.asarray(model.predict(np.load(args[0]), verbose=0))[:, 0])
        return
    with open(path + '.vocab.json', encoding='utf-8') as f:
        chars = json.load(f)['vocab']
    char2int = {ch: i for i, ch in enumerate(chars)}
    step = Stepper(model)
    if mode == 'char-steps':
        np.save(args[1], np.stack([step(char2int[ch]) for ch in args[0]]))
        return
    prime, n, seed, top_n, temperature = args[0], int(args[1]), int(args[2]), int(args[3]), float(args[4])
    np.random.seed(seed)
    for ch in prime:
        p = step(char2int[ch])
    text = prime
    for _ in range(n):
        ch = chars[pick(p, top_n, temperature)]
        text += ch
        p = step(char2int[ch])
    sys.stdout.write(text + '\n')


if __name__ == '__main__':
    with open(sys.argv[1], encoding='utf-8') as f:
        for job in json.load(f):
            main(*job)
            sys.stdout.write('\x00')
    here = os.path.dirname(os.path.abspath(__file__))   # tests/: its modules, and the project's above it
    own = {n[:-3] for d in (here, os.path.dirname(here)) for n in os.listdir(d) if n.endswith('.py')}
    project = [m for m in sys.modules if m.split('.')[0] in own | {'beyond_slides'}]
    assert not project, project
