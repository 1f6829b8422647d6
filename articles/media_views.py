"""Downloads of stored files that must not be shown inline: agreement documents."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from articles.models import Agreement

PDF_CONTENT_TYPE = "application/pdf"


@require_safe
def agreement_document(request, pk):
    """Send an agreement's PDF as a download, streamed from storage."""
    agreement = get_object_or_404(Agreement.objects.only("pk", "slug", "document"), pk=pk)
    if not agreement.document:
        raise Http404("The agreement has no document.")
    try:
        handle = agreement.document.open("rb")
    except OSError as error:  # the row names a file the storage no longer has
        raise Http404("The document file is missing.") from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{agreement.slug}.pdf",
        content_type=PDF_CONTENT_TYPE,
    )
    # A PDF opened in the browser anyway must not run scripts or reach the site's cookies.
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
