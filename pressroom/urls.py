from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    # Before the admin: two-step sign-in pages, open to staff whose session is unverified.
    path("admin/two-step/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("articles.feed_urls")),
    path("", include("articles.urls")),
]

# Error pages that need no database (templates/errors/layout.html); 503 while it is away.
handler400 = "pressroom.errors.bad_request"
handler500 = "pressroom.errors.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
