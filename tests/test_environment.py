"""Settings and installs that cannot run the slides' TensorFlow 1.x code give one line naming the fix."""
import importlib.metadata

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
