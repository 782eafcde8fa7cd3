"""Data preparation speed on the full IMDb data: the project against the slides' own loops.

    python bench/bench_data.py --data ../shared/data/aclImdb_v1_labeled.tar.gz

Prints seconds to build movie_data.csv from the tarball, seconds for the
preprocessing (word counts, word ids, fixed-length sequences), the same for the
slides' loops run in this process, the ratios, and peak memory of each way
(measured in child processes of their own). Checks that both ways give identical
results.
"""
import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'tests'))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import data_utils  # noqa: E402
from beyond_slides import datasets  # noqa: E402
from bench_train import peak_rss_mb  # noqa: E402
from slides_reference import slides_count_and_map, slides_sequences  # noqa: E402


def book_movie_csv(tarball, out_csv):
    """The book's way: extract the tarball, read the files one by one, permute, write the CSV."""
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(tarball, 'r:gz') as tar:
            tar.extractall(tmp, filter='data')
        basepath = os.path.join(tmp, 'aclImdb')
        labels = {'pos': 1, 'neg': 0}
        rows = []
        for s in ('test', 'train'):
            for l in ('pos', 'neg'):
                path = os.path.join(basepath, s, l)
                for file in sorted(os.listdir(path)):
                    with open(os.path.join(path, file), 'r', encoding='utf-8') as infile:
                        txt = infile.read()
                    rows.append([txt, labels[l]])
        df = pd.DataFrame(rows, columns=['review', 'sentiment'])
        np.random.seed(0)
        df = df.reindex(np.random.permutation(df.index))
        df.to_csv(out_csv, index=False, encoding='utf-8')


def project_movie_csv(tarball, out_csv):
    datasets.build_movie_data(tarball).to_csv(out_csv, index=False, encoding='utf-8')


def slides_preprocess(reviews):
    word_to_int, mapped = slides_count_and_map(reviews)
    return word_to_int, slides_sequences(mapped)


def project_preprocess(reviews):
    word_to_int, mapped = data_utils.preprocess_reviews(reviews)
    return word_to_int, data_utils.make_sequences(mapped)


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', required=True, help='aclImdb tarball')
    p.add_argument('--memory-of', choices=['slides', 'project'], help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.memory_of:  # child process: one way, start to end, then print the peak RSS in MB
        with tempfile.TemporaryDirectory() as tmp:
            csv = os.path.join(tmp, 'movie_data.csv')
            (book_movie_csv if args.memory_of == 'slides' else project_movie_csv)(args.data, csv)
            reviews = pd.read_csv(csv, encoding='utf-8')['review']
            (slides_preprocess if args.memory_of == 'slides' else project_preprocess)(reviews)
        print(peak_rss_mb())
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        t_csv = {}
        for way, fn in (('slides', book_movie_csv), ('project', project_movie_csv)):
            t_csv[way], _ = timed(fn, args.data, os.path.join(tmp, way + '.csv'))
        with open(os.path.join(tmp, 'slides.csv'), 'rb') as a, open(os.path.join(tmp, 'project.csv'), 'rb') as b:
            assert a.read() == b.read(), 'movie_data.csv differs'
        reviews = pd.read_csv(os.path.join(tmp, 'project.csv'), encoding='utf-8')['review']

    t_pre = {}
    t_pre['slides'], (w_slides, seq_slides) = timed(slides_preprocess, reviews)
    t_pre['project'], (w_project, seq_project) = timed(project_preprocess, reviews)
    assert list(w_slides.items()) == list(w_project.items()), 'word_to_int differs'
    assert np.array_equal(seq_slides, seq_project), 'sequences differ'

    mem = {}
    for way in ('slides', 'project'):
        out = subprocess.run([sys.executable, os.path.abspath(__file__), '--data', args.data,
                              '--memory-of', way], capture_output=True, text=True, check=True)
        mem[way] = float(out.stdout.strip().splitlines()[-1])

    print('%d reviews, %d words; results identical (movie_data.csv byte for byte, word ids, sequences)'
          % (len(reviews), len(w_project) + 1))
    print('%-44s %9s %9s %7s' % ('', 'slides', 'project', 'ratio'))
    print('%-44s %9.1f %9.1f %7.2f' % ('build movie_data.csv from the tarball (s)',
                                       t_csv['slides'], t_csv['project'], t_csv['project'] / t_csv['slides']))
    print('%-44s %9.1f %9.1f %7.2f' % ('counts, word ids, sequences (s)',
                                       t_pre['slides'], t_pre['project'], t_pre['project'] / t_pre['slides']))
    print('%-44s %9.0f %9.0f %7.2f' % ('peak memory, whole preparation (MB)',
                                       mem['slides'], mem['project'], mem['project'] / mem['slides']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
