"""The rich-text editor of the article body: django-prose-editor set up for our allowlist."""

from django_prose_editor.fields import ProseEditorFormField

from articles.html import sanitize_html

# What the editor offers matches articles.html.ALLOWED_TAGS; the editor's own cleaning is
# replaced by sanitize_html(), so there is one sanitiser whatever the editor knows.
EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto", "tel"]},
    "Heading": {"levels": [2, 3]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "HorizontalRule": True,
    "History": True,
    "Typographic": True,
}


class RichTextFormField(ProseEditorFormField):
    """The body's form field: the prose editor in the browser, sanitize_html() on the server."""

    def __init__(self, *args, **kwargs):
        kwargs.pop("max_length", None)
        kwargs["config"] = {"extensions": EDITOR_EXTENSIONS}
        kwargs["sanitize"] = sanitize_html
        super().__init__(*args, **kwargs)
