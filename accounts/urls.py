from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("enrol/", views.enrol, name="enrol"),
    path("verify/", views.verify, name="verify"),
]
