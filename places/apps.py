from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "places"
    verbose_name = "Places and addresses"

    def ready(self) -> None:
        # The public department finder (tenants.finder) looks typed text up as an address
        # too; tenants sits below places and cannot import it, so places plugs itself in.
        from tenants.finder import address_geocoder_set

        from .geocoders import address_points_everywhere

        address_geocoder_set(address_points_everywhere)
