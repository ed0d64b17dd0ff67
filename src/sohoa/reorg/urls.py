from django.urls import path

from . import views

urlpatterns = [
    path("reorganizations/", views.reorg_list, name="reorg_list"),
    path("reorganizations/new/", views.reorg_create, name="reorg_create"),
    path("reorganizations/<int:pk>/", views.reorg_detail, name="reorg_detail"),
    path("reorganizations/<int:pk>/propose/", views.reorg_propose, name="reorg_propose"),
    path("reorganizations/<int:pk>/execute/", views.reorg_execute, name="reorg_execute"),
    path("reorganizations/items/<int:pk>/", views.reorg_item_assign, name="reorg_item_assign"),
    path("reorganizations/<int:pk>/minutes.<str:format>", views.reorg_minutes, name="reorg_minutes"),
]
