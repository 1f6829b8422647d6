"""The audit trail in the admin: read-only, filterable by event, user and date."""

from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Who signed in, published, changed roles or devices, and when: to read, never edit."""

    list_display = ("at", "kind", "username", "ip_address", "object_repr", "details")
    list_filter = ("kind", ("actor", admin.RelatedOnlyFieldListFilter), "at")
    date_hierarchy = "at"
    search_fields = ("username", "object_repr", "details", "ip_address")
    list_select_related = ("actor",)
    fields = (
        "at",
        "kind",
        "actor",
        "username",
        "ip_address",
        "object_type",
        "object_id",
        "object_repr",
        "details",
    )
    readonly_fields = fields
    list_per_page = 100
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}
