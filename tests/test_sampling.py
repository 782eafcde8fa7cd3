"""What the sampling options do, end to end on the shipped model: --seed, --top-n, --temperature,
and the sampler the command uses against the slides' own sample()."""
import functools

import numpy as np
import pytest

from beyond_slides.model_folder import ModelFolder
from beyond_slides.tf_setup import tf
from char_rnn import CharRNN, get_top_char
from conftest import run_cli, run_clis, shared
from model_helpers import SHIPPED
from beyond_slides.predicting import CharSampler


@pytest.fixture(scope=shared)
def samples():
    runs = run_clis([('char_rnn.py', ['--sample', 120, '--seed', seed] + extra) for seed, extra in (
        (1, []), (2, []), (1, ['--temperature', 0.001]), (2, ['--top-n', 1]), (3, ['--top-n', 1]))])
    for r in runs:
        assert r.returncode == 0, r.stderr
    return [r.stdout for r in runs]


def test_two_seeds_give_two_texts_and_one_seed_one(samples):
    seed1, seed2 = samples[:2]
    assert seed1 != seed2
    assert run_cli('char_rnn.py', '--sample', 120, '--seed', 1).stdout == seed1


def test_top_n_1_is_greedy_whatever_the_seed(samples):
    assert samples[3] == samples[4]
    assert samples[3] == greedy_text(SHIPPED, 'The ', 120) + '\n'  # --sample N: N characters after the prime


def test_a_tiny_temperature_samples_the_greedy_text(samples):
    assert samples[2] == samples[3] != samples[0]


def greedy_text(model_dir, prime, n):
    """The most likely character after each, n times, computed here step by step from the slides'
    sampling graph with dropout off (keep probability 1)."""
    hparams, chars = ModelFolder(model_dir).load_config('CharRNN')
    char2int = {ch: i for i, ch in enumerate(chars)}
    rnn = CharRNN(len(chars), sampling=True, lstm_size=hparams['lstm_size'], num_layers=hparams['num_layers'])
    text = prime
    with tf.Session(graph=rnn.g) as sess:
        rnn.saver.restore(sess, tf.train.latest_checkpoint(model_dir))
        state = sess.run(rnn.initial_state)
        for ch in prime:
            proba, state = step(sess, rnn, char2int[ch], state)
        for _ in range(n):
            text += chars[int(np.argmax(proba))]
            proba, state = step(sess, rnn, char2int[text[-1]], state)
    return text


def step(sess, rnn, ch_id, state):
    proba, state = sess.run(['probabilities:0', rnn.final_state],
                            {'tf_x:0': [[ch_id]], 'tf_keepprob:0': 1.0, rnn.initial_state: state})
    return proba[0], state


def test_the_sampler_steps_the_saved_model_with_dropout_off():
    hparams, chars = ModelFolder(SHIPPED).load_config('CharRNN')
    rnn = CharRNN(len(chars), sampling=True)
    expected = []
    with tf.Session(graph=rnn.g) as sess:
        rnn.saver.restore(sess, tf.train.latest_checkpoint(SHIPPED))
        state = sess.run(rnn.initial_state)
        for ch in 'Ham. ':
            proba, state = step(sess, rnn, chars.index(ch), state)
            expected.append(proba)
    with CharSampler(SHIPPED, CharRNN) as sampler:
        np.testing.assert_allclose(sampler.after_each('Ham. '), expected, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(sampler.after('Ham. '), expected[-1], rtol=1e-6, atol=1e-7)  # from zero again


@pytest.mark.parametrize('seed, prime', [(1, 'The '), (7, 'Ham.')])
def test_the_commands_sampler_draws_what_the_slides_sample_draws(seed, prime):
    """The command samples with CharSampler (for --top-n and --temperature); with the slides'
    get_top_char it gives the slides' CharRNN.sample() text, draw for draw."""
    np.random.seed(seed)
    slides = CharRNN(65, sampling=True).sample(40, SHIPPED, starter_seq=prime)
    np.random.seed(seed)
    with CharSampler(SHIPPED, CharRNN) as sampler:
        ours = sampler.sample(40, prime, get_top_char)
    assert ours == slides and len(ours) == len(prime) + 41


def test_the_commands_options_reach_get_top_char(monkeypatch):
    seen = []
    pick = functools.partial(get_top_char, top_n=3, temperature=0.5)
    monkeypatch.setattr(np.random, 'choice', lambda n, size, p: (seen.append(p), [int(np.argmax(p))])[1])
    with CharSampler(SHIPPED, CharRNN) as sampler:
        sampler.sample(2, 'The ', pick)
    assert len(seen) == 3 and all(np.count_nonzero(p) == 3 for p in seen)


def test_an_error_while_sampling_reaches_the_caller():
    with pytest.raises(KeyError):
        with CharSampler(SHIPPED, CharRNN) as sampler:
            sampler.step('\x00')   # not one of the model's characters


def test_a_prime_with_characters_the_model_never_saw_is_refused_before_sampling():
    from beyond_slides import char_command
    from beyond_slides.errors import DataError
    with pytest.raises(DataError) as e:
        char_command.sample(SHIPPED, 10, 'Ham\u2603\u20ac', 5, 1.0, 0, {})
    assert str(e.value) == ("the prime has characters the model never saw: '\u20ac' '\u2603' (use only characters "
                            "of the training text)")
