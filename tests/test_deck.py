"""The lecture's slide deck (beyond_slides/deck.py): its rules on small notebooks worked by hand, the
committed notebook's slide tags current, and the deck of the committed (executed) notebook opened in
a real headless Chromium: one slide per title of docs/slides.md's list, every image loaded, no
console error, no request that leaves the file system, pages that are not blank."""
import html
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, skip_or_fail_in_ci

from beyond_slides import deck
from beyond_slides.settings import LECTURE_NOTEBOOK

sys.path.insert(0, os.path.join(ROOT, 'notebooks'))
import lecture_cells  # noqa: E402

CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')


def md(text, **meta):
    return {'cell_type': 'markdown', 'source': text.splitlines(True), 'metadata': meta}


def code(text, outputs=(), **meta):
    return {'cell_type': 'code', 'source': text.splitlines(True), 'metadata': meta, 'outputs': list(outputs),
            'execution_count': 1}


def printed(text):
    return {'output_type': 'stream', 'name': 'stdout', 'text': text}


PNG = {'output_type': 'display_data', 'data': {'image/png': 'iVBORw0KGgo=', 'text/plain': '<Figure>'},
       'metadata': {}}


def small_notebook():
    """A lecture of three slides, the second shown in parts (2), worked by hand below."""
    return {'cells': [
        md('# Title'),
        code('import os', tags=['notebook-only']),
        md('## Theory\n\nText.'),
        code('draw()', [PNG], tags=['plot']),
        md('After the figure.'),
        md('**Pitfall: one.** Text.'),
        code('helper()', [printed('42 things\n')]),
        md('## Method\n\nIntro.\n- **(1/2)** First part.\n- **(2/2)** Second part.'),
        code('def method(self):\n    a = 1\n    ## Second\n    b = 2', lecture='m.py:C.method'),
        code('x = method(1)\nprint(x)', [printed('1\n')], tags=['figures']),
        md('# Beyond the slides'),
    ]}


TITLES = ['Title', 'Theory', 'Method (1/2)', 'Method (2/2)']
PARTS = {'m.py:C.method': ('## Second',)}


def test_the_slide_list_is_read_from_docs_slides_md(tmp_path):
    titles = deck.slide_titles()
    assert titles[0] == 'Modeling Sequential Data Using Recurrent Neural Networks'
    assert titles[-1] == 'CharRNN Model in Sampling Mode' and len(titles) == len(set(titles)) == 57
    page = tmp_path / 'slides.md'
    page.write_text('# S\n\n%s\n\n1. One\n2. `Two()`\n\n## Next\n\n3. Not a slide\n' % deck.SLIDE_LIST_HEADING)
    assert deck.slide_titles(str(page)) == ['One', 'Two()']
    page.write_text('# S\n\n## The deck\n\n1. One\n')
    with pytest.raises(ValueError, match='has no section'):
        deck.slide_titles(str(page))


def test_a_cells_source_is_one_string_as_the_file_or_nbformat_hold_it():
    assert deck.source({'source': ['a = 1\n', 'b = 2']}) == deck.source({'source': 'a = 1\nb = 2'}) == 'a = 1\nb = 2'
    assert deck.source({'cell_type': 'code'}) == ''  # a damaged notebook handed in to the grader


def test_a_heading_stands_for_its_slide_or_its_numbered_parts():
    titles = ['A', 'B (1/2)', 'B (2/2)', 'C (1/3)', 'C (3/3)']
    assert [deck.parts_of(t, titles) for t in ('A', 'B', 'C', 'D', 'B (1/2)')] == [1, 2, 0, 0, 1]


def test_slide_tags_follow_the_rules():
    tags = deck.slide_tags(small_notebook()['cells'], TITLES)
    assert tags == [('slide', False), ('skip', False), ('slide', False), ('subslide', True),
                    ('subslide', False), ('subslide', False), ('-', True), ('slide', False), ('subslide', False),
                    ('-', False), ('subslide', False)]


def test_applied_tags_are_current_and_a_changed_one_is_stale():
    nb = deck.apply_slide_tags(small_notebook(), TITLES)
    assert deck.stale_slide_tags(nb, TITLES) == []
    assert nb['cells'][3]['metadata']['tags'] == ['plot', 'remove_input']
    assert 'tags' not in nb['cells'][4]['metadata']
    nb['cells'][6]['metadata']['tags'] = []  # remove_input lost
    nb['cells'][0]['metadata']['slideshow'] = {'slide_type': 'subslide'}
    assert deck.stale_slide_tags(nb, TITLES) == ['# Title', 'helper()']


def test_tags_in_another_order_than_apply_writes_them_are_stale():
    nb = deck.apply_slide_tags(small_notebook(), TITLES)
    nb['cells'][3]['metadata']['tags'] = ['remove_input', 'plot']   # apply writes ['plot', 'remove_input']
    assert deck.stale_slide_tags(nb, TITLES) == ['draw()']


def test_the_committed_notebooks_slide_tags_are_current():
    with open(LECTURE_NOTEBOOK, encoding='utf-8') as f:
        nb = json.load(f)
    assert deck.stale_slide_tags(nb, deck.slide_titles()) == [], 'run python notebooks/lecture_cells.py'


def test_a_method_is_cut_at_the_slides_part_lines():
    source = 'def f(self):\n    a = 1\n    ## Two\n    b = 2\n    # three\n    c = 3'
    assert deck.split_code(source, ('## Two', '# three')) == ['def f(self):\n    a = 1', '## Two\nb = 2', '# three\nc = 3']
    with pytest.raises(ValueError, match="'## Four' is not in the code"):
        deck.split_code(source, ('## Two', '## Four'))
    with pytest.raises(ValueError, match="'## Two' is not in the code"):  # parts in the slides' order only
        deck.split_code(source, ('# three', '## Two'))
    for spec, markers in deck.PARTS.items():  # every part line stands in the lecture file's method
        assert len(deck.split_code(lecture_cells.cell_source(spec), markers)) == len(markers) + 1


def words(blocks):
    """The text of HTML blocks, as a reader sees it."""
    return html.unescape(re.sub(r'<[^>]+>', '', ''.join(blocks)))


def test_the_small_deck_has_its_slides_pages_and_nothing_hidden():
    nb = deck.apply_slide_tags(small_notebook(), TITLES)
    slides = deck.slides_of(nb, TITLES, PARTS)
    assert [s.title for s in slides] == TITLES
    assert [len(s.pages) for s in slides] == [1, 4, 1, 2]
    theory = slides[1].pages
    assert 'data:image/png;base64,iVBORw0KGgo=' in theory[1][0] and 'draw()' not in words(theory[1])
    assert 'After the figure' in theory[2][0] and 'Pitfall' in theory[3][0] and '42 things' in theory[3][1]
    assert 'helper' not in words(theory[3])
    first, second = words(slides[2].pages[0]), words(slides[3].pages[0])
    assert 'Intro.' in first and 'First part.' in first and 'a = 1' in first and 'b = 2' not in first
    assert 'Second part.' in second and 'b = 2' in second and 'a = 1' not in second and 'print(x)' in second
    assert '<h3>Beyond the slides</h3>' in slides[3].pages[1][0]
    assert 'import os' not in deck.build_deck(nb, TITLES, PARTS)


def test_a_deck_whose_slides_are_not_the_list_names_what_differs():
    nb = deck.apply_slide_tags(small_notebook(), TITLES)
    with pytest.raises(ValueError, match=r"missing \['Extra'\]"):
        deck.slides_of(nb, TITLES + ['Extra'], PARTS)
    nb['cells'][7]['source'] = ['## Method\n\n- **(1/2)** only one part']
    with pytest.raises(ValueError, match=r'expected 2 bullets "\(k/2\)", found 1'):
        deck.slides_of(nb, TITLES, PARTS)


def test_links_become_text_so_that_the_deck_points_nowhere():
    out = deck.markdown_html('See [the book](https://example.org/ch16.py) and <https://example.org/x>.')
    assert 'href' not in out and 'the book <span class="address">(https://example.org/ch16.py)</span>' in out


def test_printed_text_is_shown_as_a_terminal_shows_it():
    assert deck.printed_text('\x1b[31mred\x1b[0m\n10%\r50%\r100%\ndone') == 'red\n100%\ndone'


def test_a_cells_prints_stand_in_one_box_between_its_figures():
    cell = code('f()', [printed('a\n'), printed('b\n'), PNG, printed('c'), {
        'output_type': 'execute_result', 'data': {'text/plain': '42'}, 'metadata': {}, 'execution_count': 1}])
    cell['outputs'].insert(1, {'output_type': 'stream', 'name': 'stderr', 'text': 'TensorFlow on CPU\n'})
    blocks = deck.outputs_html(cell)
    assert [b[:4] for b in blocks] == ['<pre', '<img', '<pre']  # stderr (TensorFlow's notes) left out
    assert words(blocks[0]) == 'a\nb' and words(blocks[2]) == 'c42'


# ---------------------------------------------------------------------------
# The deck of the committed notebook, in a browser
# ---------------------------------------------------------------------------

@pytest.fixture(scope='module')
def deck_file(tmp_path_factory):
    """The deck of the committed notebook, written by the command a lecturer runs."""
    out = str(tmp_path_factory.mktemp('deck') / 'deck.html')
    run = subprocess.run([sys.executable, '-m', 'beyond_slides.deck', '--out', out], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith('wrote %s: %d slides' % (out, len(deck.slide_titles())))
    return out


def test_the_command_refuses_a_notebook_it_cannot_read_and_writes_nothing(tmp_path):
    out = tmp_path / 'deck.html'
    out.write_text('the deck of yesterday')
    broken = tmp_path / 'broken.ipynb'
    broken.write_text('{"cells": [')
    for notebook in (str(broken), str(tmp_path / 'missing.ipynb')):
        run = subprocess.run([sys.executable, '-m', 'beyond_slides.deck', '--notebook', notebook, '--out', str(out)],
                             cwd=ROOT, capture_output=True, text=True)
        assert run.returncode == 2 and run.stderr.startswith('error: ') and len(run.stderr.splitlines()) == 1
        assert out.read_text() == 'the deck of yesterday'


def deck_sections(text):
    """{slide title: its HTML} of a deck."""
    parts = text.split('<section class="slide" data-title="')[1:]
    return {html.unescape(p.split('"', 1)[0]): p for p in parts}


def test_each_figure_and_each_slide_code_stands_on_its_slide(deck_file):
    with open(LECTURE_NOTEBOOK, encoding='utf-8') as f:
        nb = json.load(f)
    with open(deck_file, encoding='utf-8') as f:
        sections = deck_sections(f.read())
    assert list(sections) == deck.slide_titles()
    slide, n_images = None, 0
    for cell in nb['cells']:
        title = deck.heading(cell)
        if cell['metadata'].get('slideshow', {}).get('slide_type') == 'slide':
            slide = title if title in sections else title + ' (1/'
        for out in cell.get('outputs', []):
            if 'image/png' in out.get('data', {}):
                n_images += 1
                png = ''.join(out['data']['image/png']).replace('\n', '')
                home = [t for t, s in sections.items() if png in s]
                assert len(home) == 1 and home[0].startswith(slide), (deck.source(cell)[:50], home, slide)
    assert n_images >= 8
    text = words(sections.values())
    for cell, spec in lecture_cells.lecture_cells(nb):  # the slides' code, every line of it
        for line in deck.source(cell).splitlines():
            assert line.startswith('@add_to_class(') or line.strip() in text, (spec, line)
    assert '@add_to_class(SentimentRNN)' not in text  # the notebook's way to put a method into its class
    build = words(sections['SentimentRNN: build() (2/4)'])
    assert '## Define LSTM cell and stack them together' in build and 'Define the placeholders' not in build
    assert 'FULL = False' not in text and 'clock.report' not in text  # the settings and the clock: hidden


@pytest.fixture(scope='module')
def browser():
    if not CHROMIUM:
        skip_or_fail_in_ci('no chromium on this machine (Debian: apt-get install chromium)')
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail_in_ci('playwright is not installed (pip install -e ".[test]")')
    with sync_playwright() as p:
        # The flags keep Chromium from calling home at start (no network here, and none needed).
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
            '--disable-sync', '--no-first-run', '--disable-quic'])
        yield b
        b.close()


def not_blank(png_path):
    """The share of a screenshot's pixels that differ from its commonest colour (its background)."""
    import matplotlib.image
    import numpy as np
    pixels = (matplotlib.image.imread(png_path)[:, :, :3] * 255).astype(int)
    flat = pixels.reshape(-1, 3) @ np.array([65536, 256, 1])
    values, counts = np.unique(flat, return_counts=True)
    return 1 - counts.max() / flat.size


def test_the_deck_steps_through_every_slide_offline_in_chromium(deck_file, browser, tmp_path):
    titles = deck.slide_titles()
    page = browser.new_page(viewport={'width': 1280, 'height': 720})
    errors, requests = [], []
    page.on('console', lambda m: errors.append(m.text) if m.type == 'error' else None)
    page.on('pageerror', lambda e: errors.append(str(e)))
    page.on('request', lambda r: requests.append(r.url))
    page.goto('file://' + deck_file)
    seen, shots = [], {}
    # (slide, a text of the page, its element to check): a theory figure, a code slide, the LSTM diagram
    wanted = {('Gradient Problems', 'singular values 0.5', 'img'): 'theory',
              ('SentimentRNN: build() (1/4)', 'Define the placeholders', 'pre'): 'code',
              ('LSTM Units', 'over [x, h] of', 'img'): 'lstm'}
    shrunk = {}
    for _ in range(400):
        where = page.evaluate('[+document.body.dataset.slide, +document.body.dataset.page]')
        if seen and where == seen[-1]:
            break  # the last page: the key moves no further
        seen.append(where)
        assert page.evaluate('deck.overflow()') <= 1, where  # nothing cut off below the slide
        shrunk[tuple(where)] = page.evaluate('deck.zoom()')
        title = page.evaluate("document.querySelector('.slide.present').dataset.title")
        shown = page.evaluate("document.querySelector('.page.present').innerHTML")
        for (slide, text, element), name in wanted.items():
            if title == slide and name not in shots and text in shown and '<' + element in shown:
                page.screenshot(path=str(tmp_path / (name + '.png')))  # the slide, as the class sees it
                shots[name] = str(tmp_path / (name + '-content.png'))  # its figure or code, checked below
                page.locator('.page.present %s' % element).first.screenshot(path=shots[name])
        page.keyboard.press('ArrowRight')
    visited = sorted({h for h, _ in seen})
    assert visited == list(range(len(titles)))
    assert [page.evaluate("document.querySelectorAll('.slide')[%d].dataset.title" % h) for h in visited] == titles
    n_pages = page.evaluate("document.querySelectorAll('.page').length")
    assert len(seen) == n_pages == len(set(map(tuple, seen))), (len(seen), n_pages)  # every page once, in order
    assert min(shrunk.values()) >= 0.7, min(shrunk.items(), key=lambda kv: kv[1])  # still readable in a hall
    page.keyboard.press('ArrowLeft')
    assert page.evaluate('[+document.body.dataset.slide, +document.body.dataset.page]') == seen[-2]
    for key in ('2', '3', 'Enter'):  # slide 23 by its number, as the counter and the lesson plan count
        page.keyboard.press(key)
    assert page.evaluate('[+document.body.dataset.slide, +document.body.dataset.page, location.hash]') == [22, 0, '#/23/1']
    assert page.evaluate("document.querySelector('#counter').textContent").startswith('23 / %d' % len(titles))
    images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
    assert len(images) >= 8 and all(done and width > 0 for done, width in images)
    assert errors == []
    assert requests and all(url.startswith('file://') or url.startswith('data:') for url in requests)
    assert set(shots) == set(wanted.values()), shots
    for name, path in shots.items():
        assert not_blank(path) > 0.02, name  # a white figure or an empty code box: under 0.005


def test_nothing_in_the_deck_points_outside_the_machine(deck_file):
    with open(deck_file, encoding='utf-8') as f:
        text = f.read()
    assert re.findall(r'(?:src|href)\s*=\s*["\']?(?!data:)[^"\'\s>]+', text) == []
    assert re.findall(r'@import|url\((?!data:)', text) == []


def test_the_lesson_plans_times_are_the_measured_ones():
    """Every "Section: N s" of docs/lesson_plan.md is the section clock's time in docs/results.md."""
    with open(os.path.join(ROOT, 'docs', 'results.md'), encoding='utf-8') as f:
        results = f.read().split('## The lecture notebook by section', 1)[1].split('\n## ', 1)[0]
    measured = dict(re.findall(r'^(\S.*?)\s{2,}([\d.]+) s$', results, re.M))
    with open(os.path.join(ROOT, 'docs', 'lesson_plan.md'), encoding='utf-8') as f:
        plan = f.read()
    cited = re.findall(r'(?:^|[|;(] ?|, )([A-Z][^|;:()]*?|get_top_char\(\)): ([\d.]+) s', plan, re.M)
    assert len(cited) >= 8
    for section, seconds in cited:
        assert measured.get(section.strip()) == seconds, (section, seconds, measured.get(section.strip()))
    assert float(measured['total']) > 0
