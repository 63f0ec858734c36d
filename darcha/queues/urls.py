from .views import appointments, board, centers, console, kiosk, manager

app_name = "queues"

# Each screen module keeps its own routes; they are joined here.
urlpatterns = [
    *centers.urlpatterns,
    *kiosk.urlpatterns,
    *console.urlpatterns,
    *board.urlpatterns,
    *manager.urlpatterns,
    *appointments.urlpatterns,
]
