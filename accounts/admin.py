"""The admin login asks for the one-time code; its template shows the code field."""

from django.contrib import admin

from accounts.forms import LoginForm

# Set on the default site rather than replacing it, so every registered model and every
# existing admin address stays as it is; RequireTwoFactorMiddleware guards the rest.
admin.site.login_form = LoginForm
admin.site.login_template = "accounts/login.html"
