"""The search page: the form, and the published articles that match the query."""

from django.views.generic import TemplateView

from articles.models.article import attach_listing
from articles.search import add_headlines, clean_query, hits, search_articles
from articles.views.mixins import lookahead_page, page_number, published_articles


class SearchView(TemplateView):
    """Search the published articles; an empty query shows the form alone."""

    template_name = "articles/search.html"

    def get_context_data(self, **kwargs):
        query = clean_query(self.request.GET.get("q", ""))
        context = super().get_context_data(query=query, **kwargs)
        if query:
            articles = search_articles(published_articles(self.request).for_listing(), query)
            page = lookahead_page(articles, page_number(self.request))
            attach_listing(add_headlines(page.object_list, query))
            context.update(page_obj=page, hits=hits(page.object_list, query))
        return context
