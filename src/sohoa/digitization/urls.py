from django.urls import path

from . import text_views, views

urlpatterns = [
    path("digitization/", views.intake_list, name="intake_list"),
    path("digitization/upload/", views.upload, name="intake_upload"),
    path("digitization/intakes/<int:pk>/", views.intake_detail, name="intake_detail"),
    path("digitization/intakes/<int:pk>/retry/", views.intake_retry, name="intake_retry"),
    path("digitization/intakes/<int:pk>/discard/", views.intake_discard, name="intake_discard"),
    path("digitization/pages/<int:pk>/thumbnail.jpg", views.page_thumbnail, name="page_thumbnail"),
    path("digitization/pages/<int:pk>/text/", text_views.page_text, name="page_text"),
    path("digitization/intakes/<int:pk>/qc/", views.qc_review, name="qc_review"),
    path("digitization/intakes/<int:pk>/qc/accept/", views.qc_accept, name="qc_accept"),
    path("digitization/pages/<int:pk>/reject/", views.page_reject, name="page_reject"),
    path("digitization/pages/<int:pk>/rescan/", views.page_rescan, name="page_rescan"),
    path("digitization/rework/", views.rework_list, name="rework_list"),
    path("digitization/throughput/", views.throughput, name="throughput"),
    path("documents/<int:document_id>/archival.pdf", views.archival_download, name="archival_download"),
    path("documents/<int:document_id>/original", views.original_download, name="original_download"),
]
