"""Settings and installs that cannot run the slides' TensorFlow 1.x code give one line naming the fix."""
import importlib.metadata
import os
import re

import pytest

from conftest import run_cli

TF_MINOR = '.'.join(importlib.metadata.version('tensorflow').split('.')[:2])


def error_line(r):
    assert r.returncode == 2 and 'Traceback' not in r.stderr, r.stderr
    return r.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize('value', ['0', 'false', ''])
def test_tf_use_legacy_keras_set_otherwise(value):
    line = error_line(run_cli('char_rnn.py', '--sample', 5, env={'TF_USE_LEGACY_KERAS': value}))
    assert line == ("error: TF_USE_LEGACY_KERAS is set to %r, but the slides' TensorFlow 1.x cells need "
                    "Keras 2: unset it (or set TF_USE_LEGACY_KERAS=1) and start again" % value)


def shadow_tf_keras(tmp_path, source):
    """A folder whose tf_keras package (source: its __init__.py) comes before the installed one."""
    package = tmp_path / 'shadow' / 'tf_keras'
    package.mkdir(parents=True)
    (package / '__init__.py').write_text(source)
    return {'PYTHONPATH': str(tmp_path / 'shadow')}


def test_tf_keras_missing(tmp_path):
    env = shadow_tf_keras(tmp_path, 'raise ImportError("No module named tf_keras")\n')
    line = error_line(run_cli('char_rnn.py', '--sample', 5, env=env))
    assert 'the tf-keras package (Keras 2, for TensorFlow %s' % TF_MINOR in line
    assert line.endswith("is missing: pip install 'tf-keras==%s.*'" % TF_MINOR)


def test_tf_keras_of_another_version(tmp_path):
    env = shadow_tf_keras(tmp_path, '__version__ = "2.15.1"\n')
    line = error_line(run_cli('char_rnn.py', '--sample', 5, env=env))
    assert line.startswith('error: tf-keras 2.15.1 does not match TensorFlow %s' % TF_MINOR)
    assert line.endswith("pip install 'tf-keras==%s.*'" % TF_MINOR)


DEVICE_LINE = re.compile(r'^TensorFlow \d+\.\d+\.\d+ on (CPU \(\d+ threads?\)|GPU: .+)$', re.M)


def test_sampling_training_and_predicting_say_what_runs_the_graph(tmp_path):
    from conftest import run_clis
    from data_helpers import PERIODIC, synthetic_reviews
    from model_helpers import TestConfig
    SMALL_OPTS, SENTIMENT_OPTS = TestConfig.char_opts, TestConfig.sentiment_opts
    text = tmp_path / 'text.txt'
    text.write_text(PERIODIC, encoding='utf-8')
    reviews = tmp_path / 'reviews.csv'
    synthetic_reviews(100).to_csv(str(reviews), index=False)
    runs = run_clis([('char_rnn.py', ['--sample', 5]),
                     ('char_rnn.py', ['--train', '--data', text, '--epochs', 1, '--model-dir', tmp_path / 'c']
                      + SMALL_OPTS),
                     ('sentiment_rnn.py', ['--data', reviews, '--epochs', 1, '--model-dir', tmp_path / 's']
                      + SENTIMENT_OPTS),
                     ('sentiment_rnn.py', ['--predict', 'a great film', '--model-dir', tmp_path / 's'])])
    gpus = tf_gpus()
    for r in runs:
        assert r.returncode == 0, r.stderr
        lines = DEVICE_LINE.findall(r.stderr)
        assert len(lines) == 1, r.stderr
        assert lines[0].startswith('GPU: ' if gpus else 'CPU (')


def tf_gpus():
    from beyond_slides.tf_setup import tf
    return tf.config.list_physical_devices('GPU')


def test_no_side_effects_outside_the_data_cache(tmp_path):
    """With HOME an empty folder: sampling, and runs that fail before training, write nothing
    but the data cache (~/.cache/rnn-lecture): no ~/.keras, no model folder."""
    home = tmp_path / 'home'
    home.mkdir()
    env = {'HOME': str(home), 'RNN_DATA_DIR': '', 'XDG_CACHE_HOME': '', 'KERAS_HOME': None}
    assert run_cli('char_rnn.py', '--sample', 5, env=env).returncode == 0
    assert run_cli('sentiment_rnn.py', '--data', tmp_path / 'none.csv', '--model-dir', tmp_path / 's',
                   env=env).returncode == 2
    assert run_cli('char_rnn.py', '--train', '--data', tmp_path / 'none.txt', '--model-dir', tmp_path / 'c',
                   env=env).returncode == 2
    made = sorted(str(p.relative_to(home)) for p in home.rglob('*'))
    assert all(p == '.cache' or p.startswith(os.path.join('.cache', 'rnn-lecture')) for p in made), made
    assert not (tmp_path / 's').exists() and not (tmp_path / 'c').exists()


# tf-keras of TensorFlow 2.21.x: the same minor version with any patch, or none, is accepted (the
# edge: '2.21'); the next and the previous minor, and a minor that only starts with 21, are refused.
@pytest.mark.parametrize('found, accepted', [('2.21.0', True), ('2.21.3', True), ('2.21', True),
                                             ('2.22.0', False), ('2.20.9', False), ('2.210.0', False),
                                             ('3.21.0', False), ('?', False)])
def test_tf_keras_is_accepted_of_tensorflows_minor_version_only(monkeypatch, found, accepted):
    import sys
    import types
    from beyond_slides import tf_setup
    from beyond_slides.errors import SetupError
    fake = types.SimpleNamespace() if found == '?' else types.SimpleNamespace(__version__=found)
    monkeypatch.setitem(sys.modules, 'tf_keras', fake)  # what `import tf_keras` then returns
    if accepted:
        tf_setup._check_tf_keras('2.21.1')
    else:
        with pytest.raises(SetupError, match=re.escape("tf-keras %s does not match TensorFlow 2.21.1: "
                                                       "pip install 'tf-keras==2.21.*'" % found)):
            tf_setup._check_tf_keras('2.21.1')
