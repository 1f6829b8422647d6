"""Syndication feeds: RSS 2.0 and Atom of the latest news, Yandex News and Dzen."""
