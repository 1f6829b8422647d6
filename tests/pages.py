"""What a visitor reads on a list page: the titles of its cards, in order."""

from html.parser import HTMLParser


class _CardTitles(HTMLParser):
    def __init__(self):
        super().__init__()
        self.titles = []
        self.depth = 0  # > 0 inside a card's title heading

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif "card__title" in (dict(attrs).get("class") or "").split():
            self.depth = 1
            self.titles.append("")

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.titles[-1] += data


def card_titles(response):
    """Return the titles of the article cards on the page response, top to bottom."""
    parser = _CardTitles()
    parser.feed(response.content.decode())
    return [title.strip() for title in parser.titles]
