"""The lecture as a slide deck (not on the slides): one HTML file, made from the executed lecture
notebook, that opens from the file system with no network (docs/slides.md, "The deck").

    python -m beyond_slides.deck                 # notebooks/rnn_lecture.ipynb -> rnn_lecture_deck.html
    python -m beyond_slides.deck --notebook my_run.ipynb --out deck.html

slide_tags() gives each cell its slideshow metadata (notebooks/lecture_cells.py writes them into the
notebook, where Jupyter's slideshow tools read them too); build_deck() makes the HTML from them.
"""
import argparse
import copy
import html
import os
import re
import sys

from beyond_slides.settings import LECTURE_NOTEBOOK, REPO

SLIDE_LIST = os.path.join(REPO, 'docs', 'slides.md')
SLIDE_LIST_HEADING = '## The deck: the lecture\'s slides in order'

# Cell tags (CONTRIBUTING.md, "Cell tags"); remove_input is nbconvert's name for output without code.
NOTEBOOK_ONLY, REMOVE_INPUT = 'notebook-only', 'remove_input'

# The methods the slides show in parts: the first line of each part after the first, as the
# slides' own comments (or first statements) begin them.
PARTS = {
    'sentiment_rnn.py:SentimentRNN.build': ('## Define LSTM cell and stack them together',
                                            '## Apply a FC layer after on top of RNN output:',
                                            '## Define the cost function'),
    'char_rnn.py:CharRNN.build': ('### Build the multi-layer RNN cells', 'logits = tf.layers.dense(',
                                  '# Gradient clipping to avoid "exploding gradients"'),
    'char_rnn.py:CharRNN.train': ('# Train network', '## Save the trained model'),
    'char_rnn.py:CharRNN.sample': ('## 2: run the model using the updated observed_seq',),
}
PART = re.compile(r'^(.*) \((\d+)/(\d+)\)$')  # "SentimentRNN: build() (2/4)"


def slide_titles(path=SLIDE_LIST):
    """The lecture's slide titles in order: the numbered list under SLIDE_LIST_HEADING."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    if SLIDE_LIST_HEADING not in text:
        raise ValueError('%s has no section %r' % (path, SLIDE_LIST_HEADING))
    section = text.split(SLIDE_LIST_HEADING, 1)[1].split('\n## ', 1)[0]
    return [m.group(1).strip().strip('`') for m in re.finditer(r'^\d+\. (.+)$', section, re.M)]


def source(cell):
    """A cell's source as one string (a list of lines in the file, one string once nbformat read it)."""
    text = cell.get('source', '')
    return ''.join(text) if isinstance(text, list) else str(text)


def tags(cell):
    return cell.get('metadata', {}).get('tags', [])


def heading(cell):
    """The title of a markdown cell that starts with a heading, else None."""
    text = source(cell)
    if cell['cell_type'] != 'markdown' or not text.startswith('#'):
        return None
    return text.splitlines()[0].lstrip('#').strip()  # pragma: no mutate: lstrip('XX#XX') also strips X, which never follows the # of a Markdown heading (a space does)


def parts_of(title, titles):
    """How many slides of titles the notebook's heading title stands for: 1 for a title of its own,
    n for "title (1/n)" ... "title (n/n)", 0 for a heading that is not a slide."""
    if title in titles:
        return 1
    found = [PART.match(t) for t in titles if t.startswith(title + ' (')]
    n = len(found)
    if n and all(m and m.group(1) == title and int(m.group(3)) == n for m in found):
        return n
    return 0


def slide_tags(cells, titles):
    """[(slide_type, remove_input)] for each cell, by the rules of CONTRIBUTING.md's "Cell tags":
    a heading that is a slide title begins a slide, another heading, a figure, a cell of the slides'
    code (metadata 'lecture'), a pitfall box or the text after a figure a page (sub-slide)."""
    result, after_figure = [], False
    for cell in cells:
        title, cell_tags = heading(cell), tags(cell)
        if NOTEBOOK_ONLY in cell_tags:
            result.append(('skip', False))
            continue
        if title is not None:
            result.append(('slide' if parts_of(title, titles) else 'subslide', False))
        elif cell['cell_type'] == 'markdown':
            new_page = after_figure or source(cell).startswith('**Pitfall')
            result.append(('subslide' if new_page else '-', False))
        elif 'plot' in cell_tags:
            result.append(('subslide', True))
        elif 'lecture' in cell.get('metadata', {}):
            result.append(('subslide', False))
        else:
            result.append(('-', not {'figures', 'slide-code'} & set(cell_tags)))
        after_figure = 'plot' in cell_tags
    return result


def apply_slide_tags(nb, titles):
    """Write slide_tags() into the cells' metadata (nb: the notebook's JSON); returns nb."""
    for cell, (slide_type, remove_input) in zip(nb['cells'], slide_tags(nb['cells'], titles)):
        meta = cell.setdefault('metadata', {})
        meta['slideshow'] = {'slide_type': slide_type}
        kept = [t for t in tags(cell) if t != REMOVE_INPUT] + ([REMOVE_INPUT] if remove_input else [])
        if kept:
            meta['tags'] = kept
        else:
            meta.pop('tags', None)
    return nb


def stale_slide_tags(nb, titles):
    """The first lines of the cells whose metadata apply_slide_tags() would change."""
    applied = apply_slide_tags(copy.deepcopy(nb), titles)
    return [source(cell).split('\n', 1)[0][:60] for cell, new in zip(nb['cells'], applied['cells'])
            if cell.get('metadata', {}) != new['metadata']]


# The deck: slides of pages, read from the tags.

class Slide(object):
    def __init__(self, title):
        self.title, self.pages = title, [[]]  # pages: [[html block]]

    def add(self, block, new_page=False):
        if new_page and self.pages[-1]:
            self.pages.append([])
        self.pages[-1].append(block)


def split_code(code, markers):
    """code cut before each marker line (its first line that starts with the marker, indented or not):
    len(markers) + 1 pieces, dedented as the slides show them."""
    import textwrap
    lines, cuts = code.splitlines(), []
    for marker in markers:
        at = next((i for i, line in enumerate(lines) if line.strip().startswith(marker)
                   and (not cuts or i > cuts[-1])), None)
        if at is None:
            raise ValueError('the slides\' part line %r is not in the code' % marker)
        cuts.append(at)
    bounds = [0] + cuts + [len(lines)]
    return [textwrap.dedent('\n'.join(lines[a:b])).strip('\n') for a, b in zip(bounds, bounds[1:])]


def split_bullets(markdown, n):
    """(the text before the first "(k/n)" bullet, [the bullet of each part]) of a heading cell's text."""
    pieces = re.split(r'^- \*\*\(\d+/%d\)\*\* ' % n, markdown, flags=re.M)
    if len(pieces) != n + 1:
        raise ValueError('expected %d bullets "(k/%d)", found %d' % (n, n, len(pieces) - 1))
    return pieces[0], pieces[1:]


def slides_of(nb, titles, parts=PARTS):
    """[Slide] of the notebook, by its cells' slideshow tags; checks them against titles.
    parts: {a slide-code cell's spec: its part lines}, for the slides shown in parts."""
    slides, pending = [], None  # pending: (title, n, bullets) of a slide shown in parts, until its code
    for cell in nb['cells']:
        meta = cell.get('metadata', {})
        slide_type = meta.get('slideshow', {}).get('slide_type', '-')
        if slide_type in ('skip', 'notes'):
            continue
        if slide_type == 'slide':
            title = heading(cell)
            n = parts_of(title, titles) if title else 0
            if n == 0:
                raise ValueError('a cell begins a slide but is no slide title of %s: %r'
                                 % (SLIDE_LIST, source(cell)[:60]))
            intro, bullets = split_bullets(body_of(cell), n) if n > 1 else (body_of(cell), None)
            slides.append(Slide(title if n == 1 else '%s (1/%d)' % (title, n)))
            slides[-1].add(markdown_html(intro))
            if n > 1:
                pending = (title, n, bullets)
        elif not slides:
            raise ValueError('a cell comes before the first slide: %r' % source(cell)[:60])
        elif pending and meta.get('lecture') in parts:
            add_parts(slides, pending, cell, parts[meta['lecture']])
            pending = None
        else:
            for i, block in enumerate(cell_blocks(cell)):
                slides[-1].add(block, new_page=(slide_type == 'subslide' and i == 0))
    if pending:
        raise ValueError('%s is shown in parts, but no cell of its code follows' % pending[0])
    got = [s.title for s in slides]
    if got != titles:
        missing = [t for t in titles if t not in got]
        extra = [t for t in got if t not in titles]
        raise ValueError('the deck\'s slides are not the lecture\'s slides of %s: missing %s, not listed %s, '
                         'or another order; run python notebooks/lecture_cells.py' % (SLIDE_LIST, missing, extra))
    return slides


def add_parts(slides, pending, cell, markers):
    """A slide shown in parts: its code cell cut at markers, each part after its bullet, the first on
    the slide its heading began, each other on a slide of its own."""
    title, n, bullets = pending
    pieces = split_code(source(cell), markers)
    if len(pieces) != n:
        raise ValueError('%s is cut in %d parts; the slides have %d' % (cell['metadata']['lecture'], len(pieces), n))
    for k, (bullet, piece) in enumerate(zip(bullets, pieces), 1):
        if k > 1:
            slides.append(Slide('%s (%d/%d)' % (title, k, n)))
        slides[-1].add(markdown_html(bullet) + code_html(piece))


def cell_blocks(cell):
    """The HTML blocks a cell adds to its slide: a heading's title and text, a markdown cell's text,
    a code cell's code (unless remove_input) and outputs."""
    title = heading(cell)
    if title is not None:
        return ['<h3>%s</h3>' % html.escape(title) + markdown_html(body_of(cell))]
    if cell['cell_type'] == 'markdown':
        return [markdown_html(source(cell))]
    return ([] if REMOVE_INPUT in tags(cell) else [code_html(source(cell))]) + outputs_html(cell)


def body_of(cell):
    """A heading cell's text without its heading line."""
    return source(cell).partition('\n')[2]


def markdown_html(text):
    """The markdown as HTML; links become their text and address, so that the deck links nowhere."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune
    out = markdown2html_mistune(text)
    return re.sub(r'<a\s[^>]*href="([^"]*)"[^>]*>(.*?)</a>', _unlink, out, flags=re.S)


def _unlink(match):
    href, text = match.group(1), match.group(2)
    return text if html.unescape(href) in html.unescape(re.sub('<[^>]+>', '', text)) else \
        '%s <span class="address">(%s)</span>' % (text, href)


def code_html(code):
    """The code, coloured; without the notebook's `@add_to_class(...)` line, which only puts a method
    cell into its class (the slides show the method)."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer
    code = re.sub(r'^@add_to_class\(\w+\)\n', '', code)
    return highlight(code, PythonLexer(), HtmlFormatter())


ANSI = re.compile(r'\x1b\[[0-9;]*[A-Za-z]')


def printed_text(text):
    """Printed text as a terminal shows it: colours dropped, a line rewritten by '\\r' shown last."""
    return '\n'.join(line.rsplit('\r', 1)[-1] for line in ANSI.sub('', text).split('\n'))


def outputs_html(cell):
    """A code cell's outputs as HTML blocks: its figures, and what it printed in one box between two
    figures (a cell's prints arrive as many pieces)."""
    blocks, printed = [], []

    def end_of_print():
        text = printed_text(''.join(printed)).strip('\n')
        if text.strip():
            blocks.append('<pre class="output">%s</pre>' % html.escape(text))
        del printed[:]

    for out in cell.get('outputs', []):
        data = out.get('data', {})
        if 'image/png' in data:
            end_of_print()
            png = ''.join(data['image/png']).replace('\n', '')
            blocks.append('<img alt="figure" src="data:image/png;base64,%s">' % png)
        elif out['output_type'] == 'stream' and out.get('name') != 'stderr':  # stderr: TensorFlow's notes
            printed.append(''.join(out['text']))
        elif 'text/plain' in data:
            printed.append(''.join(data['text/plain']) + '\n')
        elif out['output_type'] == 'error':
            end_of_print()
            blocks.append('<pre class="output error">%s</pre>'
                          % html.escape(printed_text('\n'.join(out.get('traceback', [])))))
    end_of_print()
    return blocks


def build_deck(nb, titles, parts=PARTS):
    """The deck's HTML (nb: the executed notebook's JSON; titles and parts: as slides_of's)."""
    from pygments.formatters import HtmlFormatter
    slides = slides_of(nb, titles, parts)
    sections = []
    for slide in slides:
        pages = []
        for v, page in enumerate(slide.pages):
            title = '<h2>%s</h2>' % html.escape(slide.title) if v == 0 else \
                '<h2 class="more">%s <span>continued</span></h2>' % html.escape(slide.title)
            kind = ' title-only' if not ''.join(page).strip() else ''  # a section's title slide
            pages.append('<section class="page%s"><div class="content">%s%s</div></section>'
                         % (kind, title, '\n'.join(page)))
        sections.append('<section class="slide" data-title="%s">\n%s\n</section>'
                        % (html.escape(slide.title, quote=True), '\n'.join(pages)))
    return TEMPLATE % {'title': html.escape(slides[0].title), 'style': STYLE,
                       'code_style': HtmlFormatter().get_style_defs('.highlight'),
                       'slides': '\n'.join(sections), 'script': SCRIPT}


STYLE = """
html, body { margin: 0; height: 100%; background: #222; overflow: hidden; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
#stage { position: absolute; left: 50%; top: 50%; width: 1280px; height: 720px; background: #fff;
         transform-origin: 0 0; }
.slide, .page { display: none; }
.slide.present, .page.present { display: block; }
.page { position: absolute; inset: 0; padding: 28px 48px 40px; overflow: hidden; box-sizing: border-box;
        font-size: 24px; line-height: 1.35; color: #111; }
h2 { margin: 0 0 14px; font-size: 38px; color: #1a4a7a; }
h2.more { font-size: 28px; } h2.more span { color: #888; font-weight: normal; font-size: 20px; }
.title-only h2 { margin-top: 260px; text-align: center; font-size: 48px; }
h3 { margin: 8px 0; font-size: 28px; color: #1a4a7a; }
p, li { margin: 6px 0; }
code { font-size: 0.9em; background: #f2f2f2; padding: 0 3px; }
.highlight pre, pre.output { font-size: 16px; line-height: 1.3; margin: 8px 0; padding: 8px 12px; overflow-x: auto; }
.highlight pre { background: #f6f8fa; border-left: 4px solid #1a4a7a; }
pre.output { white-space: pre-wrap; background: #fff; border-left: 4px solid #bbb; }
pre.error { border-left-color: #c00; }
/* figures drawn at 8 inches (about 800 px) fill the slide's width, as far as its height allows */
img { display: block; margin: 6px auto; width: min(1000px, 100%); height: auto; max-height: 540px;
      object-fit: contain; }
.address { color: #666; font-size: 0.8em; }
#counter { position: absolute; right: 16px; bottom: 8px; color: #555; font-size: 16px; }
#blank { display: none; position: fixed; inset: 0; background: #000; }
body.blank #blank { display: block; }
"""

SCRIPT = """
(function () {
  // The deck's keys: next (right, down, space, page down, n), previous (left, up, page up, p),
  // first and last slide (Home, End), slide N (its number, then Enter), full screen (f), a black
  // screen (b). The address ends in #/slide/page (from 1), so that a reload stays where it was.
  var slides = Array.prototype.slice.call(document.querySelectorAll('.slide'));
  var stage = document.getElementById('stage'), counter = document.getElementById('counter');
  var at = {h: 0, v: 0}, typed = '';
  function pages(h) { return slides[h].querySelectorAll('.page'); }
  function scale(page) { return page.getBoundingClientRect().height / page.offsetHeight; }  // the stage's
  function overflow(page) {
    // How much taller than its room the page's content is, in the slide's pixels (0: it fits).
    var style = getComputedStyle(page);
    var room = page.offsetHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    return Math.max(0, page.querySelector('.content').getBoundingClientRect().height / scale(page) - room);
  }
  function fitPage(page) {
    // A page taller than the slide is shrunk to fit (never below half size): nothing is cut off.
    var content = page.querySelector('.content'), zoom = 1;
    content.style.zoom = 1;
    for (var i = 0; i < 4 && overflow(page) > 1 && zoom > 0.5; i++) {
      var needed = content.getBoundingClientRect().height / scale(page);
      zoom = Math.max(0.5, zoom * (needed - overflow(page)) / needed);
      content.style.zoom = zoom;
    }
  }
  window.deck = {overflow: function () { return overflow(pages(at.h)[at.v]); },
                 zoom: function () { return +(pages(at.h)[at.v].querySelector('.content').style.zoom || 1); }};
  function show(h, v) {
    h = Math.max(0, Math.min(slides.length - 1, h));
    v = Math.max(0, Math.min(pages(h).length - 1, v));
    slides.forEach(function (s, i) { s.classList.toggle('present', i === h); });
    Array.prototype.forEach.call(document.querySelectorAll('.page.present'), function (p) { p.classList.remove('present'); });
    pages(h)[v].classList.add('present');
    fitPage(pages(h)[v]);
    at = {h: h, v: v};
    document.body.dataset.slide = h; document.body.dataset.page = v;
    counter.textContent = (h + 1) + ' / ' + slides.length + (pages(h).length > 1 ? ' \u00b7 page ' + (v + 1) + ' of ' + pages(h).length : '');
    var hash = '#/' + (h + 1) + '/' + (v + 1);
    if (location.hash !== hash) { history.replaceState(null, '', hash); }
  }
  function next() {
    if (at.v + 1 < pages(at.h).length) { show(at.h, at.v + 1); } else if (at.h + 1 < slides.length) { show(at.h + 1, 0); }
  }
  function previous() { if (at.v > 0) { show(at.h, at.v - 1); } else if (at.h > 0) { show(at.h - 1, pages(at.h - 1).length - 1); } }
  function scaleStage() {
    var s = Math.min(window.innerWidth / 1280, window.innerHeight / 720);
    stage.style.transform = 'scale(' + s + ') translate(-50%, -50%)';
  }
  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    if (/^[0-9]$/.test(e.key)) { typed += e.key; return; }
    if (e.key === 'Enter' && typed) { show(+typed - 1, 0); typed = ''; e.preventDefault(); return; }
    typed = '';
    var keys = {ArrowRight: next, ArrowDown: next, PageDown: next, ' ': next, n: next,
                ArrowLeft: previous, ArrowUp: previous, PageUp: previous, Backspace: previous, p: previous,
                Home: function () { show(0, 0); }, End: function () { show(slides.length - 1, 0); },
                f: function () { document.documentElement.requestFullscreen(); },
                b: function () { document.body.classList.toggle('blank'); }};
    if (keys[e.key]) { e.preventDefault(); keys[e.key](); }
  });
  window.addEventListener('resize', function () { scaleStage(); fitPage(pages(at.h)[at.v]); });
  var start = /^#\\/(\\d+)\\/(\\d+)$/.exec(location.hash);
  scaleStage();
  show(start ? +start[1] - 1 : 0, start ? +start[2] - 1 : 0);
})();
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>%(title)s</title><style>%(style)s
%(code_style)s</style></head>
<body>
<div id="stage">
%(slides)s
<div id="counter"></div>
</div>
<div id="blank"></div>
<script>%(script)s</script>
</body>
</html>
"""


def main(argv=None):
    p = argparse.ArgumentParser(prog='python -m beyond_slides.deck', description=__doc__.splitlines()[0])
    p.add_argument('--notebook', default=LECTURE_NOTEBOOK, help='the executed lecture notebook (default: %(default)s)')
    p.add_argument('--out', default='rnn_lecture_deck.html', help='the deck to write (default: %(default)s)')
    args = p.parse_args(argv)
    import json
    from beyond_slides.files import atomic_write_text
    try:
        with open(args.notebook, encoding='utf-8') as f:
            nb = json.load(f)
        deck = build_deck(nb, slide_titles())
    except (OSError, ValueError) as e:
        print('error: %s' % e, file=sys.stderr)
        return 2
    atomic_write_text(args.out, deck)
    print('wrote %s: %d slides; open it in a browser (arrow keys, space: next; f: full screen)'
          % (args.out, deck.count('<section class="slide"')))
    return 0


if __name__ == '__main__':
    sys.exit(main())
