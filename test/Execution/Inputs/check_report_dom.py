"""Reads the DOM Chromium rendered from a qopt HTML report and the --sqnr
table of the same run (report-html.test); prints what the test checks."""
import re
import sys
from html.parser import HTMLParser

dom = open(sys.argv[1]).read()
table = open(sys.argv[2]).read().splitlines()


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.layers = self.hists = self.channels = self.external = 0
        self.ranking, self.summary = [], []
        self._in_rank_link = self._in_li = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div" and a.get("class") == "layer":
            self.layers += 1
        if tag == "svg" and a.get("class") == "hist":
            self.hists += 1
        if tag == "svg" and a.get("class") == "channels":
            self.channels += 1
        for key in ("src", "href"):
            if key in a and not a[key].startswith("#"):
                self.external += 1
        if tag == "a" and self.in_ranking and a.get("href", "").startswith("#layer-"):
            self._in_rank_link = True
        if tag == "li":
            self._in_li = True
            self.summary.append("")

    def handle_endtag(self, tag):
        if tag == "a":
            self._in_rank_link = False
        if tag == "li":
            self._in_li = False

    def handle_data(self, data):
        if self._in_rank_link:
            self.ranking.append(data)
        if self._in_li:
            self.summary[-1] += data

    in_ranking = False


page = Page()
start = dom.index('id="ranking"')
page.feed(dom[:start])
page.in_ranking = True
end = dom.index("</table>", start)
page.feed(dom[start:end])
page.in_ranking = False
page.feed(dom[end:])
print("layers in the page: %d, with histograms: %d, with weight ranges: %d"
      % (page.layers, page.hists, page.channels))
print("summary: " + next(s for s in page.summary if s.startswith("accuracy")))
rows = []
for line in table[1:]:
    m = re.match(r"^(\S+)\s+(qnn\.\S+|tensor\.\S+)\s+\d+\s+(\S+)", line)
    if m and m.group(3) != "exact":
        rows.append((float(m.group(3)), m.group(1)))
worst = min(rows)[1]
print("worst in the page: %s = worst in --sqnr: %s: %s"
      % (page.ranking[0], worst, page.ranking[0] == worst))
print("references outside the page: %d" % page.external)
