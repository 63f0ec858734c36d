from importlib import import_module

app_name = "queues"

# Each screen module keeps its own routes; they are joined here.
SCREENS = ["kiosk", "console", "board", "manager", "appointments"]
urlpatterns = []
for _name in SCREENS:
    try:
        _module = import_module(f"darcha.queues.views.{_name}")
    except ModuleNotFoundError as error:
        if error.name != f"darcha.queues.views.{_name}":
            raise
        continue
    urlpatterns += _module.urlpatterns
