from django.urls import path

from . import views

urlpatterns = [
    path("my/data/", views.MyDataView.as_view(), name="ownerdata-my-data"),
    path("my/data/download.<str:fmt>", views.MyDataDownloadView.as_view(), name="ownerdata-download"),
    path("my/account/delete/", views.AccountDeleteView.as_view(), name="ownerdata-account-delete"),
]
